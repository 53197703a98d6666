"""Every error of every route ends here, normalised, then rendered by its API family's envelope.

The family is picked by path prefix, so routing 404/405s (which match no blueprint) and errors
raised before a view runs (auth, rate limits, body size) get the same shape as errors from views.
"""

import logging

from flask import Flask, current_app, request
from marshmallow import ValidationError
from psycopg import OperationalError as DriverOperationalError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from likepion.core import envelope as success_family
from likepion.core.db import db
from likepion.core.errors import AppError
from likepion.core.logs import request_id
from likepion.redirect import pages as web_family
from likepion.shortener import envelope as shortener_family

log = logging.getLogger(__name__)

CODES = {
    400: "bad_request",
    401: "unauthorized",
    402: "insufficient_credits",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}
MESSAGES = {
    400: "Bad request.",
    404: "Not found.",
    405: "Method not allowed.",
    415: "Unsupported media type.",
    422: "Invalid input.",
}


def render(status: int, code: str, message: str, details: dict | None = None, headers=None):
    """The error response in the shape of the API family that `request.path` belongs to."""
    path = request.path
    if path.startswith(("/api/v1/", "/user/login/sso/")):
        family = success_family
    elif path == "/api" or path.startswith("/api/"):
        family = shortener_family
    else:
        family = web_family
    return family.error_response(status, code, message, details or {}, headers)


def handle_app_error(error: AppError):
    db.session.rollback()
    return render(error.status, error.code, error.message, error.details)


def handle_validation_error(error: ValidationError):
    db.session.rollback()
    return render(422, "validation_error", "Invalid input.", _as_dict(error.messages))


def handle_http_exception(error: HTTPException):
    db.session.rollback()
    status = error.code or 500
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    details = _webargs_messages(error)
    message = MESSAGES.get(status) or error.description or "Error."
    if status == 400 and "json" in details and not isinstance(details["json"], dict):
        message, details = "Malformed JSON body.", {}
    elif status == 413:
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        message = f"Request body is larger than the limit of {limit} bytes."
    elif status == 429:
        message = f"Rate limit exceeded: {error.description}."
    return render(status, CODES.get(status, "error"), message, details, headers)


def handle_unexpected(error: Exception):
    log.exception("unhandled error (request_id=%s)", request_id())
    db.session.rollback()
    return render(500, "internal_error", "Internal server error.", {"request_id": request_id()})


def handle_database_error(error: Exception):
    """A lost database connection (server restarted, or not back yet) is a 503 to retry, and
    every pooled connection, all dead alike, is dropped so the next requests open fresh ones
    (the idle ping of core/db.py would only catch them after 10 s). A transaction PostgreSQL
    aborted to break a deadlock (or a serialization failure) is a 503 to retry as well: it was
    rolled back whole. Other errors: a 500."""
    if _sqlstate(error) in RETRYABLE_STATES:
        log.warning("transaction aborted (request_id=%s): %s", request_id(), _sqlstate(error))
        db.session.rollback()
        return render(503, "conflict_retry", "The request met a concurrent one; retry it.",
                      headers=[("Retry-After", "1")])  # fmt: skip
    if not _is_disconnect(error):
        return handle_unexpected(error)
    cause = getattr(error, "orig", None) or error  # no SQL or parameters in the log
    log.warning("database connection lost (request_id=%s): %r", request_id(), cause)
    try:
        db.session.remove()
        db.engine.dispose()
    except Exception:  # noqa: BLE001 - closing dead connections may fail too; they are dropped
        log.debug("dropping dead connections", exc_info=True)
    return render(503, "database_unavailable", "The database is unavailable; retry shortly.",
                  headers=[("Retry-After", "1")])  # fmt: skip


# 40P01 deadlock_detected, 40001 serialization_failure: PostgreSQL rolled the transaction back.
RETRYABLE_STATES = {"40P01", "40001"}


def _sqlstate(error: Exception) -> str:
    return getattr(getattr(error, "orig", None) or error, "sqlstate", None) or ""


def _is_disconnect(error: Exception) -> bool:
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        error = error.orig
    # psycopg: no SQLSTATE (connection refused or closed), class 08 (connection exception) or
    # 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now: the server restarting).
    state = getattr(error, "sqlstate", None) or ""
    return isinstance(error, DriverOperationalError) and (
        not state or state.startswith(("08", "57P"))
    )


def _webargs_messages(error: HTTPException) -> dict:
    """Field errors attached by webargs/flask-smorest, without the location level."""
    messages = (getattr(error, "data", None) or {}).get("messages") or {}
    if len(messages) == 1 and isinstance(next(iter(messages.values())), dict):
        return next(iter(messages.values()))
    return _as_dict(messages)


def _as_dict(messages) -> dict:
    return messages if isinstance(messages, dict) else {"_schema": messages}


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(AppError, handle_app_error)
    app.register_error_handler(ValidationError, handle_validation_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
    app.register_error_handler(DBAPIError, handle_database_error)
    app.register_error_handler(DriverOperationalError, handle_database_error)


def register_jwt_loaders(jwt) -> None:
    """flask-jwt-extended's failures as success-family 401s instead of its `{"msg"}` body."""

    def unauthorized(message, code="unauthorized"):
        return success_family.error_response(401, code, message, {})

    jwt.unauthorized_loader(
        lambda reason: unauthorized(
            "Missing or malformed Authorization header (expected Bearer <token>)."
        )
    )
    jwt.invalid_token_loader(
        lambda reason: unauthorized(f"Invalid token: {reason}.", "invalid_token")
    )
    jwt.expired_token_loader(
        lambda header, payload: unauthorized("Token has expired.", "token_expired")
    )
    jwt.revoked_token_loader(
        lambda header, payload: unauthorized("Token has been revoked.", "invalid_token")
    )
    jwt.needs_fresh_token_loader(
        lambda header, payload: unauthorized("A fresh token is needed.", "invalid_token")
    )
    jwt.token_verification_failed_loader(
        lambda header, payload: unauthorized("Token verification failed.", "invalid_token")
    )
    jwt.user_lookup_error_loader(lambda header, payload: unauthorized("Unknown user."))
