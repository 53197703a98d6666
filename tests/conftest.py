"""Fixtures: app, client, runner, users and their auth headers (README, "Testing")."""

import functools
import os
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text

from likepion import create_app
from likepion.core.db import db
from tests import databases
from tests.factories import make_user
from tests.helpers import jwt_for


def build_app(database_uri: str, **overrides):
    """A testing app on `database_uri` with its tables created."""
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_uri,
        RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}",
        **overrides,
    )
    with app.app_context():
        db.create_all()
    app.server_errors = []

    @app.after_request
    def record_server_errors(response):
        if response.status_code >= 500:
            app.server_errors.append(response.get_data(as_text=True))
        return response

    return app


def empty_tables(app) -> None:
    """Delete every row and restart the id sequences, as a new database has."""
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            else:
                for table in reversed(db.metadata.sorted_tables):
                    conn.execute(table.delete())
                conn.execute(text("DELETE FROM sqlite_sequence"))  # AUTOINCREMENT counters


def _suite_database() -> str:
    url = os.environ.get("LIKEPION_TEST_DATABASE_URL", "sqlite://")
    return databases.worker_database(url) if databases.is_postgres(url) else url


@contextmanager
def _clean_state(app, request):
    """Each test sees empty tables, the app's original config and no recorded 500s."""
    config = dict(app.config)
    app.server_errors.clear()
    try:
        yield app
    finally:
        errors = list(app.server_errors)
        app.config.clear()
        app.config.update(config)
        empty_tables(app)
    if errors and not request.node.get_closest_marker("allow_500"):
        pytest.fail(f"the app answered 500: {errors[0][:500]}")


# Building an app registers every route and its OpenAPI doc (~0.3 s), so the suite builds one per
# database per xdist worker and resets its state between tests. The per-IP limits key on the
# client IP, which every test shares, so they are lifted here; tests/core/test_ratelimit.py and
# tests/redirect/test_public_limits.py build their own apps to test the real limits.
LIFTED_IP_LIMITS = {
    key: "100000 per minute" for key in ("AUTH_RATE_LIMIT", "PASSWORD_RATE_LIMIT", "QR_RATE_LIMIT")
}


@pytest.fixture(scope="session")
def _suite_app():
    return build_app(_suite_database(), **LIFTED_IP_LIMITS)


@pytest.fixture
def app(_suite_app, request):
    with _clean_state(_suite_app, request) as app:
        yield app


@pytest.fixture(scope="session")
def _pg_app():
    url = os.environ.get("LIKEPION_TEST_PG_URL")
    return build_app(databases.worker_database(url, "_pg"), **LIFTED_IP_LIMITS) if url else None


@pytest.fixture
def pg_app(_pg_app, request):
    """An app on real PostgreSQL with committed, visible rows (threads share them)."""
    databases.server_url("LIKEPION_TEST_PG_URL")
    with _clean_state(_pg_app, request) as app:
        yield app


@pytest.fixture
def redis_url():
    return databases.server_url("LIKEPION_TEST_REDIS_URL")


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def user(app):
    return make_user(app, email="alice@example.com", username="alice", credits=1000)


@pytest.fixture
def other_user(app):
    return make_user(app, email="bob@example.com", username="bob", credits=1000)


@pytest.fixture
def admin(app):
    return make_user(app, email="root@example.com", username="root", is_admin=True)


@pytest.fixture
def jwt_headers(app):
    return functools.partial(jwt_for, app)


@pytest.fixture
def api_key_headers():
    def headers(user) -> dict:
        return {"Authorization": f"Bearer {user.api_key}"}

    return headers


@pytest.fixture
def sql_statements(app):
    """`sql_statements(call)`: the SQL statements `call()` ran against the database."""

    def capture(call) -> list[str]:
        statements = []

        def record(conn, cursor, statement, *args):
            statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            call()
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return statements

    return capture
