"""Reads of a user's credits and admin grants; every balance change goes through credits.ledger."""

from sqlalchemy import select

from likepion.auth.models import User
from likepion.core.db import db
from likepion.core.errors import NotFound, ValidationFailed
from likepion.core.pagination import Page, paginate
from likepion.credits import ledger
from likepion.credits.models import LedgerEntry


def list_ledger(user: User, *, page: int, limit: int) -> Page:
    """The user's ledger, newest first."""
    stmt = (
        select(LedgerEntry)
        .where(LedgerEntry.user_id == user.id)
        .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id)
    )
    return paginate(stmt, page, limit)


def grant_credits(email: str, amount: int, *, reason: str = "admin.credit") -> int:
    """Add `amount` credits to the user with this email (a ledger row); the new balance."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationFailed(f"Amount must be a positive whole number, got {amount}.")
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"No user with email {email.strip()}.")
    balance = ledger.top_up(user.id, amount, reason=reason)
    db.session.commit()
    return balance
