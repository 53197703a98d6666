"""Input checks that hold for every API request, before any view runs."""

from urllib.parse import unquote_to_bytes

from flask import Flask, request

from likepion.core.errors import ValidationFailed


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def reject_nul_characters() -> None:
    """PostgreSQL text cannot hold NUL (it would fail at INSERT time as a 500): refuse it here,
    in the query string, path or JSON body, as a 422."""
    if not request.path.startswith("/api"):
        return
    if b"\x00" in unquote_to_bytes(request.query_string) or "\x00" in request.path:
        raise ValidationFailed("NUL characters are not allowed.", details={"query": ["NUL"]})
    if request.is_json and b"\\u0000" in request.get_data(cache=True):
        if _has_nul(request.get_json(silent=True)):
            raise ValidationFailed("NUL characters are not allowed.", details={"json": ["NUL"]})


def refuse_nul(value, location: str) -> None:
    """The same 422 for a body read another way (the shortener's form-encoded bodies)."""
    if _has_nul(value):
        raise ValidationFailed("NUL characters are not allowed.", details={location: ["NUL"]})


def init_validation(app: Flask) -> None:
    app.before_request(reject_nul_characters)
