"""Test databases: SQLite in memory by default, PostgreSQL from the environment.

LIKEPION_TEST_DATABASE_URL  the database of the whole suite (default: SQLite in memory)
LIKEPION_TEST_PG_URL        a PostgreSQL server for the `pg` tests (concurrency, SKIP LOCKED)
LIKEPION_TEST_REDIS_URL     a Redis server for the `redis` tests (limits across processes)

Each pytest-xdist worker gets its own PostgreSQL database (`<name>_<worker>`), created on demand.
Under CI a missing server fails the run instead of skipping.
"""

import os

import psycopg
import pytest
from sqlalchemy.engine import make_url

from config import database_url


def server_url(env_var: str) -> str:
    url = os.environ.get(env_var)
    if not url:
        message = f"{env_var} is not set"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI must run this test against a real server")
        pytest.skip(message)
    return url


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql"))


def worker_database(url: str, suffix: str = "") -> str:
    """`url` pointed at a fresh, empty database of its own for this xdist worker."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    parsed = make_url(database_url(url))
    name = f"{parsed.database}_{worker}{suffix}"
    create_database(parsed, name, drop_first=True)
    return parsed.set(database=name).render_as_string(hide_password=False)


def create_database(parsed, name: str, *, drop_first: bool = False) -> None:
    admin = parsed.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        if drop_first:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
