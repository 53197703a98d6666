"""JSON log lines carry no terminal colour codes (issue 15, item 3). werkzeug's dev server
colours its request lines by status and its start-up warning on any POSIX system, terminal or
not; those lines reach the app's JSON logger."""

import json
import logging
import os
import subprocess
import sys
import time

from werkzeug.serving import _ansi_style

from likepion.core.logs import JsonFormatter
from tests.core.test_gunicorn_logs import raw_request, wait_listening
from tests.processes import REPO_ROOT, free_port, spawn, stop

ESCAPES = ("\x1b", "\\u001b")


def test_the_json_formatter_drops_colour_codes_and_keeps_the_text():
    message = _ansi_style('"GET /missing HTTP/1.1"', "bold", "red") + " %s"
    assert "\x1b[" in message
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, message, ("404",), None)

    line = JsonFormatter().format(record)

    assert not any(escape in line for escape in ESCAPES), line
    assert json.loads(line)["message"] == '"GET /missing HTTP/1.1" 404'


def test_dev_server_and_cli_lines_in_a_log_file_have_no_colour_codes(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"RATELIMIT_STORAGE_URI", "REDIS_URL", "PUBLIC_URL", "FLASK_DEBUG"}
    } | {
        "LIKEPION_CONFIG": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.db'}",
        "LOG_LEVEL": "INFO",
    }
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    port = free_port()
    with open(tmp_path / "app.log", "wb") as log:
        subprocess.run([*flask, "db", "upgrade"], cwd=REPO_ROOT, env=env, stdout=log,
                       stderr=subprocess.STDOUT, check=True, timeout=60)  # fmt: skip
        command = [*flask, "run", "--host", "127.0.0.1", "--port", str(port)]
        server = spawn(command, env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_listening(port, server, time.monotonic() + 30)
            statuses = [raw_request(port, path).split(b" ", 2)[1] for path in
                        ("/healthz", "/api/no/such", "/api/account")]  # fmt: skip
            time.sleep(0.3)  # the dev server logs a request after answering it
        finally:
            stop(server)

    assert statuses == [b"200", b"404", b"401"]
    text = (tmp_path / "app.log").read_text()
    assert "\x1b" not in text, text
    records = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    messages = [r["message"] for r in records]
    assert not [m for m in messages if any(escape in m for escape in ESCAPES)]
    assert any(r["logger"] == "alembic.runtime.migration" for r in records), messages
    assert any(m.startswith("WARNING: This is a development server.") for m in messages)
    for path, status in (("/healthz", 200), ("/api/no/such", 404), ("/api/account", 401)):
        assert any(f'"GET {path} HTTP/1.1" {status}' in m for m in messages), messages
