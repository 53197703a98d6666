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
from sqlalchemy.orm import Mapped, mapped_column, relationship

from likepion.core.crypto import Encrypted
from likepion.core.db import Timestamps, db
from likepion.shortener.models import Plan


class User(Timestamps, db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("credits >= 0", name="credits_non_negative"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[UUID] = mapped_column(Uuid, unique=True, default=uuid4)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # Looked up by hash on every shortener request; kept encrypted so /auth/me can show it.
    api_key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    api_key_encrypted: Mapped[str] = mapped_column(Encrypted)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    credits: Mapped[int] = mapped_column(Integer, default=0)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"))
    plan_expires: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    plan = relationship(Plan, lazy="joined")

    @property
    def api_key(self) -> str:
        return self.api_key_encrypted
