"""Per-family rate limits: one shared counter per caller across all routes of an API family."""

from flask import Flask, current_app
from flask_jwt_extended import decode_token
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from likepion.core.credentials import bearer_token, server_key
from likepion.core.crypto import key_hash


def client_ip() -> str:
    return "ip:" + (get_remote_address() or "unknown")


def api_key_identity() -> str:
    """Shortener callers: the hash of their API key."""
    token = bearer_token()
    return "key:" + key_hash(token) if token else client_ip()


def jwt_identity() -> str:
    """Backlink callers: the user inside a valid access token (tokens rotate, users do not)."""
    token = bearer_token()
    if token:
        try:
            return "user:" + decode_token(token)["sub"]
        except Exception:  # noqa: BLE001 - any bad token is simply not an identity
            pass
    return client_ip()


def server_identity() -> str:
    """Worker callers: the hash of their server key."""
    key = server_key()
    return "server:" + key_hash(key) if key else client_ip()


def init_rate_limits(app: Flask, family_limits: list[tuple]) -> Limiter:
    """A limiter for this app with `(blueprint, config_key, key_func)` shared limits.

    The limiter is built per app (not a module global) because Flask-Limiter keeps the first
    app's key prefix and strategy on the object, and tests build many apps.
    """
    limiter = Limiter(key_func=client_ip, app=app)
    for blueprint, config_key, key_func in family_limits:
        limiter.shared_limit(
            lambda key=config_key: current_app.config[key],
            scope=config_key.lower(),
            key_func=key_func,
        )(blueprint)
    return limiter
