"""Declarative base, shared column mixins, SQLite connection settings and owned-row lookup."""

import logging
import sqlite3
import time
import uuid
from datetime import datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import BigInteger, DateTime, Integer, MetaData, Uuid, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import Pool

from likepion.core.errors import NotFound
from likepion.core.time import utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class RequestSessions(SQLAlchemy):
    """Flask-SQLAlchemy, whose end-of-request teardown also survives a lost connection."""

    def _teardown_session(self, exc: BaseException | None) -> None:
        """End the request's session, if it opened one (a cached redirect does not). When the
        server dropped the connection after the request's last statement (a restart), the
        rollback fails: discard the session and the pool's dead connections instead of turning
        an answered request into a 500."""
        if not self.session.registry.has():
            return
        try:
            self.session.remove()
        except DBAPIError:
            log.warning("the database connection was lost at the end of a request; pool dropped")
            self.session.registry.clear()
            self.engine.dispose()


db = RequestSessions(model_class=Base)
log = logging.getLogger(__name__)


# `__table_args__` of every table with a public integer id: SQLite's AUTOINCREMENT never hands
# out the id of a deleted newest row again (PostgreSQL's identity never does anyway).
NEVER_REUSED_IDS = {"sqlite_autoincrement": True}

# A 64-bit integer; SQLite's INTEGER already is one, and declaring it BIGINT there would only
# make migrations rebuild tables.
BigInt = BigInteger().with_variant(Integer(), "sqlite")


class UUIDPk:
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


def batched(items: list, size: int):
    """Consecutive slices of at most `size` items, for chunked bulk statements (Python 3.11
    has no itertools.batched)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def get_owned(model, object_id, owner_id, *, owner_column: str = "user_id", lock: bool = False):
    """The row `object_id` of `model` owned by `owner_id`; NotFound when missing or not theirs.
    With `lock`, the row stays locked until the transaction ends."""
    row = None
    if object_id is not None:
        stmt = select(model).where(model.id == object_id, getattr(model, owner_column) == owner_id)
        row = db.session.scalar(stmt.with_for_update() if lock else stmt)
    if row is None:
        raise NotFound(f"{getattr(model, 'label', model.__name__)} not found")
    return row


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, _record):
    """WAL, a busy timeout and manual BEGIN so concurrent writers wait instead of failing."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


IDLE_PING_SECONDS = 10


@event.listens_for(Pool, "checkin")
def _note_idle_since(dbapi_connection, record):
    record.info["idle_since"] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _ping_if_idle(dbapi_connection, record, proxy):
    """Ping a server connection that sat idle before handing it out; a dead one is replaced.

    Instead of `pool_pre_ping`: a ping on every checkout is one more round trip per request,
    which on the worker's claim path was a third of its time when measured, while a
    connection checked in moments ago is alive.
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        return
    if time.monotonic() - record.info.get("idle_since", time.monotonic()) < IDLE_PING_SECONDS:
        return
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        dbapi_connection.rollback()
    except Exception as exc:  # noqa: BLE001 - any failure means the connection is unusable
        raise DisconnectionError("idle connection failed its ping") from exc


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection):
    # Take the write lock up front: a deferred BEGIN that upgrades later fails with
    # "database is locked" instead of waiting (docs/decisions.md). Connections
    # opened with read_only() only read, one statement at a time: no lock, no transaction.
    if connection.dialect.name == "sqlite" and not connection.get_execution_options().get(
        READ_ONLY
    ):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


READ_ONLY = "likepion_read_only"


def read_only():
    """A pooled connection for single-statement reads (on SQLite without the write lock)."""
    return db.engine.connect().execution_options(**{READ_ONLY: True})
