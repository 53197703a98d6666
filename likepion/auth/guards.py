"""View decorators that authenticate the caller and pass it to the view as a keyword argument."""

from functools import wraps

from flask_jwt_extended import get_jwt, get_jwt_identity, verify_jwt_in_request
from flask_smorest import Blueprint

from likepion.auth import services
from likepion.core.credentials import api_key, server_key
from likepion.core.errors import Unauthorized
from likepion.worker import services as worker_services


def _jwt_guard(*, refresh: bool):
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
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


jwt_user = _jwt_guard(refresh=False)
"""Require a valid access token (`Authorization: Bearer <JWT>`); pass `user`."""

jwt_refresh_user = _jwt_guard(refresh=True)
"""Require a valid refresh token; pass `user`."""


def api_key_user(view):
    """Require a user's API key (`Authorization: Bearer|Token <API key>`, or the bare key);
    pass `user`."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        token = api_key()
        user = services.user_by_api_key(token) if token else None
        if user is None:
            raise Unauthorized("A valid API key is required (Authorization: Bearer <API key>).")
        return view(*args, user=user, **kwargs)

    return Blueprint.doc(security=[{"apiKey": []}])(wrapper)


def server_key_required(view):
    """Require a worker server's key (`X-API-Key`); pass `server`."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        server = worker_services.authenticate(server_key())
        if server is None:
            raise Unauthorized("A valid worker server key is required (X-API-Key).")
        return view(*args, server=server, **kwargs)

    return Blueprint.doc(security=[{"serverKey": []}])(wrapper)
