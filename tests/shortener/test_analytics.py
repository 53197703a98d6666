"""Beyond the seed: `GET /api/url/:id/stats` (time series), `GET /api/url/:id/clicks/export`
(streamed CSV), `GET /api/stats` (the account), and the `public_stats` link field."""

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from likepion.core.db import db
from likepion.shortener import exports, rollups
from likepion.shortener.models import Click, LinkRollup, ShortUrl
from tests.clicks import click_row, store
from tests.helpers import add_link

TODAY = rollups.midnight()


@pytest.fixture
def headers(user, api_key_headers):
    return api_key_headers(user)


@pytest.fixture
def link(client, headers):
    return add_link(client, headers)[0]


def series_of(answer) -> dict:
    return {p["time"]: (p["clicks"], p["uniqueClicks"]) for p in answer["series"] if p["clicks"]}


def test_daily_series_counts_clicks_and_daily_unique_visitors(app, client, headers, link):
    two_days_ago = TODAY - timedelta(days=2)
    store(
        app,
        [
            click_row(link=link, at=two_days_ago + timedelta(hours=9), country="US", visitor="a"),
            click_row(link=link, at=two_days_ago + timedelta(hours=17), country="US", visitor="a"),
            click_row(
                link=link,
                at=TODAY + timedelta(minutes=5),
                country="DE",
                visitor="a",
                referrer="m.facebook.com",
            ),
        ],
    )

    response = client.get(f"/api/url/{link}/stats", headers=headers)

    assert response.status_code == 200
    body = response.json
    assert (body["error"], body["id"], body["interval"]) == (0, link, "day")
    assert len(body["series"]) == 30
    assert body["to"] == TODAY.strftime("%Y-%m-%d 00:00:00")
    assert body["from"] == (TODAY - timedelta(days=29)).strftime("%Y-%m-%d 00:00:00")
    assert series_of(body) == {
        two_days_ago.strftime("%Y-%m-%d 00:00:00"): (2, 1),
        TODAY.strftime("%Y-%m-%d 00:00:00"): (1, 1),  # the visitor hash is per day
    }
    assert (body["clicks"], body["uniqueClicks"]) == (3, 2)
    assert body["topCountries"] == {"United States": "2", "Germany": "1"}
    assert body["socialCount"] == {"facebook": 1, "twitter": 0, "instagram": 0}


def test_hourly_and_monthly_series_and_a_range(app, client, headers, link):
    store(
        app,
        [
            click_row(link=link, at=TODAY + timedelta(minutes=m), visitor=str(m % 2))
            for m in (1, 2, 61)
        ],
    )
    day = TODAY.strftime("%Y-%m-%d")

    hourly = client.get(
        f"/api/url/{link}/stats?interval=hour&from={day} 00:00:00&to={day} 02:00:00",
        headers=headers,
    ).json
    monthly = client.get(f"/api/url/{link}/stats?interval=month", headers=headers).json
    before = client.get(f"/api/url/{link}/stats?from=2020-01-01&to=2020-01-31", headers=headers)

    assert [(p["clicks"], p["uniqueClicks"]) for p in hourly["series"]] == [(2, 2), (1, 0), (0, 0)]
    assert len(monthly["series"]) == 12
    assert monthly["series"][-1]["time"] == TODAY.strftime("%Y-%m-01 00:00:00")
    assert (monthly["series"][-1]["clicks"], monthly["series"][-1]["uniqueClicks"]) == (3, 2)
    assert before.status_code == 200 and before.json["clicks"] == 0
    assert before.json["topCountries"] == {}


@pytest.mark.parametrize(
    "query",
    [
        "interval=week",
        "from=yesterday",
        "from=2026-13-01",
        "from=2025-02-01&to=2025-01-01",
        "from=2000-01-01&to=2026-01-01",  # more than 1,000 points
        "interval=hour&from=2020-01-01",  # hourly rollups cover the last 14 days
        "to=%00",
    ],
)
def test_series_rejects_bad_ranges_with_400(client, headers, link, query):
    response = client.get(f"/api/url/{link}/stats?{query}", headers=headers)

    assert response.status_code == 400, response.json
    assert set(response.json) == {"error", "message"} and response.json["error"] == 1


def test_someone_elses_link_answers_like_a_missing_one(
    app, client, link, other_user, api_key_headers
):
    store(app, [click_row(link=link, browser="=cmd")])
    theirs = api_key_headers(other_user)
    for path in ("/api/url/{}/stats", "/api/url/{}/clicks/export"):
        mine = client.get(path.format(link), headers=theirs)
        missing = client.get(path.format(999999), headers=theirs)
        assert mine.status_code == missing.status_code == 404
        assert mine.json == missing.json
    assert client.get("/api/stats", headers=theirs).json["clicks"] == 0


def test_export_streams_every_click_as_csv_with_formula_cells_defused(
    app, client, headers, link, monkeypatch
):
    monkeypatch.setattr(exports, "PAGE_ROWS", 2)  # several keyset pages, ties on time
    at = TODAY + timedelta(hours=1)
    hostile = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx", 'plain, "q"']
    store(
        app,
        [
            click_row(link=link, at=at, browser=value, country="US", visitor=f"v{i}")
            for i, value in enumerate(hostile)
        ]
        + [click_row(link=add_link(client, headers)[0], at=at)],
    )

    response = client.get(f"/api/url/{link}/clicks/export", headers=headers)

    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="clicks-{link}.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["time", "country", "referrer", "browser", "os", "visitor"]
    assert [row[3] for row in rows[1:]] == [
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        'plain, "q"',
    ]
    assert [row[5] for row in rows[1:]] == [f"v{i}" for i in range(len(hostile))]
    assert {row[0] for row in rows[1:]} == {at.strftime("%Y-%m-%d %H:%M:%S")}
    assert {row[1] for row in rows[1:]} == {"US"}


def test_account_stats_sum_the_users_links_in_the_range(
    app, client, headers, link, user, other_user, api_key_headers
):
    quiet = add_link(client, headers)[0]
    theirs = add_link(client, api_key_headers(other_user))[0]
    yesterday = TODAY - timedelta(days=1)
    store(
        app,
        [
            click_row(link=link, at=yesterday, visitor="a"),
            click_row(link=link, at=yesterday, visitor="b"),
            click_row(link=quiet, at=yesterday, visitor="a"),
            click_row(link=link, at=TODAY - timedelta(days=40)),
            click_row(link=theirs, at=yesterday),
        ],
    )
    day = yesterday.strftime("%Y-%m-%d")

    answer = client.get(f"/api/stats?from={day}&to={day}", headers=headers)
    default = client.get("/api/stats", headers=headers).json

    assert answer.status_code == 200
    body = answer.json
    assert (body["error"], body["clicks"], body["uniqueClicks"], body["scans"]) == (0, 3, 3, 0)
    assert (body["from"], body["to"]) == (f"{day} 00:00:00", f"{day} 00:00:00")
    assert [(top["id"], top["clicks"]) for top in body["topLinks"]] == [(link, 2), (quiet, 1)]
    assert body["topLinks"][0]["shorturl"].startswith("http://localhost/")
    assert default["clicks"] == 3  # the last 30 days leave out the click 40 days ago
    assert client.get("/api/stats?from=x", headers=headers).status_code == 400


def test_public_stats_is_off_by_default_and_set_by_add_and_update(app, client, headers, link):
    public = add_link(client, headers, public_stats=True)[0]
    updated = client.put(f"/api/url/{link}/update", json={"public_stats": True}, headers=headers)
    bad = client.put(f"/api/url/{public}/update", json={"public_stats": "maybe"}, headers=headers)

    assert updated.status_code == 200
    assert bad.status_code == 400
    with app.app_context():
        flags = dict(db.session.execute(select(ShortUrl.id, ShortUrl.public_stats)).all())
    assert flags == {link: True, public: True}
    off = add_link(client, headers)[0]
    with app.app_context():
        assert db.session.get(ShortUrl, off).public_stats is False


def test_stats_calls_need_the_api_key(client, link):
    for path in (f"/api/url/{link}/stats", f"/api/url/{link}/clicks/export", "/api/stats"):
        response = client.get(path)
        assert response.status_code == 401
        assert response.json["error"] == 1


def test_reads_change_nothing(app, client, headers, link):
    store(app, [click_row(link=link, visitor="a")])
    with app.app_context():
        before = (
            db.session.scalar(select(func.sum(LinkRollup.n))),
            db.session.scalar(select(func.count()).select_from(Click)),
        )

    for path in (
        f"/api/url/{link}/stats?interval=hour",
        f"/api/url/{link}/clicks/export",
        "/api/stats",
        f"/api/url/{link}",
    ):
        assert client.get(path, headers=headers).status_code == 200

    with app.app_context():
        after = (
            db.session.scalar(select(func.sum(LinkRollup.n))),
            db.session.scalar(select(func.count()).select_from(Click)),
        )
    assert after == before


@pytest.mark.parametrize(
    "query",
    [
        "from=9999-12-31&to=9999-12-31",
        "to=0001-01-01",
        "interval=month&from=9999-12-01&to=9999-12-31",
        "interval=hour&to=0001-01-01 00:00:00",
    ],
)
def test_ranges_at_the_ends_of_the_calendar_are_a_400(client, headers, link, query):
    for path in (f"/api/url/{link}/stats", "/api/stats"):
        response = client.get(f"{path}?{query}", headers=headers)
        assert response.status_code == 400, (path, response.status_code)
        assert response.json["error"] == 1 and "year" in response.json["message"]
