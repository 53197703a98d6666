"""The "success" envelope family (auth, backlink, worker APIs): schemas and error body."""

from functools import cache

from flask import jsonify
from marshmallow import Schema, fields


@cache
def envelope(schema: type[Schema] | None = None, *, many: bool = False) -> type[Schema]:
    """`{"success": true, "data": <schema>}`; with many=True also `total, page, limit`."""
    attrs = {"success": fields.Boolean(dump_default=True)}
    if schema is not None:
        attrs["data"] = fields.Nested(schema, many=many)
    if many:
        attrs |= {"total": fields.Integer(), "page": fields.Integer(), "limit": fields.Integer()}
    name = f"{schema.__name__ if schema else 'Empty'}{'List' if many else ''}Envelope"
    return type(name, (Schema,), attrs)


def page_body(page) -> dict:
    """The list part of a success envelope from a core.pagination.Page."""
    return {"data": page.items, "total": page.total, "page": page.page, "limit": page.limit}


def error_response(status: int, code: str, message: str, details: dict, headers=None):
    response = jsonify(success=False, error=code, message=message, details=details or {})
    response.status_code = status
    response.headers.extend(headers or [])
    return response


class ErrorRead(Schema):
    """An error of the auth, backlink and worker APIs (`/api/v1/...`); the shortener API's
    (`/api/...`) is `ShortenerErrorRead` in likepion.openapi."""

    success = fields.Boolean(metadata={"example": False, "enum": [False]})
    error = fields.String(
        metadata={"description": "A machine-readable code", "example": "validation_error"}
    )
    message = fields.String(metadata={"example": "Invalid input."})
    details = fields.Dict(
        metadata={
            "description": "Field errors by field name, or facts about the error",
            "example": {"name": ["Missing data for required field."]},
        }
    )
