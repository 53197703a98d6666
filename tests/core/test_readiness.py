"""`/readyz` for load balancers, the production guard on shared limits (issue 11 item 8), the
rate limits' in-memory fallback when Redis is away, and a lost database connection answered
as a 503 to retry with the dead pool dropped."""

import logging
import threading
import time

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from likepion import create_app
from likepion.core import db as core_db
from likepion.core.db import db
from likepion.error_handlers import handle_database_error
from tests.conftest import build_app
from tests.factories import make_user

SECRETS = {
    "SECRET_KEY": "s" * 32,
    "JWT_SECRET_KEY": "j" * 32,
    "CREDENTIALS_KEY": "ZGV2LWNyZWRlbnRpYWxzLWtleS0zMi1ieXRlcy0wMDA=",
}
NOBODY_LISTENS = "redis://127.0.0.1:9/0"  # the discard port: connection refused at once


def test_readyz_answers_ok_with_the_database_and_no_redis_configured(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "failing": []}


def test_readyz_names_the_database_when_it_is_gone(tmp_path):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/no-dir/db.sqlite")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["failing"] == ["database"]
    assert response.json["database"] == "unreachable"


def test_readyz_names_redis_when_it_does_not_answer():
    app = build_app("sqlite://", RATELIMIT_STORAGE_URI=NOBODY_LISTENS)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {
        "status": "error", "database": "ok", "redis": "unreachable", "failing": ["redis"]
    }  # fmt: skip


@pytest.mark.redis
def test_readyz_checks_a_configured_redis(redis_url):
    app = build_app("sqlite://", RATELIMIT_STORAGE_URI=redis_url)
    response = app.test_client().get("/readyz")
    assert (response.status_code, response.json["redis"]) == (200, "ok")


def test_without_redis_the_api_answers_with_limits_counted_in_memory_and_says_so(caplog):
    app = build_app(
        "sqlite://", RATELIMIT_STORAGE_URI=NOBODY_LISTENS, SHORTENER_RATE_LIMIT="2/minute"
    )
    user = make_user(app)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {user.api_key}"}

    with caplog.at_level(logging.WARNING):
        answers = [client.get("/api/account", headers=headers) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert all(a.headers.get("X-RateLimit-Limit") == "2" for a in answers)
    assert any("falling back to in-memory" in r.getMessage() for r in caplog.records)
    assert app.server_errors == []


def production_env(monkeypatch, tmp_path, **env):
    for key in ("REDIS_URL", "RATELIMIT_STORAGE_URI", "LIKEPION_CONFIG"):
        monkeypatch.delenv(key, raising=False)
    for key, value in (
        SECRETS
        | {"DATABASE_URL": f"sqlite:///{tmp_path}/p.db", "PUBLIC_URL": "https://lp.example"}
        | env
    ).items():
        monkeypatch.setenv(key, value)


def test_production_refuses_to_start_without_shared_limit_storage(monkeypatch, tmp_path):
    production_env(monkeypatch, tmp_path)
    with pytest.raises(RuntimeError, match="REDIS_URL or RATELIMIT_STORAGE_URI"):
        create_app("production")


def test_production_starts_with_redis_or_explicit_memory_storage(monkeypatch, tmp_path):
    production_env(monkeypatch, tmp_path, REDIS_URL="redis://127.0.0.1:6379/9")
    assert create_app("production").config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/9"
    production_env(monkeypatch, tmp_path, RATELIMIT_STORAGE_URI="memory://")
    assert create_app("production").config["RATELIMIT_STORAGE_URI"] == "memory://"


@pytest.mark.pg
@pytest.mark.allow_500
def test_dead_pooled_connections_answer_503_once_then_fresh_ones_serve(pg_app, monkeypatch):
    # On a loaded machine the wait below can pass the idle ping's threshold, and the ping would
    # then replace the dead connection before the request meets it: this test is about the
    # request that meets one (a restart inside the threshold), so the ping stays out of it.
    monkeypatch.setattr(core_db, "IDLE_PING_SECONDS", 3600)
    user = make_user(pg_app)
    client = pg_app.test_client()
    headers = {"Authorization": f"Bearer {user.api_key}"}
    assert client.get("/api/account", headers=headers).status_code == 200

    url = pg_app.config["SQLALCHEMY_DATABASE_URI"].replace("postgresql+psycopg", "postgresql")
    others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    with psycopg.connect(url, autocommit=True) as admin:  # what a server restart does to them
        admin.execute(f"SELECT pg_terminate_backend(pid) {others}")
        for _ in range(100):  # terminating is asynchronous: wait until they are gone
            if not admin.execute(f"SELECT count(*) {others}").fetchone()[0]:
                break
            time.sleep(0.05)

    lost = client.get("/api/account", headers=headers)
    after = [client.get("/api/account", headers=headers).status_code for _ in range(3)]

    assert lost.status_code == 503
    assert lost.headers["Retry-After"] == "1"  # its own, not the rate window's reset
    assert lost.json["error"] == 1
    assert after == [200, 200, 200]


@pytest.mark.pg
def test_a_connection_lost_after_the_answer_does_not_turn_it_into_a_500(pg_app):
    user = make_user(pg_app)
    client = pg_app.test_client()
    headers = {"Authorization": f"Bearer {user.api_key}"}
    url = pg_app.config["SQLALCHEMY_DATABASE_URI"].replace("postgresql+psycopg", "postgresql")

    def server_restarts_now(response):  # between the last statement and the session's end
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        return response

    hooks = pg_app.after_request_funcs.setdefault(None, [])
    hooks.append(server_restarts_now)
    try:
        answered = client.get("/api/account", headers=headers)
    finally:
        hooks.remove(server_restarts_now)

    assert answered.status_code == 200
    assert [client.get("/api/account", headers=headers).status_code for _ in range(2)] == [200] * 2


def _real_deadlock_error(url: str) -> psycopg.Error:
    """Two connections locking two rows in opposite orders: PostgreSQL aborts one of them."""
    with psycopg.connect(url, autocommit=True) as setup:
        setup.execute("CREATE TABLE IF NOT EXISTS deadlock_probe (id int PRIMARY KEY)")
        setup.execute("INSERT INTO deadlock_probe VALUES (1), (2) ON CONFLICT DO NOTHING")
    errors, both_hold_one = [], threading.Barrier(2)

    def lock(first: int, second: int) -> None:
        with psycopg.connect(url) as conn:
            try:
                conn.execute("SELECT 1 FROM deadlock_probe WHERE id = %s FOR UPDATE", (first,))
                both_hold_one.wait(timeout=10)
                conn.execute("SELECT 1 FROM deadlock_probe WHERE id = %s FOR UPDATE", (second,))
            except psycopg.Error as error:
                errors.append(error)

    threads = [threading.Thread(target=lock, args=pair) for pair in ((1, 2), (2, 1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert len(errors) == 1, errors
    return errors[0]


@pytest.mark.pg
def test_a_deadlock_victim_answers_503_to_retry_not_500(pg_app):
    url = pg_app.config["SQLALCHEMY_DATABASE_URI"].replace("postgresql+psycopg", "postgresql")
    error = _real_deadlock_error(url)
    assert error.sqlstate == "40P01"

    for path, body_key in (("/api/account", "error"), ("/api/v1/backlink/projects", "success")):
        with pg_app.test_request_context(path):
            response = pg_app.make_response(
                handle_database_error(DBAPIError("SELECT …", {}, error))
            )
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "1"
        assert body_key in response.json
