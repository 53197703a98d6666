"""`flask sites ...` and `flask plans ...`: what customers can buy."""

from pathlib import Path

import click
from flask.cli import AppGroup
from marshmallow import ValidationError

from likepion.backlink import catalogue
from likepion.cli.output import counts, one_line, reports_errors, table
from likepion.core.enums import ServiceType
from likepion.shortener import plans as plan_services
from likepion.shortener.schemas import PlanUpdate

PROGRESS_MIN_ROWS = 500

sites = AppGroup("sites", help="Load and list the sites catalogue.")
plans = AppGroup("plans", help="Shortener plans.")


@sites.command("seed")
@click.argument("file", required=False, type=click.Path(path_type=Path))
@reports_errors
def seed_sites(file: Path | None):
    """Load the catalogue from a CSV/JSON FILE (service_type,name,role), else the default one."""
    path = file or catalogue.DEFAULT_CATALOGUE
    rows = catalogue.parse_sites_file(path)
    if len(rows) > PROGRESS_MIN_ROWS:
        with click.progressbar(length=len(rows), label="Seeding sites") as bar:
            seeded = catalogue.seed_sites(rows, progress=bar.update)
    else:
        seeded = catalogue.seed_sites(rows)
    click.echo(f"Sites from {path}: {counts(seeded)}.")


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
    table(("service_type", "name", "role", "active"), rows, empty="No sites.")


@plans.command("seed")
@reports_errors
def seed_plans():
    """Create the default plans (Starter, free; Business) or reset them to the defaults."""
    click.echo(f"Plans: {counts(plan_services.seed_plans())}.")
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
        raise click.ClickException(one_line(exc.messages)) from exc


def _pair(text: str, form: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise click.ClickException(f"Use {form}, got {text!r}.")
    return key.strip(), value.strip()


def _plans_table(rows) -> None:
    header = ("id", "name", "free", "users", "links", "enabled")
    table(header, [_plan_row(plan) for plan in rows], empty="No plans.")


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
