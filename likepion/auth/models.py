from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from likepion.core.crypto import Encrypted
from likepion.core.db import NEVER_REUSED_IDS, BigInt, Timestamps, UUIDPk, db
from likepion.core.time import utcnow


class User(Timestamps, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("credits >= 0", name="credits_non_negative"),
        NEVER_REUSED_IDS,
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[UUID] = mapped_column(Uuid, unique=True, default=uuid4)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # Looked up by hash on every shortener request; kept encrypted so /auth/me can show it.
    api_key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    api_key_encrypted: Mapped[str] = mapped_column(Encrypted)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    credits: Mapped[int] = mapped_column(BigInt, default=0)
    # Part of every JWT (claim `ver`); a password change or key rotation bumps it, so every token
    # issued before stops working.
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The shortener's plan; NULL means the free plan (shortener.limits.user_plan reads it).
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"))
    plan_expires: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # An admin's delete: the user can no longer sign in or use keys; rows stay for the ledger.
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def api_key(self) -> str:
        return self.api_key_encrypted


class SsoToken(db.Model):
    """A one-time login link for a user, valid for an hour (stored as the token's SHA-256)."""

    __tablename__ = "sso_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Server(UUIDPk, Timestamps, db.Model):
    """A worker server; it authenticates with an API key of which only the hash is kept."""

    __tablename__ = "servers"

    name: Mapped[str] = mapped_column(String(64), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
