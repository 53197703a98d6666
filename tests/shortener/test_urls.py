"""Short links: `GET /api/urls`, `GET /api/url/:id`, `POST /api/url/add`,
`PUT /api/url/:id/update`, `DELETE /api/url/:id/delete` (docs/api-shortener.md)."""

import re

from sqlalchemy import func, select

from likepion.auth import passwords
from likepion.core.db import db
from likepion.shortener.models import ChannelItem, Click, Domain, Overlay, ShortUrl, Splash
from tests.clicks import NO_CLICKS, add_clicks
from tests.helpers import (
    MISSING_ID,
    assert_error,
    assert_foreign_answers_like_missing,
    count_rows,
    load_row,
    post_link,
)
from tests.shortener.conftest import EVERY_FEATURE, put_on_plan

ITEM_FIELDS = {
    "id", "alias", "shorturl", "longurl", "clicks", "title", "description", "metaimage", "status",
    "campaign", "date",
}  # fmt: skip
PAGE_FIELDS = {"result", "perpage", "currentpage", "nextpage", "maxpage", "urls"}
DETAIL_FIELDS = {
    "id", "shorturl", "longurl", "title", "description", "location", "device", "expiry",
    "metaimage", "status", "campaign", "date",
}  # fmt: skip
STATS_FIELDS = {
    "clicks", "uniqueClicks", "topCountries", "topReferrers", "topBrowsers", "topOs",
    "socialCount",
}  # fmt: skip


def new_link(client, headers, **body) -> int:
    response = post_link(client, headers, **body)
    assert response.status_code == 200, response.json
    return response.json["id"]


def add_object(client, headers, path, body) -> int:
    response = client.post(path, json=body, headers=headers)
    assert response.status_code == 200, response.json
    return response.json["id"]


def add_domain(client, headers, host="go.example.com") -> int:
    return add_object(client, headers, "/api/domain/add", {"domain": f"https://{host}"})


def list_urls(client, headers, **query):
    return client.get("/api/urls", query_string=query, headers=headers)


# --- POST /api/url/add ------------------------------------------------------------------------
def test_add_link_answers_id_and_short_url(app, client, user, api_key_headers):
    response = post_link(client, api_key_headers(user), url="https://example.com/a?b=1")

    assert response.status_code == 200
    body = response.json
    assert set(body) == {"error", "id", "shorturl"}
    assert body["error"] == 0
    link = load_row(app, ShortUrl, body["id"])
    assert body["shorturl"] == f"http://localhost/{link.alias}"
    assert link.user_id == user.id
    assert link.url == "https://example.com/a?b=1"
    assert link.type == "direct"
    assert link.domain_id is None and link.password_hash is None


def test_generated_aliases_are_random_base62(app, client, user, api_key_headers):
    ids = [new_link(client, api_key_headers(user)) for _ in range(6)]

    aliases = [load_row(app, ShortUrl, link_id).alias for link_id in ids]
    assert all(re.fullmatch(r"[A-Za-z0-9]{7}", alias) for alias in aliases), aliases
    assert len(set(aliases)) == len(aliases)
    # A counter encoded in base62 would keep the first six characters from one link to the next.
    assert len({alias[:6] for alias in aliases}) == len(aliases), aliases


def test_add_link_with_every_field(app, client, power_user, api_key_headers):
    headers = api_key_headers(power_user)
    add_domain(client, headers)
    pixel = add_object(
        client, headers, "/api/pixel/add", {"type": "gapixel", "name": "GA", "tag": "UA-1"}
    )
    channel = add_object(client, headers, "/api/channel/add", {"name": "Spring"})
    campaign = add_object(client, headers, "/api/campaign/add", {"name": "Launch"})

    response = post_link(
        client,
        headers,
        url="https://example.com/spring",
        custom="spring-sale",
        type="frame",
        password="s3cret",
        domain="https://go.example.com",
        expiry="2099-01-01 00:00:00",
        geotarget=[{"location": "Canada", "link": "https://example.ca"}],
        devicetarget=[{"device": "iPhone", "link": "https://example.com/ios"}],
        languagetarget=[{"language": "fr", "link": "https://example.fr"}],
        metatitle="Spring sale",
        metadescription="Everything half price",
        pixels=[pixel],
        channel=channel,
        campaign=campaign,
        deeplink={"auto": True, "apple": "https://apps.apple.com/x"},
    )

    assert response.status_code == 200, response.json
    assert response.json["shorturl"] == "https://go.example.com/spring-sale"
    with app.app_context():
        link = db.session.get(ShortUrl, response.json["id"])
        assert (link.alias, link.type, link.domain.host) == (
            "spring-sale",
            "frame",
            "go.example.com",
        )
        assert passwords.verify_password(link.password_hash, "s3cret")
        assert link.expiry.strftime("%Y-%m-%d %H:%M:%S") == "2099-01-01 00:00:00"
        assert link.geo_targets == {"CA": "https://example.ca"}
        assert link.device_targets == {"iphone": "https://example.com/ios"}
        assert link.language_targets == {"fr": "https://example.fr"}
        assert (link.title, link.description) == ("Spring sale", "Everything half price")
        assert [p.id for p in link.pixels] == [pixel]
        assert link.campaign_id == campaign
        assert link.deeplink["auto"] is True
        assert link.deeplink["apple"] == "https://apps.apple.com/x"
        item = db.session.scalar(select(ChannelItem).where(ChannelItem.short_url_id == link.id))
        assert item.channel_id == channel


def test_custom_alias_with_bad_characters_or_length_is_refused(app, client, business_user,
                                                               api_key_headers):  # fmt: skip
    for alias in ("a/b", "x" * 300, "ab", "has space", "émoji"):
        response = post_link(client, api_key_headers(business_user), custom=alias)
        assert_error(response, 400)
        assert "custom" in response.json["message"]
    assert count_rows(app, ShortUrl) == 0


def test_reserved_words_are_refused_as_aliases(app, client, business_user, api_key_headers):
    for alias in ("api", "qr", "r", "u", "healthz", "openapi.json", "API"):
        response = post_link(client, api_key_headers(business_user), custom=alias)
        assert_error(response, 400)
    assert count_rows(app, ShortUrl) == 0


def test_taken_alias_is_a_conflict(app, client, business_user, api_key_headers):
    headers = api_key_headers(business_user)
    first = new_link(client, headers, custom="promo")

    response = post_link(client, headers, custom="promo", url="https://example.com/other")

    assert_error(response, 409)
    assert "promo" in response.json["message"]
    assert count_rows(app, ShortUrl) == 1
    assert load_row(app, ShortUrl, first).url == "https://example.com/page"


def test_alias_taken_by_another_user_is_a_conflict_too(app, client, business_user, admin,
                                                       api_key_headers):  # fmt: skip
    new_link(client, api_key_headers(admin), custom="promo")

    response = post_link(client, api_key_headers(business_user), custom="promo")

    assert_error(response, 409)
    assert count_rows(app, ShortUrl) == 1


def test_same_alias_on_a_branded_domain_is_allowed(app, client, power_user, api_key_headers):
    headers = api_key_headers(power_user)
    domain_id = add_domain(client, headers)
    own = new_link(client, headers, custom="promo")

    response = post_link(client, headers, custom="promo", domain="go.example.com")

    assert response.status_code == 200, response.json
    assert response.json["shorturl"] == "https://go.example.com/promo"
    assert load_row(app, ShortUrl, own).domain_id is None
    assert load_row(app, ShortUrl, response.json["id"]).domain_id == domain_id
    assert_error(post_link(client, headers, custom="promo", domain="go.example.com"), 409)
    assert count_rows(app, ShortUrl) == 2


def test_unsafe_or_malformed_destinations_are_refused(app, client, user, api_key_headers):
    for url in (
        "javascript:alert(1)",
        "data:text/html,x",
        "/foo",
        "ftp://x",
        "http://localhost/x",
        "HTTP://LOCALHOST:8080/x",
        "http://localhost./x",
        "http://localhost\\@example.com/",
        "https://example.com/" + "a" * 2100,
        "https://exa mple.com/",
        "",
    ):
        response = post_link(client, api_key_headers(user), url=url)
        assert_error(response, 400)
        assert "url" in response.json["message"], url
    assert count_rows(app, ShortUrl) == 0


def test_link_to_a_branded_domain_is_refused(app, client, power_user, api_key_headers):
    headers = api_key_headers(power_user)
    add_domain(client, headers)

    for url in ("https://go.example.com/promo", "http://GO.example.com./promo"):
        assert_error(post_link(client, headers, url=url), 400)
    assert count_rows(app, ShortUrl) == 0


def test_add_link_bad_fields_write_nothing(app, client, power_user, api_key_headers):
    cases = [
        {},
        {"url": 5},
        {"url": "https://example.com", "type": "popup"},
        {"url": "https://example.com", "expiry": "2000-01-01 00:00:00"},
        {"url": "https://example.com", "expiry": "tomorrow"},
        {"url": "https://example.com", "geotarget": [{"location": "Atlantis", "link": "https://a.b"}]},
        {"url": "https://example.com", "devicetarget": [{"device": "toaster", "link": "https://a.b"}]},
        {"url": "https://example.com", "geotarget": [{"location": "CA", "link": "javascript:x"}]},
        {"url": "https://example.com", "deeplink": {"apple": "ftp://x"}},
        {"url": "https://example.com", "pixels": ["one"]},
    ]  # fmt: skip
    headers = api_key_headers(power_user)
    for body in cases:
        assert_error(client.post("/api/url/add", json=body, headers=headers), 400)
    broken = client.post(
        "/api/url/add", data="{not json", headers=headers, content_type="application/json"
    )
    assert_error(broken, 400)
    assert count_rows(app, ShortUrl) == 0


def test_add_link_without_api_key_is_401(app, client):
    response = client.post("/api/url/add", json={"url": "https://example.com"})

    assert_error(response, 401)
    assert count_rows(app, ShortUrl) == 0


# --- tenancy ----------------------------------------------------------------------------------
def test_someone_elses_link_answers_like_a_missing_one(app, client, user, other_user,
                                                       api_key_headers):  # fmt: skip
    theirs = new_link(client, api_key_headers(other_user), url="https://example.com/bob")
    headers = api_key_headers(user)
    requests = [
        ("get", "/api/url/{}", None),
        ("put", "/api/url/{}/update", {"url": "https://evil.example.com"}),
        ("delete", "/api/url/{}/delete", None),
    ]
    assert_foreign_answers_like_missing(client, headers, theirs, requests)
    link = load_row(app, ShortUrl, theirs)
    assert link.url == "https://example.com/bob" and link.user_id == other_user.id


def test_someone_elses_objects_in_the_body_are_404(app, client, power_user, other_user,
                                                   api_key_headers):  # fmt: skip
    put_on_plan(app, other_user, "Everything", EVERY_FEATURE)
    theirs = api_key_headers(other_user)
    pixel = add_object(
        client, theirs, "/api/pixel/add", {"type": "gapixel", "name": "GA", "tag": "UA-2"}
    )
    channel = add_object(client, theirs, "/api/channel/add", {"name": "Bob's"})
    campaign = add_object(client, theirs, "/api/campaign/add", {"name": "Bob's"})
    add_domain(client, theirs, "bob.example.com")
    headers = api_key_headers(power_user)
    mine = new_link(client, headers, url="https://example.com/mine")
    cases = [
        ({"pixels": [pixel]}, {"pixels": [MISSING_ID]}),
        ({"channel": channel}, {"channel": MISSING_ID}),
        ({"campaign": campaign}, {"campaign": MISSING_ID}),
        ({"domain": "https://bob.example.com"}, {"domain": "https://nobody.example.com"}),
    ]
    for other, missing in cases:
        for path in ("/api/url/add", f"/api/url/{mine}/update"):
            send = client.post if path.endswith("add") else client.put
            their_answer = send(
                path, json={"url": "https://example.com/x"} | other, headers=headers
            )
            missing_answer = send(
                path, json={"url": "https://example.com/x"} | missing, headers=headers
            )
            assert_error(their_answer, 404)
            assert their_answer.json == missing_answer.json
    assert count_rows(app, ShortUrl) == 1
    with app.app_context():
        link = db.session.get(ShortUrl, mine)
        assert link.url == "https://example.com/mine"
        assert link.pixels == [] and link.campaign_id is None and link.domain_id is None
        assert db.session.scalar(select(func.count()).select_from(ChannelItem)) == 0


def test_someone_elses_splash_or_overlay_type_is_404(app, client, power_user, other_user,
                                                    api_key_headers):  # fmt: skip
    with app.app_context():
        splash = Splash(user_id=other_user.id, name="Bob's splash")
        overlay = Overlay(user_id=other_user.id, type="message", name="Bob's overlay")
        db.session.add_all([splash, overlay])
        db.session.commit()
        ids = {"splash": splash.id, "overlay": overlay.id}
    headers = api_key_headers(power_user)
    for kind, object_id in ids.items():
        theirs = post_link(client, headers, type=f"{kind}-{object_id}")
        missing = post_link(client, headers, type=f"{kind}-{MISSING_ID}")
        assert_error(theirs, 404)
        assert theirs.json == missing.json
    assert count_rows(app, ShortUrl) == 0


# --- GET /api/url/:id -------------------------------------------------------------------------
def test_get_link_has_details_and_click_stats(app, client, user, api_key_headers):
    headers = api_key_headers(user)
    link_id = new_link(client, headers, url="https://example.com/stats", metatitle="Stats")
    other = new_link(client, headers)
    add_clicks(
        app,
        link_id,
        ("CA", "facebook.com", "Chrome", "Windows 10", "v1"),
        ("CA", "t.co", "Chrome", "Windows 10", "v2"),
        (None, None, "Firefox", "Linux", "v1"),
    )
    add_clicks(app, other, ("US", "instagram.com", "Safari", "iOS", "v3"))

    response = client.get(f"/api/url/{link_id}", headers=headers)

    assert response.status_code == 200
    body = response.json
    assert set(body) == {"error", "id", "details", "data"}
    assert (body["error"], body["id"]) == (0, link_id)
    details = body["details"]
    assert set(details) == DETAIL_FIELDS
    alias = load_row(app, ShortUrl, link_id).alias
    assert details["shorturl"] == f"http://localhost/{alias}"
    assert details["longurl"] == "https://example.com/stats"
    assert (details["title"], details["description"]) == ("Stats", None)
    assert (details["location"], details["device"], details["expiry"]) == ({}, {}, None)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", details["date"])
    assert body["data"] == {
        "clicks": 3,
        "uniqueClicks": 2,
        "topCountries": {"Canada": "2", "Unknown": "1"},
        "topReferrers": {"facebook.com": "1", "t.co": "1", "Direct, email and other": "1"},
        "topBrowsers": {"Chrome": "2", "Firefox": "1"},
        "topOs": {"Windows 10": "2", "Linux": "1"},
        "socialCount": {"facebook": 1, "twitter": 1, "instagram": 0},
    }
    assert set(body["data"]) == STATS_FIELDS


def test_unknown_countries_are_counted_together(app, client, user, api_key_headers):
    link_id = new_link(client, api_key_headers(user))
    # The registry data gives "EU" for some blocks: no country, like a missing one.
    add_clicks(
        app,
        link_id,
        (None, None, None, None, "v1"),
        ("EU", None, None, None, "v2"),
        ("EU", None, None, None, "v3"),
    )

    data = client.get(f"/api/url/{link_id}", headers=api_key_headers(user)).json["data"]

    assert data["topCountries"] == {"Unknown": "3"}
    assert data["topBrowsers"] == data["topOs"] == {"Unknown": "3"}


def test_get_link_without_clicks_has_empty_stats(client, user, api_key_headers):
    link_id = new_link(client, api_key_headers(user))

    response = client.get(f"/api/url/{link_id}", headers=api_key_headers(user))

    assert response.status_code == 200
    assert response.json["data"] == NO_CLICKS


def test_get_link_details_show_targets_and_expiry(client, power_user, api_key_headers):
    headers = api_key_headers(power_user)
    link_id = new_link(
        client,
        headers,
        expiry="2099-06-01 12:30:00",
        metadescription="About",
        geotarget=[{"location": "CA", "link": "https://example.ca"}],
        devicetarget=[{"device": "Android", "link": "https://example.com/android"}],
    )

    details = client.get(f"/api/url/{link_id}", headers=headers).json["details"]

    assert details["location"] == {"Canada": "https://example.ca"}
    assert details["device"] == {"android": "https://example.com/android"}
    assert details["expiry"] == "2099-06-01 12:30:00"
    assert details["description"] == "About"


def test_get_link_with_a_bad_id_is_404(client, user, api_key_headers):
    for path in ("/api/url/abc", "/api/url/0", "/api/url/-1", f"/api/url/{2**40}"):
        assert_error(client.get(path, headers=api_key_headers(user)), 404)


# --- GET /api/urls ----------------------------------------------------------------------------
def test_list_has_the_seed_shape(app, client, user, other_user, api_key_headers):
    link_id = new_link(
        client, api_key_headers(user), url="https://example.com/listed", metatitle="Listed"
    )
    new_link(client, api_key_headers(other_user))
    add_clicks(app, link_id, ("CA", None, "Chrome", "Linux", "v1"))

    response = list_urls(client, api_key_headers(user))

    assert response.status_code == 200
    assert set(response.json) == {"error", "data"}
    assert response.json["error"] == "0"
    data = response.json["data"]
    assert set(data) == PAGE_FIELDS
    assert (data["result"], data["perpage"], data["currentpage"]) == (1, 20, 1)
    assert (data["nextpage"], data["maxpage"]) == (1, 1)
    [item] = data["urls"]
    assert set(item) == ITEM_FIELDS
    alias = load_row(app, ShortUrl, link_id).alias
    assert item["id"] == link_id
    assert item["alias"] == alias
    assert item["shorturl"] == f"http://localhost/{alias}"
    assert item["longurl"] == "https://example.com/listed"
    assert item["clicks"] == 1
    assert (item["title"], item["description"]) == ("Listed", None)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", item["date"])


def test_list_orders_by_date_or_clicks(app, client, user, api_key_headers):
    headers = api_key_headers(user)
    first, second, third = (new_link(client, headers) for _ in range(3))
    add_clicks(app, second, *[("CA", None, "Chrome", "Linux", "v")] * 3)
    add_clicks(app, third, ("CA", None, "Chrome", "Linux", "v"))

    by_date = list_urls(client, headers).json["data"]["urls"]
    by_clicks = list_urls(client, headers, order="clicks").json["data"]["urls"]

    assert [item["id"] for item in by_date] == [third, second, first]
    assert [(item["id"], item["clicks"]) for item in by_clicks] == [
        (second, 3),
        (third, 1),
        (first, 0),
    ]


def test_list_filters_by_alias(client, business_user, api_key_headers):
    headers = api_key_headers(business_user)
    wanted = new_link(client, headers, custom="wanted")
    new_link(client, headers, custom="unwanted")

    data = list_urls(client, headers, short="wanted").json["data"]

    assert data["result"] == 1
    assert [item["id"] for item in data["urls"]] == [wanted]
    assert list_urls(client, headers, short="nothing").json["data"]["urls"] == []


def test_list_pages_through_five_links(client, user, api_key_headers):
    headers = api_key_headers(user)
    created = {new_link(client, headers) for _ in range(5)}
    seen = []
    for page, size, nextpage in ((1, 2, 2), (2, 2, 3), (3, 1, 3)):
        data = list_urls(client, headers, limit=2, page=page).json["data"]
        numbers = {key: data[key] for key in PAGE_FIELDS - {"urls"}}
        assert numbers == {
            "result": 5,
            "perpage": 2,
            "currentpage": page,
            "nextpage": nextpage,
            "maxpage": 3,
        }
        assert len(data["urls"]) == size
        seen += [item["id"] for item in data["urls"]]
    assert len(seen) == 5 and set(seen) == created


def test_list_bad_query_is_400(client, user, api_key_headers):
    for query in (
        {"page": 0},
        {"limit": 100000},
        {"limit": 0},
        {"page": "two"},
        {"order": "random"},
        {"short": "x" * 65},
    ):
        assert_error(list_urls(client, api_key_headers(user), **query), 400)


def test_list_runs_the_same_statements_for_any_page_size(client, power_user, api_key_headers,
                                                         sql_statements):  # fmt: skip
    headers = api_key_headers(power_user)
    add_domain(client, headers)
    for n in range(20):
        new_link(client, headers, domain="go.example.com" if n % 2 else None)

    small = sql_statements(lambda: list_urls(client, headers, limit=2))
    large = sql_statements(lambda: list_urls(client, headers, limit=20))

    assert len(small) == len(large)
    assert len(list_urls(client, headers, limit=20).json["data"]["urls"]) == 20


# --- PUT /api/url/:id/update ------------------------------------------------------------------
def test_update_changes_fields_and_renames(app, client, business_user, api_key_headers):
    headers = api_key_headers(business_user)
    link_id = new_link(client, headers, custom="old-name", password="s3cret")

    response = client.put(
        f"/api/url/{link_id}/update",
        json={
            "url": "https://example.com/new",
            "custom": "new-name",
            "password": "",
            "metatitle": "New title",
        },
        headers=headers,
    )

    assert response.status_code == 200, response.json
    assert response.json == {
        "error": 0,
        "id": link_id,
        "shorturl": "http://localhost/new-name",
    }
    link = load_row(app, ShortUrl, link_id)
    assert (link.alias, link.url, link.title) == (
        "new-name",
        "https://example.com/new",
        "New title",
    )
    assert link.password_hash is None


def test_update_with_null_password_clears_it(app, client, user, api_key_headers):
    headers = api_key_headers(user)
    link_id = new_link(client, headers, password="s3cret")
    assert load_row(app, ShortUrl, link_id).password_hash is not None

    response = client.put(f"/api/url/{link_id}/update", json={"password": None}, headers=headers)

    assert response.status_code == 200, response.json
    assert load_row(app, ShortUrl, link_id).password_hash is None


def test_update_keeps_fields_it_is_not_given(app, client, user, api_key_headers):
    headers = api_key_headers(user)
    link_id = new_link(client, headers, password="s3cret", metatitle="Kept")
    before = load_row(app, ShortUrl, link_id)

    response = client.put(f"/api/url/{link_id}/update", json={}, headers=headers)

    assert response.status_code == 200, response.json
    after = load_row(app, ShortUrl, link_id)
    assert (after.alias, after.url, after.title) == (before.alias, before.url, "Kept")
    assert after.password_hash == before.password_hash


def test_update_moves_the_link_to_a_branded_domain(app, client, power_user, api_key_headers):
    headers = api_key_headers(power_user)
    domain_id = add_domain(client, headers)
    link_id = new_link(client, headers, custom="promo")
    new_link(client, headers, custom="promo2", domain="go.example.com")

    response = client.put(
        f"/api/url/{link_id}/update", json={"domain": "https://go.example.com"}, headers=headers
    )

    assert response.status_code == 200, response.json
    assert response.json["shorturl"] == "https://go.example.com/promo"
    assert load_row(app, ShortUrl, link_id).domain_id == domain_id
    back = client.put(f"/api/url/{link_id}/update", json={"domain": ""}, headers=headers)
    assert back.json["shorturl"] == "http://localhost/promo"
    assert load_row(app, ShortUrl, link_id).domain_id is None


def test_update_to_a_taken_alias_is_a_conflict(app, client, power_user, api_key_headers):
    headers = api_key_headers(power_user)
    add_domain(client, headers)
    new_link(client, headers, custom="first")
    new_link(client, headers, custom="moved", domain="go.example.com")
    second = new_link(client, headers, custom="second", url="https://example.com/second")
    moved_alias = new_link(client, headers, custom="moved")

    renamed = client.put(
        f"/api/url/{second}/update",
        json={"custom": "first", "url": "https://example.com/changed"},
        headers=headers,
    )
    moved = client.put(
        f"/api/url/{moved_alias}/update", json={"domain": "go.example.com"}, headers=headers
    )

    assert_error(renamed, 409)
    assert_error(moved, 409)
    link = load_row(app, ShortUrl, second)
    assert (link.alias, link.url) == ("second", "https://example.com/second")
    assert load_row(app, ShortUrl, moved_alias).domain_id is None


def test_update_bad_input_changes_nothing(app, client, business_user, api_key_headers):
    headers = api_key_headers(business_user)
    link_id = new_link(client, headers, custom="stays", url="https://example.com/stays")
    cases = [
        {"url": "javascript:alert(1)"},
        {"url": "http://localhost/x"},
        {"url": ""},
        {"custom": "a/b"},
        {"custom": "api"},
        {"type": "popup"},
        {"url": "https://example.com/new", "expiry": "1999-01-01 00:00:00"},
        {"metatitle": "t" * 256},
    ]
    for body in cases:
        response = client.put(f"/api/url/{link_id}/update", json=body, headers=headers)
        assert_error(response, 400)
    link = load_row(app, ShortUrl, link_id)
    assert (link.alias, link.url, link.title, link.type) == (
        "stays",
        "https://example.com/stays",
        None,
        "direct",
    )


# --- DELETE /api/url/:id/delete ---------------------------------------------------------------
def test_delete_removes_the_link_its_clicks_and_channel_item(app, client, power_user,
                                                             api_key_headers):  # fmt: skip
    headers = api_key_headers(power_user)
    channel = add_object(client, headers, "/api/channel/add", {"name": "Spring"})
    link_id = new_link(client, headers, channel=channel)
    kept = new_link(client, headers, channel=channel)
    add_clicks(app, link_id, ("CA", None, "Chrome", "Linux", "v1"))
    add_clicks(app, kept, ("CA", None, "Chrome", "Linux", "v1"))

    response = client.delete(f"/api/url/{link_id}/delete", headers=headers)

    assert response.status_code == 200
    assert response.json == {"error": 0, "message": "Link has been deleted successfully."}
    with app.app_context():
        assert db.session.get(ShortUrl, link_id) is None
        clicks = db.session.scalars(select(Click.short_url_id)).all()
        items = db.session.scalars(select(ChannelItem.short_url_id)).all()
        assert (clicks, items) == ([kept], [kept])
    assert_error(client.get(f"/api/url/{link_id}", headers=headers), 404)
    assert_error(client.delete(f"/api/url/{link_id}/delete", headers=headers), 404)


def test_delete_with_a_bad_id_is_404_and_deletes_nothing(app, client, user, api_key_headers):
    headers = api_key_headers(user)
    new_link(client, headers)

    for path in ("/api/url/abc/delete", "/api/url/0/delete", f"/api/url/{MISSING_ID}/delete"):
        assert_error(client.delete(path, headers=headers), 404)
    assert count_rows(app, ShortUrl) == 1


def test_deleting_a_links_domain_is_refused_while_in_use(app, client, power_user, api_key_headers):
    headers = api_key_headers(power_user)
    domain_id = add_domain(client, headers)
    link_id = new_link(client, headers, domain="go.example.com")

    assert_error(client.delete(f"/api/domain/{domain_id}/delete", headers=headers), 409)
    client.delete(f"/api/url/{link_id}/delete", headers=headers)
    assert client.delete(f"/api/domain/{domain_id}/delete", headers=headers).status_code == 200
    with app.app_context():
        assert db.session.get(Domain, domain_id) is None
