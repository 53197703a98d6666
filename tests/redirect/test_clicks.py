"""Each visit of `/<alias>` records a click (time, country, referrer host, browser, OS, a daily
visitor hash, never the IP); bots and HEAD are not counted; `GET /api/url/:id` sums them up;
clicks wait in a per-process buffer and are written in batches (docs/redirect.md)."""

import pytest
from sqlalchemy import text

from likepion.core.db import db
from likepion.redirect import tracking
from likepion.shortener.models import Click
from likepion.shortener.plans import seed_plans
from tests.clicks import NO_CLICKS
from tests.conftest import build_app
from tests.factories import make_user
from tests.helpers import add_link, count_rows
from tests.redirect.conftest import (
    FACEBOOK_PREVIEW,
    GOOGLEBOT,
    IPHONE,
    WINDOWS_CHROME,
    WINDOWS_FIREFOX,
    clicks_of,
)

STATS_FIELDS = {
    "clicks", "uniqueClicks", "topCountries", "topReferrers", "topBrowsers", "topOs",
    "socialCount",
}  # fmt: skip
DETAILS_FIELDS = {
    "id", "shorturl", "longurl", "title", "description", "location", "device", "expiry",
    "metaimage", "status", "campaign", "date",
}  # fmt: skip
US_IP, GERMAN_IP, BRITISH_IP = "8.8.8.8", "5.9.0.1", "81.2.69.142"
# (address, user agent, referrer) of each visit: 6 people-visits (one a same-day repeat), 2 bots.
VISITS = [
    (US_IP, WINDOWS_CHROME, "https://facebook.com/groups/123"),
    (US_IP, WINDOWS_CHROME, "https://facebook.com/groups/123"),  # the same visitor again
    (GERMAN_IP, IPHONE, None),
    (BRITISH_IP, WINDOWS_FIREFOX, "https://t.co/abc"),
    (BRITISH_IP, IPHONE, "https://www.instagram.com/p/xyz"),
    (US_IP, WINDOWS_FIREFOX, "https://news.example.net/story"),
    (US_IP, GOOGLEBOT, None),
    (GERMAN_IP, FACEBOOK_PREVIEW, "https://facebook.com/"),
]
ADDRESSES = {US_IP, GERMAN_IP, BRITISH_IP}


def visit(client, alias, ip, agent, referrer=None, *, method="GET"):
    headers = {"User-Agent": agent}
    if referrer:
        headers["Referer"] = referrer
    return client.open(
        f"/{alias}", method=method, environ_base={"REMOTE_ADDR": ip}, headers=headers
    )


def make_visits(client, alias, visits=VISITS):
    for ip, agent, referrer in visits:
        assert visit(client, alias, ip, agent, referrer).status_code == 302


@pytest.fixture
def headers(admin, api_key_headers):
    return api_key_headers(admin)


def test_visits_are_stored_with_their_details(app, client, headers):
    link_id, alias = add_link(client, headers)

    make_visits(client, alias)

    rows = clicks_of(app)
    assert all(row.short_url_id == link_id and row.qr_code_id is None for row in rows)
    assert [(r.country, r.referrer_host, r.browser, r.os) for r in rows] == [
        ("US", "facebook.com", "Chrome", "Windows 10"),
        ("US", "facebook.com", "Chrome", "Windows 10"),
        ("DE", None, "Mobile Safari", "iOS 17"),
        ("GB", "t.co", "Firefox", "Windows 10"),
        ("GB", "www.instagram.com", "Mobile Safari", "iOS 17"),
        ("US", "news.example.net", "Firefox", "Windows 10"),
    ]
    assert all(row.created_at is not None for row in rows)
    visitors = [row.visitor for row in rows]
    assert visitors[0] == visitors[1]  # same IP, same browser, same day
    assert len(set(visitors)) == 5
    assert all(len(v) == 32 and int(v, 16) >= 0 for v in visitors)


def test_no_column_holds_the_visitors_ip(app, client, headers):
    _, alias = add_link(client, headers)

    make_visits(client, alias)

    with app.app_context():
        rows = db.session.execute(text("SELECT * FROM clicks")).mappings().all()
    assert len(rows) == 6
    for row in rows:
        for column, value in row.items():
            assert not any(ip in str(value) for ip in ADDRESSES), column


def test_bots_and_link_previews_are_not_counted(app, client, headers):
    _, alias = add_link(client, headers)

    for agent in (GOOGLEBOT, FACEBOOK_PREVIEW, "python-requests/2.32", "Slackbot-LinkExpanding"):
        response = visit(client, alias, US_IP, agent)
        assert response.status_code == 302  # a bot still follows the link

    assert clicks_of(app) == []


def test_head_is_not_counted(app, client, headers):
    _, alias = add_link(client, headers)

    assert visit(client, alias, US_IP, WINDOWS_CHROME, method="HEAD").status_code == 302

    assert clicks_of(app) == []


def test_url_stats_sum_up_the_visits(app, client, headers):
    link_id, alias = add_link(client, headers)
    make_visits(client, alias)

    response = client.get(f"/api/url/{link_id}", headers=headers)

    assert response.status_code == 200
    body = response.json
    assert set(body) == {"error", "id", "details", "data"}
    assert (body["error"], body["id"]) == (0, link_id)
    assert set(body["details"]) == DETAILS_FIELDS
    assert set(body["data"]) == STATS_FIELDS
    assert body["data"] == {
        "clicks": 6,
        "uniqueClicks": 5,
        "topCountries": {"United States": "3", "United Kingdom": "2", "Germany": "1"},
        "topReferrers": {
            "facebook.com": "2",
            "Direct, email and other": "1",
            "t.co": "1",
            "www.instagram.com": "1",
            "news.example.net": "1",
        },
        "topBrowsers": {"Chrome": "2", "Firefox": "2", "Mobile Safari": "2"},
        "topOs": {"Windows 10": "4", "iOS 17": "2"},
        "socialCount": {"facebook": 2, "twitter": 1, "instagram": 1},
    }


def test_url_stats_of_a_link_without_visits(app, client, headers):
    link_id, _ = add_link(client, headers)

    data = client.get(f"/api/url/{link_id}", headers=headers).json["data"]

    assert data == NO_CLICKS


def test_visits_count_only_on_their_own_link(app, client, headers):
    visited, alias = add_link(client, headers)
    quiet, _ = add_link(client, headers, "https://example.com/quiet")

    make_visits(client, alias, VISITS[:3])

    assert client.get(f"/api/url/{visited}", headers=headers).json["data"]["clicks"] == 3
    assert client.get(f"/api/url/{quiet}", headers=headers).json["data"]["clicks"] == 0
    listed = client.get("/api/urls?order=clicks", headers=headers).json["data"]["urls"]
    assert [(item["id"], item["clicks"]) for item in listed] == [(visited, 3), (quiet, 0)]


def test_someone_elses_link_stats_answer_like_a_missing_link(
    app, client, admin, user, api_key_headers
):
    link_id, alias = add_link(client, api_key_headers(admin))
    make_visits(client, alias, VISITS[:2])

    theirs = client.get(f"/api/url/{link_id}", headers=api_key_headers(user))
    missing = client.get("/api/url/999999", headers=api_key_headers(user))

    assert theirs.status_code == missing.status_code == 404
    assert theirs.json == missing.json
    assert theirs.json["error"] == 1


# --- batching ---------------------------------------------------------------------------------
@pytest.fixture
def batching_app():
    """An app of its own whose clicks wait in its buffer: `batching_app(batch_size)`."""
    built = []

    def build(batch_size):
        app = build_app(
            "sqlite://",
            CLICK_BATCH_SIZE=batch_size,
            CLICK_FLUSH_SECONDS=3600,
            SHORTENER_RATE_LIMIT="100000 per minute",
        )
        with app.app_context():
            seed_plans()
        built.append(app)
        return app

    yield build
    for app in built:
        tracking.buffer(app).flush()
        assert app.server_errors == []
        with app.app_context():
            db.engine.dispose()


def test_clicks_wait_in_the_buffer_until_flushed(batching_app):
    app = batching_app(50)
    client, alias = client_and_link(app)

    for i in range(10):
        assert visit(client, alias, f"8.8.8.{i}", WINDOWS_CHROME).status_code == 302

    assert count_rows(app, Click) == 0
    assert tracking.flush_all() == 10
    assert count_rows(app, Click) == 10


def test_a_full_batch_is_written_during_the_request(batching_app):
    app = batching_app(5)
    client, alias = client_and_link(app)

    for i in range(12):
        visit(client, alias, f"8.8.8.{i}", WINDOWS_CHROME)

    assert count_rows(app, Click) == 10
    assert tracking.buffer(app).flush() == 2
    assert count_rows(app, Click) == 12


def client_and_link(app):
    """A test client of `app` and the alias of a new link of an admin's."""
    client = app.test_client()
    admin = make_user(app, is_admin=True)
    _, alias = add_link(client, {"Authorization": f"Bearer {admin.api_key}"})
    return client, alias


def visit_two_links_and_delete_one(app):
    """Three visits to each of two links, then one link deleted: (a client, the kept alias)."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {make_user(app, is_admin=True).api_key}"}
    gone_id, gone = add_link(client, headers, "https://example.com/gone")
    _, kept = add_link(client, headers, "https://example.com/kept")
    for i in range(3):
        visit(client, gone, f"8.8.8.{i}", WINDOWS_CHROME)
        visit(client, kept, f"8.8.8.{i}", WINDOWS_CHROME)
    assert client.delete(f"/api/url/{gone_id}/delete", headers=headers).status_code == 200
    return client, kept


def test_clicks_of_a_link_deleted_before_the_flush_do_not_block_the_others(batching_app):
    app = batching_app(50)
    client, kept = visit_two_links_and_delete_one(app)

    assert tracking.buffer(app).flush() == 3
    visit(client, kept, "8.8.4.4", WINDOWS_CHROME)
    assert tracking.buffer(app).flush() == 1  # nothing left behind to fail again
    assert count_rows(app, Click) == 4


@pytest.mark.pg
def test_on_postgresql_too_a_deleted_links_clicks_are_dropped_not_retried(pg_app):
    pg_app.config.update(CLICK_BATCH_SIZE=50)
    client, kept = visit_two_links_and_delete_one(pg_app)

    tracking.buffer(pg_app).flush()  # the flusher thread may have written some already
    visit(client, kept, "8.8.4.4", WINDOWS_CHROME)
    tracking.buffer(pg_app).flush()
    assert count_rows(pg_app, Click) == 4


def test_while_the_database_is_away_visitors_do_not_each_try_to_write(batching_app, monkeypatch):
    """A full batch is written in the request, but after a failed write only the flusher
    retries until CLICK_FLUSH_SECONDS pass: one try, not one per visitor."""
    app = batching_app(1)
    client, alias = client_and_link(app)
    tries = []

    def database_away(engine, rows):
        tries.append(len(rows))
        raise RuntimeError("database away")

    monkeypatch.setattr(tracking, "_write", database_away)
    for i in range(5):
        assert visit(client, alias, f"8.8.8.{i}", WINDOWS_CHROME).status_code == 302

    assert tries == [1]
    monkeypatch.undo()
    assert tracking.buffer(app).flush() == 5  # every click kept for the next try
