"""Configuration classes; every key can be overridden by an environment variable of its name."""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def database_url(url: str) -> str:
    """Point PostgreSQL URLs at psycopg 3 (`postgres://` and bare `postgresql://` included)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _parse(raw: str, default):
    if isinstance(default, bool):
        if raw.strip().lower() in {"1", "true", "yes", "on"}:
            return True
        if raw.strip().lower() in {"0", "false", "no", "off", ""}:
            return False
        raise ValueError(f"expected a boolean, got {raw!r}")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, timedelta):
        return timedelta(seconds=int(raw))
    return raw


def env_overrides(config_class: type) -> dict:
    """Values from the environment for every upper-case key of `config_class`, parsed by type."""
    overrides = {}
    for key in dir(config_class):
        if key.isupper() and key in os.environ:
            overrides[key] = _parse(os.environ[key], getattr(config_class, key))
    if "DATABASE_URL" in os.environ:
        overrides["SQLALCHEMY_DATABASE_URI"] = database_url(os.environ["DATABASE_URL"])
    if "REDIS_URL" in os.environ and "RATELIMIT_STORAGE_URI" not in os.environ:
        overrides["RATELIMIT_STORAGE_URI"] = os.environ["REDIS_URL"]
    return overrides


class Config:
    SECRET_KEY = "dev-secret-key-change-me"
    JWT_SECRET_KEY = "dev-jwt-secret-key-change-me-0000"
    # Comma-separated Fernet keys, newest first; older keys still decrypt (rotation).
    CREDENTIALS_KEY = "ZGV2LWNyZWRlbnRpYWxzLWtleS0zMi1ieXRlcy0wMDA="

    SQLALCHEMY_DATABASE_URI = f"sqlite:///{INSTANCE_DIR / 'likepion.db'}"
    # No pool_pre_ping: core/db.py pings only connections that sat idle (see _ping_if_idle).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    # A request's config, data and folder_urls: at most this many bytes as JSON, levels deep.
    JSON_FIELD_MAX_BYTES = 64 * 1024
    JSON_FIELD_MAX_DEPTH = 20

    JWT_ACCESS_TOKEN_EXPIRES = timedelta(hours=1)
    JWT_REFRESH_TOKEN_EXPIRES = timedelta(days=30)
    REGISTRATION_ENABLED = True
    PASSWORD_HASH_PROFILE = "RFC_9106_LOW_MEMORY"

    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_STRATEGY = "moving-window"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_KEY_PREFIX = "likepion"
    SHORTENER_RATE_LIMIT = "30 per minute"
    BACKLINK_RATE_LIMIT = "120 per minute"
    WORKER_RATE_LIMIT = "600 per minute"
    AUTH_RATE_LIMIT = "60 per minute"
    # Public routes, per client IP: link password tries (per link) and QR renders.
    PASSWORD_RATE_LIMIT = "10 per minute"
    QR_RATE_LIMIT = "60 per minute"
    # Redis gone: count in each process meanwhile (logged), back to Redis when it answers.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Proxies in front that set X-Forwarded-For/-Proto/-Host (werkzeug ProxyFix); Heroku: 1.
    TRUSTED_PROXY_HOPS = 0
    # When set, GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`.
    METRICS_TOKEN = ""

    CLAIM_TTL_MINUTES = 15
    # Base of short links, QR and rotator URLs (e.g. https://buildlink.org); empty: the request's.
    PUBLIC_URL = ""
    SSO_TOKEN_MINUTES = 60
    # Clicks are written every CLICK_FLUSH_SECONDS, or sooner when this many are waiting. Each
    # write has a fixed cost (a transaction, the rollup upserts): under load the timer, not the
    # size, should set the pace.
    CLICK_BATCH_SIZE = 1000
    CLICK_FLUSH_SECONDS = 1.0
    # Raw clicks older than this many days go at `flask clicks prune`; 0 keeps them forever.
    # Totals never go: they live in the rollups.
    CLICK_RETENTION_DAYS = 0
    # Hourly rollups cover this many days (`interval=hour`); older ones go at `flask clicks prune`.
    CLICK_HOURLY_DAYS = 14
    # How often a process checks whether another one changed a link (alias cache version).
    ALIAS_CACHE_CHECK_SECONDS = 1.0
    LOG_LEVEL = "INFO"

    API_TITLE = "Likepion"
    API_VERSION = "1.0"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/"
    OPENAPI_JSON_PATH = "openapi.json"


class DevelopmentConfig(Config):
    pass


class TestConfig(Config):
    TESTING = True
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    PASSWORD_HASH_PROFILE = "CHEAPEST"
    JWT_SECRET_KEY = "test-jwt-secret-key-0000000000000000"
    CLICK_BATCH_SIZE = 1  # each click is written during its request, so tests see it at once
    LOG_LEVEL = "WARNING"


class ProductionConfig(Config):
    """Secrets and the public URL must come from the environment; create_app refuses the
    development defaults (and a forged Host header must not decide what is our own host)."""

    REQUIRED_FROM_ENV = (
        "SECRET_KEY", "JWT_SECRET_KEY", "CREDENTIALS_KEY", "DATABASE_URL", "PUBLIC_URL",
    )  # fmt: skip
    # Limits must be shared by every worker: REDIS_URL, or an explicit RATELIMIT_STORAGE_URI
    # (`memory://` counts in each worker apart, on purpose).
    REQUIRED_ONE_OF_ENV = (("REDIS_URL", "RATELIMIT_STORAGE_URI"),)


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestConfig,
    "production": ProductionConfig,
}
