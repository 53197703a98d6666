"""Task claims per second on PostgreSQL: bare SQL, `claims.claim_links`, and the HTTP pull.

    .venv/bin/python bench/claims.py [--links 200000] [--seconds 5] [--pullers 1,4,16]
                                     [--durable] [--profile]
    LIKEPION_BENCH_PG_URL=postgresql://postgres:postgres@127.0.0.1:5432/likepion_bench \
        .venv/bin/python bench/claims.py

Drops and creates the database, builds the schema (db.create_all), one user, one running
request, one worker server and N queued `entity` links with varied priority, auction_price and
created_at. Unless --durable, the bench database gets `synchronous_commit = off`, so that this
disk's noisy WAL fsync does not hide the cost of the code. Then, for each puller count, runs of
a few seconds claiming batches of 5:

- baseline: each puller its own psycopg connection, one `UPDATE ... WHERE id IN (SELECT ...
  FOR UPDATE SKIP LOCKED) RETURNING id` + COMMIT per batch;
- (a): threads calling `claims.claim_links(server, "entity", 5)` in their own app context (the
  real function, release_expired throttle included). On PostgreSQL it commits its own claim:
  a `db.session.commit()` after it would only time an empty session commit;
- (b): client threads pulling `GET /api/v1/entity/links?limit=5&type=primary` from
  `gunicorn -w 2` on 127.0.0.1.

Every run checks that no link id was handed out twice and that the database holds exactly the
claims the pullers saw; then the claims go back to the queue and `links` is vacuumed. Prints
claims/s and the ratios a/baseline (goal >= 0.7) and b/baseline; with --profile, then the top
functions (own time per claim) of a cProfile of one (a) thread.
"""

import argparse
import cProfile
import http.client
import json
import os
import pstats
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from _common import free_port, fresh_postgres, stop_gunicorn  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from config import CONFIGS  # noqa: E402
from likepion import create_app  # noqa: E402
from likepion.auth import servers  # noqa: E402
from likepion.auth import services as auth_services  # noqa: E402
from likepion.auth.models import Server  # noqa: E402
from likepion.backlink.models import Request  # noqa: E402
from likepion.core.db import db  # noqa: E402
from likepion.worker import claims  # noqa: E402

DEFAULT_URL = "postgresql://postgres:postgres@127.0.0.1:5432/likepion_bench"
SERVICE_TYPE = "entity"
LIMIT = 5
GOAL = 0.7
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


def build(sqlalchemy_url: str, conninfo: str, n_links: int, max_pullers: int):
    """The app (for (a)), the server's id and API key; the database filled and vacuumed."""
    # The app's own engine options, with a pool as large as the thread count: the default
    # 5 (+ 10 overflow, closed on checkin) would close and reopen connections at 16 threads.
    engine_options = CONFIGS["development"].SQLALCHEMY_ENGINE_OPTIONS | {
        "pool_size": max(5, max_pullers)
    }
    app = create_app(
        "development",
        SQLALCHEMY_DATABASE_URI=sqlalchemy_url,
        SQLALCHEMY_ENGINE_OPTIONS=engine_options,
        RATELIMIT_ENABLED=False,
        LOG_LEVEL="WARNING",
    )
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
        server, key = servers.create_server("bench-worker")
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


# Pullers: context managers yielding a `claim()` that claims one batch and returns its ids.


@contextmanager
def sql_puller(conninfo: str, server_id: uuid.UUID) -> Iterator[Callable[[], list]]:
    with psycopg.connect(conninfo) as conn:

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
            return claims.claim_links(server, SERVICE_TYPE, LIMIT)

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


def run(n_pullers: int, make_puller: Callable, seconds: float) -> tuple[list, int, float]:
    """`n_pullers` threads claiming until the deadline; return (ids claimed, calls, seconds)."""
    start: list[float] = []
    barrier = threading.Barrier(n_pullers, action=lambda: start.append(time.perf_counter()))
    results: list = [None] * n_pullers
    errors: list[BaseException] = []

    def body(index: int) -> None:
        try:
            with make_puller() as claim:
                barrier.wait()
                deadline = start[0] + seconds
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
    elapsed = time.perf_counter() - start[0] if start else 0.0
    if errors:
        real = [e for e in errors if not isinstance(e, threading.BrokenBarrierError)]
        raise (real or errors)[0]
    ids = [str(i) for got, _ in results for i in got]
    return ids, sum(calls for _, calls in results), elapsed


def measure(label: str, n_pullers: int, make_puller: Callable, seconds: float, conninfo: str):
    """One run, checked (no id handed out twice, the database holds exactly the claims the
    pullers saw) and printed; the claims go back to the queue. Returns claims/s."""
    ids, calls, elapsed = run(n_pullers, make_puller, seconds)
    doubles = len(ids) - len(set(ids))
    assert doubles == 0, f"{doubles} link ids handed out twice"
    in_db = reset(conninfo)
    assert in_db == len(ids), f"{in_db} links were running in the database, pullers saw {len(ids)}"
    rate = len(ids) / elapsed
    print(
        f"  {label:<9} {n_pullers:>2} pullers: {len(ids):>7,} ids in {elapsed:.2f}s = "
        f"{rate:>6,.0f}/s; {calls:,} calls, {n_pullers * elapsed / max(calls, 1) * 1000:.2f} ms "
        f"each; no id twice, running rows in DB == ids"
    )
    return rate


def start_gunicorn(conninfo: str, log) -> tuple[subprocess.Popen, int]:
    """gunicorn -w 2 on a free port, answering /healthz; its output (access log included) goes
    to the binary file `log`."""
    port = free_port()
    env = os.environ | {
        "LIKEPION_CONFIG": "development",
        "DATABASE_URL": conninfo,
        "RATELIMIT_ENABLED": "false",
    }
    command = [ROOT / ".venv/bin/gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process, port
        except OSError:
            pass
        time.sleep(0.2)
    stop_gunicorn(process)
    log.seek(0)
    output = log.read().decode(errors="replace")[-2000:]
    raise RuntimeError(f"gunicorn did not answer /healthz within 30s:\n{output}")


def profile(app, server_id: uuid.UUID, conninfo: str, seconds: float) -> None:
    """cProfile of one (a) puller, no contention: the top functions by own time per claim."""
    profiler = cProfile.Profile()
    calls = 0
    with function_puller(app, server_id) as claim:
        for _ in range(10):  # warm up: psycopg prepares a statement on its 5th run
            claim()
        deadline = time.perf_counter() + seconds
        profiler.enable()
        while time.perf_counter() < deadline:
            claim()
            calls += 1
        profiler.disable()
    reset(conninfo)
    stats = pstats.Stats(profiler).stats
    total = sum(own for _, _, own, _, _ in stats.values())
    print(
        f"\ncProfile of (a), one thread, {calls:,} claims, {total / calls * 1e3:.3f} ms per claim "
        f"under the profiler; top functions by own time per claim:"
    )
    top = sorted(stats.items(), key=lambda item: -item[1][2])[:10]
    for (path, line, name), (_, n_calls, own, _, _) in top:
        where = "/".join(Path(path).parts[-2:]) + f":{line} " if path != "~" else ""
        print(f"  {own / calls * 1e6:>7.1f} us  {n_calls / calls:>5.1f} calls  {where}{name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=200_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--pullers", default="1,4,16")
    parser.add_argument("--durable", action="store_true", help="keep synchronous_commit on")
    parser.add_argument("--profile", action="store_true", help="cProfile one (a) thread too")
    args = parser.parse_args()
    pullers = [int(n) for n in args.pullers.split(",")]
    began = time.perf_counter()

    url = os.environ.get("LIKEPION_BENCH_PG_URL", DEFAULT_URL)
    cores = os.cpu_count()
    print(
        f"Task claims, batches of {LIMIT}, {args.links:,} queued links, {args.seconds:.0f}s per "
        f"run, PostgreSQL at {make_url(url).host}; {cores} cores, load average {_load()}"
    )
    sqlalchemy_url = fresh_postgres(url)
    conninfo = make_url(sqlalchemy_url).set(drivername="postgresql")
    conninfo = conninfo.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        if not args.durable:
            conn.execute(f'ALTER DATABASE "{conn.info.dbname}" SET synchronous_commit = off')
    print(f"  PostgreSQL {version}, synchronous_commit {'on' if args.durable else 'off'}")
    app, server_id, key = build(sqlalchemy_url, conninfo, args.links, max(pullers))

    rates: dict[str, dict[int, float]] = {"base": {}, "a": {}, "b": {}}
    print("\nbaseline (bare SQL, psycopg) and (a) claims.claim_links, in-process threads")
    for n in pullers:
        rates["base"][n] = measure(
            "baseline", n, lambda: sql_puller(conninfo, server_id), args.seconds, conninfo
        )
        rates["a"][n] = measure(
            "(a)", n, lambda: function_puller(app, server_id), args.seconds, conninfo
        )
    with app.app_context():
        db.engine.dispose()

    print("\n(b) HTTP: gunicorn -w 2 (sync workers), http.client per client thread")
    with tempfile.TemporaryFile() as log:
        process, port = start_gunicorn(conninfo, log)
        try:
            for n in pullers:
                rates["b"][n] = measure(
                    "(b) HTTP", n, lambda: http_puller(port, key), args.seconds, conninfo
                )
        finally:
            stop_gunicorn(process)

    print_table(pullers, rates, cores)
    if args.profile:
        profile(app, server_id, conninfo, args.seconds)
    print(f"\ntotal bench time {time.perf_counter() - began:.0f}s; load average now {_load()}")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def print_table(pullers: list[int], rates: dict, cores: int) -> None:
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
        f"  ({cores} cores shared by PostgreSQL and the pullers; the in-process pullers share one "
        f"GIL, so (a) with several threads is bounded by one core of Python)"
    )


if __name__ == "__main__":
    main()
