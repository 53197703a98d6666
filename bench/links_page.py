"""Do list pages cost the same at 100 rows and at 100,000? (issue 16)

    .venv/bin/python bench/links_page.py [--big 100000] [--small 100] [--requests 200]
    LIKEPION_BENCH_PG_URL=postgresql://postgres:postgres@127.0.0.1:5432/likepion_bench \
        .venv/bin/python bench/links_page.py

Builds two users on a temporary SQLite file and, when LIKEPION_BENCH_PG_URL is set, on that
PostgreSQL database (dropped and created again): "big" has one request with `--big` links and
one group with `--big` accounts, "small" the same with `--small`. Rows are inserted in bulk as
the planner and imports write them (one created_at per batch); the counters, where the code has
them, are then set from COUNTs (backlink.counters.recount).

Each pair of pages is timed through the in-process test client (JWT, rate limiter off),
alternating the two pages request by request so other load on the machine hits both alike:

- links: page 1 of the big request vs page 1 of the small one, page 500 vs page 1 of the big one;
- accounts: the same for the groups' accounts;
- /projects and /groups: the big user vs the small user.

Prints median and p99 of each page and the ratios (goal: <= 1.5x each).
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
from sqlalchemy import insert  # noqa: E402

from likepion import create_app  # noqa: E402
from likepion.auth import services as auth_services  # noqa: E402
from likepion.auth.models import Server  # noqa: E402
from likepion.backlink.models import Account, Group, Link, Request, Site  # noqa: E402
from likepion.core.db import db  # noqa: E402

STATUSES = ["completed"] * 5 + ["queued"] * 3 + ["running", "failed"]
CHUNK = 5000
LIMIT = 20
DEEP = 500
BASE = "/api/v1/backlink"


def build(database_uri: str, sizes: dict[str, int]):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_uri, RATELIMIT_ENABLED=False)
    users = {}
    with app.app_context():
        db.create_all()
        sites = [Site(service_type="entity", name=f"site{n}.example") for n in range(20)]
        servers = [Server(name=f"server-{n:02d}", key_hash=f"{n:064x}") for n in range(5)]
        db.session.add_all(sites + servers)
        db.session.flush()
        for name, size in sizes.items():
            user = auth_services.create_user(
                email=f"{name}@example.com", username=name, password="bench password"
            )
            started = time.perf_counter()
            request_id = _request_with_links(user, size, sites, servers)
            group_id = _group_with_accounts(user, size, sites)
            _recount(request_id, group_id)
            db.session.commit()
            took = time.perf_counter() - started
            print(f"  {name}: {size} links and {size} accounts in {took:.1f}s")
            token = create_access_token(identity=str(user.uuid))
            users[name] = ({"Authorization": f"Bearer {token}"}, request_id, group_id)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                conn.exec_driver_sql("VACUUM ANALYZE")
        else:
            with db.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
    return app, users


def _request_with_links(user, n_links: int, sites, servers):
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
                    "link_profile": f"https://site.example/u/user{n}" if worked else None,
                    "link_post": f"https://site.example/p/{n}" if status == "completed" else None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        db.session.execute(insert(Link), rows)
    return request.id


def _group_with_accounts(user, n_accounts: int, sites):
    group = Group(user_id=user.id, name="Bench pool", service_type="entity", status="active")
    db.session.add(group)
    db.session.flush()
    for start in range(0, n_accounts, CHUNK):
        now = datetime.now(UTC)  # one created_at per import chunk
        rows = [
            {
                "id": uuid.uuid4(),
                "group_id": group.id,
                "user_id": user.id,
                "service_type": "entity",
                "site_id": sites[n % len(sites)].id,
                "website": sites[n % len(sites)].name,
                "identity": f"acct{n}",
                "username": f"acct{n}",
                "active": n % 4 != 0,
                "status": "active" if n % 4 else "inactive",
                "is_indexed": False,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(start, min(start + CHUNK, n_accounts))
        ]
        db.session.execute(insert(Account.__table__), rows)
    return group.id


def _recount(request_id, group_id) -> None:
    """Set the counters from COUNTs, where the code under test has them."""
    try:
        from likepion.backlink import counters
    except ImportError:
        return
    counters.recount(Request, [request_id])
    counters.recount(Group, [group_id])


def timed_pair(client, first, second, n: int) -> tuple[list[float], list[float]]:
    """Latencies (ms) of GET `first` and `second` (url, headers), alternated."""
    samples = ([], [])
    for i in range(n + 10):
        for slot in (0, 1) if i % 2 else (1, 0):
            url, headers = (first, second)[slot]
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
            assert response.json["data"], url  # a real page, not an empty one past the end
            if i >= 10:  # the first ten warm up
                samples[slot].append(elapsed)
    return samples


def summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def pairs(users) -> list[tuple[str, tuple, tuple]]:
    big, small = users["big"], users["small"]
    page = f"?page=1&limit={LIMIT}"
    deep = f"?page={DEEP}&limit={LIMIT}"

    def links(user, query):
        return (f"{BASE}/entity/{user[1]}/links{query}", user[0])

    def accounts(user, query):
        return (f"{BASE}/groups/{user[2]}/accounts{query}", user[0])

    return [
        ("links: page 1, big vs small request", links(big, page), links(small, page)),
        ("links: page 500 vs page 1, big request", links(big, deep), links(big, page)),
        ("accounts: page 1, big vs small group", accounts(big, page), accounts(small, page)),
        ("accounts: page 500 vs page 1, big group", accounts(big, deep), accounts(big, page)),
        (
            "/projects: big vs small user",
            (f"{BASE}/projects", big[0]),
            (f"{BASE}/projects", small[0]),
        ),
        ("/groups: big vs small user", (f"{BASE}/groups", big[0]), (f"{BASE}/groups", small[0])),
    ]


def measure(label: str, database_uri: str, sizes: dict[str, int], n_requests: int) -> None:
    print(f"\n{label}: {n_requests} requests per page")
    app, users = build(database_uri, sizes)
    client = app.test_client()
    for name, first, second in pairs(users):
        a, b = timed_pair(client, first, second, n_requests)
        (a50, a99), (b50, b99) = summary(a), summary(b)
        print(
            f"  {name:<42} {a50:7.2f} / {a99:7.2f} ms vs {b50:7.2f} / {b99:7.2f} ms"
            f"   ratio median {a50 / b50:5.2f}x  p99 {a99 / b99:5.2f}x"
        )
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    sizes = {"big": args.big, "small": args.small}
    with tempfile.TemporaryDirectory() as tmp:
        measure("SQLite (temporary file)", f"sqlite:///{tmp}/bench.db", sizes, args.requests)
    pg_url = os.environ.get("LIKEPION_BENCH_PG_URL")
    if pg_url:
        measure("PostgreSQL", fresh_postgres(pg_url), sizes, args.requests)
    else:
        print("\n(set LIKEPION_BENCH_PG_URL to measure PostgreSQL too)")


if __name__ == "__main__":
    main()
