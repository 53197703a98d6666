"""Reads of a user's credits; every write goes through credits.ledger."""

from sqlalchemy import select

from likepion.auth.models import User
from likepion.core.pagination import Page, paginate
from likepion.credits.models import LedgerEntry


def list_ledger(user: User, *, page: int, limit: int) -> Page:
    """The user's ledger, newest first."""
    stmt = (
        select(LedgerEntry)
        .where(LedgerEntry.user_id == user.id)
        .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id)
    )
    return paginate(stmt, page, limit)
