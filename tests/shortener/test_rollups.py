"""Stats read from rollups equal a GROUP BY over the raw clicks, for random click sets, on
SQLite and PostgreSQL; concurrent flushes lose no count; `flask clicks rollup` rebuilds the
same rollups; `flask clicks prune` drops raw clicks and keeps totals; the migration backfills."""

import os
import threading
from datetime import UTC, datetime, timedelta

import pytest
from flask_migrate import upgrade
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.engine import make_url

from config import database_url
from likepion import create_app
from likepion.core.db import db
from likepion.redirect import tracking
from likepion.shortener import rollups
from likepion.shortener.models import (
    Click,
    LinkRollup,
    LinkVisitor,
    QrRollup,
    QrVisitor,
    ShortUrl,
)
from tests import databases
from tests.clicks import click_row, first_visits, raw_stats, store
from tests.factories import make_user

DAYS = 9
COUNTRIES = [None, "", "US", "DE", "EU", "GB"]
REFERRERS = [
    None,
    "facebook.com",
    "m.facebook.com",
    "t.co",
    "x.com",
    "news.example.net",
    "instagram.com",
    "notfacebook.com",
]
BROWSERS = [None, "Chrome", "Firefox", "Mobile Safari"]
SYSTEMS = [None, "Windows 10", "iOS 17", "Linux"]
VISITORS = [None, "v1", "v2", "v3", "v4", "v5"]
CLICK = st.tuples(
    st.integers(0, 3),  # links 0-2, or the QR code (3)
    st.integers(0, DAYS * 24 * 60 - 1),  # minutes into the period
    st.sampled_from(COUNTRIES),
    st.sampled_from(REFERRERS),
    st.sampled_from(BROWSERS),
    st.sampled_from(SYSTEMS),
    st.sampled_from(VISITORS),
)
RANGE = st.tuples(st.integers(0, DAYS - 1), st.integers(0, DAYS - 1)).map(sorted)
ROLLUP_TABLES = (LinkRollup, QrRollup, LinkVisitor, QrVisitor)


def plain(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


@pytest.fixture
def objects(request):
    """On the suite's database or PostgreSQL (`pg_app`): an admin with three links and a QR."""
    app = request.getfixturevalue(request.param)
    app.config["SHORTENER_RATE_LIMIT"] = "100000 per minute"
    client = app.test_client()
    admin = make_user(app, is_admin=True)
    headers = {"Authorization": f"Bearer {admin.api_key}"}
    links = [
        client.post("/api/url/add", json={"url": f"https://example.com/{i}"}, headers=headers).json[
            "id"
        ]
        for i in range(3)
    ]
    qr = client.post("/api/qr/add", json={"type": "text", "data": "hi"}, headers=headers)
    return {"app": app, "client": client, "headers": headers, "links": links, "qr": qr.json["id"]}


def reset_clicks(app) -> None:
    with app.app_context(), db.engine.begin() as connection:
        for table in (*ROLLUP_TABLES, Click):
            connection.execute(delete(table))


def rows_of(app, tables=ROLLUP_TABLES) -> dict:
    with app.app_context():
        return {
            table.__tablename__: sorted(
                tuple(row) for row in db.session.execute(select(table.__table__)).all()
            )
            for table in tables
        }


def check_every_answer(objects, base: datetime, day_range, hour_span) -> None:
    app, client, headers = objects["app"], objects["client"], objects["headers"]
    get = lambda path, **query: client.get(path, query_string=query, headers=headers).json  # noqa: E731
    with app.app_context():
        for link in objects["links"]:
            assert get(f"/api/url/{link}")["data"] == raw_stats(Click.short_url_id, link)
        qr = get(f"/api/qr/{objects['qr']}")
        assert qr["data"] == raw_stats(Click.qr_code_id, objects["qr"])
        assert qr["details"]["scans"] == qr["data"]["clicks"]
        listed = get("/api/urls", order="clicks")["data"]["urls"]
        expected = {
            link: raw_stats(Click.short_url_id, link)["clicks"] for link in objects["links"]
        }
        assert {item["id"]: item["clicks"] for item in listed} == expected
        assert [item["id"] for item in listed] == sorted(expected, key=lambda i: (-expected[i], -i))
        first, last = (base + timedelta(days=d) for d in day_range)
        for link in objects["links"]:
            check_series(get, link, first, last, "day")
            hour = base + timedelta(hours=hour_span[0])
            check_series(get, link, hour, hour + timedelta(hours=hour_span[1]), "hour")
        check_series(get, objects["links"][0], base, base + timedelta(days=DAYS), "month")
        check_account(get, objects["links"], first, last)


def check_series(get, link: int, first: datetime, last: datetime, interval: str) -> None:
    """The series points and the range's stats equal the raw clicks of each bucket."""
    form = "%Y-%m-%d %H:%M:%S" if interval == "hour" else "%Y-%m-%d"
    answer = get(
        f"/api/url/{link}/stats",
        interval=interval,
        **{"from": first.strftime(form), "to": last.strftime(form)},
    )
    points = [
        datetime.strptime(p["time"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        for p in answer["series"]
    ]
    ends = points[1:] + [_next(points[-1], interval)]
    for point, start, end in zip(answer["series"], points, ends, strict=True):
        raw = raw_stats(Click.short_url_id, link, start, end)
        assert (point["clicks"], point["uniqueClicks"]) == (raw["clicks"], raw["uniqueClicks"])
    whole = raw_stats(Click.short_url_id, link, points[0], ends[-1])
    assert {key: answer[key] for key in whole} == whole


def _next(point: datetime, interval: str) -> datetime:
    if interval == "hour":
        return point + timedelta(hours=1)
    if interval == "day":
        return point + timedelta(days=1)
    return (point + timedelta(days=32)).replace(day=1)


def check_account(get, links: list[int], first: datetime, last: datetime) -> None:
    answer = get(
        "/api/stats", **{"from": first.strftime("%Y-%m-%d"), "to": last.strftime("%Y-%m-%d")}
    )
    end = last + timedelta(days=1)
    per_link = {link: raw_stats(Click.short_url_id, link, first, end) for link in links}
    assert answer["clicks"] == sum(raw["clicks"] for raw in per_link.values())
    assert answer["uniqueClicks"] == sum(raw["uniqueClicks"] for raw in per_link.values())
    top = sorted(
        (link for link in links if per_link[link]["clicks"]),
        key=lambda link: (-per_link[link]["clicks"], link),
    )
    assert [(item["id"], item["clicks"]) for item in answer["topLinks"]] == [
        (link, per_link[link]["clicks"]) for link in top
    ]


def random_clicks_give_group_by_answers(objects, clicks, batch, day_range, hour_span):
    app = objects["app"]
    reset_clicks(app)
    base = rollups.midnight(days_ago=DAYS)
    rows = []
    for target, minute, country, referrer, browser, os_name, visitor in clicks:
        ids = {"link": objects["links"][target]} if target < 3 else {"qr": objects["qr"]}
        rows.append(
            click_row(
                at=base + timedelta(minutes=minute),
                country=country,
                os=os_name,
                referrer=referrer,
                browser=browser,
                visitor=visitor,
                **ids,
            )
        )
    rows.sort(key=lambda row: row["created_at"])  # clicks reach the writer in time order
    store(app, rows, batch)

    check_every_answer(objects, base, day_range, hour_span)
    written = rows_of(app)
    app.test_cli_runner().invoke(args=["clicks", "rollup"], catch_exceptions=False)
    assert rows_of(app) == written  # the rebuild from raw clicks finds what the writer wrote


PROPERTY = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
STRATEGIES = dict(
    clicks=st.lists(CLICK, max_size=60),
    batch=st.integers(1, 25),
    day_range=RANGE,
    hour_span=st.tuples(st.integers(0, DAYS * 24 - 48), st.integers(0, 47)),
)


@pytest.mark.parametrize("objects", ["app"], indirect=True)
@PROPERTY
@given(**STRATEGIES)
def test_stats_equal_group_by_over_raw_clicks(objects, clicks, batch, day_range, hour_span):
    random_clicks_give_group_by_answers(objects, clicks, batch, day_range, hour_span)


@pytest.mark.pg
@pytest.mark.parametrize("objects", ["pg_app"], indirect=True)
@PROPERTY
@given(**STRATEGIES)
def test_stats_equal_group_by_over_raw_clicks_on_postgresql(
    objects, clicks, batch, day_range, hour_span
):
    random_clicks_give_group_by_answers(objects, clicks, batch, day_range, hour_span)


# --- concurrency ------------------------------------------------------------------------------
@pytest.mark.pg
@pytest.mark.parametrize("objects", ["pg_app"], indirect=True)
def test_concurrent_flushes_for_one_link_lose_no_count(objects):
    """Four threads, each with its own pooled connection, flush batches for the same link,
    hour, countries and visitors at the same moment, ten times over."""
    app, link = objects["app"], objects["links"][0]
    threads, rounds, per_batch = 4, 10, 150
    barrier = threading.Barrier(threads)
    errors = []
    now = datetime.now(UTC)

    app.config.update(CLICK_BATCH_SIZE=10**6, CLICK_FLUSH_SECONDS=3600)  # flushed by hand

    def flusher(n: int):
        buffer = tracking.ClickBuffer(app)  # as in another process: a buffer of its own
        try:
            for turn in range(rounds):
                for i in range(per_batch):
                    buffer.add(
                        click_row(
                            link=link,
                            at=now,
                            country=COUNTRIES[(i + n) % 6],
                            referrer=REFERRERS[i % 8],
                            visitor=f"v{(i + turn) % 40}",
                        )
                    )
                barrier.wait(timeout=30)
                assert buffer.flush() == per_batch
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))

    workers = [threading.Thread(target=flusher, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)

    assert errors == []
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(Click))
        assert stored == threads * rounds * per_batch
        for period in ("h", "d", "a"):
            totals = dict(
                db.session.execute(
                    select(LinkRollup.dimension, func.sum(LinkRollup.n))
                    .where(LinkRollup.object_id == link, LinkRollup.period == period)
                    .group_by(LinkRollup.dimension)
                ).all()
            )
            assert {k: int(v) for k, v in totals.items()} == {
                "total": stored,
                "country": stored,
                "referrer": stored,
                "browser": stored,
                "os": stored,
                "unique": len(first_visits(Click.short_url_id, link)),
            }
        assert (
            raw_stats(Click.short_url_id, link)
            == objects["client"].get(f"/api/url/{link}", headers=objects["headers"]).json["data"]
        )


# --- CLI --------------------------------------------------------------------------------------
@pytest.mark.parametrize("objects", ["app"], indirect=True)
def test_rollup_command_rebuilds_lost_rollups_with_a_progress_bar(objects):
    app, link = objects["app"], objects["links"][1]
    store(
        app,
        [
            click_row(link=link, country="US", visitor="a"),
            click_row(link=link, country="DE", visitor="a"),
            click_row(qr=objects["qr"], visitor="b"),
        ],
    )
    written = rows_of(app)
    reset_rollups_only(app)

    result = app.test_cli_runner().invoke(args=["clicks", "rollup"])

    assert result.exit_code == 0, result.output
    assert (
        "Rollups" in result.output
        and "Rebuilt the rollups of 4 links and QR codes" in result.output
    )
    assert rows_of(app) == written
    assert raw_stats_over_http(objects, link)["clicks"] == 2


def reset_rollups_only(app) -> None:
    with app.app_context(), db.engine.begin() as connection:
        for table in ROLLUP_TABLES:
            connection.execute(delete(table))


def raw_stats_over_http(objects, link: int) -> dict:
    return objects["client"].get(f"/api/url/{link}", headers=objects["headers"]).json["data"]


@pytest.mark.parametrize("objects", ["app"], indirect=True)
def test_prune_drops_old_raw_clicks_and_keeps_the_totals(objects):
    app, link = objects["app"], objects["links"][0]
    old = rollups.midnight(days_ago=40) + timedelta(hours=5)
    store(
        app,
        [
            click_row(link=link, at=old, country="US", visitor="a"),
            click_row(link=link, at=old, country="US", visitor="b"),
            click_row(link=link, country="DE", visitor="a"),
        ],
    )
    before = raw_stats_over_http(objects, link)
    runner = app.test_cli_runner()

    kept = runner.invoke(args=["clicks", "prune"])  # default: keep raw clicks forever
    assert kept.exit_code == 0 and "0 clicks" in kept.output
    app.config["CLICK_RETENTION_DAYS"] = 30
    pruned = runner.invoke(args=["clicks", "prune"])
    rebuilt = runner.invoke(args=["clicks", "rollup"])  # must not forget the pruned days

    assert pruned.exit_code == rebuilt.exit_code == 0
    assert "2 clicks" in pruned.output and "2 visitors" in pruned.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Click)) == 1
        hourly = select(func.count()).where(
            LinkRollup.period == "h", LinkRollup.bucket < old + timedelta(days=1)
        )
        assert db.session.scalar(hourly) == 0
    assert raw_stats_over_http(objects, link) == before
    assert before["clicks"] == 3 and before["uniqueClicks"] == 3


@pytest.mark.parametrize("objects", ["app"], indirect=True)
def test_deleting_a_link_deletes_its_rollups(objects):
    app, link = objects["app"], objects["links"][0]
    store(app, [click_row(link=link, visitor="a"), click_row(link=objects["links"][1])])

    objects["client"].delete(f"/api/url/{link}/delete", headers=objects["headers"])

    with app.app_context():
        left = db.session.scalars(select(LinkRollup.object_id).distinct()).all()
        visitors = db.session.scalars(select(LinkVisitor.object_id)).all()
        assert (left, visitors) == ([objects["links"][1]], [])
        assert db.session.get(ShortUrl, link) is None


# --- migration --------------------------------------------------------------------------------
def backfill_builds_the_rollups_of_existing_clicks(database_uri: str) -> None:
    """Clicks stored before the rollups existed are counted by `flask db upgrade` itself."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_uri)
    with app.app_context():
        upgrade(revision="money_token_version")  # the one before the rollups
        user = make_user(app, is_admin=True)
        now = datetime.now(UTC)
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO short_urls (id, user_id, domain_key, alias, url, type, "
                    "created_at, updated_at) VALUES (7, :user, 0, 'old', 'https://e.com', "
                    "'direct', :now, :now)"
                ),
                {"user": user.id, "now": now},
            )
            for country, visitor, days in (("US", "a", 0), ("US", "a", 0), ("DE", "a", 3)):
                connection.execute(
                    insert(Click),
                    [
                        click_row(
                            link=7, at=now - timedelta(days=days), country=country, visitor=visitor
                        )
                    ],
                )
        upgrade()
        answer = app.test_client().get(
            "/api/url/7", headers={"Authorization": f"Bearer {user.api_key}"}
        )
        assert answer.status_code == 200, answer.json
        assert answer.json["data"] == raw_stats(Click.short_url_id, 7)
        assert (answer.json["data"]["clicks"], answer.json["data"]["uniqueClicks"]) == (3, 2)
        db.session.remove()
        db.engine.dispose()


def test_migration_backfills_rollups_on_sqlite(tmp_path):
    backfill_builds_the_rollups_of_existing_clicks(f"sqlite:///{tmp_path / 'backfill.db'}")


@pytest.mark.pg
def test_migration_backfills_rollups_on_postgresql():
    parsed = make_url(database_url(databases.server_url("LIKEPION_TEST_PG_URL")))
    name = f"{parsed.database}_backfill_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    databases.create_database(parsed, name, drop_first=True)
    backfill_builds_the_rollups_of_existing_clicks(
        parsed.set(database=name).render_as_string(hide_password=False)
    )
