"""Worker servers as callers: their keys (`flask servers ...`) and authentication by key."""

import re
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from likepion.auth.models import Server
from likepion.core.crypto import key_hash, new_key
from likepion.core.db import db
from likepion.core.errors import Conflict, NotFound, ValidationFailed
from likepion.core.time import as_utc, utcnow

SEEN_EVERY = timedelta(minutes=1)
SERVER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z")


def create_server(name: str) -> tuple[Server, str]:
    """A new active server and its API key, which exists nowhere else once returned."""
    name = name.strip()
    if not SERVER_NAME.fullmatch(name):
        raise ValidationFailed(
            f"Invalid server name {name!r}: 1-64 letters, digits, '_', '.', '-'."
        )
    if db.session.scalar(select(Server.id).where(Server.name == name)) is not None:
        raise Conflict(f"A server named {name} already exists.")
    key = new_key()
    server = Server(name=name, key_hash=key_hash(key), active=True)
    db.session.add(server)
    try:
        db.session.commit()
    except IntegrityError as exc:  # lost a race with a concurrent create of the same name
        db.session.rollback()
        raise Conflict(f"A server named {name} already exists.") from exc
    return server, key


def list_servers() -> list[Server]:
    """Every server, by name."""
    return list(db.session.scalars(select(Server).order_by(Server.name)))


def revoke_server(name: str) -> Server:
    """Deactivate the server: its key stops authenticating (`flask servers revoke`)."""
    server = _server_named(name)
    server.active = False
    db.session.commit()
    return server


def rotate_server_key(name: str) -> tuple[Server, str]:
    """A new key for the server, returned once; the old one stops working, and a revoked
    server is active again with the new key (`flask servers rotate`)."""
    server = _server_named(name)
    key = new_key()
    server.key_hash = key_hash(key)
    server.active = True
    db.session.commit()
    return server, key


def _server_named(name: str) -> Server:
    server = db.session.scalar(select(Server).where(Server.name == name.strip()))
    if server is None:
        raise NotFound(f"No server named {name.strip()}.")
    return server


def authenticate(key: str | None) -> Server | None:
    """The active server whose API key is `key`; notes when it was last seen (once a minute)."""
    if not key:
        return None
    server = db.session.scalar(
        select(Server).where(Server.key_hash == key_hash(key), Server.active.is_(True))
    )
    if server is not None:
        now = utcnow()
        if server.last_seen_at is None or as_utc(server.last_seen_at) < now - SEEN_EVERY:
            server.last_seen_at = now
            db.session.commit()
    return server
