"""View decorators that authenticate the caller and pass it to the view as a keyword argument."""

from functools import wraps

from flask import request
from flask_jwt_extended import get_jwt, get_jwt_identity, verify_jwt_in_request
from flask_smorest import Blueprint

from likepion.auth import servers, services
from likepion.core.credentials import api_key, looks_like_jwt, looks_like_key, server_key
from likepion.core.errors import Unauthorized


def _jwt_guard(*, refresh: bool):
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            _refuse_other_credentials_than_jwt(refresh)
            verify_jwt_in_request(refresh=refresh)
            user = services.get_user(get_jwt_identity())
            if user is None:
                raise Unauthorized("This user no longer exists.")
            if services.tokens_revoked(user, get_jwt()):
                raise Unauthorized(
                    "Token has been revoked: the password or API key changed since it was "
                    "issued. Sign in again.",
                    code="invalid_token",
                )
            return view(*args, user=user, **kwargs)

        return Blueprint.doc(security=[{"jwt": []}])(wrapper)

    return decorator


require_jwt = _jwt_guard(refresh=False)
"""Require a valid access token (`Authorization: Bearer <JWT>`); pass `user`."""

require_refresh_jwt = _jwt_guard(refresh=True)
"""Require a valid refresh token; pass `user`."""


def require_api_key(view):
    """Require a user's API key (`Authorization: Bearer|Token <API key>`, or the bare key);
    pass `user`."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        token = api_key()
        user = services.user_by_api_key(token) if token else None
        if user is None:
            raise _why_no_api_key(token)
        return view(*args, user=user, **kwargs)

    return Blueprint.doc(security=[{"apiKey": []}])(wrapper)


def require_server_key(view):
    """Require a worker server's key (`X-API-Key`); pass `server`."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = server_key()
        server = servers.authenticate(key)
        if server is None:
            raise _why_no_server_key(key)
        return view(*args, server=server, **kwargs)

    return Blueprint.doc(security=[{"serverKey": []}])(wrapper)


# Wrong credentials are recognised by their shape and header alone, never by looking them up
# elsewhere, so an answer tells nothing about whether a key is valid.
LOGIN = "/api/v1/auth/login"
KEY_SOURCE = "GET /api/v1/auth/me or /api/account, or the dashboard"
SERVER_KEY = "a worker server key (X-API-Key, from `flask servers create`)"


def _wrong(message: str) -> Unauthorized:
    return Unauthorized(message, code="wrong_credential")


def _refuse_other_credentials_than_jwt(refresh: bool) -> None:
    token = "the refresh JWT" if refresh else "a JWT"
    if looks_like_key(api_key()):
        raise _wrong(f"This route takes {token} from {LOGIN}, not an API key.")
    if "Authorization" not in request.headers and server_key():
        raise _wrong(
            f"This route takes {token} from {LOGIN} (Authorization: Bearer <token>), "
            "not a worker server key (X-API-Key)."
        )


def _why_no_api_key(token: str | None) -> Unauthorized:
    if looks_like_jwt(token):
        return _wrong(f"This route takes the account's API key ({KEY_SOURCE}), not a JWT.")
    if token is None and server_key():
        return _wrong(
            f"This route takes the account's API key in Authorization: Bearer <key> "
            f"({KEY_SOURCE}), not a worker server key (X-API-Key)."
        )
    return Unauthorized("A valid API key is required (Authorization: Bearer <API key>).")


def _why_no_server_key(key: str | None) -> Unauthorized:
    if looks_like_jwt(key):
        return _wrong(f"This route takes {SERVER_KEY}, not a JWT.")
    sent = api_key() if key is None else None
    if looks_like_jwt(sent) or looks_like_key(sent):
        kind = "a JWT" if looks_like_jwt(sent) else "a user's API key"
        return _wrong(f"This route takes {SERVER_KEY}, not {kind} in Authorization.")
    return Unauthorized("A valid worker server key is required (X-API-Key).")
