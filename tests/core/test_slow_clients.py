"""Clients that trickle a request body do not stop the service under the shipped gunicorn.conf.py.

With the old two sync workers, two such clients held both workers and `/healthz` went silent.
The threaded workers give each slow client one thread, and a worker whose threads are all
taken accepts no more connections, so the rest keep answering while any thread is free.
"""

import os
import socket
import sys
import threading
import time
import urllib.request

import pytest

from tests import processes
from tests.processes import REPO_ROOT, free_port

pytestmark = pytest.mark.gunicorn

BODY_LENGTH = 1000


def healthz_seconds(port: int, timeout: float = 2.0) -> float:
    """How long `GET /healthz` took to answer 200 (raises on a timeout or another status)."""
    started = time.monotonic()
    url = f"http://127.0.0.1:{port}/healthz"
    with urllib.request.urlopen(url, timeout=timeout) as response:
        assert response.status == 200
    return time.monotonic() - started


@pytest.fixture
def gunicorn(tmp_path, request):
    """gunicorn with the shipped gunicorn.conf.py (2 workers, `request.param` threads or the
    default) on a loopback port; stopped by PID."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("GUNICORN_THREADS", "WEB_CONCURRENCY")},
        **({"GUNICORN_THREADS": str(request.param)} if request.param else {}),
        "LIKEPION_CONFIG": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'slow.db'}",
        "RATELIMIT_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "gunicorn", "-c", str(REPO_ROOT / "gunicorn.conf.py"),
               "--bind", f"127.0.0.1:{port}", "--workers", "2", "wsgi:app"]  # fmt: skip
    process = processes.spawn(command, env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                healthz_seconds(port)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield port
    finally:
        processes.stop(process)


def trickle(port: int, stop: threading.Event, opened: list) -> None:
    """POST a login body one byte every 0.2 s until `stop` (the body never completes)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    opened.append(sock)
    sock.sendall(
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\n"
        b"Content-Length: " + str(BODY_LENGTH).encode() + b"\r\n\r\n{"
    )
    while not stop.wait(0.2):
        try:
            sock.sendall(b" ")
        except OSError:
            return


@pytest.mark.parametrize(
    ("gunicorn", "slow_clients"),
    [
        (None, 6),  # the default 16 threads: three times what the old 2 sync workers could hold
        (2, 3),  # 2 threads: some worker has both taken, the other still answers everything
    ],
    indirect=["gunicorn"],
)
def test_healthz_answers_while_slow_clients_trickle_bodies(gunicorn, slow_clients):
    stop, opened = threading.Event(), []
    threads = [
        threading.Thread(target=trickle, args=(gunicorn, stop, opened), daemon=True)
        for _ in range(slow_clients)
    ]
    try:
        for thread in threads:
            thread.start()
        time.sleep(1.0)  # every slow request is inside a worker, reading its body
        took = [healthz_seconds(gunicorn) for _ in range(10)]
        assert max(took) < 1.0, took
        assert all(thread.is_alive() for thread in threads)  # still trickling, none refused
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=5)
        for sock in opened:
            sock.close()
