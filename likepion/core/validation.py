"""Input checks that hold for every API request, before any view runs, and the one JSON loader
every request body goes through (Flask's `request.get_json` and the webargs parser alike)."""

import json
import math
import re
from urllib.parse import unquote_to_bytes

from flask import Flask, Request, request
from flask.json.provider import DefaultJSONProvider
from flask_smorest import Blueprint
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from likepion.core.errors import AppError, ValidationFailed

# Deeper bodies are refused before any code walks them (recursion); no API needs more than 10.
MAX_BODY_DEPTH = 64
# Integers a database column can hold; longer digit strings are not even converted.
MAX_INTEGER = 2**63 - 1
# A `\uD800`-`\uDFFF` escape: the only way a lone surrogate gets into a decoded body.
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class JsonRefused(ValueError):
    """A body that is valid JSON syntax but that no endpoint can take; the message says why."""


def _integer(text: str) -> int:
    if len(text) > 20 or abs(value := int(text)) > MAX_INTEGER:
        raise JsonRefused("JSON body has an integer outside the 64-bit range.")
    return value


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonRefused("JSON body has a number too large for a float.")
    return value


def _constant(name: str):
    raise JsonRefused(f"JSON body has {name}, which is not JSON.")


def loads(data: str | bytes):
    """`json.loads` that refuses, with a ValueError naming the problem, what would break later:
    nesting deeper than MAX_BODY_DEPTH, integers beyond 64 bits (and so any over the 4,300
    digits Python converts), NaN/Infinity and overflowing floats, and lone surrogates
    (`"\\ud800"`), which no UTF-8 database column or response can hold."""
    if isinstance(data, bytes):  # strictly: json.loads would let encoded surrogates through
        data = data.decode(json.detect_encoding(data))
    try:
        value = json.loads(data, parse_int=_integer, parse_float=_number, parse_constant=_constant)
    except RecursionError:
        raise JsonRefused(f"JSON body nests deeper than {MAX_BODY_DEPTH} levels.") from None
    check_text = SURROGATE_ESCAPE.search(data) is not None
    if check_text or data.count("[") + data.count("{") > MAX_BODY_DEPTH:
        _check_tree(value, check_text=check_text)  # else it cannot be too deep: no walk
    return value


def _check_tree(value, *, check_text: bool) -> None:
    """Depth and (when the raw body had a surrogate escape) text of `value`, without recursion."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            if check_text:
                _check_text(node)
            continue
        if not isinstance(node, dict | list):
            continue
        if depth > MAX_BODY_DEPTH:
            raise JsonRefused(f"JSON body nests deeper than {MAX_BODY_DEPTH} levels.")
        if isinstance(node, dict):
            if check_text:
                for key in node:
                    _check_text(key)
            node = node.values()
        stack.extend((child, depth + 1) for child in node if isinstance(child, dict | list | str))


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise JsonRefused(
            "JSON body has a lone surrogate (\\ud800-\\udfff) in a string, which is not text."
        ) from None


class JsonProvider(DefaultJSONProvider):
    def loads(self, s, **kwargs):
        return loads(s)


class JsonRequest(Request):
    def on_json_loading_failed(self, e: ValueError | None):
        """A body that does not load is a 400 in the family's envelope, saying why."""
        if e is None:
            return super().on_json_loading_failed(e)  # not JSON at all: 415
        raise AppError(str(e) if isinstance(e, JsonRefused) else "Malformed JSON body.")


class JsonBodyParser(FlaskParser):
    """webargs, reading the body through `request.get_json` (the loader above, parsed once)."""

    def _raw_load_json(self, req):
        if not is_json_request(req) or not req.get_data(cache=True):
            return core.missing
        return req.get_json(force=True)


# Set before any route module decorates a view (they are all in this package, imported later).
Blueprint.ARGUMENTS_PARSER = JsonBodyParser()


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
    app.json = JsonProvider(app)
    app.request_class = JsonRequest
    for name, blueprint in app.blueprints.items():  # the APIs: pages and redirects pay nothing
        if (blueprint.url_prefix or "").startswith("/api"):
            app.before_request_funcs.setdefault(name, []).append(reject_nul_characters)
