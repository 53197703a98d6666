"""Alias and branded-domain lookups (cached in each process) and the choice of destination.

Invalidation across gunicorn workers is a version stamp that the shortener moves with every
change of a link or domain (likepion/shortener/alias_version.py). Each process re-reads it at
most every ALIAS_CACHE_CHECK_SECONDS (default 1 s) and drops its cache when the number moved, so
another worker's edit shows within that interval; the process that made the edit drops its own
cache at once, when the shortener's `aliases_changed` signal says so.
"""

import threading
import time
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app, request
from sqlalchemy import select

from likepion.core.db import read_only
from likepion.core.time import as_utc
from likepion.shortener import alias_version
from likepion.shortener.models import Domain, Overlay, Pixel, ShortUrl, Splash, short_url_pixels

MAX_ENTRIES = 100_000
# A DNS name is at most 253 characters; with a port, 259. A longer Host is nobody's domain.
MAX_HOST_LENGTH = 259
MAX_ALIAS_LENGTH = 64
_MISSING = object()


@dataclass(frozen=True, slots=True)
class Target:
    """What the redirect needs of a short link, and nothing else."""

    id: int
    url: str
    type: str
    password_hash: str | None
    expiry: datetime | None
    geo: dict | None
    devices: dict | None
    languages: dict | None
    deeplink: dict | None
    splash_id: int | None
    overlay_id: int | None


@dataclass(frozen=True, slots=True)
class BrandedDomain:
    id: int
    redirect_root: str | None
    redirect_404: str | None


# Target's fields, in its order.
TARGET_COLUMNS = (
    ShortUrl.id,
    ShortUrl.url,
    ShortUrl.type,
    ShortUrl.password_hash,
    ShortUrl.expiry,
    ShortUrl.geo_targets.label("geo"),
    ShortUrl.device_targets.label("devices"),
    ShortUrl.language_targets.label("languages"),
    ShortUrl.deeplink,
    ShortUrl.splash_id,
    ShortUrl.overlay_id,
)


class AliasCache:
    """`(domain_key, alias) -> Target | None` and `host -> BrandedDomain | None`, per process."""

    def __init__(self, config: dict):
        self._config = config  # the app's, read live (tests change it)
        self._entries: dict = {}
        self._version: int | None = None
        self._checked_at = float("-inf")
        self._checking = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def target(self, domain_key: int, alias: str) -> Target | None:
        if len(alias) > MAX_ALIAS_LENGTH:
            return None
        self._revalidate()
        key = (domain_key, alias)
        found = self._entries.get(key, _MISSING)
        if found is _MISSING:
            found = self._remember(key, _load_target(domain_key, alias))
        return found

    def domain(self, host: str) -> BrandedDomain | None:
        """The branded domain of `host`. A miss is remembered only for the service's own host:
        any client can send any Host header, and remembering each would fill the cache."""
        if len(host) > MAX_HOST_LENGTH:
            return None
        self._revalidate()
        found = self._entries.get(host, _MISSING)
        if found is _MISSING:
            found = _load_domain(host)
            if found is not None or is_public_host(host):
                self._remember(host, found)
        return found

    def clear(self) -> None:
        self._entries.clear()
        self._checked_at = float("-inf")

    def _remember(self, key, value):
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = value
        return value

    def _revalidate(self) -> None:
        """Re-read the version when it is due. One thread reads while the others go on with the
        cache: under load, every thread found it due at once, and each read took a connection
        (past the pool's size, a new one)."""
        now = time.monotonic()
        if now - self._checked_at < self._config["ALIAS_CACHE_CHECK_SECONDS"]:
            return
        if not self._checking.acquire(blocking=False):
            return
        try:
            self._check_version(now)
        finally:
            self._checking.release()

    def _check_version(self, now: float) -> None:
        version = _read_version()
        if version != self._version:
            self._entries.clear()
            self._version = version
        self._checked_at = now


def is_public_host(host: str) -> bool:
    """True when `host` (a Host header) is PUBLIC_URL's host, spelt with or without its port."""
    public = urlsplit(current_app.config.get("PUBLIC_URL") or "")
    return bool(public.netloc) and host in (public.netloc.lower(), public.hostname)


def cache() -> AliasCache:
    """This app's cache in this process."""
    found = current_app.extensions.get("alias_cache")
    if found is None:  # setdefault: threads racing here all get the same cache
        found = current_app.extensions.setdefault("alias_cache", AliasCache(current_app.config))
    return found


@alias_version.aliases_changed.connect
def _drop_cache(app) -> None:
    found = app.extensions.get("alias_cache")
    if found is not None:
        found.clear()


def _read_version() -> int:
    with read_only() as conn:
        return alias_version.read_version(conn)


def _load_target(domain_key: int, alias: str) -> Target | None:
    stmt = select(*TARGET_COLUMNS).where(ShortUrl.domain_key == domain_key, ShortUrl.alias == alias)
    with read_only() as conn:
        row = conn.execute(stmt).first()
    if row is None:
        return None
    return Target(**row._asdict() | {"expiry": as_utc(row.expiry) if row.expiry else None})


def _load_domain(host: str) -> BrandedDomain | None:
    stmt = select(Domain.id, Domain.redirect_root, Domain.redirect_404).where(Domain.host == host)
    with read_only() as conn:
        row = conn.execute(stmt).first()
    return BrandedDomain(*row) if row else None


def pixels(link_id: int) -> list[tuple[str, str]]:
    """(type, tag) of the link's tracking pixels, for the pages that show HTML."""
    stmt = (
        select(Pixel.type, Pixel.tag)
        .join(short_url_pixels, short_url_pixels.c.pixel_id == Pixel.id)
        .where(short_url_pixels.c.short_url_id == link_id)
        .order_by(Pixel.id)
    )
    with read_only() as conn:
        return [tuple(row) for row in conn.execute(stmt)]


def decoration(target: Target):
    """The splash page row of a splash link, or the overlay row of a framed link (or None)."""
    model, row_id = (
        (Splash, target.splash_id) if target.type == "splash" else (Overlay, target.overlay_id)
    )
    if row_id is None:
        return None
    with read_only() as conn:
        return conn.execute(select(model.__table__).where(model.id == row_id)).first()


def destination(target: Target, visit) -> str:
    """Where this visitor goes: a deep link for their app store, else the first target that
    matches their country, device or language, else the link's URL."""
    deeplink = target.deeplink or {}
    if deeplink.get("auto"):
        store = {"iphone": "apple", "ipad": "apple", "android": "google"}.get(visit.device)
        if store and deeplink.get(store):
            return deeplink[store]
    if target.geo and visit.country in target.geo:
        return target.geo[visit.country]
    if target.devices:
        for device in (visit.device, visit.form):
            if device in target.devices:
                return target.devices[device]
    if target.languages:
        language = request.accept_languages.best_match(list(target.languages))
        if language:
            return target.languages[language]
    return target.url
