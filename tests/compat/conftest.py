"""The app served on 127.0.0.1 by a real HTTP server (werkzeug, in a thread) for third-party
client code, with every request and answer recorded as it crossed the wire."""

import io
import json
import threading
from dataclasses import dataclass, field

import pytest
from werkzeug.serving import make_server

from likepion.shortener.plans import seed_plans
from tests.conftest import build_app
from tests.factories import make_user
from tests.shortener.conftest import put_on_plan


@dataclass
class Exchange:
    """One request as the server received it and the answer it sent."""

    method: str
    path: str
    authorization: str | None
    content_type: str | None
    body: bytes
    status: int = 0
    answer: bytes = b""

    def json(self):
        return json.loads(self.body)

    def answer_json(self):
        return json.loads(self.answer)


@dataclass
class Recorder:
    """WSGI middleware keeping each exchange with the wrapped app."""

    app: object
    exchanges: list[Exchange] = field(default_factory=list)

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        exchange = Exchange(
            environ["REQUEST_METHOD"],
            environ["PATH_INFO"],
            environ.get("HTTP_AUTHORIZATION"),
            environ.get("CONTENT_TYPE"),
            body,
        )
        self.exchanges.append(exchange)

        def recording_start_response(status, headers, exc_info=None):
            exchange.status = int(status.split()[0])
            return start_response(status, headers, exc_info)

        answer = b"".join(self.app(environ, recording_start_response))
        exchange.answer = answer
        return [answer]


@dataclass
class LiveService:
    app: object
    base: str
    recorder: Recorder
    user: object  # on the Business plan (custom aliases)
    admin: object

    @property
    def exchanges(self) -> list[Exchange]:
        return self.recorder.exchanges


@pytest.fixture
def live(tmp_path):
    """The service on a free loopback port with a file database (the server's threads share
    it), a Business-plan user and an admin; stopped and checked for 500s afterwards."""
    app = build_app(f"sqlite:///{tmp_path}/compat.db", SHORTENER_RATE_LIMIT="1000 per minute")
    with app.app_context():
        seed_plans()
    user = make_user(app, email="client@example.com", username="client")
    put_on_plan(app, user, "Business")
    admin = make_user(app, email="admin@example.com", username="admin", is_admin=True)
    recorder = Recorder(app)
    server = make_server("127.0.0.1", 0, recorder, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveService(app, f"http://127.0.0.1:{server.server_port}", recorder, user, admin)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
    assert app.server_errors == []
