"""Task claims per second on PostgreSQL: bare SQL, `claims.claim_links`, and the HTTP pull.

    .venv/bin/python bench/claims.py [--links 200000] [--seconds 5] [--pullers 1,4,16]
                                     [--durable]
    LIKEPION_BENCH_PG_URL=postgresql://postgres:postgres@127.0.0.1:5432/likepion_bench \
        .venv/bin/python bench/claims.py

Drops and creates the database, builds the schema (db.create_all), one user, one running
request, one worker server and N queued `entity` links with varied priority, auction_price and
created_at, and sets aggressive autovacuum on `links` (PERFORMANCE.md). Unless --durable, the
bench database gets `synchronous_commit = off`, so that the WAL fsync of this machine's disk
(milliseconds, and noisy) does not hide the cost of the code. Then, for each puller count, each
run bounded to a few seconds and claiming batches of 5:

- baseline: each puller its own psycopg connection, one `UPDATE ... WHERE id IN (SELECT ...
  FOR UPDATE SKIP LOCKED) RETURNING id` + COMMIT per batch;
- (a): threads calling `claims.claim_links(server, "entity", 5)` + `db.session.commit()` in
  their own app context (the real function, release_expired throttle included);
- (b): client threads pulling `GET /api/v1/entity/links?limit=5&type=primary` from
  `gunicorn -w 2` on 127.0.0.1.

Between runs the claimed rows go back to the queue and `links` is vacuumed, so every run starts
alike. Every run checks that no link id was handed out twice and that the database holds exactly
the claims the pullers saw. Prints claims/s and the ratios a/baseline (goal >= 0.7) and
b/baseline; when (a) misses the goal, shows where one claim_links thread's time goes: single
ingredients of claim_links added to the bare SQL one at a time (wall and CPU time), a sketch
of the suggested fix (a prebuilt Core UPDATE with a literal LIMIT; bench code only, not the
project's), the statements and pool checkouts per claim, and a cProfile by package.
"""

import argparse
import cProfile
import http.client
import json
import os
import pstats
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from sqlalchemy import Integer, bindparam, event, select, text, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from config import database_url  # noqa: E402
from likepion import create_app  # noqa: E402
from likepion.auth import services as auth_services  # noqa: E402
from likepion.backlink.models import Link, Request  # noqa: E402
from likepion.core.db import db  # noqa: E402
from likepion.core.time import utcnow  # noqa: E402
from likepion.worker import claims, services  # noqa: E402
from likepion.worker.models import Server  # noqa: E402

DEFAULT_URL = "postgresql://postgres:postgres@127.0.0.1:5432/likepion_bench"
SERVICE_TYPE = "entity"
LIMIT = 5
GOAL = 0.7
PROFILE_ROUNDS = 5
PULL_PATH = f"/api/v1/{SERVICE_TYPE}/links?limit={LIMIT}&type=primary"

BASELINE_SQL = """
UPDATE links SET status = 'running', server_id = %s,
       claimed_until = now() + interval '15 minutes', started_at = now()
 WHERE id IN (SELECT id FROM links
               WHERE service_type = 'entity' AND status = 'queued'
               ORDER BY priority DESC, auction_price DESC, created_at
               LIMIT 5 FOR UPDATE SKIP LOCKED)
RETURNING id
"""

# Varied priority (1-10), auction_price (5-54) and age; every column NOT NULL in the model gets
# a value here because the model's defaults live in Python, not in the table.
INSERT_LINKS_SQL = """
INSERT INTO links (id, request_id, user_id, service_type, priority, auction_price, status,
                   retry_count, max_retries, is_indexed, refunded, secondary,
                   created_at, updated_at)
SELECT gen_random_uuid(), %(request_id)s, %(user_id)s, 'entity', 1 + (g * 37) %% 10,
       5 + (g * 7919) %% 50, 'queued', 0, 3, false, false, false,
       now() - make_interval(secs => g), now()
  FROM generate_series(1, %(n)s) AS g
"""

RESET_SQL = """
UPDATE links SET status = 'queued', server_id = NULL, claimed_until = NULL, started_at = NULL
 WHERE status = 'running'
"""


# --- setup -----------------------------------------------------------------------------------


def fresh_postgres(url: str, durable: bool) -> tuple[str, str]:
    """Drop and create the database; return (SQLAlchemy URL, libpq conninfo URL). Unless
    `durable`, commits in this database do not wait for the WAL fsync (a setting of this
    database only), so the disk's fsync latency does not drown the code being compared."""
    parsed = make_url(database_url(url))
    admin = parsed.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{parsed.database}"')
        if not durable:
            conn.execute(f'ALTER DATABASE "{parsed.database}" SET synchronous_commit = off')
    libpq = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    return parsed.render_as_string(hide_password=False), libpq


def make_app(sqlalchemy_url: str, pool_size: int, pre_ping: bool = False):
    return create_app(
        "development",
        SQLALCHEMY_DATABASE_URI=sqlalchemy_url,
        RATELIMIT_ENABLED=False,
        LOG_LEVEL="WARNING",
        # The app's engine options (pool_pre_ping), with a pool as large as the thread count:
        # the default 5 + 10 overflow would close and reopen connections at 16 threads.
        SQLALCHEMY_ENGINE_OPTIONS={
            "pool_pre_ping": pre_ping,
            "pool_size": pool_size,
            "max_overflow": 4,
        },
    )


def build(sqlalchemy_url: str, conninfo: str, n_links: int, max_pullers: int):
    """The app (for (a)), the server's id and API key; the database filled and vacuumed."""
    app = make_app(sqlalchemy_url, max_pullers)
    with app.app_context():
        db.create_all()
        user = auth_services.create_user(
            email="bench@example.com", username="bench", password="bench password"
        )
        request = Request(
            user_id=user.id,
            service_type=SERVICE_TYPE,
            name="Bench",
            website="https://target.example",
            auction_price=10,
            target=n_links,
            type_request="entity",
            status="running",
        )
        db.session.add(request)
        db.session.commit()
        server, key = services.create_server("bench-worker")
        ids = {"request_id": request.id, "user_id": user.id, "n": n_links}
        server_id = server.id
    started = time.perf_counter()
    with psycopg.connect(conninfo) as conn:
        try:  # skip the per-row foreign key triggers (superuser only; the keys are valid)
            conn.execute("SET LOCAL session_replication_role = replica")
        except psycopg.errors.InsufficientPrivilege:
            conn.rollback()
        conn.execute(INSERT_LINKS_SQL, ids)
        conn.commit()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("ALTER TABLE links SET (autovacuum_vacuum_scale_factor = 0.01)")
        conn.execute("VACUUM ANALYZE")
        try:  # write the load's dirty pages out now, not during the first runs
            conn.execute("CHECKPOINT")
        except psycopg.errors.InsufficientPrivilege:
            pass
    print(f"  inserted {n_links:,} queued links in {time.perf_counter() - started:.1f}s")
    return app, server_id, key


def reset(conninfo: str) -> int:
    """Put every claimed link back in the queue and vacuum; return how many were claimed."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        claimed = conn.execute(RESET_SQL).rowcount
        conn.execute("VACUUM ANALYZE links")
    return claimed


def running_count(conninfo: str) -> int:
    with psycopg.connect(conninfo) as conn:
        return conn.execute("SELECT count(*) FROM links WHERE status = 'running'").fetchone()[0]


# --- pullers: context managers yielding a `claim() -> list of ids` -----------------------------


@contextmanager
def sql_puller(conninfo: str, server_id: uuid.UUID) -> Iterator[Callable[[], list]]:
    with psycopg.connect(conninfo) as conn:
        conn.execute("SELECT 1")
        conn.commit()

        def claim() -> list:
            rows = conn.execute(BASELINE_SQL, (server_id,)).fetchall()
            conn.commit()
            return [row[0] for row in rows]

        yield claim


@contextmanager
def function_puller(app, server_id: uuid.UUID) -> Iterator[Callable[[], list]]:
    with app.app_context():
        # The Server row is loaded once and detached: attached, every commit would expire it
        # and claim_links' `server.id` would reload it (one extra SELECT per claim that the
        # real request, which loads the server fresh each time, does not pay).
        server = db.session.get(Server, server_id)
        db.session.expunge(server)
        db.session.commit()

        def claim() -> list:
            ids = claims.claim_links(server, SERVICE_TYPE, LIMIT)
            db.session.commit()
            return ids

        try:
            yield claim
        finally:
            db.session.remove()


def sketch_statement():
    """A sketch of the suggested fix, not the project's code: the claim UPDATE built once on
    the Core table (no ORM bulk-UPDATE path, one cached compiled form), its LIMIT rendered
    into the SQL at execution (literal_execute) so PostgreSQL can keep one generic plan."""
    links = Link.__table__
    queued = text("links.status = 'queued'")
    picked = (
        select(links.c.id)
        .where(links.c.service_type == bindparam("claim_type"), queued)
        .order_by(links.c.priority.desc(), links.c.auction_price.desc(), links.c.created_at)
        .limit(bindparam("claim_limit", type_=Integer, literal_execute=True))
        .with_for_update(skip_locked=True)
        .cte("picked")
        .prefix_with("MATERIALIZED")  # the same SQL shape as claim_links
    )
    return (
        update(links)
        .where(links.c.id.in_(select(picked.c.id)), queued)
        .values(
            status="running",
            server_id=bindparam("claim_server"),
            claimed_until=bindparam("claim_until"),
            started_at=bindparam("claim_now"),
            updated_at=bindparam("claim_now"),
        )
        .returning(links.c.id)
    )


@contextmanager
def sketch_puller(app, server_id: uuid.UUID) -> Iterator[Callable[[], list]]:
    statement = sketch_statement()
    with app.app_context():
        ttl = timedelta(minutes=app.config["CLAIM_TTL_MINUTES"])

        def claim() -> list:
            now = utcnow()
            params = {
                "claim_type": SERVICE_TYPE,
                "claim_limit": LIMIT,
                "claim_server": server_id,
                "claim_until": now + ttl,
                "claim_now": now,
            }
            ids = db.session.scalars(statement, params).all()
            db.session.commit()
            return ids

        try:
            yield claim
        finally:
            db.session.remove()


@contextmanager
def driver_sql_puller(app, statement: str, params: dict) -> Iterator[Callable[[], list]]:
    """The floor of any SQLAlchemy session path: the claim SQL as a ready string."""
    with app.app_context():
        ttl = timedelta(minutes=app.config["CLAIM_TTL_MINUTES"])

        def claim() -> list:
            now = utcnow()
            values = params | {"claimed_until": now + ttl, "started_at": now, "updated_at": now}
            rows = db.session.connection().exec_driver_sql(statement, values).all()
            db.session.commit()
            return [row[0] for row in rows]

        try:
            yield claim
        finally:
            db.session.remove()


@contextmanager
def http_puller(port: int, key: str) -> Iterator[Callable[[], list]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"X-API-Key": key}

    def claim() -> list:
        # gunicorn's sync workers answer `Connection: close`; http.client then reconnects.
        conn.request("GET", PULL_PATH, headers=headers)
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {body[:300]!r}")
        return [task["id"] for task in json.loads(body)["data"]]

    try:
        yield claim
    finally:
        conn.close()


# --- one run ---------------------------------------------------------------------------------


def run(n_pullers: int, make_puller: Callable, seconds: float, conninfo: str) -> dict:
    """`n_pullers` threads claiming until the deadline; claims/s and the double-claim check."""
    state: dict = {}
    barrier = threading.Barrier(
        n_pullers,
        action=lambda: state.update(start=time.perf_counter(), cpu=time.process_time()),
    )
    results: list = [None] * n_pullers
    errors: list[BaseException] = []

    def body(index: int) -> None:
        try:
            with make_puller() as claim:
                barrier.wait()
                deadline = state["start"] + seconds
                got, calls = [], 0
                while time.perf_counter() < deadline:
                    got += claim()
                    calls += 1
                results[index] = (got, calls)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n_pullers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ended, cpu = time.perf_counter(), time.process_time()
    real = [e for e in errors if not isinstance(e, threading.BrokenBarrierError)]
    if real or errors:
        raise (real or errors)[0]
    ids = [str(i) for got, _ in results for i in got]
    calls = sum(c for _, c in results)
    in_db = running_count(conninfo)
    unique = len(set(ids))
    assert len(ids) == unique, f"{len(ids) - unique} link ids handed out twice"
    assert in_db == len(ids), f"{in_db} links running in the database, pullers saw {len(ids)}"
    return {
        "ids": len(ids),
        "doubles": len(ids) - unique,
        "calls": calls,
        "elapsed": ended - state["start"],
        "cpu": cpu - state["cpu"],
    }


def measure(label, n_pullers, make_puller, seconds, conninfo) -> float:
    result = run(n_pullers, make_puller, seconds, conninfo)
    rate = result["ids"] / result["elapsed"]
    per_call_ms = n_pullers * result["elapsed"] / max(result["calls"], 1) * 1000
    cpu_ms = result["cpu"] / max(result["calls"], 1) * 1000
    print(
        f"  {label:<9} {n_pullers:>2} pullers: {result['ids']:>7,} ids claimed in "
        f"{result['elapsed']:.2f}s = {rate:>6,.0f}/s; {result['calls']:,} calls, "
        f"{per_call_ms:.2f} ms each, bench-process CPU {cpu_ms:.2f} ms/call; "
        f"{result['doubles']} ids handed out twice, running rows in DB == ids"
    )
    reset(conninfo)
    return rate


# --- gunicorn --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(conninfo: str, log_path: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = os.environ | {
        "LIKEPION_CONFIG": "development",
        "DATABASE_URL": conninfo,
        "RATELIMIT_ENABLED": "false",
    }
    log = open(log_path, "wb")  # noqa: SIM115 - closed with the process by the caller
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}: {_tail(log_path)}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status == 200:
                return process, port
        except OSError:
            pass
        time.sleep(0.2)
    stop_gunicorn(process)
    raise RuntimeError(f"gunicorn did not answer /healthz within 30s: {_tail(log_path)}")


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _tail(path: Path) -> str:
    return path.read_text(errors="replace")[-2000:]


# --- profile of (a) --------------------------------------------------------------------------

PROFILE_GROUPS = [
    ("sqlalchemy/orm/", "SQLAlchemy ORM (session, bulk UPDATE setup, results)"),
    ("sqlalchemy/sql/", "SQLAlchemy SQL (statement building, cache key, compile lookup)"),
    ("sqlalchemy/engine/", "SQLAlchemy engine (execute, cursor result)"),
    ("sqlalchemy/pool/", "SQLAlchemy pool (checkout, pre-ping, return)"),
    ("sqlalchemy/", "SQLAlchemy other"),
    ("psycopg/", "psycopg (includes waiting on the socket)"),
    ("flask", "Flask / Flask-SQLAlchemy"),
    ("likepion/", "likepion (claims.py)"),
]


def capture_claim_sql(app, make_puller) -> tuple[str, dict]:
    """The claim UPDATE a puller emits (release_expired throttle held off), with its driver
    parameters."""
    seen: list = []
    with app.app_context():
        engine = db.engine

    def listener(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    with make_puller() as claim:
        claims._last_release[SERVICE_TYPE] = time.monotonic()
        event.listen(engine, "before_cursor_execute", listener)
        try:
            claim()
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    assert len(seen) == 1, [s for s, _ in seen]
    return seen[0]


def inline_limit_and_type(statement: str, params: dict) -> tuple[str, dict]:
    """The same statement with `LIMIT 5` and `service_type = 'entity'` written in."""
    statement, n_limit = re.subn(r"LIMIT %\((\w+)\)s::INTEGER", f"LIMIT {LIMIT}", statement)
    statement, n_type = re.subn(
        r"links\.service_type = %\((\w+)\)s::VARCHAR",
        f"links.service_type = '{SERVICE_TYPE}'",
        statement,
    )
    assert n_limit <= 1 and n_type <= 1, statement
    used = set(re.findall(r"%\((\w+)\)s", statement))
    return statement, {k: v for k, v in params.items() if k in used}


@contextmanager
def replay_puller(conninfo: str, statement: str, params, ping: bool = False):
    with psycopg.connect(conninfo) as conn:

        def claim() -> list:
            if ping:  # as SQLAlchemy's psycopg dialect pings: ";" in autocommit
                conn.autocommit = True
                conn.execute(";")
                conn.autocommit = False
            rows = conn.execute(statement, params).fetchall()
            conn.commit()
            return [row[0] for row in rows]

        yield claim


def plan_costs(conninfo: str, statement: str, params: dict) -> dict:
    """The top line of the generic and of the custom plan of `statement` when prepared."""
    order: list[str] = []

    def number(match):
        if match.group(1) not in order:
            order.append(match.group(1))
        return f"${order.index(match.group(1)) + 1}"

    numbered = re.sub(r"%\((\w+)\)s", number, statement)
    plans = {}
    with psycopg.connect(conninfo) as conn:
        conn.execute(f"PREPARE bench_claim AS {numbered}")
        cursor = psycopg.ClientCursor(conn)
        args = ", ".join(["%s"] * len(order))
        for mode in ("force_generic_plan", "force_custom_plan"):
            conn.execute(f"SET plan_cache_mode = {mode}")
            cursor.execute(f"EXPLAIN EXECUTE bench_claim({args})", [params[n] for n in order])
            lines = [row[0] for row in cursor.fetchall()]
            scan = "Seq Scan on links" if any("Seq Scan" in x for x in lines) else "index scans"
            plans[mode] = f"{lines[0].strip()}; {scan}"
        conn.rollback()
    return plans


def profile_function(app, sqlalchemy_url, server_id, conninfo: str, seconds: float) -> None:
    """Where one (a) puller's time goes: one thread, no contention, un-profiled latencies of
    variants that each add one ingredient of claim_links, then a cProfile of (a)."""
    print(
        f"\nWhere (a)'s time goes: one thread, no contention, {seconds:.1f}s per variant in "
        f"{PROFILE_ROUNDS} round-robin slices"
    )
    statement, params = capture_claim_sql(app, lambda: function_puller(app, server_id))
    sketch_sql, sketch_params = capture_claim_sql(app, lambda: sketch_puller(app, server_id))
    reset(conninfo)
    inlined, inlined_params = inline_limit_and_type(statement, params)
    no_ping_app = make_app(sqlalchemy_url, 1, pre_ping=False)
    variants = [
        ("baseline SQL: BEGIN, UPDATE, COMMIT", lambda: sql_puller(conninfo, server_id)),
        (
            'baseline SQL + the pre-ping ";" first',
            lambda: replay_puller(conninfo, BASELINE_SQL, (server_id,), ping=True),
        ),
        (
            "claim_links' UPDATE, LIMIT/service_type inlined, psycopg",
            lambda: replay_puller(conninfo, inlined, inlined_params),
        ),
        (
            "claim_links' UPDATE as emitted (bound LIMIT), psycopg",
            lambda: replay_puller(conninfo, statement, params),
        ),
        ("(a) with pool_pre_ping off", lambda: function_puller(no_ping_app, server_id)),
        ("(a) as configured (pool_pre_ping on)", lambda: function_puller(app, server_id)),
        (
            "sketch: prebuilt Core UPDATE, literal LIMIT, pre-ping on",
            lambda: sketch_puller(app, server_id),
        ),
        (
            "sketch: prebuilt Core UPDATE, literal LIMIT, pre-ping off",
            lambda: sketch_puller(no_ping_app, server_id),
        ),
        (
            "floor: that SQL as a string, exec_driver_sql, pre-ping off",
            lambda: driver_sql_puller(no_ping_app, inlined, inlined_params),
        ),
    ]
    # Round robin in short slices, median per variant: the load of other processes drifts.
    samples: dict[str, list] = {label: [] for label, _ in variants}
    for _ in range(PROFILE_ROUNDS):
        for label, make_puller in variants:
            with make_puller() as claim:
                for _ in range(10):  # warm up: psycopg prepares a statement on its 5th run
                    claim()
                samples[label].append(_latency(claim, seconds / PROFILE_ROUNDS))
        reset(conninfo)
    print(
        f"  {'variant (one claim of 5 + commit), median of ' + str(PROFILE_ROUNDS) + ' slices':<58}"
        f" {'wall ms':>8} {'client CPU ms':>14}"
    )
    latency = {}
    for label, _ in variants:
        latency[label] = (
            statistics.median(w for w, _ in samples[label]),
            statistics.median(c for _, c in samples[label]),
        )
        wall, cpu = latency[label]
        print(f"  {label:<58} {wall * 1e3:>8.3f} {cpu * 1e3:>14.3f}")
    with no_ping_app.app_context():
        db.engine.dispose()
    base, ping, inline, emitted, no_ping, full, sketch, sketch_no_ping, floor = (
        latency[label] for label, _ in variants
    )
    print("  so, per claim, what (a) adds to the baseline (wall ms, client CPU ms, share of (a)):")
    for label, (more, less) in [
        ('pool_pre_ping: one more round trip (";") per checkout', (full, no_ping)),
        ("  (the same round trip added to the bare SQL)", (ping, base)),
        ("statement shape: CTE, SET columns, status guard", (inline, base)),
        ("bound LIMIT / service_type: PostgreSQL re-plans every call", (emitted, inline)),
        ("Python: statement building, ORM session, engine (no ping)", (no_ping, emitted)),
    ]:
        wall, cpu = more[0] - less[0], more[1] - less[1]
        print(
            f"    {label:<60} {wall * 1e3:>+7.3f} {cpu * 1e3:>+7.3f}  "
            f"({wall / full[0] * 100:>5.1f}%)"
        )
    print("  wall time per claim against the baseline's (its inverse is the claims/s ratio):")
    for label, value in [
        ("(a) as configured", full),
        ("sketch, pre-ping on", sketch),
        ("sketch, pre-ping off", sketch_no_ping),
        ("floor: SQLAlchemy session + exec_driver_sql, pre-ping off", floor),
    ]:
        print(
            f"    {label:<60} {value[0] / base[0]:>5.2f}x  (a/baseline ratio "
            f"{base[0] / value[0]:.2f})"
        )
    plans = plan_costs(conninfo, statement, params)
    print("  claim_links' UPDATE prepared (psycopg prepares it after 5 runs):")
    print(f"    generic plan: {plans['force_generic_plan']}")
    print(f"    custom plan:  {plans['force_custom_plan']}")
    print(
        "    the generic plan assumes LIMIT $n returns 10% of the rows; plan_cache_mode=auto "
        "rejects it for its cost, so every execution is planned again"
    )
    plans = plan_costs(conninfo, sketch_sql, sketch_params)
    print("  the sketch's UPDATE (LIMIT 5 in the SQL, service_type bound) prepared:")
    print(f"    generic plan: {plans['force_generic_plan']}")
    print(f"    custom plan:  {plans['force_custom_plan']}")

    statements: list[str] = []
    checkouts = {"n": 0}
    with app.app_context():
        engine = db.engine

    def listener(conn, cursor, statement, parameters, context, executemany):
        statements.append(" ".join(statement.split())[:70])

    def count_checkout(dbapi_connection, record, proxy):
        checkouts["n"] += 1

    with function_puller(app, server_id) as claim:
        claims._last_release.clear()
        event.listen(engine, "before_cursor_execute", listener)
        event.listen(engine.pool, "checkout", count_checkout)
        try:
            for _ in range(20):
                claim()
        finally:
            event.remove(engine, "before_cursor_execute", listener)
            event.remove(engine.pool, "checkout", count_checkout)
    reset(conninfo)
    kinds: dict[str, int] = {}
    for text_ in statements:
        kinds[text_] = kinds.get(text_, 0) + 1
    print(
        f"  20 claims, the first with the release_expired throttle due: {len(statements)} "
        f"statements through the engine and {checkouts['n']} pool checkouts (each pre-pinged "
        f'with ";"; psycopg sends BEGIN and COMMIT as round trips of their own)'
    )
    for text_, count in sorted(kinds.items(), key=lambda kv: -kv[1]):
        print(f"    {count:>3} x {text_}")

    profiler = cProfile.Profile()
    calls = 0
    with function_puller(app, server_id) as claim:
        deadline = time.perf_counter() + seconds
        profiler.enable()
        while time.perf_counter() < deadline:
            claim()
            calls += 1
        profiler.disable()
    reset(conninfo)
    stats = pstats.Stats(profiler).stats
    total = sum(tt for _, _, tt, _, _ in stats.values())
    groups: dict[str, float] = {}
    for (path, _, _), (_, _, tt, _, _) in stats.items():
        path = path.replace("\\", "/")
        label = next((lb for key, lb in PROFILE_GROUPS if key in path), "other (builtins, stdlib)")
        groups[label] = groups.get(label, 0.0) + tt
    print(
        f"  cProfile of (a), {calls:,} claims: {total / calls * 1e3:.3f} ms per claim under the "
        f"profiler (which inflates Python); own time by package, per claim:"
    )
    for label, tt in sorted(groups.items(), key=lambda kv: -kv[1]):
        print(f"    {label:<62} {tt / calls * 1e3:>7.3f} ms  ({tt / total * 100:>5.1f}%)")
    print("  top Python functions outside psycopg, by own time per claim:")
    rows = [kv for kv in stats.items() if "psycopg" not in kv[0][0]]
    for (path, line, name), (_, nc, tt, _, _) in sorted(rows, key=lambda kv: -kv[1][2])[:10]:
        where = "/".join(Path(path).parts[-2:]) if path != "~" else ""
        print(f"    {tt / calls * 1e6:>6.1f} us  {nc / calls:>5.1f} calls  {where}:{line} {name}")


def _latency(claim: Callable[[], list], seconds: float) -> tuple[float, float]:
    """Wall time and this thread's CPU time per call."""
    calls, started, cpu = 0, time.perf_counter(), time.thread_time()
    while time.perf_counter() - started < seconds:
        claim()
        calls += 1
    return (time.perf_counter() - started) / calls, (time.thread_time() - cpu) / calls


# --- main ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=200_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--pullers", default="1,4,16")
    parser.add_argument(
        "--durable",
        action="store_true",
        help="keep synchronous_commit on: every commit waits for the WAL fsync",
    )
    args = parser.parse_args()
    pullers = [int(n) for n in args.pullers.split(",")]
    began = time.perf_counter()

    url = os.environ.get("LIKEPION_BENCH_PG_URL", DEFAULT_URL)
    cores = os.cpu_count()
    print(
        f"Task claims, batches of {LIMIT}, {args.links:,} queued links, {args.seconds:.0f}s "
        f"per run, PostgreSQL at {make_url(url).host}"
    )
    print(
        f"  this machine has {cores} cores, shared by PostgreSQL, the pullers (Python threads; "
        f"one GIL) and, in (b), 2 gunicorn sync workers; load average now {_load()}"
    )
    print(
        "  synchronous_commit "
        + (
            "on (--durable): each commit waits for the WAL fsync"
            if args.durable
            else "off for the bench database (--durable to keep it on): commits do not wait "
            "for the disk"
        )
    )
    sqlalchemy_url, conninfo = fresh_postgres(url, args.durable)
    app, server_id, key = build(sqlalchemy_url, conninfo, args.links, max(pullers))
    with psycopg.connect(conninfo) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
    print(f"  PostgreSQL {version}")

    rates: dict[str, dict[int, float]] = {"base": {}, "a": {}, "b": {}}
    print("\nbaseline (bare SQL, psycopg) and (a) claims.claim_links + commit, in-process threads")
    for n in pullers:
        rates["base"][n] = measure(
            "baseline", n, lambda: sql_puller(conninfo, server_id), args.seconds, conninfo
        )
        rates["a"][n] = measure(
            "(a)", n, lambda: function_puller(app, server_id), args.seconds, conninfo
        )
    with app.app_context():
        db.session.remove()
        db.engine.dispose()

    print("\n(b) HTTP: gunicorn -w 2 (sync workers), http.client per client thread")
    with tempfile.TemporaryDirectory() as tmp:
        log_path = Path(tmp) / "gunicorn.log"
        process = None
        try:
            process, port = start_gunicorn(conninfo, log_path)
            connection = _connection_header(port)
            print(f"  gunicorn on 127.0.0.1:{port}; its answers say Connection: {connection}")
            for n in pullers:
                rates["b"][n] = measure(
                    "(b) HTTP", n, lambda: http_puller(port, key), args.seconds, conninfo
                )
        finally:
            if process is not None:
                stop_gunicorn(process)

    print_table(pullers, rates, cores)
    if any(rates["a"][n] / rates["base"][n] < GOAL for n in pullers):
        profile_function(app, sqlalchemy_url, server_id, conninfo, min(args.seconds, 1.5))
        with app.app_context():
            db.engine.dispose()
    print(f"\ntotal bench time {time.perf_counter() - began:.0f}s; load average now {_load()}")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _connection_header(port: int) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", "/healthz")
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.getheader("Connection", "(none: keep-alive)")


def print_table(pullers, rates, cores) -> None:
    print(f"\nClaims per second (batches of {LIMIT}); goal: (a) >= {GOAL}x baseline")
    print(
        f"  {'pullers':>7}  {'baseline/s':>10}  {'(a) func/s':>10}  {'a/base':>6}  "
        f"{'':>4}  {'(b) HTTP/s':>10}  {'b/base':>6}"
    )
    for n in pullers:
        base, a, b = rates["base"][n], rates["a"][n], rates["b"][n]
        verdict = "ok" if a / base >= GOAL else "MISS"
        print(
            f"  {n:>7}  {base:>10,.0f}  {a:>10,.0f}  {a / base:>5.2f}x  {verdict:>4}  "
            f"{b:>10,.0f}  {b / base:>5.2f}x"
        )
    print(
        f"  ({cores} cores: PostgreSQL and the pullers compete for them; the in-process pullers "
        f"share one GIL, so (a) at 4 and 16 threads is bounded by one core of Python)"
    )


if __name__ == "__main__":
    main()
