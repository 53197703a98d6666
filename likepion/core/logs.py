"""Structured (JSON line) logs to stdout, each line carrying the request id; gunicorn's own
lines (access and error) too, through GunicornJsonLogger."""

import json
import logging
import os
import random
import re
import sys
import time

from flask import Flask, has_request_context, request
from gunicorn import glogging

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}\Z")
REQUEST_ID_KEY = "likepion.request_id"
# Terminal escape sequences (CSI, e.g. colours): werkzeug's dev server colours its request lines
# and start-up warning whenever it runs on a POSIX system, terminal or not.
ANSI_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]")


def plain_text(text: str) -> str:
    """`text` without terminal escape sequences."""
    return ANSI_ESCAPE.sub("", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": plain_text(record.getMessage()),
        }
        if has_request_context():
            line |= {
                "request_id": request_id(),
                "method": request.method,
                "path": request.path,
            }
        if record.exc_info:
            line["exception"] = plain_text(self.formatException(record.exc_info))
        return json.dumps(line, default=str)


def init_logging(app: Flask) -> None:
    root = logging.getLogger()
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])
    app.wsgi_app = RequestIdHeader(app.wsgi_app)


class RequestIdHeader:
    """WSGI middleware: every answer carries its request's X-Request-ID. Appended to the header
    list the server gets: set through werkzeug's Headers (checked and copied again on the way
    out) it cost the redirect a twentieth of its time."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        def start_with_id(status, headers, exc_info=None):
            headers.append(("X-Request-ID", request_id_of(environ)))
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start_with_id)


def request_id() -> str:
    """The current request's id (its log lines, a 500's body and the X-Request-ID answer header
    agree)."""
    return request_id_of(request.environ)


def request_id_of(environ: dict) -> str:
    """The client's X-Request-ID when it is plain, else a random one, made on first use and kept
    in the WSGI environ."""
    found = environ.get(REQUEST_ID_KEY)
    if found is None:
        given = environ.get("HTTP_X_REQUEST_ID")
        if not (given and REQUEST_ID.fullmatch(given)):
            given = f"{random.getrandbits(128):032x}"  # not a secret: no system call for it
        found = environ[REQUEST_ID_KEY] = given
    return found


class GunicornJsonLogger(glogging.Logger):
    """gunicorn's logger, every line a JSON object built by the encoder: an access line is a
    dict (a `"` or `\\` in the request line is escaped, never breaks the line), and gunicorn's
    own messages go through JsonFormatter like the app's."""

    def setup(self, cfg):
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(JsonFormatter())
        for handler in self.access_log.handlers:
            handler.setFormatter(logging.Formatter("%(message)s"))

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        line = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "remote": atoms["h"],
            "request": atoms["r"],
            "status": int(atoms["s"]) if str(atoms["s"]).isdigit() else atoms["s"],
            "bytes": atoms["B"],
            "ms": atoms["M"],
            "request_id": atoms.get("{x-request-id}o", "-"),
            "pid": os.getpid(),
        }
        self.access_log.info(json.dumps(line, default=str, separators=(",", ":")))
