"""`POST /api/urls/bulk` (issue 15 item 5): up to 100 `url/add` bodies in one call, each item
created or refused on its own, in order; the plan's link count spans the batch; one call is one
hit of the shortener's rate limit."""

from sqlalchemy import select

from likepion.core.db import db
from likepion.shortener.models import ShortUrl
from tests.conftest import build_app
from tests.factories import make_user
from tests.shortener.conftest import put_on_plan


def bulk(client, headers, urls):
    return client.post("/api/urls/bulk", json={"urls": urls}, headers=headers)


def stored_links(app, user) -> list[tuple[str, str]]:
    with app.app_context():
        stmt = select(ShortUrl.alias, ShortUrl.url).where(ShortUrl.user_id == user.id)
        return [tuple(row) for row in db.session.execute(stmt.order_by(ShortUrl.id))]


def test_mixed_items_answer_in_order_and_only_good_ones_are_stored(
    app, client, business_user, api_key_headers
):
    headers = api_key_headers(business_user)
    response = bulk(
        client,
        headers,
        [
            {"url": "https://example.com/one"},
            {"url": "javascript:alert(1)"},
            {"url": "https://example.com/two", "custom": "bulk-two"},
            {"custom": "no-url-here"},
            {"url": "https://example.com/three", "custom": "bulk-two"},  # taken just above
            {"url": "example.com/four", "geotarget": [{"location": "France", "link": "x.fr"}]},
            "not an object",
            {"url": "http://127.0.0.1/admin"},
            {"url": "example.org/five", "ignored_field": 1},
        ],
    )

    assert response.status_code == 200, response.json
    results = response.json["results"]
    assert response.json["error"] == 0
    assert [r["index"] for r in results] == list(range(9))
    assert [r["error"] for r in results] == [0, 1, 0, 1, 1, 1, 1, 1, 0]
    assert "Only http and https" in results[1]["message"]
    assert "url" in results[3]["message"] and "Missing data" in results[3]["message"]
    assert "already taken" in results[4]["message"]
    assert "Geo targeting" in results[5]["message"]  # Business has no geo: nothing of it kept
    assert "Invalid input" in results[6]["message"]
    assert "loopback" in results[7]["message"]
    assert results[2]["shorturl"].endswith("/bulk-two")
    for result in results:
        assert set(result) == (
            {"index", "error", "id", "shorturl"} if result["error"] == 0 else
            {"index", "error", "message"}
        )  # fmt: skip
    stored = stored_links(app, business_user)
    assert [url for _, url in stored] == [
        "https://example.com/one",
        "https://example.com/two",
        "https://example.org/five",
    ]
    assert [alias for alias, _ in stored] == [r["shorturl"].rsplit("/", 1)[1] for r in results
                                              if r["error"] == 0]  # fmt: skip
    listed = client.get("/api/urls", headers=headers).json["data"]["urls"]
    assert {item["id"] for item in listed} == {r["id"] for r in results if r["error"] == 0}


def test_link_limit_counts_the_links_made_earlier_in_the_batch(app, client, user,
                                                               api_key_headers):  # fmt: skip
    headers = api_key_headers(user)  # Starter: 10 links
    for n in range(7):
        assert client.post("/api/url/add", json={"url": f"https://example.com/{n}"},
                           headers=headers).status_code == 200  # fmt: skip

    response = bulk(client, headers, [{"url": f"https://example.com/b{n}"} for n in range(5)])

    results = response.json["results"]
    assert [r["error"] for r in results] == [0, 0, 0, 1, 1]
    assert all("allows 10" in r["message"] for r in results[3:])
    assert len(stored_links(app, user)) == 10


def test_more_than_100_or_no_items_is_a_400_and_creates_nothing(app, client, user,
                                                                api_key_headers):  # fmt: skip
    put_on_plan(app, user, "Big", {"links": 1000})
    headers = api_key_headers(user)

    too_many = bulk(client, headers, [{"url": "https://example.com/x"}] * 101)
    empty = bulk(client, headers, [])
    not_a_list = client.post("/api/urls/bulk", json={"urls": "x"}, headers=headers)
    full = bulk(client, headers, [{"url": f"https://example.com/{n}"} for n in range(100)])

    for response in (too_many, empty, not_a_list):
        assert response.status_code == 400, response.json
        assert response.json["error"] == 1
        assert "urls" in response.json["message"]
    assert full.status_code == 200
    assert [r["error"] for r in full.json["results"]] == [0] * 100
    assert len(stored_links(app, user)) == 100


def test_needs_an_api_key(client):
    response = bulk(client, {}, [{"url": "https://example.com/x"}])
    assert response.status_code == 401


def test_one_bulk_call_is_one_hit_of_the_rate_limit():
    app = build_app("sqlite://", SHORTENER_RATE_LIMIT="5 per minute")
    admin = make_user(app, is_admin=True)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {admin.api_key}"}

    first = bulk(client, headers, [{"url": f"https://example.com/{n}"} for n in range(20)])
    second = client.get("/api/account", headers=headers)

    assert first.status_code == 200
    assert [r["error"] for r in first.json["results"]] == [0] * 20
    assert first.headers["X-RateLimit-Remaining"] == "4"
    assert second.headers["X-RateLimit-Remaining"] == "3"
