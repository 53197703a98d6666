from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from likepion.core.db import db
from likepion.core.time import utcnow


class Plan(db.Model):
    """A shortener subscription plan; `limits` holds the seed's limits object as it is."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    free: Mapped[bool] = mapped_column(Boolean, default=False)
    prices: Mapped[dict | None] = mapped_column(JSON)
    limits: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
