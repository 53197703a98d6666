"""Fixtures: app, client, runner, users and their auth headers (STYLE.md 2.8)."""

import os
import uuid

import pytest
from flask_jwt_extended import create_access_token
from sqlalchemy import text

from likepion import create_app
from likepion.core.db import db
from tests import databases
from tests.factories import make_user

_schemas_created: set[str] = set()


def build_app(database_uri: str, **overrides):
    """A testing app on `database_uri` whose tables exist and are empty."""
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_uri,
        RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}",
        **overrides,
    )
    with app.app_context():
        if database_uri not in _schemas_created or database_uri.startswith("sqlite"):
            db.create_all()
            _schemas_created.add(database_uri)
    app.server_errors = []

    @app.after_request
    def record_server_errors(response):
        if response.status_code >= 500:
            app.server_errors.append(response.get_data(as_text=True))
        return response

    return app


def empty_tables(app) -> None:
    with app.app_context():
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


def _suite_database() -> str:
    url = os.environ.get("LIKEPION_TEST_DATABASE_URL", "sqlite://")
    return databases.worker_database(url) if databases.is_postgres(url) else url


@pytest.fixture
def app(request):
    app = build_app(_suite_database())
    yield app
    empty_tables(app)
    if app.server_errors and not request.node.get_closest_marker("allow_500"):
        pytest.fail(f"the app answered 500: {app.server_errors[0][:500]}")


@pytest.fixture
def pg_app(request):
    """An app on real PostgreSQL with committed, visible rows (threads share them)."""
    url = databases.worker_database(databases.server_url("LIKEPION_TEST_PG_URL"))
    app = build_app(url)
    yield app
    empty_tables(app)
    if app.server_errors:
        pytest.fail(f"the app answered 500: {app.server_errors[0][:500]}")


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
    def headers(user) -> dict:
        with app.app_context():
            return {"Authorization": f"Bearer {create_access_token(identity=str(user.uuid))}"}

    return headers


@pytest.fixture
def api_key_headers():
    def headers(user) -> dict:
        return {"Authorization": f"Bearer {user.api_key}"}

    return headers
