"""Flask CLI commands (SPEC section 6): each parses its input, calls one service and reports."""

import functools
import os
from pathlib import Path

import click
import flask_migrate
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from marshmallow import ValidationError

from likepion import bootstrap as first_run
from likepion.auth import services as auth_services
from likepion.auth.schemas import PASSWORD, RegisterIn
from likepion.backlink import catalogue, counters
from likepion.core.db import db
from likepion.core.enums import ServiceType
from likepion.core.errors import AppError
from likepion.core.time import iso_z
from likepion.credits import services as credit_services
from likepion.shortener import plans as plan_services
from likepion.shortener import rollups
from likepion.shortener.schemas import PlanUpdate
from likepion.worker import services as worker_services

PROGRESS_MIN_ROWS = 500

users = AppGroup("users", help="Create users, grant credits, reset passwords and keys.")
servers = AppGroup("servers", help="Register, list, revoke and re-key worker servers.")
sites = AppGroup("sites", help="Load and list the sites catalogue.")
plans = AppGroup("plans", help="Shortener plans.")
tasks = AppGroup("tasks", help="Worker task maintenance.")
clicks = AppGroup("clicks", help="Click rollups and raw click retention.")
counters_group = AppGroup("counters", help="Row counters of requests and groups.")


def register_commands(app: Flask) -> None:
    for command in (users, servers, sites, plans, tasks, clicks, counters_group, bootstrap):
        app.cli.add_command(command)


def reports_errors(command):
    """Turn a service's AppError into `Error: <reason>` and exit status 1, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except AppError as exc:
            db.session.rollback()
            raise click.ClickException(exc.message) from exc

    return wrapper


@users.command("create")
@click.argument("email")
@click.argument("username")
@click.option("--password", help="The password; without it a random one is printed once.")
@click.option("--admin", is_flag=True, help="Give the user admin rights.")
@reports_errors
def create_user(email: str, username: str, password: str | None, admin: bool):
    """Create a user on the free plan."""
    generated = password is None
    if generated:
        password = first_run.random_password()
    try:
        fields = RegisterIn().load({"email": email, "username": username, "password": password})
    except ValidationError as exc:
        raise click.ClickException(_one_line(exc.messages)) from exc
    user = auth_services.create_user(**fields, is_admin=admin)
    kind = "admin" if admin else "user"
    click.echo(f"Created {kind} {user.username} <{user.email}> (id {user.id}).")
    if generated:
        click.echo(f"Password (shown once): {password}")
    click.echo(f"API key: {user.api_key}")


@users.command("credit", context_settings={"ignore_unknown_options": True})
@click.argument("email")
@click.argument("amount", type=int)
@reports_errors
def credit_user(email: str, amount: int):
    """Add AMOUNT credits to the user with EMAIL (a ledger row, reason admin.credit)."""
    balance = credit_services.grant_credits(email, amount)
    click.echo(f"Added {amount} credits to {email.strip().lower()}. Balance: {balance}")


@users.command("set-password")
@click.argument("email")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="The new password; without it you are asked for it twice.",
)
@reports_errors
def set_password(email: str, password: str):
    """Set the password of the user with EMAIL; every JWT issued before stops working."""
    try:
        PASSWORD(password)
    except ValidationError as exc:
        raise click.ClickException(f"password: {_one_line(exc.messages)}") from exc
    user = auth_services.user_by_email(email)
    auth_services.set_password(user, password)
    click.echo(f"Password of {user.email} changed; older access and refresh tokens are revoked.")


@users.command("rotate-key")
@click.argument("email")
@reports_errors
def rotate_key(email: str):
    """Give the user with EMAIL a new API key (printed once); the old key and every JWT
    issued before stop working."""
    user = auth_services.user_by_email(email)
    key = auth_services.rotate_api_key(user)
    click.echo(f"API key of {user.email} rotated; older JWTs are revoked.")
    click.echo(f"New API key (shown once): {key}")


@servers.command("create")
@click.argument("name")
@reports_errors
def create_server(name: str):
    """Register a worker server and print its API key once."""
    server, key = worker_services.create_server(name)
    click.echo(f"Created server {server.name} (id {server.id}).")
    click.echo(f"API key (shown once; only its hash is stored): {key}")


@servers.command("list")
def list_servers():
    """Every worker server (never its key)."""
    rows = [
        (s.name, str(s.id), "yes" if s.active else "no", iso_z(s.last_seen_at) or "never")
        for s in worker_services.list_servers()
    ]
    _table(("name", "id", "active", "last_seen_at"), rows, empty="No servers.")


@servers.command("revoke")
@click.argument("name")
@reports_errors
def revoke_server(name: str):
    """Deactivate the server NAME: its key stops working at once (`servers rotate` re-keys it)."""
    server = worker_services.revoke_server(name)
    click.echo(f"Revoked server {server.name}: its key no longer authenticates.")


@servers.command("rotate")
@click.argument("name")
@reports_errors
def rotate_server(name: str):
    """Give the server NAME a new key (printed once); the old key stops working, and a revoked
    server is active again."""
    server, key = worker_services.rotate_server_key(name)
    click.echo(f"New key for server {server.name}; the old key no longer authenticates.")
    click.echo(f"API key (shown once; only its hash is stored): {key}")


@sites.command("seed")
@click.argument("file", required=False, type=click.Path(path_type=Path))
@reports_errors
def seed_sites(file: Path | None):
    """Load the catalogue from a CSV/JSON FILE (service_type,name,role), else the default one."""
    path = file or catalogue.DEFAULT_CATALOGUE
    rows = catalogue.parse_sites_file(path)
    if len(rows) > PROGRESS_MIN_ROWS:
        with click.progressbar(length=len(rows), label="Seeding sites") as bar:
            counts = catalogue.seed_sites(rows, progress=bar.update)
    else:
        counts = catalogue.seed_sites(rows)
    click.echo(f"Sites from {path}: {_counts(counts)}.")


@sites.command("list")
@click.option(
    "--type", "service_type", metavar="TYPE", help=f"One of {', '.join(t for t in ServiceType)}."
)
@reports_errors
def list_sites(service_type: str | None):
    """The catalogue, optionally of one service type."""
    rows = [
        (s.service_type, s.name, s.role, "yes" if s.active else "no")
        for s in catalogue.list_sites(service_type).items
    ]
    _table(("service_type", "name", "role", "active"), rows, empty="No sites.")


@plans.command("seed")
@reports_errors
def seed_plans():
    """Create the default plans (Starter, free; Business) or reset them to the defaults."""
    click.echo(f"Plans: {_counts(plan_services.seed_plans())}.")
    for plan in plan_services.list_plans():
        click.echo(f"  {plan.id}  {plan.name}{' (free)' if plan.free else ''}")


@plans.command("set")
@click.argument("name")
@click.option(
    "--limit",
    "numbers",
    multiple=True,
    metavar="KEY=N",
    help=f"links, clicks, retention, or a count of {', '.join(plan_services.COUNTED_FLAGS)}.",
)
@click.option("--enable", multiple=True, metavar="FEATURE", help="e.g. geo, device, bundle.")
@click.option("--disable", multiple=True, metavar="FEATURE")
@click.option("--free/--paid", default=None, help="New users are put on the free plan.")
@click.option("--price", "prices", multiple=True, metavar="TERM=AMOUNT",
              help="monthly, yearly or lifetime; replaces the plan's prices.")  # fmt: skip
@reports_errors
def set_plan(name, numbers, enable, disable, free, prices):
    """Create the plan NAME or change it; only what the options name changes (a new plan
    starts with every feature off and every count 0)."""
    changes = _plan_changes(name, numbers, enable, disable, free, prices)
    plan, created = plan_services.set_plan(changes.pop("name"), **changes)
    click.echo(f"{'Created' if created else 'Updated'} plan {plan.name} (id {plan.id}).")
    _plans_table([plan])


@plans.command("list")
def list_plans():
    """Every plan: id, name, free, users on it, links allowed, features enabled."""
    _plans_table(plan_services.list_plans())


def _plan_changes(name, numbers, enable, disable, free, prices) -> dict:
    """The options as a `PUT /api/plan/:id/update` body, validated by the same schema."""
    limits = {}
    for pair in numbers:
        key, value = _pair(pair, "--limit KEY=N")
        if key in plan_services.COUNTED_FLAGS:
            limits.setdefault(key, {})["count"] = value
        else:
            limits[key] = value
    both = set(enable) & set(disable)
    if both:
        raise click.ClickException(f"Both enabled and disabled: {', '.join(sorted(both))}.")
    for flags, switch in ((enable, "1"), (disable, "0")):
        for flag in flags:
            limits.setdefault(flag, {})["enabled"] = switch
    body = {"name": name, "limits": limits} if limits else {"name": name}
    if free is not None:
        body["free"] = free
    if prices:
        body["prices"] = dict(_pair(pair, "--price TERM=AMOUNT") for pair in prices)
    try:
        return PlanUpdate().load(body)
    except ValidationError as exc:
        raise click.ClickException(_one_line(exc.messages)) from exc


def _pair(text: str, form: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise click.ClickException(f"Use {form}, got {text!r}.")
    return key.strip(), value.strip()


def _plans_table(rows) -> None:
    header = ("id", "name", "free", "users", "links", "enabled")
    _table(header, [_plan_row(plan) for plan in rows], empty="No plans.")


def _plan_row(plan) -> tuple:
    limits = plan.limits or {}
    free = "yes" if plan.free else "no"
    users_on = plan_services.users_on(plan.id)
    return (plan.id, plan.name, free, users_on, limits.get("links", 0), _enabled(limits) or "-")


def _enabled(limits: dict) -> str:
    """`alias, splash 5, domain 1`: the features a plan enables, with their counts."""
    names = []
    for key, value in limits.items():
        if isinstance(value, dict) and str(value.get("enabled")) == "1":
            names.append(f"{key} {value['count']}" if "count" in value else key)
    return ", ".join(names)


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
    click.echo(f"Sites: {_counts(catalogue.seed_sites(rows))}.")
    click.echo(f"Plans: {_counts(plan_services.seed_plans())}.")
    new_admin = first_run.ensure_admin()
    if new_admin is None:
        click.echo("Admin: an admin user already exists; no new credentials.")
        return
    user = new_admin.user
    click.echo(f"Admin created. Login: {user.email} (or {user.username})")
    click.echo(f"Password (shown once): {new_admin.password}")
    click.echo(f"API key: {user.api_key}")


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{number} {label}" for label, number in counts.items())


def _one_line(messages) -> str:
    if isinstance(messages, dict):
        return "; ".join(f"{field}: {_one_line(value)}" for field, value in messages.items())
    if isinstance(messages, list):
        return " ".join(_one_line(value) for value in messages)
    return str(messages)


def _table(header: tuple[str, ...], rows: list[tuple], *, empty: str) -> None:
    if not rows:
        click.echo(empty)
        return
    widths = [
        max(len(str(value)) for value in column) for column in zip(header, *rows, strict=True)
    ]
    for row in (header, *rows):
        click.echo("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


@tasks.command("requeue-expired")
def requeue_expired():
    """Put links whose worker claim expired back in the queue (or fail them after max_retries)."""
    counts = worker_services.requeue_expired()
    click.echo(f"{counts['requeued']} requeued, {counts['failed']} failed")


@clicks.command("rollup")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="First UTC day to rebuild.")
def rebuild_rollups(since):
    """Rebuild the click rollups from the raw clicks (all of them, or from --since on).

    With CLICK_RETENTION_DAYS set, days before the retention are kept as they are: their raw
    clicks may be gone."""
    start = rollups.day_start(since.date()) if since else rollups.ALL_TIME
    retention = current_app.config["CLICK_RETENTION_DAYS"]
    if retention > 0:
        start = max(start, rollups.midnight(days_ago=retention))
    jobs = rollups.rebuild_jobs()
    with click.progressbar(length=sum(len(ids) for _, ids in jobs), label="Rollups") as bar:
        for kind, ids in jobs:
            with db.engine.begin() as connection:
                rollups.lock_clicks(connection)
                rollups.rebuild(
                    connection,
                    kind,
                    ids,
                    since=start,
                    hourly_days=current_app.config["CLICK_HOURLY_DAYS"],
                )
            bar.update(len(ids))
    click.echo(f"Rebuilt the rollups of {sum(len(ids) for _, ids in jobs)} links and QR codes.")


@clicks.command("prune")
def prune_clicks():
    """Delete raw clicks older than CLICK_RETENTION_DAYS (0: none) and hourly rollups older
    than CLICK_HOURLY_DAYS; the daily and all-time totals stay."""
    with db.engine.begin() as connection:
        deleted = rollups.prune(
            connection,
            retention_days=current_app.config["CLICK_RETENTION_DAYS"],
            hourly_days=current_app.config["CLICK_HOURLY_DAYS"],
        )
    click.echo(f"Deleted {_counts(deleted)}.")


@counters_group.command("verify")
@click.option("--fix", is_flag=True, help="Set every drifted counter to its COUNT.")
def verify_counters(fix: bool):
    """Compare every request's and group's counters with a COUNT of their rows; exit status 1
    when some differ and --fix was not given."""
    drifted = []
    with click.progressbar(length=counters.owner_total(), label="Checking counters") as bar:
        for checked, drift in counters.verify(fix=fix):
            drifted += drift
            bar.update(checked)
    for d in drifted:
        click.echo(f"{d.table} {d.id} {d.column}: stored {d.stored}, counted {d.counted}")
    if not drifted:
        click.echo("Every counter matches its COUNT.")
    elif fix:
        click.echo(f"Fixed {len(drifted)} counter(s).")
    else:
        raise click.ClickException(f"{len(drifted)} counter(s) drifted; run with --fix.")
