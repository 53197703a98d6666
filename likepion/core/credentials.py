"""Reading the caller's credential from request headers."""

from flask import request


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer <token>` header, if any."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def server_key() -> str | None:
    """A worker server's `X-API-Key` header, if any."""
    return request.headers.get("X-API-Key", "").strip() or None
