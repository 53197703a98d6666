"""The shortener's envelope family: `{"error": 0, ...}` / `{"error": 1, "message": ...}`, and the
seed's list form `{"error": "0", "data": {"result", "perpage", "currentpage", "nextpage",
"maxpage", "<items>": [...]}}`."""

import math
from functools import cache

from flask import jsonify
from marshmallow import Schema, fields

from likepion.core.pagination import Page


@cache
def list_envelope(item_schema: type[Schema], key: str) -> type[Schema]:
    """The seed's list answer with the items under `key`."""
    data = type(
        f"{item_schema.__name__}Page",
        (Schema,),
        {
            "result": fields.Integer(),
            "perpage": fields.Integer(),
            "currentpage": fields.Integer(),
            "nextpage": fields.Integer(),
            "maxpage": fields.Integer(),
            key: fields.Nested(item_schema, many=True),
        },
    )
    return type(
        f"{item_schema.__name__}ListEnvelope",
        (Schema,),
        {"error": fields.String(dump_default="0"), "data": fields.Nested(data)},
    )


def page_data(page: Page, key: str) -> dict:
    """maxpage = ceil(total / limit) and at least 1; nextpage stops at maxpage
    (docs/decisions.md)."""
    maxpage = max(1, math.ceil(page.total / page.limit))
    return {
        "data": {
            "result": page.total,
            "perpage": page.limit,
            "currentpage": page.page,
            "nextpage": min(page.page + 1, maxpage),
            "maxpage": maxpage,
            key: page.items,
        }
    }


def error_message(message: str, details: dict | None) -> str:
    """One readable line: the message, then the first field error when there is one."""
    field, problems = _first_problem(details or {})
    return f"{message} {field}: {problems}" if field else message


def _first_problem(details: dict, prefix: str = ""):
    for key, value in details.items():
        name = f"{prefix}{key}" if not prefix else f"{prefix}.{key}"
        if isinstance(value, dict):
            return _first_problem(value, name)
        if isinstance(value, list) and value:
            return name, " ".join(str(v) for v in value)
        return name, str(value)
    return None, None


def error_response(status: int, code: str, message: str, details: dict, headers=None):
    """docs/decisions.md: invalid input is a 400 in this family (422 elsewhere)."""
    status = 400 if status == 422 else status
    response = jsonify(error=1, message=error_message(message, details))
    response.status_code = status
    response.headers.extend(headers or [])
    return response
