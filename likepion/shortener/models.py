"""Shortener models: plans, short links and what decorates them, QR codes, clicks."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from likepion.core.db import NEVER_REUSED_IDS, Timestamps, db
from likepion.core.time import utcnow


class Plan(db.Model):
    """A shortener subscription plan; `limits` holds the seed's limits object as it is."""

    __tablename__ = "plans"
    __table_args__ = NEVER_REUSED_IDS

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    free: Mapped[bool] = mapped_column(Boolean, default=False)
    prices: Mapped[dict | None] = mapped_column(JSON)
    limits: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def _owner() -> Mapped[int]:
    return mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class Domain(Timestamps, db.Model):
    """A branded domain: its host (lower case, with port if any) picks its links on redirect."""

    __tablename__ = "domains"
    __table_args__ = NEVER_REUSED_IDS

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = _owner()
    scheme: Mapped[str] = mapped_column(String(5))
    host: Mapped[str] = mapped_column(String(253), unique=True)
    redirect_root: Mapped[str | None] = mapped_column(String(2048))
    redirect_404: Mapped[str | None] = mapped_column(String(2048))

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}"


class Campaign(Timestamps, db.Model):
    """A bundle of links; with a slug it is also a rotator at `/r/<slug>`."""

    __tablename__ = "campaigns"
    __table_args__ = NEVER_REUSED_IDS

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = _owner()
    name: Mapped[str] = mapped_column(String(100))
    slug: Mapped[str | None] = mapped_column(String(64), unique=True)
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    # Round robin: the rotator serves the link after this many turns (mod the link count).
    rotator_turn: Mapped[int] = mapped_column(Integer, default=0)


class Splash(Timestamps, db.Model):
    """A custom splash page shown for a few seconds before the destination."""

    __tablename__ = "splashes"
    __table_args__ = NEVER_REUSED_IDS

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = _owner()
    name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(255))
    message: Mapped[str | None] = mapped_column(String(2000))
    link: Mapped[str | None] = mapped_column(String(2048))
    counter: Mapped[int] = mapped_column(Integer, default=5)


class Overlay(Timestamps, db.Model):
    """A call-to-action overlay shown over the destination page (seed: "CTA overlays")."""

    __tablename__ = "overlays"
    __table_args__ = NEVER_REUSED_IDS

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = _owner()
    type: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    message: Mapped[str | None] = mapped_column(String(2000))
    button_text: Mapped[str | None] = mapped_column(String(100))
    button_url: Mapped[str | None] = mapped_column(String(2048))


class Pixel(Timestamps, db.Model):
    """A tracking pixel (one of the seed's 13 types) rendered on a link's HTML pages."""

    __tablename__ = "pixels"
    __table_args__ = NEVER_REUSED_IDS

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = _owner()
    type: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    tag: Mapped[str] = mapped_column(String(255))


short_url_pixels = Table(
    "short_url_pixels",
    db.metadata,
    Column("short_url_id", ForeignKey("short_urls.id", ondelete="CASCADE"), primary_key=True),
    Column("pixel_id", ForeignKey("pixels.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class ShortUrl(Timestamps, db.Model):
    """A short link: `alias` on a domain (domain_key 0 is the service's own host)."""

    __tablename__ = "short_urls"
    label = "Link"
    __table_args__ = (UniqueConstraint("domain_key", "alias"), NEVER_REUSED_IDS)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = _owner()
    domain_id: Mapped[int | None] = mapped_column(ForeignKey("domains.id"), index=True)
    # domain_id, or 0 for the own host: NULLs never collide in a unique constraint.
    domain_key: Mapped[int] = mapped_column(Integer, default=0)
    alias: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(2048))
    type: Mapped[str] = mapped_column(String(16), default="direct")
    splash_id: Mapped[int | None] = mapped_column(
        ForeignKey("splashes.id", ondelete="SET NULL"), index=True
    )
    overlay_id: Mapped[int | None] = mapped_column(
        ForeignKey("overlays.id", ondelete="SET NULL"), index=True
    )
    password_hash: Mapped[str | None] = mapped_column(String(255))
    expiry: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    title: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(String(1000))
    meta_image: Mapped[str | None] = mapped_column(String(2048))
    # "private" links are left out of public campaign lists.
    status: Mapped[str] = mapped_column(String(8), default="public", server_default="public")
    # {"CA": url}, {"iphone": url}, {"fr": url}; {"auto": bool, "apple": url, "google": url}
    geo_targets: Mapped[dict | None] = mapped_column(JSON)
    device_targets: Mapped[dict | None] = mapped_column(JSON)
    language_targets: Mapped[dict | None] = mapped_column(JSON)
    deeplink: Mapped[dict | None] = mapped_column(JSON)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL"), index=True
    )
    # The owner's choice to show aggregate stats to anyone at `/<alias>+`.
    public_stats: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    domain = relationship(Domain, lazy="joined")
    pixels = relationship(Pixel, secondary=short_url_pixels, order_by=Pixel.id)


class QrCode(Timestamps, db.Model):
    """A QR code; its image is served at `/qr/<alias>` and each fetch counts as a scan."""

    __tablename__ = "qr_codes"
    __table_args__ = NEVER_REUSED_IDS
    label = "QR code"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = _owner()
    alias: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(8))
    data: Mapped[dict] = mapped_column(JSON)  # {"value": str} or the type's fields
    background: Mapped[str] = mapped_column(String(24), default="rgb(255,255,255)")
    foreground: Mapped[str] = mapped_column(String(24), default="rgb(0,0,0)")
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)


class Channel(Timestamps, db.Model):
    """A folder of links and QR codes with a badge colour."""

    __tablename__ = "channels"
    __table_args__ = NEVER_REUSED_IDS

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = _owner()
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(1000))
    color: Mapped[str] = mapped_column(String(7), default="#000000")
    starred: Mapped[bool] = mapped_column(Boolean, default=False)


class ChannelItem(db.Model):
    """One link or QR code in a channel; deleting either side removes the row."""

    __tablename__ = "channel_items"
    __table_args__ = (
        UniqueConstraint("channel_id", "short_url_id", name="uq_channel_items_channel_link"),
        UniqueConstraint("channel_id", "qr_code_id", name="uq_channel_items_channel_qr"),
        CheckConstraint("(short_url_id IS NULL) <> (qr_code_id IS NULL)", name="one_item"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    short_url_id: Mapped[int | None] = mapped_column(
        ForeignKey("short_urls.id", ondelete="CASCADE"), index=True
    )
    qr_code_id: Mapped[int | None] = mapped_column(
        ForeignKey("qr_codes.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Click(db.Model):
    """One counted visit of a short link or fetch of a QR image; bots are never stored."""

    __tablename__ = "clicks"
    # A click is of a link or of a QR code: each index holds only the rows it is for.
    __table_args__ = (
        Index("ix_clicks_short_url_created", "short_url_id", "created_at",
              sqlite_where=text("short_url_id IS NOT NULL"),
              postgresql_where=text("short_url_id IS NOT NULL")),
        Index("ix_clicks_qr_code_created", "qr_code_id", "created_at",
              sqlite_where=text("qr_code_id IS NOT NULL"),
              postgresql_where=text("qr_code_id IS NOT NULL")),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    short_url_id: Mapped[int | None] = mapped_column(
        ForeignKey("short_urls.id", ondelete="CASCADE")
    )
    qr_code_id: Mapped[int | None] = mapped_column(ForeignKey("qr_codes.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    country: Mapped[str | None] = mapped_column(String(2))
    referrer_host: Mapped[str | None] = mapped_column(String(255))
    browser: Mapped[str | None] = mapped_column(String(64))
    os: Mapped[str | None] = mapped_column(String(64))
    # A salted hash of (day, IP, user agent): counts unique visitors without keeping the IP.
    visitor: Mapped[str | None] = mapped_column(String(32))


class _Rollup:
    """How many clicks of one object fell in one bucket, per dimension value.

    period: "h" an hour, "d" a UTC day, "a" all time (bucket 1970-01-01); dimension: total,
    unique (new (day, visitor) pairs), country, referrer, browser or os; value "" stands for
    none (and for total and unique). Written by the click writer, rebuilt by rollups.rebuild.
    """

    period: Mapped[str] = mapped_column(String(1))
    dimension: Mapped[str] = mapped_column(String(8))
    bucket: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    value: Mapped[str] = mapped_column(String(255))
    n: Mapped[int] = mapped_column(BigInteger)


# On SQLite the rows live in their primary key's b-tree (WITHOUT ROWID): a range read of one
# object's buckets is one contiguous scan, not a table lookup per index entry.
CLUSTERED = {"sqlite_with_rowid": False}


def _rollup_key(table: str) -> tuple:
    return (
        PrimaryKeyConstraint(
            "object_id", "period", "dimension", "bucket", "value", name=f"pk_{table}"
        ),
        CLUSTERED,
    )


class LinkRollup(_Rollup, db.Model):
    __tablename__ = "link_rollups"
    __table_args__ = _rollup_key("link_rollups")

    object_id: Mapped[int] = mapped_column(ForeignKey("short_urls.id", ondelete="CASCADE"))


class QrRollup(_Rollup, db.Model):
    __tablename__ = "qr_rollups"
    __table_args__ = _rollup_key("qr_rollups")

    object_id: Mapped[int] = mapped_column(ForeignKey("qr_codes.id", ondelete="CASCADE"))


class _Visitor:
    """One (UTC day, visitor hash) pair seen on one object: exact unique visitors."""

    day: Mapped[date] = mapped_column(Date)
    visitor: Mapped[str] = mapped_column(String(32))


def _visitor_key(table: str) -> tuple:
    return (PrimaryKeyConstraint("object_id", "day", "visitor", name=f"pk_{table}"), CLUSTERED)


class LinkVisitor(_Visitor, db.Model):
    __tablename__ = "link_visitors"
    __table_args__ = _visitor_key("link_visitors")

    object_id: Mapped[int] = mapped_column(ForeignKey("short_urls.id", ondelete="CASCADE"))


class QrVisitor(_Visitor, db.Model):
    __tablename__ = "qr_visitors"
    __table_args__ = _visitor_key("qr_visitors")

    object_id: Mapped[int] = mapped_column(ForeignKey("qr_codes.id", ondelete="CASCADE"))


class AliasCacheVersion(db.Model):
    """One row whose `version` goes up whenever a link or branded domain changes; every worker
    compares it (at most once a second) with the version its alias cache was built at."""

    __tablename__ = "alias_cache_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
