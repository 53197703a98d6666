"""The only writer of User.credits. Each change is one conditional UPDATE plus a ledger row.

The UPDATE computes the new balance in the database (`credits = credits - :n WHERE credits >= :n`),
so concurrent chargers queue on the row lock and none can take the balance below zero, nor above
MAX_BALANCE (`credits + :n WHERE credits <= MAX_BALANCE - :n`). Callers own the transaction: these
functions flush, never commit.
"""

from sqlalchemy import update
from sqlalchemy.orm.util import identity_key

from likepion.auth.models import User
from likepion.core import metrics
from likepion.core.db import db
from likepion.core.errors import InsufficientCredits, ValidationFailed
from likepion.credits.models import LedgerEntry

# The most credits a balance may hold: far inside the 64-bit columns, and exact as a JSON number
# in every client (JavaScript's integers are exact up to 2**53).
MAX_BALANCE = 10**15


def charge(user_id: int, amount: int, reason: str, ref=None) -> int:
    """Take `amount` credits; InsufficientCredits (and no change) when the balance is short."""
    _check_amount(amount)
    balance = _apply(user_id, -amount, User.credits >= amount) if amount <= MAX_BALANCE else None
    if balance is None:
        raise InsufficientCredits(
            f"Not enough credits: this costs {amount}.", details={"required": amount}
        )
    _record(user_id, -amount, reason, ref, balance)
    metrics.CREDITS_CHARGED.inc(amount)
    return balance


def refund(user_id: int, amount: int, reason: str, ref=None) -> int:
    """Give back `amount` credits taken earlier by a charge."""
    balance = _credit(user_id, amount, reason, ref)
    metrics.CREDITS_REFUNDED.inc(amount)
    return balance


def top_up(user_id: int, amount: int, reason: str = "top_up", ref=None) -> int:
    """Add bought or granted credits."""
    return _credit(user_id, amount, reason, ref)


def _credit(user_id, amount, reason, ref) -> int:
    _check_amount(amount)
    fits = amount <= MAX_BALANCE
    balance = _apply(user_id, amount, User.credits <= MAX_BALANCE - amount) if fits else None
    if balance is None:
        if db.session.get(User, user_id) is None:
            raise LookupError(f"user {user_id} does not exist")
        raise ValidationFailed(
            f"The balance cannot exceed {MAX_BALANCE} credits.", code="balance_limit"
        )
    _record(user_id, amount, reason, ref, balance)
    return balance


def _check_amount(amount: int) -> None:
    if not isinstance(amount, int) or amount <= 0:
        raise ValueError(f"amount must be a positive integer, got {amount!r}")


def _apply(user_id: int, delta: int, condition) -> int | None:
    stmt = (
        update(User)
        .where(User.id == user_id, condition)
        .values(credits=User.credits + delta)
        .returning(User.credits)
        .execution_options(synchronize_session=False)
    )
    balance = db.session.execute(stmt).scalar()
    loaded = db.session.identity_map.get(identity_key(User, user_id))
    if loaded is not None:
        db.session.expire(loaded, ["credits"])
    return balance


def _record(user_id, amount, reason, ref, balance) -> None:
    reference = None if ref is None else str(ref)
    db.session.add(
        LedgerEntry(
            user_id=user_id,
            amount=amount,
            reason=reason,
            reference=reference,
            balance_after=balance,
        )
    )
    db.session.flush()
