"""The shortener's 30 requests per minute hold across gunicorn worker processes (Redis storage).

With per-process (memory) counters two workers would let up to 60 requests through; with Redis
exactly 30 of 40 pass, whichever worker serves them.
"""

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis

from likepion import create_app
from likepion.core.db import db
from tests.factories import make_user
from tests.processes import spawn, stop

pytestmark = pytest.mark.redis

ACCESS_LOG, ERROR_LOG = "gunicorn-access.log", "gunicorn-error.log"
RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
# Environment keys that would change what this test measures if the caller happened to set them.
CLEARED_ENV = ("RATELIMIT_STORAGE_URI", "RATELIMIT_ENABLED", "SHORTENER_RATE_LIMIT", "DATABASE_URL")


def get(url: str, headers: dict | None = None, timeout: float = 10):
    """(status, headers, body) of a GET, also for 4xx/5xx answers."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def start_gunicorn(tmp_path: Path, env: dict) -> tuple[subprocess.Popen, str]:
    """Two sync workers on a free loopback port; returns the process and its base URL."""
    error_log = tmp_path / ERROR_LOG
    command = [
        sys.executable, "-m", "gunicorn",
        "--workers", "2",
        "--bind", "127.0.0.1:0",
        "--access-logfile", str(tmp_path / ACCESS_LOG),
        "--logger-class", "likepion.core.logs.GunicornJsonLogger",
        "--error-logfile", str(error_log),
        "wsgi:app",
    ]  # fmt: skip
    process = spawn(command, env)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{error_log.read_text()}")
            log = error_log.read_text() if error_log.exists() else ""
            match = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", log)
            if match:
                return process, match.group(1)
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not start listening within 30 s")
    except BaseException:
        stop(process)
        raise


def serving_pids(access_log: Path, path: str) -> set[str]:
    """The worker pids that answered `path`, from the access log (JSON lines)."""
    if not access_log.exists():
        return set()
    lines = [json.loads(line) for line in access_log.read_text().splitlines()]
    return {line["pid"] for line in lines if line["request"].split()[1] == path}


def wait_both_workers_ready(process: subprocess.Popen, base_url: str, tmp_path: Path) -> None:
    """Probe /healthz, a few at a time, until both workers have answered it with 200."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited early:\n{(tmp_path / ERROR_LOG).read_text()}")
        with ThreadPoolExecutor(max_workers=4) as pool:
            statuses = list(pool.map(lambda _: probe(f"{base_url}/healthz"), range(8)))
        if 200 in statuses and len(serving_pids(tmp_path / ACCESS_LOG, "/healthz")) == 2:
            return
        time.sleep(0.2)
    raise RuntimeError(f"workers not ready within 30 s:\n{(tmp_path / ERROR_LOG).read_text()}")


def probe(url: str):
    try:
        return get(url, timeout=2)[0]
    except OSError:
        return None


def test_shortener_limit_is_shared_by_gunicorn_workers(tmp_path, redis_url):
    database_uri = f"sqlite:///{tmp_path / 'db.sqlite'}"
    setup_app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_uri)
    with setup_app.app_context():
        db.create_all()
        db.engine.dispose()
    user = make_user(setup_app)

    prefix = f"test-ratelimit-{uuid.uuid4().hex}"
    env = {key: value for key, value in os.environ.items() if key not in CLEARED_ENV}
    env |= {
        "LIKEPION_CONFIG": "development",
        "DATABASE_URL": database_uri,
        "REDIS_URL": redis_url,
        "RATELIMIT_KEY_PREFIX": prefix,
        "CREDENTIALS_KEY": setup_app.config["CREDENTIALS_KEY"],  # it decrypts the user's row
        "LOG_LEVEL": "WARNING",
    }
    store = redis.Redis.from_url(redis_url)
    stored_keys = f"*{prefix}*"  # limits adds its own "LIMITS:LIMITER/" in front
    process, base_url = start_gunicorn(tmp_path, env)
    try:
        wait_both_workers_ready(process, base_url, tmp_path)
        headers = {"Authorization": f"Bearer {user.api_key}"}
        # Four at a time: a sync worker busy with one request leaves the next to the other one.
        with ThreadPoolExecutor(max_workers=4) as pool:
            answers = list(pool.map(lambda _: get(f"{base_url}/api/account", headers), range(40)))
        redis_keys = store.keys(stored_keys)
    finally:
        stop(process)
        for key in store.scan_iter(stored_keys):
            store.delete(key)
        store.close()

    statuses = [status for status, _, _ in answers]
    assert statuses.count(200) == 30, statuses
    assert statuses.count(429) == 10, statuses
    for status, response_headers, body in answers:
        for name in RATE_HEADERS:
            assert response_headers.get(name), f"{status} answer without {name}"
        assert response_headers["X-RateLimit-Limit"] == "30"
        if status == 429:
            payload = json.loads(body)
            assert payload["error"] == 1
            assert isinstance(payload["message"], str) and payload["message"]
            assert set(payload) == {"error", "message"}
            assert int(response_headers["Retry-After"]) > 0
        else:
            assert json.loads(body)["data"]["id"] == user.id
    assert redis_keys, "the limiter kept no counter in Redis"

    account_pids = serving_pids(tmp_path / ACCESS_LOG, "/api/account")
    assert len(account_pids) == 2, f"only one worker served the requests: {account_pids}"
