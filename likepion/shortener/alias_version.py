"""The alias-cache version: any flush of the app's session that adds, changes or deletes a short
link or a branded domain also increments `alias_cache_version`, in the same transaction.

Processes caching aliases (likepion/redirect/resolve.py) re-read the number now and then and
drop their cache when it moved; the process that made the change hears it at once through the
`aliases_changed` signal: at the flush, and again after the commit, when the change is visible
(another thread may have cached the old row in between).
"""

from blinker import Namespace
from flask import current_app
from sqlalchemy import event, insert, update

from likepion.core.db import db
from likepion.shortener.models import AliasCacheVersion, Domain, ShortUrl

aliases_changed = Namespace().signal("aliases-changed")
_BUMPED = "likepion_alias_cache_bumped"


def bump(session) -> None:
    """Move the version on inside the session's transaction (bulk statements, which skip the
    flush hook, call this themselves)."""
    stamp = AliasCacheVersion.__table__
    moved = session.execute(
        update(stamp).where(stamp.c.id == 1).values(version=stamp.c.version + 1)
    ).rowcount
    if not moved:  # a fresh database (or a truncated one in tests) has no row yet
        session.execute(insert(stamp).values(id=1, version=1))
    session.info[_BUMPED] = True
    _announce()


def read_version(connection) -> int:
    stamp = AliasCacheVersion.__table__
    return connection.scalar(stamp.select().with_only_columns(stamp.c.version)) or 0


def _announce() -> None:
    if current_app:
        aliases_changed.send(current_app._get_current_object())


@event.listens_for(db.session, "before_flush")
def _bump_when_links_change(session, flush_context, instances) -> None:
    for rows in (session.new, session.dirty, session.deleted):
        if any(isinstance(row, ShortUrl | Domain) for row in rows):
            bump(session)
            return


@event.listens_for(db.session, "after_commit")
def _announce_after_commit(session) -> None:
    if session.info.pop(_BUMPED, False):
        _announce()


@event.listens_for(db.session, "after_rollback")
def _forget_bump(session) -> None:
    session.info.pop(_BUMPED, None)
