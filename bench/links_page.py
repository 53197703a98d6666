"""`GET /:type/:id/links` on a request with 100,000 links, against the bare SQL it runs.

    .venv/bin/python bench/links_page.py [--links 100000] [--requests 200]
    LIKEPION_BENCH_PG_URL=postgresql://postgres:postgres@127.0.0.1:5432/likepion_bench \
        .venv/bin/python bench/links_page.py

Builds one user, 20 sites, 5 servers and one request whose links all share one created_at (as
the planner writes them), on a temporary SQLite file and, when LIKEPION_BENCH_PG_URL is set, on
that PostgreSQL database (dropped and created again). Then, for page 1 and page 500 (limit 20):

- endpoint: the full request through the in-process test client (JWT, rate limiter off,
  request lookup, count, page, dump);
- the endpoint's own SQL, captured from one request and replayed on a raw DB-API cursor: its
  page SELECT alone (joins included), the count plus the page SELECT, and every statement it ran
  (user, request lookup, count, page).

Prints median and p99 latencies, the endpoint / SQL ratios (goal: <= 3x) and the median of each
statement alone.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import fresh_postgres  # noqa: E402
from flask_jwt_extended import create_access_token  # noqa: E402
from sqlalchemy import event, insert  # noqa: E402

from likepion import create_app  # noqa: E402
from likepion.auth import services as auth_services  # noqa: E402
from likepion.backlink.models import Link, Request, Site  # noqa: E402
from likepion.core.db import db  # noqa: E402
from likepion.worker.models import Server  # noqa: E402

STATUSES = ["completed"] * 5 + ["queued"] * 3 + ["running", "failed"]
CHUNK = 5000
LIMIT = 20
PAGES = (1, 500)
CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def build(database_uri: str, n_links: int):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_uri, RATELIMIT_ENABLED=False)
    with app.app_context():
        db.create_all()
        user = auth_services.create_user(
            email="bench@example.com", username="bench", password="bench password"
        )
        sites = [Site(service_type="entity", name=f"site{n}.example") for n in range(20)]
        servers = [Server(name=f"server-{n:02d}", key_hash=f"{n:064x}") for n in range(5)]
        db.session.add_all(sites + servers)
        db.session.flush()
        now = datetime.now(UTC)
        request = Request(
            id=uuid.uuid4(),
            user_id=user.id,
            service_type="entity",
            name="Bench",
            website="https://target.example",
            auction_price=10,
            target=n_links,
            type_request="entity",
            status="running",
            started_at=now,
        )
        db.session.add(request)
        db.session.flush()
        started = time.perf_counter()
        for start in range(0, n_links, CHUNK):
            rows = []
            for n in range(start, min(start + CHUNK, n_links)):
                status = STATUSES[n % len(STATUSES)]
                worked = status != "queued"
                rows.append(
                    {
                        "id": uuid.uuid4(),
                        "request_id": request.id,
                        "user_id": user.id,
                        "service_type": "entity",
                        "site_id": sites[n % len(sites)].id,
                        "server_id": servers[n % len(servers)].id if worked else None,
                        "priority": 5,
                        "auction_price": 10,
                        "status": status,
                        "username": f"user{n}",
                        "email": f"user{n}@mail.example",
                        "password": f"pw{n}" if worked else None,
                        "link_profile": f"https://site.example/u/user{n}" if worked else None,
                        "link_post": f"https://site.example/p/{n}"
                        if status == "completed"
                        else None,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            db.session.execute(insert(Link), rows)
        db.session.commit()
        print(f"  inserted {n_links} links in {time.perf_counter() - started:.1f}s")
        token = create_access_token(identity=str(user.uuid))
        request_id = request.id
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                conn.exec_driver_sql("VACUUM ANALYZE")
        else:
            with db.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
    return app, {"Authorization": f"Bearer {token}"}, f"/api/v1/backlink/entity/{request_id}/links"


def timed(fn, n: int) -> list[float]:
    for _ in range(min(10, n)):
        fn()
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def capture(app, client, url, headers) -> list[tuple[str, object]]:
    """The SQL statements (and their driver parameters) one request runs, minus BEGIN/COMMIT."""
    seen = []
    with app.app_context():
        engine = db.engine

    def listener(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(CONTROL):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get(url, headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert len(response.json["data"]) == LIMIT
    return seen


def replay(app, statements):
    """A function running `statements` on one raw DB-API connection, fetching every row."""
    with app.app_context():
        raw = db.engine.raw_connection()

    def run():
        cursor = raw.cursor()
        for statement, parameters in statements:
            cursor.execute(statement, parameters)
            cursor.fetchall()
        cursor.close()
        raw.commit()

    return run, raw


def summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def measure(label: str, database_uri: str, n_links: int, n_requests: int) -> None:
    print(f"\n{label}: {n_links} links, {n_requests} requests per measurement")
    app, headers, base_url = build(database_uri, n_links)
    client = app.test_client()
    for page in PAGES:
        url = f"{base_url}?page={page}&limit={LIMIT}"
        statements = capture(app, client, url, headers)
        page_sql = [s for s in statements if "JOIN servers" in s[0]]
        links_sql = [s for s in statements if s[0].startswith("SELECT count(*)")] + page_sql
        assert len(page_sql) == 1 and len(links_sql) == 2, [s[0][:80] for s in statements]
        endpoint = summary(timed(lambda url=url: client.get(url, headers=headers), n_requests))
        print(f"  page {page}: endpoint {endpoint[0]:.2f} / {endpoint[1]:.2f} ms (median / p99)")
        for name, subset in (
            ("the page SELECT alone", page_sql),
            ("count + page SELECT", links_sql),
            ("all the endpoint's SQL", statements),
        ):
            run, raw = replay(app, subset)
            bare = summary(timed(run, n_requests))
            raw.close()
            print(
                f"    {name:<24} {bare[0]:8.2f} / {bare[1]:8.2f} ms"
                f"   endpoint = {endpoint[0] / bare[0]:6.1f}x (p99 {endpoint[1] / bare[1]:5.1f}x)"
            )
    print(f"  each statement of page {PAGES[-1]}, replayed alone (median ms):")
    for statement in statements:
        run_one, raw_one = replay(app, [statement])
        median = summary(timed(run_one, max(10, n_requests // 4)))[0]
        print(f"    {median:8.2f}  {_short(statement[0])}")
        raw_one.close()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _short(statement: str) -> str:
    text = " ".join(statement.split())
    return text[:80] + ("..." if len(text) > 80 else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    runs = (args.links, args.requests)
    with tempfile.TemporaryDirectory() as tmp:
        measure("SQLite (temporary file)", f"sqlite:///{tmp}/bench.db", *runs)
    pg_url = os.environ.get("LIKEPION_BENCH_PG_URL")
    if pg_url:
        measure("PostgreSQL", fresh_postgres(pg_url), *runs)
    else:
        print("\n(set LIKEPION_BENCH_PG_URL to measure PostgreSQL too)")


if __name__ == "__main__":
    main()
