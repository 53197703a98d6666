"""`GET /r/<slug>` (a campaign's links in turn, round robin by link id; the click counts on the
chosen link) and `GET /u/<username>/<slug>-<id>` (a public campaign's list page) (docs/redirect.md,
"Campaigns")."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from likepion.core.db import db
from likepion.core.time import utcnow
from likepion.shortener.models import Campaign, ShortUrl
from tests.helpers import add_link
from tests.redirect.conftest import GOOGLEBOT, assert_html, clicks_of, put_on_plan
from tests.shortener.conftest import EVERY_FEATURE

URLS = ["https://one.example.com/", "https://two.example.com/", "https://three.example.com/"]


@pytest.fixture
def headers(power_user, api_key_headers):
    return api_key_headers(power_user)


def add_campaign(client, headers, **body) -> dict:
    response = client.post("/api/campaign/add", json={"name": "Spring", **body}, headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def assign(client, headers, campaign_id, link_id) -> None:
    response = client.post(f"/api/campaign/{campaign_id}/assign/{link_id}", headers=headers)
    assert response.status_code == 200, response.json


def campaign_with_links(client, headers, urls=URLS, **body) -> tuple[dict, list[int]]:
    """A campaign and the ids of its links (made in order, assigned last one first)."""
    campaign = add_campaign(client, headers, **body)
    link_ids = [add_link(client, headers, url)[0] for url in urls]
    for link_id in reversed(link_ids):
        assign(client, headers, campaign["id"], link_id)
    return campaign, link_ids


def path_of(url: str) -> str:
    return url.removeprefix("http://localhost")


def turn_counter(app, campaign_id) -> int:
    with app.app_context():
        return db.session.scalar(select(Campaign.rotator_turn).where(Campaign.id == campaign_id))


# --- rotator ----------------------------------------------------------------------------------
def test_rotator_takes_the_links_in_turn_by_id(app, client, headers):
    campaign, link_ids = campaign_with_links(client, headers, slug="spring")
    assert campaign["rotator"] == "http://localhost/r/spring"

    locations = []
    for _ in range(6):
        response = client.get("/r/spring")
        assert response.status_code == 302
        locations.append(response.headers["Location"])

    assert locations == URLS + URLS
    assert turn_counter(app, campaign["id"]) == 6


def test_each_rotator_visit_counts_on_the_chosen_link(app, client, headers):
    _, link_ids = campaign_with_links(client, headers, slug="spring")

    for _ in range(5):
        client.get("/r/spring")

    assert [len(clicks_of(app, short_url_id=i)) for i in link_ids] == [2, 2, 1]
    counts = [client.get(f"/api/url/{i}", headers=headers).json["data"]["clicks"] for i in link_ids]
    assert counts == [2, 2, 1]


def test_rotator_bots_are_redirected_but_not_counted(app, client, headers):
    _, link_ids = campaign_with_links(client, headers, slug="spring")

    response = client.get("/r/spring", headers={"User-Agent": GOOGLEBOT})

    assert response.status_code == 302
    assert clicks_of(app) == []


def test_a_link_added_later_joins_the_rotation(app, client, headers):
    campaign, _ = campaign_with_links(client, headers, URLS[:2], slug="spring")
    assert [client.get("/r/spring").headers["Location"] for _ in range(2)] == URLS[:2]

    later, _ = add_link(client, headers, URLS[2])
    assign(client, headers, campaign["id"], later)

    assert [client.get("/r/spring").headers["Location"] for _ in range(3)] == [
        URLS[2], URLS[0], URLS[1],
    ]  # fmt: skip


def test_unknown_slug_is_a_404_page(app, client, headers):
    campaign_with_links(client, headers, slug="spring")

    for path in ("/r/autumn", "/r/SPRING", "/r/spr%00ing", "/r/" + "s" * 200):
        assert_html(client.get(path), 404, "This rotator does not exist or has no links.")
    assert clicks_of(app) == []


def test_campaign_without_links_is_a_404_page(app, client, headers):
    add_campaign(client, headers, slug="empty")

    assert_html(client.get("/r/empty"), 404, "This rotator does not exist or has no links.")


def test_rotator_of_a_deleted_campaign_is_a_404_page(app, client, headers):
    campaign, _ = campaign_with_links(client, headers, slug="spring")
    assert client.get("/r/spring").status_code == 302

    assert (
        client.delete(f"/api/campaign/{campaign['id']}/delete", headers=headers).status_code == 200
    )

    assert_html(client.get("/r/spring"), 404)


def test_rotator_skips_expired_and_protected_links(app, client, headers):
    """A visitor could not follow these links directly, so the rotator does not hand them out
    (a protected link's destination would leak past its password)."""
    campaign, _ = campaign_with_links(client, headers, URLS[:1], slug="spring")
    expiry = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
    expiring, _ = add_link(client, headers, "https://expiring.example.com/", expiry=expiry)
    protected, _ = add_link(client, headers, "https://secret.example.com/", password="pw-123456")
    for link_id in (expiring, protected):
        assign(client, headers, campaign["id"], link_id)
    with app.app_context():  # the expiring link's time has come
        db.session.execute(
            update(ShortUrl).where(ShortUrl.id == expiring).values(expiry=utcnow() - timedelta(1))
        )
        db.session.commit()

    locations = {client.get("/r/spring").headers["Location"] for _ in range(4)}

    assert locations == {URLS[0]}


# --- public list page -------------------------------------------------------------------------
def test_public_campaign_lists_its_links(app, client, headers):
    campaign = add_campaign(client, headers, name="Spring picks", slug="spring", public=True)
    first, first_alias = add_link(client, headers, URLS[0], metatitle="The first one")
    second, second_alias = add_link(client, headers, URLS[1])
    add_link(client, headers, URLS[2])  # not in the campaign
    for link_id in (second, first):
        assign(client, headers, campaign["id"], link_id)
    assert campaign["list"] == f"http://localhost/u/dave/spring-{campaign['id']}"

    page = assert_html(client.get(path_of(campaign["list"])), 200, "<h1>Spring picks</h1>")

    assert f'<li><a href="http://localhost/{first_alias}">The first one</a></li>' in page
    assert f'<li><a href="http://localhost/{second_alias}">{second_alias}</a></li>' in page
    assert page.index("The first one") < page.index(f">{second_alias}<")
    assert URLS[2] not in page and "three.example.com" not in page
    assert clicks_of(app) == []  # a list view is not a click


def test_public_campaign_without_slug_is_listed_as_list(app, client, headers):
    campaign = add_campaign(client, headers, public=True)
    assert campaign["list"] == f"http://localhost/u/dave/list-{campaign['id']}"

    assert_html(client.get(path_of(campaign["list"])), 200, "<h1>Spring</h1>", "No links yet.")
    assert_html(client.get(f"/u/dave/spring-{campaign['id']}"), 404)


def test_campaign_name_is_escaped_on_its_page(app, client, headers):
    campaign = add_campaign(client, headers, name="<b>Deals</b>", public=True)

    page = assert_html(client.get(path_of(campaign["list"])), 200, "&lt;b&gt;Deals&lt;/b&gt;")

    assert "<b>Deals</b>" not in page


def test_private_campaign_answers_like_a_missing_one(app, client, headers):
    campaign = add_campaign(client, headers, slug="spring", public=False)

    private = client.get(path_of(campaign["list"]))
    missing = client.get("/u/dave/spring-999999")

    assert_html(private, 404, "This list does not exist or is private.")
    assert private.get_data() == missing.get_data()


def test_wrong_slug_or_username_is_a_404_page(app, client, headers, admin, api_key_headers):
    campaign = add_campaign(client, headers, slug="spring", public=True)
    put_on_plan(app, admin, "Everything", EVERY_FEATURE)
    theirs = add_campaign(client, api_key_headers(admin), slug="theirs", public=True)
    number = campaign["id"]
    expected = client.get("/u/dave/spring-999999").get_data()

    for path in (
        f"/u/dave/autumn-{number}",
        f"/u/dave/list-{number}",
        f"/u/root/spring-{number}",  # another user's name
        f"/u/nobody/spring-{number}",
        f"/u/dave/theirs-{theirs['id']}",  # another user's campaign under my name
    ):
        response = client.get(path)
        assert_html(response, 404)
        assert response.get_data() == expected, path
    assert client.get(f"/u/root/theirs-{theirs['id']}").status_code == 200


def test_malformed_list_paths_are_404_pages(app, client, headers):
    campaign = add_campaign(client, headers, slug="spring", public=True)

    for path in (
        "/u/dave/spring",
        "/u/dave/spring-",
        "/u/dave/spring-abc",
        "/u/dave/spring-1234567890123",
        "/u/dave/spring-%C2%B2",  # a superscript two is a digit to str.isdigit()
        "/u/dave/spring-%D9%A3",  # an Arabic-Indic digit
        f"/u/da%00ve/spring-{campaign['id']}",
        f"/u/{'d' * 300}/spring-{campaign['id']}",
    ):
        assert_html(client.get(path), 404, "This list does not exist or is private.")
