"""`GET /<alias>` under gunicorn (gunicorn.conf.py, 2 workers) with wrk, against a bare Flask
route that returns the same 302 under the same gunicorn settings, on SQLite and on PostgreSQL.

Prints requests/second and p99 latency of both and their ratios, then stops gunicorn cleanly
and checks that the clicks stored equal the 302s gunicorn's access log shows, and that the
click rollups' totals (per hour, day and all time) equal the clicks stored.

    python bench/redirect.py [--duration 10] [--connections 32] [--db sqlite pg]

PostgreSQL comes from LIKEPION_BENCH_PG_URL (a database `<name>_redirect` is recreated).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import free_port, fresh_postgres, stop_gunicorn  # noqa: E402

GUNICORN = str(Path(sys.executable).parent / "gunicorn")
BROWSER_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Safari/537.36"
)
ALIAS = "bench"
DESTINATION = "https://example.com/landing"


def prepare_database(url: str) -> None:
    """Migrate an empty database and create one direct link `/bench`."""
    from flask_migrate import upgrade

    from likepion import create_app
    from likepion.auth import services as auth_services
    from likepion.shortener import links
    from likepion.shortener.plans import seed_plans

    app = create_app("development", SQLALCHEMY_DATABASE_URI=url, LOG_LEVEL="WARNING")
    with app.app_context(), app.test_request_context(base_url="http://127.0.0.1"):
        upgrade(directory=str(ROOT / "migrations"))
        seed_plans()
        user = auth_services.create_user(
            email="bench@example.com", username="bench", password="bench-password", is_admin=True
        )
        links.create_link(user, url=DESTINATION, custom=ALIAS)


def start_gunicorn(app_path: str, env: dict, access_log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    command = [
        GUNICORN, "-c", str(ROOT / "gunicorn.conf.py"), "--workers", "2",
        "--bind", f"127.0.0.1:{port}", "--access-logfile", str(access_log), app_path,
    ]  # fmt: skip
    env = {**env, "PUBLIC_URL": f"http://127.0.0.1:{port}"}  # required in production
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    answered = 0
    while time.monotonic() < deadline and answered < 20:  # both workers booted and serving
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/{ALIAS}", headers={"User-Agent": BROWSER_UA}
            )  # a browser's: crawlers' visits are not stored
            urllib.request.build_opener(_NoRedirect).open(request, timeout=5)
        except urllib.error.HTTPError as exc:
            answered += exc.code == 302
        except OSError:
            time.sleep(0.2)
    if answered < 20:
        process.kill()
        raise SystemExit(f"gunicorn {app_path} did not start")
    return process, port


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def wrk(port: int, seconds: int, connections: int) -> dict:
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency",
         "-H", f"User-Agent: {BROWSER_UA}", f"http://127.0.0.1:{port}/{ALIAS}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    if "Non-2xx or 3xx" in output:
        raise SystemExit(f"wrk saw error responses:\n{output}")
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "p99_ms": _ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1))}  # fmt: skip


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def measure(app_path: str, env: dict, args, workdir: Path) -> tuple[dict, int]:
    """wrk against `app_path` after a warm-up; also every 302 its access log shows."""
    log = workdir / f"access-{app_path.split(':')[0].replace('.', '_')}-{time.time_ns()}.log"
    process, port = start_gunicorn(app_path, env, log)
    try:
        wrk(port, 2, args.connections)  # warm-up: imports, caches, connections
        result = wrk(port, args.duration, args.connections)
    finally:
        stop_gunicorn(process)
    served = sum(1 for line in log.read_text().splitlines() if '"status":302' in line)
    return result, served


def count_clicks(url: str) -> tuple[int, dict]:
    """The stored clicks, and the rollups' total per period (hour, day, all time)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        count = conn.scalar(text("SELECT count(*) FROM clicks"))
        totals = dict(conn.execute(text(
            "SELECT period, sum(n) FROM link_rollups WHERE dimension = 'total' GROUP BY period"
        )).all())  # fmt: skip
    engine.dispose()
    return count, {period: int(n) for period, n in totals.items()}


def run(label: str, url: str, args, workdir: Path) -> dict:
    prepare_database(url)
    env = {**os.environ, "DATABASE_URL": url, "LIKEPION_CONFIG": "development",
           "LOG_LEVEL": "WARNING", "RATELIMIT_ENABLED": "false"}  # fmt: skip
    bare, _ = measure("bench.bare_redirect:app", env, args, workdir)
    ours, served = measure("wsgi:app", env, args, workdir)
    clicks, rolled_up = count_clicks(url)  # warm-up and measured run, as the access log
    row = {
        "db": label,
        "bare_rps": bare["rps"],
        "ours_rps": ours["rps"],
        "rps_ratio": ours["rps"] / bare["rps"],
        "bare_p99_ms": bare["p99_ms"],
        "ours_p99_ms": ours["p99_ms"],
        "p99_ratio": ours["p99_ms"] / bare["p99_ms"],
        "served_302": served,
        "clicks_stored": clicks,
        "rollup_totals": rolled_up,
    }
    rollups_ok = set(rolled_up.values()) == {clicks} and len(rolled_up) == 3
    print(
        f"{label:7} bare {bare['rps']:8.0f} req/s p99 {bare['p99_ms']:6.1f} ms | "
        f"/<alias> {ours['rps']:8.0f} req/s p99 {ours['p99_ms']:6.1f} ms | "
        f"ratio {row['rps_ratio']:.2f}x (p99 {row['p99_ratio']:.2f}x) | "
        f"clicks stored {clicks} {'==' if clicks == served else '!='} 302s served {served} | "
        f"rollup totals (hour, day, all time) {'==' if rollups_ok else '!='} clicks {rolled_up}",
        flush=True,
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--db", nargs="+", default=["sqlite", "pg"], choices=["sqlite", "pg"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for db in args.db:
            if db == "sqlite":
                run("sqlite", f"sqlite:///{workdir}/bench.db", args, workdir)
            elif "LIKEPION_BENCH_PG_URL" in os.environ:
                url = fresh_postgres(os.environ["LIKEPION_BENCH_PG_URL"], "_redirect")
                run("pg", url, args, workdir)
            else:
                print("pg      skipped: set LIKEPION_BENCH_PG_URL")


if __name__ == "__main__":
    main()
