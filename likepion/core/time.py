"""UTC time helpers: every stored time is timezone-aware UTC."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def iso_z(value: datetime | None) -> str | None:
    """`2025-06-01T00:00:00Z`, the backlink and worker APIs' time format."""
    if value is None:
        return None
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def plain(value: datetime | None) -> str | None:
    """`2025-06-01 00:00:00`, the shortener API's time format."""
    if value is None:
        return None
    return as_utc(value).strftime("%Y-%m-%d %H:%M:%S")
