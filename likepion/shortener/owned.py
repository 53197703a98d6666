"""List, create, update and delete for the shortener's simple per-user objects (pixels, splash
pages, overlays, channels, campaigns, domains); each public function is one unit of work."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from likepion.core.db import db, get_owned
from likepion.core.errors import Conflict
from likepion.core.pagination import Page, paginate
from likepion.shortener import limits


def list_owned(model, user, *, page: int, limit: int) -> Page:
    """The user's rows of `model`, newest first."""
    stmt = select(model).where(model.user_id == user.id).order_by(model.id.desc())
    return paginate(stmt, page, limit)


def create_owned(model, user, *, plan_count: str | None = None, **values):
    """A new row of the user's; with `plan_count`, only while the plan's count allows one more."""
    if plan_count:
        limits.require_room(user, plan_count, model)
    row = model(user_id=user.id, **values)
    db.session.add(row)
    _commit(model)
    return row


def update_owned(model, user, object_id: int, **values):
    return save(get_owned(model, object_id, user.id), **values)


def save(row, **values):
    """Set `values` on a row already loaded (and owned) and commit."""
    for name, value in values.items():
        setattr(row, name, value)
    _commit(type(row))
    return row


def delete_owned(model, user, object_id: int) -> None:
    remove(get_owned(model, object_id, user.id))


def remove(row) -> None:
    """Delete a row already loaded (and owned) and commit."""
    db.session.delete(row)
    db.session.commit()


def _commit(model) -> None:
    """Commit; a unique value (a slug, a host) taken meanwhile is a conflict, not a 500."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(f"This {model.__name__.lower()} clashes with an existing one.") from None
