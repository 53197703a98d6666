"""What every command shares: errors as `Error: <reason>`, one-line messages and tables."""

import functools

import click

from likepion.core.db import db
from likepion.core.errors import AppError


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


def counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{number} {label}" for label, number in counts.items())


def one_line(messages) -> str:
    if isinstance(messages, dict):
        return "; ".join(f"{field}: {one_line(value)}" for field, value in messages.items())
    if isinstance(messages, list):
        return " ".join(one_line(value) for value in messages)
    return str(messages)


def table(header: tuple[str, ...], rows: list[tuple], *, empty: str) -> None:
    if not rows:
        click.echo(empty)
        return
    widths = [
        max(len(str(value)) for value in column) for column in zip(header, *rows, strict=True)
    ]
    for row in (header, *rows):
        click.echo("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
