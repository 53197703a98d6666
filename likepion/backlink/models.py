from sqlalchemy import Boolean, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from likepion.core.db import Timestamps, UUIDPk, db


class Site(UUIDPk, Timestamps, db.Model):
    """A third-party platform a service type posts to (e.g. anchor.fm for podcast)."""

    __tablename__ = "sites"
    __table_args__ = (
        UniqueConstraint("service_type", "name", name="uq_sites_service_type_name"),
        Index("ix_sites_type_active", "service_type", "active"),
    )

    service_type: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="primary")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
