from datetime import datetime

from sqlalchemy import Boolean, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from likepion.core.db import Timestamps, UUIDPk, db


class Server(UUIDPk, Timestamps, db.Model):
    """A worker server; it authenticates with an API key of which only the hash is kept."""

    __tablename__ = "servers"

    name: Mapped[str] = mapped_column(String(64), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
