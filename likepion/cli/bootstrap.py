"""`flask bootstrap`: the first run of a fresh install."""

import os

import click
import flask_migrate
from flask import current_app
from flask.cli import with_appcontext

from likepion.auth import bootstrap as first_run
from likepion.backlink import catalogue
from likepion.cli.output import counts, reports_errors
from likepion.shortener import plans as plan_services


@click.command("bootstrap")
@with_appcontext
@reports_errors
def bootstrap():
    """First run: upgrade the database, seed sites and plans, create the first admin."""
    directory = current_app.extensions["migrate"].directory
    if not os.path.isdir(directory):
        raise click.ClickException(f"No migrations found in {os.path.normpath(directory)}.")
    flask_migrate.upgrade()
    click.echo("Database: up to date.")
    rows = catalogue.parse_sites_file(catalogue.DEFAULT_CATALOGUE)
    click.echo(f"Sites: {counts(catalogue.seed_sites(rows))}.")
    click.echo(f"Plans: {counts(plan_services.seed_plans())}.")
    new_admin = first_run.ensure_admin()
    if new_admin is None:
        click.echo("Admin: an admin user already exists; no new credentials.")
        return
    user = new_admin.user
    click.echo(f"Admin created. Login: {user.email} (or {user.username})")
    click.echo(f"Password (shown once): {new_admin.password}")
    click.echo(f"API key: {user.api_key}")
