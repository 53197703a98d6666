import re

import pytest
from sqlalchemy import inspect, select

from likepion import create_app
from likepion.auth import services as auth_services
from likepion.auth.models import User
from likepion.backlink import catalogue
from likepion.backlink.models import Site
from likepion.core.db import db
from likepion.shortener import limits
from likepion.shortener.models import Plan
from tests.cli import assert_fails
from tests.factories import make_user
from tests.helpers import count_rows

DEFAULT_SITES = len(catalogue.parse_sites_file(catalogue.DEFAULT_CATALOGUE))


@pytest.fixture
def fresh_app(tmp_path):
    """An app on an empty SQLite file: no tables until `flask bootstrap` migrates it."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'fresh.db'}")
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def skip_migrations(app, tmp_path, monkeypatch):
    """For the in-memory app, whose tables create_all already made."""
    monkeypatch.setattr(app.extensions["migrate"], "directory", str(tmp_path))
    monkeypatch.setattr("flask_migrate.upgrade", lambda *args, **kwargs: None)


def secret(output: str, label: str) -> str:
    return re.search(rf"^{label}.*: (\S+)$", output, re.M).group(1)


def test_bootstrap_a_fresh_database(fresh_app):
    runner = fresh_app.test_cli_runner()

    result = runner.invoke(args=["bootstrap"])

    assert result.exit_code == 0, result.output
    assert "Admin created. Login: admin@example.com (or admin)" in result.output
    password, api_key = secret(result.output, "Password"), secret(result.output, "API key")
    assert f"Sites: {DEFAULT_SITES} created, 0 updated, 0 unchanged." in result.output
    # The migrations seed the plans (issue 15), so the seed finds them as they should be.
    assert "Plans: 0 created, 0 updated, 2 unchanged." in result.output
    with fresh_app.app_context():
        assert "alembic_version" in inspect(db.engine).get_table_names()
        admin = auth_services.authenticate(login="admin@example.com", password=password)
        assert (admin.username, admin.is_admin, admin.api_key) == ("admin", True, api_key)
        assert limits.user_plan(admin).name == "Starter"
    assert count_rows(fresh_app, Site) == DEFAULT_SITES
    assert count_rows(fresh_app, Plan) == 2


def test_bootstrap_twice_creates_nothing_and_prints_no_secret(fresh_app):
    runner = fresh_app.test_cli_runner()
    first = runner.invoke(args=["bootstrap"])
    password, api_key = secret(first.output, "Password"), secret(first.output, "API key")

    second = runner.invoke(args=["bootstrap"])

    assert second.exit_code == 0, second.output
    assert "Admin: an admin user already exists; no new credentials." in second.output
    assert "Password" not in second.output and "API key" not in second.output
    assert password not in second.output and api_key not in second.output
    assert f"Sites: 0 created, 0 updated, {DEFAULT_SITES} unchanged." in second.output
    assert "Plans: 0 created, 0 updated, 2 unchanged." in second.output
    assert count_rows(fresh_app, User) == 1
    assert count_rows(fresh_app, Site) == DEFAULT_SITES


def test_bootstrap_keeps_an_existing_admin(app, runner, admin, skip_migrations):
    result = runner.invoke(args=["bootstrap"])

    assert result.exit_code == 0, result.output
    assert "an admin user already exists" in result.output
    assert "Password" not in result.output and admin.api_key not in result.output
    assert count_rows(app, User) == 1
    assert count_rows(app, User, User.email == "admin@example.com") == 0
    assert count_rows(app, Site) == DEFAULT_SITES
    assert count_rows(app, Plan) == 2


def test_bootstrap_creates_the_admin_when_only_plain_users_exist(
    app, runner, user, skip_migrations
):
    result = runner.invoke(args=["bootstrap"])

    assert result.exit_code == 0, result.output
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.is_admin.is_(True)))
        assert (admin.email, admin.username) == ("admin@example.com", "admin")
        assert admin.api_key == secret(result.output, "API key")


def test_bootstrap_when_admin_email_is_taken_by_a_plain_user(app, runner, skip_migrations):
    make_user(app, email="admin@example.com", username="someone")

    result = runner.invoke(args=["bootstrap"])

    assert_fails(result, "Email or username is already taken.")
    assert count_rows(app, User, User.is_admin.is_(True)) == 0


def test_bootstrap_without_migrations(app, runner, tmp_path, monkeypatch):
    monkeypatch.setattr(app.extensions["migrate"], "directory", str(tmp_path / "missing"))

    result = runner.invoke(args=["bootstrap"])

    assert_fails(result, "No migrations found in")
    assert result.output.count("\n") == 1
    assert count_rows(app, Site) == 0
    assert count_rows(app, Plan) == 0
    assert count_rows(app, User) == 0
