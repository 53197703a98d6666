from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from likepion.core.db import BigInt, UUIDPk, db
from likepion.core.time import utcnow


class LedgerEntry(UUIDPk, db.Model):
    """One change of a user's credits; amount is negative for charges."""

    __tablename__ = "credit_ledger"
    __table_args__ = (Index("ix_credit_ledger_user_created", "user_id", "created_at"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    amount: Mapped[int] = mapped_column(BigInt)
    reason: Mapped[str] = mapped_column(String(64))
    reference: Mapped[str | None] = mapped_column(String(64))
    balance_after: Mapped[int] = mapped_column(BigInt)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
