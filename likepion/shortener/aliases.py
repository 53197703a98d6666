"""Short codes: generated ones are random base62 (no sequence to enumerate), custom ones are
checked; both are unique per domain through a constraint, a generated one retries on collision."""

import re
import secrets
import string

from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from likepion.core.db import db
from likepion.core.errors import Conflict

ALPHABET = string.ascii_letters + string.digits
GENERATED_LENGTH = 7
CUSTOM_ALIAS = re.compile(r"^[A-Za-z0-9_-]{3,64}\Z")
# First path segments the public routes and the API use; never a short link's alias.
RESERVED = frozenset(
    {
        "api",
        "qr",
        "r",
        "u",
        "user",
        "healthz",
        "readyz",
        "metrics",
        "openapi.json",
        "docs",
        "static",
        "favicon.ico",
        "robots.txt",
    }
)
ATTEMPTS = 5


def generate(length: int = GENERATED_LENGTH) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def validate_custom(alias: str) -> None:
    """marshmallow validator: 3-64 of A-Z a-z 0-9 _ - and not a reserved word."""
    if not CUSTOM_ALIAS.fullmatch(alias):
        raise ValidationError("Use 3 to 64 letters, digits, '-' or '_'.")
    if alias.lower() in RESERVED:
        raise ValidationError("This alias is reserved.")


def insert_with_alias(row, custom: str | None, taken_message: str) -> None:
    """Add `row` with `custom` as its alias (Conflict when taken) or a generated one.

    Each attempt runs in a savepoint, so a collision undoes only that INSERT.
    """
    for _ in range(1 if custom else ATTEMPTS):
        row.alias = custom or generate()
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:
            continue
        return
    if custom:
        raise Conflict(taken_message, code="alias_taken")
    raise Conflict("Could not find a free alias; try again.")


def rename(row, alias: str, taken_message: str) -> None:
    """Give the stored `row` a new alias (or keep it on a new domain); Conflict when taken."""
    row.alias = alias
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict(taken_message, code="alias_taken") from None
