"""`flask db upgrade` on an empty database builds exactly the models' schema, and goes back down.

Runs on SQLite (a file) and on PostgreSQL (`pg`), so models and migrations cannot drift apart
on either (STYLE.md 2.8).
"""

import os

import pytest
from alembic import command
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from config import database_url
from likepion import create_app
from likepion.core.db import db
from tests import databases


def table_names() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def assert_migrations_match_models(database_uri: str) -> None:
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_uri)
    with app.app_context():
        assert table_names() == set(), "the database must start empty"
        upgrade()
        assert table_names() == set(db.metadata.tables)
        # Raises alembic.util.CommandError naming the differences if autogenerate finds any.
        command.check(app.extensions["migrate"].migrate.get_config())

        downgrade(revision="base")
        assert table_names() == set()

        upgrade()  # and back up again: the downgrade left nothing behind that gets in the way
        assert table_names() == set(db.metadata.tables)
        db.engine.dispose()


def test_migrations_on_sqlite(tmp_path):
    assert_migrations_match_models(f"sqlite:///{tmp_path / 'migrations.db'}")


@pytest.mark.pg
def test_migrations_on_postgresql():
    parsed = make_url(database_url(databases.server_url("LIKEPION_TEST_PG_URL")))
    name = f"{parsed.database}_migrations_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    databases.create_database(parsed, name, drop_first=True)
    assert_migrations_match_models(parsed.set(database=name).render_as_string(hide_password=False))
