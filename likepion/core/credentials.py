"""Reading the caller's credential from request headers, and telling the kinds apart by shape."""

import re

from flask import request

# A JWT is three dot-separated base64url parts; our API keys (user and server alike) are
# crypto.new_key()'s 43 base64url characters, with no dot.
JWT_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
KEY_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer <token>` header, if any."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def api_key() -> str | None:
    """A shortener API key from `Authorization`: `Bearer <key>`, `Token <key>` (GemPixel's PHP
    wrapper and API guide) or the bare key (the npm client). Another scheme is no key."""
    value = request.headers.get("Authorization", "").strip()
    scheme, _, token = value.partition(" ")
    if not token:
        return value or None
    return token.strip() if scheme.lower() in ("bearer", "token") else None


def server_key() -> str | None:
    """A worker server's `X-API-Key` header, if any."""
    return request.headers.get("X-API-Key", "").strip() or None


def looks_like_jwt(value: str | None) -> bool:
    return bool(value) and JWT_SHAPE.fullmatch(value) is not None


def looks_like_key(value: str | None) -> bool:
    return bool(value) and KEY_SHAPE.fullmatch(value) is not None
