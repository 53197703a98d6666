"""Every line gunicorn writes (access and error) is one JSON object, whatever the request line
holds (issue 11, item 15). Runs the real gunicorn.conf.py on a loopback port."""

import json
import os
import socket
import subprocess
import sys
import time

from tests.conftest import build_app
from tests.processes import free_port, spawn, stop

HOSTILE_TARGET = '/no"such\\path?q="},{"x":1'


def raw_request(port: int, target: str) -> bytes:
    request = (
        f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-ID: req-1\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(request)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    return answer


def wait_listening(port: int, process: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn exited early"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not listen within 30 s")


def test_access_and_error_lines_are_json_even_with_quotes_in_the_request_line(tmp_path):
    database = f"sqlite:///{tmp_path / 'logs.db'}"
    build_app(database)  # its tables
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"RATELIMIT_STORAGE_URI", "REDIS_URL", "PUBLIC_URL"}
    } | {
        "LIKEPION_CONFIG": "development",
        "DATABASE_URL": database,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
    }
    out, err = open(tmp_path / "out.log", "wb"), open(tmp_path / "err.log", "wb")
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
    process = spawn(command, env, stdout=out, stderr=err)
    try:
        wait_listening(port, process, time.monotonic() + 30)
        answer = raw_request(port, HOSTILE_TARGET)
        assert answer.startswith(b"HTTP/1.1 404")
    finally:
        stop(process)
        out.close()
        err.close()

    lines = [
        line
        for name in ("out.log", "err.log")
        for line in (tmp_path / name).read_text().splitlines()
        if line.strip()
    ]
    parsed = [json.loads(line) for line in lines]  # every line, or this raises
    access = [line for line in parsed if "request" in line]
    assert [line["request"] for line in access] == [f"GET {HOSTILE_TARGET} HTTP/1.1"]
    assert access[0]["status"] == 404 and access[0]["request_id"] == "req-1"
    assert any(line.get("logger") == "gunicorn.error" for line in parsed)
