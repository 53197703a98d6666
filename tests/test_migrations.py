"""`flask db upgrade` on an empty database builds exactly the models' schema, and goes back down;
and it alone gives a usable service (the default plans are seeded, once).

Runs on SQLite (a file) and on PostgreSQL (`pg`), so models and migrations cannot drift apart
on either (README, "Testing").
"""

import json
import os

import pytest
import sqlalchemy as sa
from alembic import command
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from config import database_url
from likepion import create_app
from likepion.core.db import db
from likepion.shortener.plans import DEFAULT_PLANS
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


def _empty_pg_database(suffix: str) -> str:
    parsed = make_url(database_url(databases.server_url("LIKEPION_TEST_PG_URL")))
    name = f"{parsed.database}_{suffix}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    databases.create_database(parsed, name, drop_first=True)
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.mark.pg
def test_migrations_on_postgresql():
    assert_migrations_match_models(_empty_pg_database("migrations"))


# --- the data migration: `flask db upgrade` alone seeds the default plans -----------------------
def stored_plans(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(
            sa.text("SELECT id, name, free, prices, limits FROM plans ORDER BY id")
        ).all()
        db.session.remove()
    return [(r.id, r.name, r.free, _json(r.prices), _json(r.limits)) for r in rows]


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def cli(app, *args) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def new_user_creates_a_link(app) -> dict:
    """Register over HTTP as a new user would, then shorten a URL with the API key."""
    client = app.test_client()
    body = {"email": "new@example.com", "username": "newbie", "password": "a long password"}
    registered = client.post("/api/v1/auth/register", json=body)
    assert registered.status_code == 201, registered.json
    assert registered.json["data"]["plan"]["name"] == "Starter"
    key = registered.json["data"]["api_key"]
    created = client.post(
        "/api/url/add",
        json={"url": "https://example.com/first"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert created.status_code == 200, created.json
    assert created.json["error"] == 0 and created.json["shorturl"]
    with app.app_context():
        link = db.session.execute(sa.text("SELECT url, user_id FROM short_urls")).one()
        db.session.remove()
    assert link.url == "https://example.com/first"
    return created.json


def assert_upgrade_alone_gives_a_usable_service(database_uri: str) -> None:
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_uri)
    expected = [
        (n, p["name"], p["free"], p["prices"], p["limits"])
        for n, p in enumerate(DEFAULT_PLANS, start=1)
    ]
    cli(app, "db", "upgrade")
    assert stored_plans(app) == expected
    new_user_creates_a_link(app)

    cli(app, "db", "upgrade")  # at head: nothing runs
    cli(app, "db", "downgrade", "c16_row_counters")  # the seed's downgrade keeps the plans
    cli(app, "db", "upgrade")  # and running it again inserts nothing
    assert "0 created, 0 updated, 2 unchanged" in cli(app, "plans", "seed")
    cli(app, "db", "downgrade", "c16_row_counters")
    cli(app, "db", "upgrade")
    assert stored_plans(app) == expected
    with app.app_context():
        db.engine.dispose()


def test_upgrade_alone_gives_a_usable_service_on_sqlite(tmp_path):
    assert_upgrade_alone_gives_a_usable_service(f"sqlite:///{tmp_path / 'fresh.db'}")


@pytest.mark.pg
def test_upgrade_alone_gives_a_usable_service_on_postgresql():
    assert_upgrade_alone_gives_a_usable_service(_empty_pg_database("fresh"))


def test_the_seed_migration_keeps_plans_seeded_or_changed_before_it(tmp_path):
    """`plans seed` (or an admin's change) before the data migration: it adds nothing and
    changes nothing; a missing default is added beside the others."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'old.db'}")
    cli(app, "db", "upgrade", "c16_row_counters")
    cli(app, "plans", "seed")
    cli(app, "plans", "set", "Business", "--limit", "links=500", "--enable", "geo")
    cli(app, "plans", "set", "Starter", "--limit", "links=25")
    before = stored_plans(app)

    cli(app, "db", "upgrade")

    assert stored_plans(app) == before
    assert before[0][4]["links"] == 25 and before[1][4]["geo"] == {"enabled": "1"}
    with app.app_context():
        db.session.execute(sa.text("DELETE FROM plans WHERE name = 'Business'"))
        db.session.commit()
    cli(app, "db", "downgrade", "c16_row_counters")
    cli(app, "db", "upgrade")
    plans = stored_plans(app)
    assert [p[:3] for p in plans] == [(1, "Starter", True), (3, "Business", False)]
    assert plans[0] == before[0]  # the changed Starter stays as the admin left it
    assert plans[1][4] == DEFAULT_PLANS[1]["limits"]
    with app.app_context():
        db.engine.dispose()
