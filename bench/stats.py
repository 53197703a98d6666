"""Stats calls on a link with 1,000,000 clicks against the same calls on a link with 100.

    .venv/bin/python bench/stats.py [--clicks 1000000] [--requests 50]
    LIKEPION_BENCH_PG_URL=postgresql://postgres:postgres@127.0.0.1:5432/likepion_bench \
        .venv/bin/python bench/stats.py

On a temporary SQLite file and, when LIKEPION_BENCH_PG_URL is set, on that PostgreSQL database
(dropped and created again): two users with one link each; the big link gets --clicks clicks
spread over the last 30 days, the small one 100, written by bulk SQL (generate_series on
PostgreSQL, a recursive CTE on SQLite), then the rollups are built by rollups.rebuild (timed).
Then, through the in-process test client (rate limiter off), the median of --requests calls
(big and small interleaved, so both see the same load) of `GET /api/url/:id`, `GET /api/urls`
(each owner's list) and `GET /api/url/:id/stats` (30 days), and the ratio big / small (goal:
<= 1.5x). With --export, a child process streams the big link's CSV export and reports its
peak RSS before and after.

LIKEPION_BENCH_CODE=<dir> runs the same measurement on another checkout's code (e.g. an export
of main, to measure the old path: it has no rollups and no time-series call).
"""

import argparse
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, os.environ.get("LIKEPION_BENCH_CODE", str(HERE.parent)))
sys.path.insert(1, str(HERE))

from _common import fresh_postgres  # noqa: E402
from sqlalchemy import text  # noqa: E402

from likepion import create_app  # noqa: E402
from likepion.auth import services as auth_services  # noqa: E402
from likepion.core.db import db  # noqa: E402
from likepion.shortener.models import ShortUrl  # noqa: E402

try:
    from likepion.shortener import rollups
except ImportError:  # the old code: stats read the raw clicks
    rollups = None

SMALL = 100
COUNTRIES = ["US", "DE", "GB", "FR", "IN", "BR", "CA", "JP", "ES", "IT", "NL", "SE", "PL", None]
REFERRERS = [f"site{n}.example" for n in range(40)] + ["facebook.com", "t.co", None, None]
BROWSERS = ["Chrome", "Firefox", "Safari", "Mobile Safari", "Edge", "Opera", None]
SYSTEMS = ["Windows 10", "Mac OS X 14", "iOS 17", "Android 14", "Linux", None]
MINUTES = 30 * 24 * 60


def _sql_list(values) -> str:
    return ", ".join("NULL" if v is None else f"'{v}'" for v in values)


def _insert_clicks(connection, link_id: int, n: int) -> None:
    """`n` clicks on `link_id`, one a minute back over 30 days, cycling through the values."""
    if connection.dialect.name == "postgresql":
        pick = lambda values: f"(ARRAY[{_sql_list(values)}]::text[])[1 + i % {len(values)}]"  # noqa: E731
        connection.execute(text(
            "INSERT INTO clicks (short_url_id, created_at, country, referrer_host, browser, os,"
            f" visitor) SELECT {link_id}, now() - (i % {MINUTES}) * interval '1 minute',"
            f" {pick(COUNTRIES)}, {pick(REFERRERS)}, {pick(BROWSERS)}, {pick(SYSTEMS)},"
            f" left(md5((i % 300000)::text), 32) FROM generate_series(0, {n - 1}) AS i"
        ))  # fmt: skip
        return
    pick = lambda values: f"json_extract('{_json(values)}', '$[' || (i % {len(values)}) || ']')"  # noqa: E731
    connection.execute(text(
        f"WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < {n - 1}) "
        "INSERT INTO clicks (short_url_id, created_at, country, referrer_host, browser, os,"
        f" visitor) SELECT {link_id}, strftime('%Y-%m-%d %H:%M:%S', 'now',"
        f" '-' || (i % {MINUTES}) || ' minutes') || '.000000', {pick(COUNTRIES)},"
        f" {pick(REFERRERS)}, {pick(BROWSERS)}, {pick(SYSTEMS)}, printf('%032d', i % 300000)"
        " FROM seq"
    ))  # fmt: skip


def _json(values) -> str:
    return "[" + ", ".join("null" if v is None else f'"{v}"' for v in values) + "]"


def build(database_uri: str, n_clicks: int):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_uri, RATELIMIT_ENABLED=False)
    owners = {}
    with app.app_context():
        db.create_all()
        for size, n in (("big", n_clicks), ("small", SMALL)):
            user = auth_services.create_user(
                email=f"{size}@example.com", username=size, password="bench password"
            )
            link = ShortUrl(user_id=user.id, alias=f"{size}link", url="https://example.com/")
            db.session.add(link)
            db.session.flush()
            owners[size] = (user.api_key, link.id)
            db.session.commit()  # and no read after it: that would begin (and lock) again
            started = time.perf_counter()
            with db.engine.begin() as connection:
                _insert_clicks(connection, owners[size][1], n)
            print(f"  {n:>9,} clicks inserted in {time.perf_counter() - started:6.1f} s")
        if rollups is not None:
            started = time.perf_counter()
            with db.engine.begin() as connection:
                rollups.lock_clicks(connection)
                ids = [link_id for _, link_id in owners.values()]
                rollups.rebuild(connection, "short_url_id", ids, since=rollups.ALL_TIME,
                                hourly_days=app.config["CLICK_HOURLY_DAYS"])  # fmt: skip
            print(f"  rollups rebuilt in {time.perf_counter() - started:6.1f} s")
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.exec_driver_sql("VACUUM ANALYZE")
        else:  # what a running service's autocheckpoints would have done by now
            db.engine.dispose()
            with sqlite3.connect(db.engine.url.database) as c:
                c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return app, owners


def medians_ms(client, path: str, owners: dict, n: int) -> dict | None:
    """Median ms of `path` for each owner's link, the calls interleaved (big, small, big, ...)
    so that both see the same load on a shared machine."""
    calls = {}
    for size, (api_key, link_id) in owners.items():
        calls[size] = (path.format(id=link_id), {"Authorization": f"Bearer {api_key}"})
        first = client.get(calls[size][0], headers=calls[size][1])
        if first.status_code == 404:
            return None  # the old code has no such call
        assert first.status_code == 200, first.get_data(as_text=True)[:300]
    times = {size: [] for size in calls}
    for _ in range(n):
        for size, (url, headers) in calls.items():
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            times[size].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
    return {size: statistics.median(values) for size, values in times.items()}


def measure(label: str, database_uri: str, n_clicks: int, n_requests: int, export: bool):
    print(f"{label}:")
    app, owners = build(database_uri, n_clicks)
    client = app.test_client()
    calls = {
        "GET /api/url/:id": "/api/url/{id}",
        "GET /api/urls": "/api/urls",
        "GET /api/url/:id/stats": "/api/url/{id}/stats",
    }
    for name, path in calls.items():
        times = medians_ms(client, path, owners, n_requests)
        if times is None:
            print(f"  {name:<24} not in this code")
            continue
        ratio = times["big"] / times["small"]
        print(f"  {name:<24} big {times['big']:8.2f} ms  small {times['small']:7.2f} ms"
              f"  ratio {ratio:5.2f}x  {'ok' if ratio <= 1.5 else 'OVER 1.5x'}")  # fmt: skip
    if export:
        key, link_id = owners["big"]
        child = [sys.executable, __file__, "--export-child", database_uri, key, str(link_id)]
        subprocess.run(child, check=True)
    with app.app_context():
        db.engine.dispose()


def export_child(database_uri: str, api_key: str, link_id: int) -> None:
    """Stream the export in this fresh process; report rows, time and peak RSS."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_uri, RATELIMIT_ENABLED=False)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_key}"}
    client.get("/api/urls", headers=headers)  # imports and connections warmed up
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    response = client.get(f"/api/url/{link_id}/clicks/export", headers=headers, buffered=False)
    size = lines = 0
    for chunk in response.response:
        size += len(chunk)
        lines += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
    response.close()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  export: {lines - 1:,} rows, {size / 2**20:.0f} MiB of CSV in"
          f" {time.perf_counter() - started:.1f} s; peak RSS {before:.0f} MiB before,"
          f" {after:.0f} MiB after (+{after - before:.0f} MiB)")  # fmt: skip


def main() -> None:
    if sys.argv[1:2] == ["--export-child"]:
        export_child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--export", action="store_true", help="also measure the CSV export")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    if args.only != "postgresql":
        with tempfile.TemporaryDirectory() as tmp:
            measure("SQLite", f"sqlite:///{tmp}/stats.db", args.clicks, args.requests, args.export)
    pg_url = os.environ.get("LIKEPION_BENCH_PG_URL")
    if pg_url and args.only != "sqlite":
        uri = fresh_postgres(pg_url)
        measure("PostgreSQL", uri, args.clicks, args.requests, args.export)


if __name__ == "__main__":
    main()
