"""Importing 10,000 accounts through the API against a plain bulk INSERT of the same rows.

    .venv/bin/python bench/import_accounts.py [--accounts 10000] [--runs 5]
    LIKEPION_BENCH_PG_URL=postgresql://postgres:postgres@127.0.0.1:5432/likepion_bench \
        .venv/bin/python bench/import_accounts.py

On a temporary SQLite file and, when LIKEPION_BENCH_PG_URL is set, on PostgreSQL (a database
named after the URL's with `_import` appended, dropped and created again, so other benchmarks
sharing the URL are left alone), it builds one user, three entity sites and, per run, an empty
group. Then, alternating, each run times:

- api: `POST /api/v1/backlink/groups/:id/accounts/import` with the 10,000 accounts, through the
  in-process test client (JWT, rate limiter off, JSON parse, per-item checks, duplicate lookup,
  encryption by the column type, chunked executemany INSERT, commit, response);
- bulk INSERT: the same rows built in Python, the five credentials encrypted with
  `core.crypto.encrypt` (Fernet, the same key), inserted with a chunked executemany of a plain
  `INSERT INTO accounts` (no type processing) and committed.

Between runs the accounts are deleted (not timed). Prints the median of each and the ratio
api / bulk INSERT (goal: <= 2x).
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import fresh_postgres  # noqa: E402
from flask_jwt_extended import create_access_token  # noqa: E402
from sqlalchemy import Boolean, DateTime, Integer, String, Text, Uuid, column, delete, table  # noqa: E402
from sqlalchemy import insert as sql_insert  # noqa: E402

from likepion import create_app  # noqa: E402
from likepion.auth import services as auth_services  # noqa: E402
from likepion.backlink.catalogue import normalise_name  # noqa: E402
from likepion.backlink.models import Account, Group, Site  # noqa: E402
from likepion.core.crypto import encrypt  # noqa: E402
from likepion.core.db import db  # noqa: E402
from likepion.core.time import utcnow  # noqa: E402

SITES = ("about.me", "gravatar.com", "linktr.ee")
SECRETS = ("password", "app_password", "pass_mail", "twofa", "cookies")
CHUNK = 1000

# The accounts table with plain column types: the baseline writes already-encrypted text.
PLAIN_ACCOUNTS = table(
    "accounts",
    column("id", Uuid),
    column("group_id", Uuid),
    column("user_id", Integer),
    column("service_type", String),
    column("site_id", Uuid),
    column("website", String),
    column("identity", String),
    column("username", String),
    column("email", String),
    *(column(name, Text) for name in SECRETS),
    column("note", Text),
    column("active", Boolean),
    column("status", String),
    column("is_indexed", Boolean),
    column("created_at", DateTime(timezone=True)),
    column("updated_at", DateTime(timezone=True)),
)


def accounts(n: int) -> list[dict]:
    return [
        {
            "website": f"https://www.{SITES[i % 3]}/profile",
            "username": f"user{i:05d}",
            "email": f"user{i:05d}@mail.example",
            "password": f"password-{i}-Xy9!",
            "app_password": f"abcd efgh ijkl {i:04d}",
            "pass_mail": f"mail-password-{i}",
            "twofa": "JBSWY3DPEHPK3PXP",
            "cookies": f'[{{"name":"sid","value":"{uuid.uuid4().hex}"}}]',
            "note": "bench",
        }
        for i in range(n)
    ]


def build(database_uri: str):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_uri, RATELIMIT_ENABLED=False)
    with app.app_context():
        db.create_all()
        user = auth_services.create_user(
            email="bench@example.com", username="bench", password="bench password"
        )
        db.session.add_all(Site(service_type="entity", name=name) for name in SITES)
        db.session.commit()
        token = create_access_token(identity=str(user.uuid))
        return app, user.id, {"Authorization": f"Bearer {token}"}


def new_group(app, user_id: int) -> uuid.UUID:
    with app.app_context():
        group = Group(user_id=user_id, name="bench", service_type="entity")
        db.session.add(group)
        db.session.commit()
        return group.id


def clear_accounts(app) -> None:
    with app.app_context():
        db.session.execute(delete(Account))
        db.session.commit()


def time_api(app, headers, group_id, body: bytes, n: int) -> float:
    client = app.test_client()
    started = time.perf_counter()
    response = client.post(
        f"/api/v1/backlink/groups/{group_id}/accounts/import",
        data=body,
        content_type="application/json",
        headers=headers,
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.json["data"]["imported"] == n, response.json
    return elapsed


def time_bulk_insert(app, user_id, group_id, items: list[dict]) -> float:
    with app.app_context():
        sites = dict(db.session.execute(db.select(Site.name, Site.id)).all())
        db.session.commit()
        started = time.perf_counter()
        now = utcnow()
        rows = []
        for item in items:
            website = normalise_name(item["website"])
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "group_id": group_id,
                    "user_id": user_id,
                    "service_type": "entity",
                    "site_id": sites[website],
                    "website": website,
                    "identity": item["username"].lower(),
                    "username": item["username"],
                    "email": item["email"],
                    **{name: encrypt(item[name]) for name in SECRETS},
                    "note": item["note"],
                    "active": True,
                    "status": "active",
                    "is_indexed": False,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        for start in range(0, len(rows), CHUNK):
            db.session.execute(sql_insert(PLAIN_ACCOUNTS), rows[start : start + CHUNK])
        db.session.commit()
        return time.perf_counter() - started


def measure(label: str, database_uri: str, n: int, runs: int) -> None:
    app, user_id, headers = build(database_uri)
    items = accounts(n)
    body = json.dumps({"accounts": items}).encode()
    api, bulk = [], []
    for run in range(runs):
        order = ("api", "bulk") if run % 2 == 0 else ("bulk", "api")
        for kind in order:
            group_id = new_group(app, user_id)
            if kind == "api":
                api.append(time_api(app, headers, group_id, body, n))
            else:
                bulk.append(time_bulk_insert(app, user_id, group_id, items))
            clear_accounts(app)
    api_median, bulk_median = statistics.median(api), statistics.median(bulk)
    print(f"{label}: {n} accounts, {len(body) / 1e6:.1f} MB body, median of {runs} runs")
    print(f"  api import   {api_median * 1000:8.0f} ms   (runs: {_ms(api)})")
    print(f"  bulk INSERT  {bulk_median * 1000:8.0f} ms   (runs: {_ms(bulk)})")
    print(f"  ratio        {api_median / bulk_median:8.2f}x   (goal <= 2x)")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _ms(samples: list[float]) -> str:
    return ", ".join(f"{t * 1000:.0f}" for t in samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        measure("SQLite", f"sqlite:///{tmp}/bench.db", args.accounts, args.runs)
    pg_url = os.environ.get("LIKEPION_BENCH_PG_URL")
    if pg_url:
        measure("PostgreSQL", fresh_postgres(pg_url, "_import"), args.accounts, args.runs)
    else:
        print("PostgreSQL: skipped (set LIKEPION_BENCH_PG_URL)")


if __name__ == "__main__":
    main()
