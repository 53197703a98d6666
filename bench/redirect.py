"""`GET /<alias>` under gunicorn (gunicorn.conf.py, 2 workers) with wrk, against a bare Flask
route that returns the same 302 under the same gunicorn settings, on SQLite and on PostgreSQL.

Bare and ours run in turn, `--rounds` times each (each first in every other round), so a
change in the machine's other load shifts both alike; each round prints requests/second, p99
latency and the CPU time the gunicorn workers spent per request (from /proc: other load on the
machine moves it less), and the summary gives the median ratio. Then it checks that the clicks
stored equal the 302s gunicorn's access logs show, and that the click rollups' totals (per
hour, day and all time) equal the clicks stored. `--worker-class sync` runs gunicorn's sync
workers instead of the configured gthread ones (README, "Slow clients"); gunicorn would run
gthread anyway with more than one thread, so sync runs get `--threads 1`.

    python bench/redirect.py [--duration 10] [--rounds 3] [--connections 32] [--db sqlite pg]
        [--worker-class gthread|sync]

PostgreSQL comes from LIKEPION_BENCH_PG_URL (a database `<name>_redirect` is recreated).
"""

import argparse
import os
import re
import statistics
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


def start_gunicorn(
    app_path: str, env: dict, access_log: Path, worker_class: str
) -> tuple[subprocess.Popen, int]:
    port = free_port()
    command = [
        GUNICORN, "-c", str(ROOT / "gunicorn.conf.py"), "--workers", "2",
        "--worker-class", worker_class, *(["--threads", "1"] if worker_class == "sync" else []),
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
            "p99_ms": _ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),
            "requests": int(re.search(r"(\d+) requests in", output).group(1))}  # fmt: skip


def workers_cpu_seconds(master_pid: int) -> float:
    """User and system CPU time of the master's children (the workers) so far."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    ticks = 0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def measure(app_path: str, env: dict, args, workdir: Path) -> tuple[dict, int]:
    """wrk against `app_path` after a warm-up; also every 302 its access log shows."""
    log = workdir / f"access-{app_path.split(':')[0].replace('.', '_')}-{time.time_ns()}.log"
    process, port = start_gunicorn(app_path, env, log, args.worker_class)
    try:
        wrk(port, 2, args.connections)  # warm-up: imports, caches, connections
        cpu_before = workers_cpu_seconds(process.pid)
        result = wrk(port, args.duration, args.connections)
        spent = workers_cpu_seconds(process.pid) - cpu_before
        result["cpu_us"] = spent / result["requests"] * 1e6
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
    ratios, cpu_ratios, served = [], [], 0
    for round_number in range(1, args.rounds + 1):
        if round_number % 2:  # each goes first in every other round: a drift hits both alike
            bare, _ = measure("bench.bare_redirect:app", env, args, workdir)
            ours, served_now = measure("wsgi:app", env, args, workdir)
        else:
            ours, served_now = measure("wsgi:app", env, args, workdir)
            bare, _ = measure("bench.bare_redirect:app", env, args, workdir)
        served += served_now
        ratios.append(ours["rps"] / bare["rps"])
        cpu_ratios.append(bare["cpu_us"] / ours["cpu_us"])
        print(
            f"{label:7} {args.worker_class} round {round_number}: "
            f"bare {bare['rps']:6.0f} req/s p99 {bare['p99_ms']:5.1f} ms "
            f"cpu {bare['cpu_us']:5.0f} us/req | /<alias> {ours['rps']:6.0f} req/s "
            f"p99 {ours['p99_ms']:5.1f} ms cpu {ours['cpu_us']:5.0f} us/req | "
            f"ratio {ratios[-1]:.2f}x (cpu per request {cpu_ratios[-1]:.2f}x)",
            flush=True,
        )
    clicks, rolled_up = count_clicks(url)  # every warm-up and measured run, as the access logs
    rollups_ok = set(rolled_up.values()) == {clicks} and len(rolled_up) == 3
    row = {"db": label, "rps_ratio": statistics.median(ratios),
           "cpu_ratio": statistics.median(cpu_ratios), "served_302": served,
           "clicks_stored": clicks, "rollup_totals": rolled_up}  # fmt: skip
    print(
        f"{label:7} {args.worker_class} median of {args.rounds}: ratio {row['rps_ratio']:.2f}x "
        f"(cpu per request {row['cpu_ratio']:.2f}x) | "
        f"clicks stored {clicks} {'==' if clicks == served else '!='} 302s served {served} | "
        f"rollup totals (hour, day, all time) {'==' if rollups_ok else '!='} clicks {rolled_up}",
        flush=True,
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"])
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
