"""`flask users ...` and `flask servers ...`: who may call the APIs."""

import click
from flask.cli import AppGroup
from marshmallow import ValidationError

from likepion.auth import bootstrap as first_run
from likepion.auth import servers as server_services
from likepion.auth import services as auth_services
from likepion.auth.schemas import PASSWORD, RegistrationCreate
from likepion.cli.output import one_line, reports_errors, table
from likepion.core.time import iso_z
from likepion.credits import services as credit_services

users = AppGroup("users", help="Create users, grant credits, reset passwords and keys.")
servers = AppGroup("servers", help="Register, list, revoke and re-key worker servers.")


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
        fields = RegistrationCreate().load(
            {"email": email, "username": username, "password": password}
        )
    except ValidationError as exc:
        raise click.ClickException(one_line(exc.messages)) from exc
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
        raise click.ClickException(f"password: {one_line(exc.messages)}") from exc
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
    server, key = server_services.create_server(name)
    click.echo(f"Created server {server.name} (id {server.id}).")
    click.echo(f"API key (shown once; only its hash is stored): {key}")


@servers.command("list")
def list_servers():
    """Every worker server (never its key)."""
    rows = [
        (s.name, str(s.id), "yes" if s.active else "no", iso_z(s.last_seen_at) or "never")
        for s in server_services.list_servers()
    ]
    table(("name", "id", "active", "last_seen_at"), rows, empty="No servers.")


@servers.command("revoke")
@click.argument("name")
@reports_errors
def revoke_server(name: str):
    """Deactivate the server NAME: its key stops working at once (`servers rotate` re-keys it)."""
    server = server_services.revoke_server(name)
    click.echo(f"Revoked server {server.name}: its key no longer authenticates.")


@servers.command("rotate")
@click.argument("name")
@reports_errors
def rotate_server(name: str):
    """Give the server NAME a new key (printed once); the old key stops working, and a revoked
    server is active again."""
    server, key = server_services.rotate_server_key(name)
    click.echo(f"New key for server {server.name}; the old key no longer authenticates.")
    click.echo(f"API key (shown once; only its hash is stored): {key}")
