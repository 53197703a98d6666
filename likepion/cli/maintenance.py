"""`flask tasks ...`, `flask clicks ...` and `flask counters ...`: upkeep an operator runs."""

import click
from flask import current_app
from flask.cli import AppGroup

from likepion.backlink import counters
from likepion.cli.output import counts
from likepion.core.db import db
from likepion.shortener import rollups
from likepion.worker import services as worker_services

tasks = AppGroup("tasks", help="Worker task maintenance.")
clicks = AppGroup("clicks", help="Click rollups and raw click retention.")
counters_group = AppGroup("counters", help="Row counters of requests and groups.")


@tasks.command("requeue-expired")
def requeue_expired():
    """Put links whose worker claim expired back in the queue (or fail them after max_retries)."""
    outcome = worker_services.requeue_expired()
    click.echo(f"{outcome['requeued']} requeued, {outcome['failed']} failed")


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
    click.echo(f"Deleted {counts(deleted)}.")


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
