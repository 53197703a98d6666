"""A fleet on one machine: two app nodes (two gunicorn masters, 2 workers each) behind nginx on
127.0.0.1, with TRUSTED_PROXY_HOPS=1, on a throw-away PostgreSQL cluster (initdb on a free port)
and a Redis of their own, so that killing and restarting them disturbs nothing else.

Each scenario of issue 17 is a function that drives the fleet over HTTP and returns its figures;
tests/fleet/test_fleet.py asserts them, and run as a script this prints them all, with the
redirect throughput through the balancer with one node and with two:

    .venv/bin/python bench/fleet.py [--seconds 8] [--connections 16]

Needs Debian's nginx (nginx-light), wrk, redis-server and PostgreSQL's initdb/pg_ctl. The
balancer takes X-Forwarded-For from 127.0.0.1 as the visitor's address (nginx realip) because
every test visitor connects from 127.0.0.1: it stands in for the visitors' own addresses, and
forwards that address to the nodes as a real balancer forwards the socket's.
"""

import argparse
import base64
import glob
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from bench._common import free_port  # noqa: E402

BROWSER_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Safari/537.36"
)
CANADA_ADDRESSES = ("24.114.0.1", "24.48.0.1")
CLICK_FLUSH_SECONDS = 1.0
ALIAS_CACHE_CHECK_SECONDS = 1.0
SECRETS = {
    "SECRET_KEY": "fleet-secret-key-0123456789abcdef",
    "JWT_SECRET_KEY": "fleet-jwt-secret-key-0123456789abcdef",
    "CREDENTIALS_KEY": base64.urlsafe_b64encode(b"fleet-credentials-key-32-bytes!!").decode(),
}
NGINX_CONF = """
{user}
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    log_format fleet '$msec $status $upstream_addr "$upstream_status" $http_x_request_id '
                     '$request_uri';
    access_log {dir}/nginx-access.log fleet;
    client_body_temp_path {dir}/nginx-body;
    proxy_temp_path {dir}/nginx-proxy;
    fastcgi_temp_path {dir}/nginx-fastcgi;
    uwsgi_temp_path {dir}/nginx-uwsgi;
    scgi_temp_path {dir}/nginx-scgi;
    upstream app {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        set_real_ip_from 127.0.0.1;
        real_ip_header X-Forwarded-For;
        location / {{
            proxy_pass http://app;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $http_host;
            proxy_connect_timeout 1s;
            proxy_next_upstream error timeout;
        }}
    }}
}}
"""


# --- HTTP ------------------------------------------------------------------------------------
def request(base: str, method: str, path: str, body=None, headers=None, timeout: float = 15):
    """(status, headers, parsed JSON or raw body) of one request; redirects are not followed."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    payload = json.dumps(body) if body is not None else None
    all_headers = {"User-Agent": BROWSER_UA, **(headers or {})}
    if payload is not None:
        all_headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, payload, all_headers)
        response = conn.getresponse()
        raw = response.read()
    finally:
        conn.close()
    kind = response.headers.get("Content-Type", "")
    return response.status, response.headers, json.loads(raw) if "json" in kind else raw


def status_of(base: str, method: str, path: str, **how) -> int:
    try:
        return request(base, method, path, **how)[0]
    except OSError:
        return 0  # no answer at all (connection refused or reset)


# --- servers ---------------------------------------------------------------------------------
def _as_postgres_user(command: list) -> list:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _pg_binary(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version_key)
    return found[-1] if found else shutil.which(name) or name


def _version_key(path: str):
    return [int(part) for part in re.findall(r"\d+", path)]


class Postgres:
    """A throw-away cluster in a temp dir on a free port; `restart` is `pg_ctl restart -m fast`."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="likepion-fleet-pg-")
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.data, self.port = f"{self.root}/data", free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/likepion_fleet"
        initdb = [_pg_binary("initdb"), "-D", self.data, "-U", "postgres", "-A", "trust"]
        self._run([*initdb, "-E", "UTF8", "--locale=C", "--no-sync"])
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c max_connections=200"
        )
        self._pg_ctl("start", "-o", options)
        with psycopg.connect(self.url.replace("likepion_fleet", "postgres"), autocommit=True) as c:
            c.execute("CREATE DATABASE likepion_fleet")

    def restart(self) -> None:
        self._pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        self._pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def _pg_ctl(self, action: str, *options: str) -> None:
        log = f"{self.root}/postgres.log"
        self._run([_pg_binary("pg_ctl"), action, "-D", self.data, "-l", log, "-w", *options])

    def _run(self, command: list) -> None:
        subprocess.run(_as_postgres_user(command), check=True, capture_output=True, cwd="/")


class Redis:
    def __init__(self, directory: str):
        self.dir, self.port, self.process = directory, free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.start()

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                   "--appendonly", "no", "--dir", self.dir]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        _wait_until(lambda: self._pings(), 15, "redis-server did not answer")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)

    def _pings(self) -> bool:
        check = ["redis-cli", "-p", str(self.port), "ping"]
        return subprocess.run(check, capture_output=True, text=True).stdout.strip() == "PONG"


class Node:
    """One gunicorn master with its workers, in a process group of its own (kill -9 takes all)."""

    def __init__(self, name: str, directory: str, env: dict, workers: int = 2):
        self.name, self.env, self.workers = name, env, workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(directory) / f"node-{name}.log"
        self.metrics_dir = Path(directory) / f"metrics-{name}"
        self.process = None

    def start(self) -> None:
        command = [
            sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
            "--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}",
            "--access-logfile", "/dev/null", "wsgi:app",
        ]  # fmt: skip
        env = self.env | {"PROMETHEUS_MULTIPROC_DIR": str(self.metrics_dir)}
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
            )
        _wait_until(self._serving, 60, f"node {self.name} did not start: see {self.log}")

    def _serving(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"node {self.name} exited: {self.log.read_text()[-2000:]}")
        return all(status_of(self.url, "GET", "/healthz", timeout=2) == 200 for _ in range(6))

    def terminate(self) -> None:
        """SIGTERM to the master: a graceful stop (in-flight requests end, clicks flushed)."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)

    def kill(self) -> None:
        """kill -9 of the master and every worker."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=15)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.terminate()

    def metrics(self) -> dict:
        from prometheus_client.parser import text_string_to_metric_families

        status, _, body = request(self.url, "GET", "/metrics")
        assert status == 200, status
        totals: dict = {}
        for family in text_string_to_metric_families(body.decode()):
            for sample in family.samples:
                totals[sample.name] = totals.get(sample.name, 0) + sample.value
        return totals


class Balancer:
    def __init__(self, directory: str):
        self.dir, self.port, self.process = directory, free_port(), None
        self.url = f"http://127.0.0.1:{self.port}"
        self.access_log = Path(directory) / "nginx-access.log"

    def start(self, nodes: list) -> None:
        servers = "\n".join(
            f"        server 127.0.0.1:{node.port} max_fails=1 fail_timeout=10s;" for node in nodes
        )
        user = "user root;" if os.geteuid() == 0 else ""
        conf = Path(self.dir) / "nginx.conf"
        conf.write_text(NGINX_CONF.format(user=user, dir=self.dir, servers=servers, port=self.port))
        command = ["nginx", "-c", str(conf), "-p", self.dir, "-e", f"{self.dir}/nginx-error.log"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _wait_until(lambda: status_of(self.url, "GET", "/healthz") == 200, 15, "nginx not up")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful
            self.process.wait(timeout=15)

    def log_lines(self) -> list[dict]:
        """Parsed access log lines: time, status, upstream (the last tried), request id, uri."""
        lines = []
        for line in self.access_log.read_text().splitlines():
            stamp, status, rest = line.split(" ", 2)
            upstreams, rest = rest.split(' "', 1)
            _, request_id, uri = rest.rsplit(" ", 2)
            tried = upstreams.replace(",", " ").replace(" : ", " ").split()
            lines.append(
                {"time": float(stamp), "status": int(status), "upstream": tried[-1],
                 "retried": len(tried) > 1, "request_id": request_id, "uri": uri}
            )  # fmt: skip
        return lines

    def rotate_log(self) -> None:
        self.access_log.write_text("")


def _wait_until(condition, seconds: float, message: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except (OSError, psycopg.OperationalError):
            pass
        time.sleep(0.2)
    raise RuntimeError(message)


# --- the fleet -------------------------------------------------------------------------------
class Fleet:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="likepion-fleet-")
        self.postgres = self.redis = self.balancer = None
        self.nodes: list[Node] = []

    def start(self) -> "Fleet":
        self.postgres = Postgres()
        self.redis = Redis(self.dir)
        self.app = self._migrated_app()
        self.balancer = Balancer(self.dir)  # its port is the public URL the nodes need
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "LIKEPION_CONFIG": "production",
            "DATABASE_URL": self.postgres.url,
            "REDIS_URL": self.redis.url,
            "RATELIMIT_KEY_PREFIX": f"fleet-{uuid.uuid4().hex}",
            "TRUSTED_PROXY_HOPS": "1",
            "PUBLIC_URL": self.balancer.url,
            "WEB_CONCURRENCY": "2",
            "CLICK_FLUSH_SECONDS": str(CLICK_FLUSH_SECONDS),
            "ALIAS_CACHE_CHECK_SECONDS": str(ALIAS_CACHE_CHECK_SECONDS),
            "CLAIM_TTL_MINUTES": "1",
            "WORKER_RATE_LIMIT": "100000 per minute",
            "BACKLINK_RATE_LIMIT": "100000 per minute",
            "LOG_LEVEL": "INFO",
            **SECRETS,
        }
        self.nodes = [Node("a", self.dir, self.env), Node("b", self.dir, self.env)]
        for node in self.nodes:
            node.start()
        self.balancer.start(self.nodes)
        return self

    def stop(self) -> None:
        for part in (self.balancer, *self.nodes):
            if part is not None:
                part.stop()
        if self.redis is not None:
            self.redis.stop()
        if self.postgres is not None:
            self.postgres.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _migrated_app(self):
        from flask_migrate import upgrade

        from likepion import create_app

        app = create_app(
            "development", SQLALCHEMY_DATABASE_URI=self.postgres.url, LOG_LEVEL="WARNING",
            RATELIMIT_ENABLED=False, SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
            **SECRETS,
        )  # fmt: skip
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
        return app

    @property
    def lb(self) -> str:
        return self.balancer.url

    def sql(self, query: str, params=None) -> list:
        with psycopg.connect(self.postgres.url, autocommit=True) as conn:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    def user(self, credits: int = 0, admin: bool = False) -> dict:
        """A new user: id, shortener `key` headers and backlink `jwt` headers."""
        from flask_jwt_extended import create_access_token

        from likepion.auth import services as auth_services
        from likepion.core.db import db
        from likepion.credits import ledger

        name = f"u{uuid.uuid4().hex[:12]}"
        with self.app.app_context():
            user = auth_services.create_user(
                email=f"{name}@example.com", username=name, password="fleet password",
                is_admin=admin,
            )  # fmt: skip
            if credits:
                ledger.top_up(user.id, credits, reason="fleet.top_up")
                db.session.commit()
            token = create_access_token(identity=str(user.uuid))
            return {
                "id": user.id,
                "key": {"Authorization": f"Bearer {user.api_key}"},
                "jwt": {"Authorization": f"Bearer {token}"},
            }

    def server_key(self) -> str:
        from likepion.auth import servers

        with self.app.app_context():
            return servers.create_server(f"fleet-{uuid.uuid4().hex[:10]}")[1]

    def queue_links(self, user_id: int, service_type: str, count: int) -> set:
        """A running request with `count` queued links; their ids."""
        request_id = uuid.uuid4()
        self.sql(
            "INSERT INTO requests (id, user_id, service_type, name, website, auction_price,"
            " target, priority, type_request, status, config, data, folder_urls, created_at,"
            " updated_at) VALUES (%s, %s, %s, 'fleet', 'https://target.example', 10, %s, 5,"
            " %s, 'running', '{}', '{}', '{}', now(), now())",
            (request_id, user_id, service_type, count, service_type),
        )
        rows = self.sql(
            "INSERT INTO links (id, request_id, user_id, service_type, priority, auction_price,"
            " status, retry_count, max_retries, is_indexed, refunded, secondary, created_at,"
            " updated_at) SELECT gen_random_uuid(), %s, %s, %s, 5, 10, 'queued', 0, 3, false,"
            " false, false, now(), now() FROM generate_series(1, %s) RETURNING id",
            (request_id, user_id, service_type, count),
        )
        return {row[0] for row in rows}

    def short_link(self, url: str, via: str | None = None, **body) -> tuple[int, str, dict]:
        admin = self.user(admin=True)
        status, _, answer = request(
            via or self.lb, "POST", "/api/url/add", {"url": url, **body}, admin["key"]
        )
        assert status == 200, answer
        return answer["id"], answer["shorturl"].rsplit("/", 1)[1], admin["key"]

    def clicks(self, link_id: int) -> list:
        return self.sql(
            "SELECT country, visitor FROM clicks WHERE short_url_id = %s ORDER BY id", (link_id,)
        )

    def wait_for_clicks(self, link_id: int, count: int, seconds: float = 20) -> list:
        _wait_until(lambda: len(self.clicks(link_id)) >= count, seconds, "clicks not written")
        return self.clicks(link_id)

    @contextmanager
    def extra_node(self, **env):
        """A third node, not behind the balancer, with these settings (e.g. no trusted hops)."""
        node = Node(f"x{uuid.uuid4().hex[:6]}", self.dir, self.env | env, workers=1)
        node.start()
        try:
            yield node
        finally:
            node.stop()


def location(base: str, alias: str, **headers) -> tuple[int, str | None]:
    status, response_headers, _ = request(base, "GET", f"/{alias}", headers=headers)
    return status, response_headers.get("Location")


# --- scenarios -------------------------------------------------------------------------------
def edit_propagation(fleet: Fleet) -> dict:
    """An edit through node A reaches node B; a deletion answers 404 on both."""
    a, b = fleet.nodes
    link_id, alias, key = fleet.short_link("https://example.com/before", via=a.url)
    assert location(b.url, alias)[1] == "https://example.com/before"
    status, _, answer = request(
        a.url, "PUT", f"/api/url/{link_id}/update", {"url": "https://example.com/after"}, key
    )
    assert status == 200, answer
    edited = time.monotonic()
    _wait_until(lambda: _all_answer(b.url, alias, "https://example.com/after"), 10, "no edit")
    seen_after = time.monotonic() - edited
    status, _, answer = request(a.url, "DELETE", f"/api/url/{link_id}/delete", headers=key)
    assert status == 200, answer
    deleted = time.monotonic()
    _wait_until(lambda: _all_answer(b.url, alias, None) and _all_answer(a.url, alias, None), 10,
                "deleted link still redirects")  # fmt: skip
    return {
        "edit_seen_on_b_s": round(seen_after, 2),
        "delete_404_on_both_s": round(time.monotonic() - deleted, 2),
        "limit_s": ALIAS_CACHE_CHECK_SECONDS,
    }


def _all_answer(base: str, alias: str, destination: str | None) -> bool:
    """Eight answers in a row (both workers) with this destination (None: 404)."""
    expected = (302, destination) if destination else (404, None)
    return all(location(base, alias) == expected for _ in range(8))


def shared_limit(fleet: Fleet, calls: int = 40) -> dict:
    """`calls` shortener calls with one key through the balancer, spread over both nodes."""
    user = fleet.user()
    tag = uuid.uuid4().hex[:8]

    def call(n):
        headers = user["key"] | {"X-Request-ID": f"{tag}-{n}"}
        status, response_headers, _ = request(fleet.lb, "GET", "/api/account", headers=headers)
        return status, response_headers.get("X-RateLimit-Limit")

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(call, range(calls)))
    nodes = {line["upstream"] for line in fleet.balancer.log_lines()
             if line["request_id"].startswith(tag)}  # fmt: skip
    statuses = [status for status, _ in answers]
    return {
        "passed": statuses.count(200),
        "limited": statuses.count(429),
        "other": len(statuses) - statuses.count(200) - statuses.count(429),
        "nodes_serving": len(nodes),
        "limit_headers": sum(1 for _, limit in answers if limit),
    }


def forwarded_visitors(fleet: Fleet) -> dict:
    """Canadian visitors through the balancer; the same forged header straight to a node that
    trusts no proxy."""
    main, canada = "https://example.com/main", "https://example.ca/"
    geo = [{"location": "Canada", "link": canada}]
    link_id, alias, _ = fleet.short_link(main, geotarget=geo)
    first = location(fleet.lb, alias, **{"X-Forwarded-For": CANADA_ADDRESSES[0]})
    second = location(fleet.lb, alias, **{"X-Forwarded-For": CANADA_ADDRESSES[1]})
    via_lb = fleet.wait_for_clicks(link_id, 2)
    with fleet.extra_node(TRUSTED_PROXY_HOPS="0") as plain:
        forged = [location(plain.url, alias, **{"X-Forwarded-For": a}) for a in CANADA_ADDRESSES]
    forged_clicks = fleet.wait_for_clicks(link_id, 4)[2:]  # the plain node flushed on its stop
    return {
        "through_lb": [first[1], second[1]],
        "countries_through_lb": [country for country, _ in via_lb],
        "unique_visitors_through_lb": len({visitor for _, visitor in via_lb}),
        "forged_direct": [answer[1] for answer in forged],
        "countries_forged": [country for country, _ in forged_clicks],
        "unique_visitors_forged": len({visitor for _, visitor in forged_clicks}),
        "main": main,
        "canada": canada,
    }


def _puller(base: str, key: str, service_type: str, limit: int, until_empty: int = 2) -> list:
    """Pull until `until_empty` empty answers in a row; every id handed out."""
    ids, empty = [], 0
    path = f"/api/v1/{service_type}/links?limit={limit}&type=primary"
    while empty < until_empty:
        status, _, body = request(base, "GET", path, headers={"X-API-Key": key})
        assert status == 200, (status, body)
        batch = [task["id"] for task in body["data"]]
        ids += batch
        empty = 0 if batch else empty + 1
    return ids


def drain(fleet: Fleet, links: int = 5000, pullers_per_node: int = 4) -> dict:
    """Pullers on both nodes drain `links` queued links."""
    user = fleet.user()
    queued = {str(i) for i in fleet.queue_links(user["id"], "social", links)}
    jobs = [(node.url, fleet.server_key()) for node in fleet.nodes for _ in range(pullers_per_node)]
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        batches = list(pool.map(lambda job: _puller(*job, "social", 25), jobs))
    handed = [i for batch in batches for i in batch]
    running = fleet.sql(
        "SELECT count(*) FROM links WHERE service_type = 'social' AND status = 'running'"
    )[0][0]
    return {
        "queued": len(queued),
        "handed_out": len(handed),
        "distinct": len(set(handed)),
        "all_queued_handed_out": set(handed) == queued,
        "running_in_db": running,
        "pullers": len(jobs),
        "seconds": round(time.monotonic() - started, 1),
    }


def run_wrk(url: str, seconds: float, connections: int = 16) -> dict:
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{round(seconds)}s", "-H",
               f"User-Agent: {BROWSER_UA}", url]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rate, "socket_errors": errors.group(1) if errors else "none"}


def _money_traffic(fleet: Fleet, stop: threading.Event, answers: list) -> None:
    """Backlink requests created (each a charge) through the balancer until `stop`."""
    user = fleet.user(credits=1_000_000)
    body = {"name": "fleet", "auction_price": 5, "target": 2}
    while not stop.is_set():
        answers.append(status_of(fleet.lb, "POST", "/api/v1/backlink/entity", body=body,
                                 headers=user["jwt"]))  # fmt: skip


def _balance_mismatches(fleet: Fleet) -> int:
    return fleet.sql(
        "SELECT count(*) FROM users u LEFT JOIN (SELECT user_id, sum(amount) AS total"
        " FROM credit_ledger GROUP BY user_id) l ON l.user_id = u.id"
        " WHERE u.credits <> coalesce(l.total, 0)"
    )[0][0]


def kill_node(fleet: Fleet, seconds: float = 9, connections: int = 16) -> dict:
    """wrk through the balancer; kill -9 of node A (master and workers) a third of the way."""
    a, b = fleet.nodes
    link_id, alias, _ = fleet.short_link("https://example.com/kill")
    user = fleet.user()
    fleet.queue_links(user["id"], "blog20", 10)
    held = set(_pull_once(a.url, fleet.server_key(), "blog20", 10))
    fleet.balancer.rotate_log()
    stop, money = threading.Event(), []
    mover = threading.Thread(target=_money_traffic, args=(fleet, stop, money))
    mover.start()
    killer = threading.Timer(seconds / 3, a.kill)
    killer.start()
    load = run_wrk(f"{fleet.lb}/{alias}", seconds, connections)
    killer.join()
    stop.set()
    mover.join()
    lines = [line for line in fleet.balancer.log_lines() if line["uri"] == f"/{alias}"]
    a_address = f"127.0.0.1:{a.port}"
    a_lines = [line for line in lines if line["upstream"] == a_address]
    last_a = max((line["time"] for line in a_lines), default=0.0)
    window = CLICK_FLUSH_SECONDS + 0.5
    a_last_interval = sum(1 for line in a_lines if line["time"] >= last_a - window)
    served = sum(1 for line in lines if line["status"] == 302)
    time.sleep(CLICK_FLUSH_SECONDS * 2.5)  # node B writes what it buffered
    stored = len(fleet.clicks(link_id))
    back = _claims_come_back(fleet, b.url, held)
    a.start()
    return {
        "rps": load["rps"],
        "redirects_served": served,
        "served_by_a": len(a_lines),
        "status_5xx": sum(1 for line in lines if line["status"] >= 500),
        "retried_on_b": sum(1 for line in lines if line["retried"]),
        "clicks_stored": stored,
        "clicks_lost": served - stored,
        "a_redirects_in_last_flush_interval": a_last_interval,
        "money_calls": len(money),
        "money_5xx": sum(1 for status in money if status >= 500 or status == 0),
        "balance_mismatches": _balance_mismatches(fleet),
        "claims_held_by_a": len(held),
        "claims_back": back["back"],
        "claims_back_after_s": back["seconds"],
    }


def _pull_once(base: str, key: str, service_type: str, limit: int) -> list:
    path = f"/api/v1/{service_type}/links?limit={limit}&type=primary"
    status, _, body = request(base, "GET", path, headers={"X-API-Key": key})
    assert status == 200, (status, body)
    return [task["id"] for task in body["data"]]


def _claims_come_back(fleet: Fleet, base: str, held: set) -> dict:
    """Pull through node B with another server until the dead node's claims are handed out
    again (their TTL is CLAIM_TTL_MINUTES=1; pulls release expired claims every 5 s)."""
    started, key, again = time.monotonic(), fleet.server_key(), set()
    while time.monotonic() - started < 90 and not held <= again:
        again |= set(_pull_once(base, key, "blog20", 10))
        time.sleep(1)
    return {"back": len(held & again), "seconds": round(time.monotonic() - started, 1)}


def graceful_stop(fleet: Fleet, seconds: float = 6, connections: int = 16) -> dict:
    """wrk through the balancer; SIGTERM to node A's master a third of the way: in-flight
    requests end and its clicks are flushed, so clicks stored == redirects served."""
    a, _ = fleet.nodes
    link_id, alias, _ = fleet.short_link("https://example.com/graceful")
    fleet.balancer.rotate_log()
    stopper = threading.Timer(seconds / 3, a.terminate)
    stopper.start()
    load = run_wrk(f"{fleet.lb}/{alias}", seconds, connections)
    stopper.join()
    lines = [line for line in fleet.balancer.log_lines() if line["uri"] == f"/{alias}"]
    served = sum(1 for line in lines if line["status"] == 302)
    time.sleep(CLICK_FLUSH_SECONDS * 2.5)
    stored = len(fleet.clicks(link_id))
    a.start()
    return {
        "rps": load["rps"],
        "redirects_served": served,
        "served_by_a": sum(1 for line in lines if line["upstream"] == f"127.0.0.1:{a.port}"),
        "status_5xx": sum(1 for line in lines if line["status"] >= 500),
        "retried_on_b": sum(1 for line in lines if line["retried"]),
        "clicks_stored": stored,
    }


def _traffic(fleet: Fleet, alias: str, stop: threading.Event, log: list, api_call) -> None:
    """Requests through the balancer until `stop`, every other one `api_call(n)` (a path and
    headers), the others the redirect: (start time, path, status, headers)."""
    n = 0
    while not stop.is_set():
        n += 1
        path, headers = (f"/{alias}", {}) if n % 2 else api_call(n)
        started = time.monotonic()
        try:
            status, response_headers, _ = request(fleet.lb, "GET", path, headers=headers)
        except OSError:
            status, response_headers = 0, {}
        log.append((started, path, status, response_headers))
        time.sleep(0.01)


def postgres_restart(fleet: Fleet, after_seconds: float = 12) -> dict:
    """`pg_ctl restart -m fast` while requests flow through the balancer."""
    _, alias, _ = fleet.short_link("https://example.com/pg")
    user = fleet.user(credits=10)  # the backlink family: its limit is lifted in the fleet
    stop, log = threading.Event(), []
    args = (fleet, alias, stop, log, lambda n: ("/api/v1/backlink/credits", user["jwt"]))
    threads = [threading.Thread(target=_traffic, args=args) for _ in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(2)
    restart_began = time.monotonic()
    fleet.postgres.restart()
    back = time.monotonic()
    time.sleep(after_seconds)
    stop.set()
    for thread in threads:
        thread.join()
    after = [entry for entry in log if entry[0] >= back]
    late = [entry for entry in after if entry[0] >= back + 10]
    return {
        "requests": len(log),
        "restart_s": round(back - restart_began, 2),
        "failed_before_back": sum(1 for e in log if e[0] < back and e[2] not in (200, 302)),
        "status_500_after_back": sum(1 for e in after if e[2] == 500),
        "failed_after_back": sum(1 for e in after if e[2] not in (200, 302)),
        "last_failure_after_back_s": round(
            max((e[0] - back for e in after if e[2] not in (200, 302)), default=0.0), 2
        ),
        "requests_from_10s_after_back": len(late),
        "failed_from_10s_after_back": sum(1 for e in late if e[2] not in (200, 302)),
        "statuses": dict(Counter(e[2] for e in log)),
        "unhandled_errors": _unhandled_errors(fleet),
    }


def _unhandled_errors(fleet: Fleet) -> list[str]:
    """The last line of each 500's traceback in the nodes' logs (JSON lines)."""
    found = []
    for node in fleet.nodes:
        for line in node.log.read_text().splitlines():
            if '"unhandled error' in line:
                found.append(json.loads(line).get("exception", "").strip().splitlines()[-1])
    return found


def redis_outage(fleet: Fleet, down_seconds: float = 3, recovery_seconds: float = 15) -> dict:
    """Redis stopped while requests flow; then limits must be shared again."""
    _, alias, _ = fleet.short_link("https://example.com/redis")
    users = [fleet.user() for _ in range(40)]
    stop, log = threading.Event(), []
    args = (fleet, alias, stop, log, lambda n: ("/api/account", users[n % len(users)]["key"]))
    threads = [threading.Thread(target=_traffic, args=args) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    fleet.redis.stop()
    down = time.monotonic()
    time.sleep(1)
    ready = [request(node.url, "GET", "/readyz") for node in fleet.nodes]
    time.sleep(max(0.0, down_seconds - (time.monotonic() - down)))
    fleet.redis.start()
    up = time.monotonic()
    time.sleep(recovery_seconds)  # each worker re-checks Redis with a backoff of 1, 2, 4, 8 s
    stop.set()
    for thread in threads:
        thread.join()
    during = [e for e in log if down <= e[0] < up and e[1] == "/api/account"]
    after = shared_limit(fleet)
    logs = "".join(node.log.read_text() for node in fleet.nodes)
    return {
        "requests": len(log),
        "status_5xx": sum(1 for e in log if e[2] >= 500 or e[2] == 0),
        "api_calls_while_down": len(during),
        "api_answers_without_limit_headers": sum(
            1 for e in log if e[1] == "/api/account" and "X-RateLimit-Limit" not in e[3]
        ),
        "readyz_while_down": [(status, body.get("failing")) for status, _, body in ready],
        "fallback_logged": "falling back to in-memory storage" in logs,
        "recovery_logged": "Rate limit storage recovered" in logs,
        "after_passed": after["passed"],
        "after_limited": after["limited"],
    }


def metrics_agree(fleet: Fleet, redirects: int = 300, pulls: int = 40) -> dict:
    """/metrics of both nodes, before and after, against the database."""
    link_id, alias, _ = fleet.short_link("https://example.com/metrics")
    user = fleet.user()
    queued = fleet.queue_links(user["id"], "stacking", pulls * 2)
    time.sleep(CLICK_FLUSH_SECONDS * 2)  # earlier clicks written, so the counters are still
    before = [node.metrics() for node in fleet.nodes]
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: location(fleet.lb, alias)[0], range(redirects)))
    taken = _pull_once(fleet.lb, fleet.server_key(), "stacking", pulls)
    time.sleep(CLICK_FLUSH_SECONDS * 2.5)
    after = [node.metrics() for node in fleet.nodes]

    def delta(name):
        pairs = zip(before, after, strict=True)
        return sum(new.get(name, 0) - old.get(name, 0) for old, new in pairs)

    running = fleet.sql(
        "SELECT count(*) FROM links WHERE id = ANY(%s) AND status = 'running'", (list(queued),)
    )[0][0]
    return {
        "redirects_answered": statuses.count(302),
        "metric_redirects": delta("likepion_redirects_total"),
        "metric_clicks_written": delta("likepion_clicks_written_total"),
        "clicks_in_db": len(fleet.clicks(link_id)),
        "metric_tasks_claimed": delta("likepion_tasks_claimed_total"),
        "links_taken": len(taken),
        "links_running_in_db": running,
    }


def throughput(fleet: Fleet, seconds: float, connections: int) -> dict:
    """Redirect req/s through the balancer with one node behind it, then with two."""
    _, alias, _ = fleet.short_link("https://example.com/throughput")
    rates = {}
    for count in (1, 2):
        fleet.balancer.stop()
        fleet.balancer.start(fleet.nodes[:count])
        run_wrk(f"{fleet.lb}/{alias}", 2, connections)  # warm-up
        rates[count] = run_wrk(f"{fleet.lb}/{alias}", seconds, connections)["rps"]
    direct = run_wrk(f"{fleet.nodes[0].url}/{alias}", seconds, connections)["rps"]
    return {
        "one_node_rps": rates[1],
        "two_nodes_rps": rates[2],
        "two_over_one": round(rates[2] / rates[1], 2),
        "one_node_direct_rps": direct,
        "balancer_over_direct": round(rates[1] / direct, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    fleet = Fleet()
    try:
        fleet.start()
        print(f"fleet: nginx {fleet.lb} -> nodes {[n.url for n in fleet.nodes]}", flush=True)
        scenarios = [
            ("redirect throughput", lambda: throughput(fleet, args.seconds, args.connections)),
            ("edit through A, seen through B", lambda: edit_propagation(fleet)),
            ("40 calls, one key, both nodes", lambda: shared_limit(fleet)),
            ("forwarded visitors", lambda: forwarded_visitors(fleet)),
            ("8 pullers drain 5,000 links", lambda: drain(fleet)),
            ("kill -9 of node A under load", lambda: kill_node(fleet, args.seconds)),
            ("SIGTERM of node A under load", lambda: graceful_stop(fleet, args.seconds)),
            ("PostgreSQL restart", lambda: postgres_restart(fleet)),
            ("Redis outage", lambda: redis_outage(fleet)),
            ("/metrics against the database", lambda: metrics_agree(fleet)),
        ]
        for title, scenario in scenarios:
            print(f"\n{title}:", flush=True)
            for key, value in scenario().items():
                print(f"  {key}: {value}", flush=True)
    finally:
        fleet.stop()


if __name__ == "__main__":
    main()
