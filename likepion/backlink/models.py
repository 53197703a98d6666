import uuid
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
    text,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column

from likepion.auth.models import User
from likepion.core.crypto import Encrypted
from likepion.core.db import Timestamps, UUIDPk, db

REQUEST_STATUSES = ("pending", "running", "stopped", "completed", "failed")
LINK_STATUSES = ("pending", "queued", "running", "completed", "failed", "cancel")
# Link statuses a worker can still move forward.
OPEN_LINK_STATUSES = ("pending", "queued", "running")


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


class Group(UUIDPk, Timestamps, db.Model):
    """A user's pool of third-party accounts for one service type."""

    __tablename__ = "groups"
    __table_args__ = (Index("ix_groups_user_type", "user_id", "service_type"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    service_type: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="active")
    # Counters kept by backlink.counters beside every write of the group's accounts, so lists
    # never count rows; `flask counters verify` checks them against COUNTs.
    account_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    account_active: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Account(UUIDPk, Timestamps, db.Model):
    """A third-party account; credentials are encrypted at rest (core.crypto.Encrypted)."""

    __tablename__ = "accounts"
    __table_args__ = (
        # identity = lower(username) or lower(email): the duplicate key of docs/api-backlink.md.
        UniqueConstraint("group_id", "website", "identity", name="uq_accounts_group_site_identity"),
        Index("ix_accounts_group_status", "group_id", "status"),
        Index("ix_accounts_user", "user_id"),
        # The accounts page's order, covering: a deep page walks index entries only.
        Index(
            "ix_accounts_group_created",
            "group_id",
            text("created_at DESC"),
            "website",
            "identity",
            "id",
        ),
    )

    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    service_type: Mapped[str] = mapped_column(String(16))
    site_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sites.id", ondelete="SET NULL"))
    website: Mapped[str] = mapped_column(String(255))
    identity: Mapped[str] = mapped_column(String(255))
    username: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(254))
    password: Mapped[str | None] = mapped_column(Encrypted)
    app_password: Mapped[str | None] = mapped_column(Encrypted)
    pass_mail: Mapped[str | None] = mapped_column(Encrypted)
    twofa: Mapped[str | None] = mapped_column(Encrypted)
    cookies: Mapped[str | None] = mapped_column(Encrypted)
    note: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    is_indexed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Podcast primary account: the feed the secondary sites import (set by a worker).
    link_rss: Mapped[str | None] = mapped_column(Text)
    # Worker claims (worker.claims): a secondary-site posting, and a credentials check.
    posting_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    posting_server_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("servers.id", ondelete="SET NULL")
    )
    check_claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    check_server_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("servers.id", ondelete="SET NULL")
    )


class Request(UUIDPk, Timestamps, db.Model):
    """A customer's campaign for one service type; `deleted_at` hides it (rows stay for the
    ledger's references)."""

    __tablename__ = "requests"
    __table_args__ = (
        Index("ix_requests_user_type_created", "user_id", "service_type", "created_at"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    service_type: Mapped[str] = mapped_column(String(16))
    group_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(255))
    website: Mapped[str | None] = mapped_column(String(2048))
    auction_price: Mapped[int] = mapped_column(Integer)
    target: Mapped[int] = mapped_column(Integer)
    # Completed links the customer deleted: built and paid for, so their slots stay spent.
    deleted_completed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    priority: Mapped[int] = mapped_column(Integer, default=5)
    type_request: Mapped[str] = mapped_column(String(32))
    config: Mapped[dict] = mapped_column(JSON, default=dict)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    folder_urls: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Counters kept by backlink.counters beside every write of the request's links: all its
    # links (secondary ones too), and its own completed ones. Never touched by a claim.
    link_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_links: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Link(UUIDPk, Timestamps, db.Model):
    """One backlink to build. `priority` and `auction_price` are copied from the request so the
    worker's claim query reads one table through one partial index (docs/decisions.md)."""

    __tablename__ = "links"
    __table_args__ = (
        # Covers the progress counts (progress.link_counts, counters.verify).
        Index("ix_links_request_status", "request_id", "status", "secondary"),
        # The links page's order; id makes it total (planned links share one created_at).
        Index("ix_links_request_created", "request_id", "created_at", "id"),
        Index(
            "ix_links_claim_queue",
            "service_type",
            text("priority DESC"),
            text("auction_price DESC"),
            "created_at",
            postgresql_where=text("status = 'queued'"),
            sqlite_where=text("status = 'queued'"),
        ),
        Index("ix_links_claimed_until", "claimed_until"),
    )

    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    service_type: Mapped[str] = mapped_column(String(16))
    site_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sites.id", ondelete="SET NULL"))
    account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    server_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("servers.id", ondelete="SET NULL")
    )
    priority: Mapped[int] = mapped_column(Integer, default=5)
    auction_price: Mapped[int] = mapped_column(Integer)
    email: Mapped[str | None] = mapped_column(String(254))
    username: Mapped[str | None] = mapped_column(String(255))
    password: Mapped[str | None] = mapped_column(Encrypted)
    about: Mapped[str | None] = mapped_column(Text)
    link_profile: Mapped[str | None] = mapped_column(Text)
    link_post: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    note: Mapped[str | None] = mapped_column(Text)
    error_message: Mapped[str | None] = mapped_column(Text)
    retry_count: Mapped[int] = mapped_column(Integer, default=0)
    max_retries: Mapped[int] = mapped_column(Integer, default=3)
    is_indexed: Mapped[bool] = mapped_column(Boolean, default=False)
    refunded: Mapped[bool] = mapped_column(Boolean, default=False)
    # A podcast secondary-site link inserted by a worker: not charged, not part of the target.
    secondary: Mapped[bool] = mapped_column(Boolean, default=False)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# The group's owner for the groups API; deferred: only the groups API asks for it.
Group.user_uuid = column_property(
    select(User.uuid).where(User.id == Group.user_id).correlate_except(User).scalar_subquery(),
    deferred=True,
    group="counts",
)
