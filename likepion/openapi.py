"""What `/openapi.json` says beyond what flask-smorest derives from the views: the types of our
own time fields, the shortener family's error body and its 400 for invalid input, the worker
task schemas, and the public web routes (served by plain Flask blueprints, so that documenting
them here costs the redirect nothing)."""

from marshmallow import Schema, fields

from likepion.core.fields import IsoZ, PlainTime
from likepion.worker.task_schemas import CheckTask, PrimaryTask

PUBLIC_TAG = {
    "name": "public",
    "description": "Public web routes: short links, QR images, rotators, campaign lists, and "
    "the probes for load balancers and Prometheus. No credentials.",
}
SHORTENER_PREFIX = "/api/"
SUCCESS_PREFIX = "/api/v1/"


class ShortenerErrorRead(Schema):
    """An error of the shortener API (`/api/...`): `{"error": 1, "message"}`."""

    error = fields.Integer(metadata={"example": 1, "enum": [1]})
    message = fields.String(
        metadata={"example": "Invalid input. url: Missing data for required field."}
    )


def _json(ref: str, description: str) -> dict:
    schema = {"$ref": f"#/components/schemas/{ref}"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _html(description: str) -> dict:
    return {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}


def describe_fields(api) -> None:
    """Call before registering blueprints: how our own marshmallow fields read in the spec."""
    api.ma_plugin.converter.add_attribute_function(_time_property)


def _time_property(self, field, **kwargs) -> dict:
    if isinstance(field, IsoZ):  # `2025-06-01T00:00:00Z`, or null when the time is not set
        return {"type": "string", "format": "date-time", "nullable": True}
    if isinstance(field, PlainTime):  # the shortener family's UTC time, or null
        return {"type": "string", "nullable": True, "example": "2025-06-01 12:00:00"}
    return {}


def complete(api, app) -> None:
    """Call once every blueprint is registered on `api` and `app`."""
    spec = api.spec
    spec.components.schema("ShortenerErrorRead", schema=ShortenerErrorRead)
    for schema in (PrimaryTask, CheckTask):  # tasks are documented by reference (worker.routes)
        spec.components.schema(schema.__name__, schema=schema)
    spec.components.response(
        "SHORTENER_BAD_REQUEST",
        _json("ShortenerErrorRead", "Invalid input: the message names the first bad field"),
    )
    spec.components.response("SHORTENER_ERROR", _json("ShortenerErrorRead", "Error"))
    _use_shortener_errors(spec)
    spec.tag(PUBLIC_TAG)
    for endpoint, operations in PUBLIC_OPERATIONS.items():
        rule = next(app.url_map.iter_rules(endpoint))
        spec.path(rule=rule, operations=operations, parameters=[])


def _use_shortener_errors(spec) -> None:
    """The shortener family answers invalid input with 400 (docs/decisions.md), in its own body."""
    for path, item in spec._paths.items():  # apispec keeps no public view of added paths
        if not path.startswith(SHORTENER_PREFIX) or path.startswith(SUCCESS_PREFIX):
            continue
        for method, operation in item.items():
            if method == "parameters":
                continue
            responses = operation["responses"]
            if responses.pop("422", None) is not None:
                responses["400"] = {"$ref": "#/components/responses/SHORTENER_BAD_REQUEST"}
            responses["default"] = {"$ref": "#/components/responses/SHORTENER_ERROR"}


PLAIN = {"type": "string", "pattern": "^[A-Za-z0-9_.-]{1,64}$"}
REDIRECT = {
    "description": "Redirect to the destination",
    "headers": {"Location": {"schema": {"type": "string"}}},
}
WEB_ERROR = _html("Error page (404 unknown, 410 expired, 429 too many tries)")


def _get(summary: str, description: str, responses: dict, **extra) -> dict:
    return {
        "tags": ["public"],
        "summary": summary,
        "description": description,
        "security": [],
        "responses": responses | {"default": WEB_ERROR},
        **extra,
    }


def _path_param(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": PLAIN}


LINK = {
    "302": REDIRECT,
    "200": _html("A splash, frame or overlay page; or the password form of a protected link"),
    "403": _html("The password form again: wrong password"),
}
QR_IMAGE = {
    "200": {
        "description": "The image",
        "content": {
            "image/png": {"schema": {"type": "string", "format": "binary"}},
            "image/svg+xml": {"schema": {"type": "string"}},
        },
    },
    "304": {"description": "Not modified"},
}
PUBLIC_OPERATIONS = {
    "redirect.root": {
        "get": _get(
            "A branded domain's root.",
            "Redirects to the domain's `redirectroot`; 404 on other hosts.",
            {"302": REDIRECT},
        )
    },
    "redirect.follow": {
        "get": _get(
            "Follow a short link.",
            "Resolves the alias on the request's host, applies expiry, geo, device and language "
            "targets, counts the click and redirects (or shows the link's page).",
            LINK,
            parameters=[_path_param("alias")],
        ),
        "post": _get(
            "Unlock a password-protected link.",
            "The password form posts here; a right password redirects as GET does. Tries are "
            "limited per client (`PASSWORD_RATE_LIMIT`).",
            LINK,
            parameters=[_path_param("alias")],
            requestBody={
                "content": {
                    "application/x-www-form-urlencoded": {
                        "schema": {
                            "type": "object",
                            "properties": {"password": {"type": "string", "maxLength": 1000}},
                        }
                    }
                }
            },
        ),
    },
    "redirect.qr_image": {
        "get": _get(
            "A QR code's image.",
            "PNG, or SVG with `?format=svg`; each fetch counts as a scan. Answers an `ETag`: a "
            "revalidation gets 304 and is not rate limited (`QR_RATE_LIMIT`).",
            QR_IMAGE,
            parameters=[
                _path_param("alias"),
                {"name": "format", "in": "query", "schema": {"enum": ["png", "svg"]}},
            ],
        )
    },
    "redirect.link_qr": {
        "get": _get(
            "A short link's QR code.",
            "Encodes the link's short URL: PNG, or SVG with `?format=svg`, at most `?size=` "
            "pixels wide (100-1000, default 300). Not a scan. Answers an `ETag`; a revalidation "
            "gets 304 and is not rate limited (`QR_RATE_LIMIT`). An expired link is a 410.",
            QR_IMAGE,
            parameters=[
                _path_param("alias"),
                {"name": "format", "in": "query", "schema": {"enum": ["png", "svg"]}},
                {
                    "name": "size",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 100, "maximum": 1000},
                },
            ],
        )
    },
    "redirect.public_stats": {
        "get": _get(
            "A link's public stats page.",
            "Clicks over the last 30 days as an inline SVG chart, with top countries, referrers, "
            "browsers and OS; only when the link's `public_stats` is on, else a 404.",
            {"200": _html("The stats page")},
            parameters=[_path_param("alias")],
        )
    },
    "redirect.rotator": {
        "get": _get(
            "Follow a campaign's rotator.",
            "Redirects to the campaign's next link in turn; the click counts on that link.",
            {"302": REDIRECT},
            parameters=[_path_param("slug")],
        )
    },
    "redirect.campaign_list": {
        "get": _get(
            "A public campaign's list page.",
            "`name` is `<slug>-<id>`; a private or unknown campaign is a 404.",
            {"200": _html("The list of the campaign's links")},
            parameters=[_path_param("username"), _path_param("name")],
        )
    },
    "metrics.metrics": {
        "get": {
            "tags": ["public"],
            "summary": "Prometheus metrics.",
            "description": "Request counts and latencies by API family, redirects, summed over "
            "every worker. With `METRICS_TOKEN` set, send `Authorization: Bearer <token>`.",
            "security": [],
            "responses": {
                "200": {
                    "description": "Prometheus text format",
                    "content": {"text/plain": {"schema": {"type": "string"}}},
                },
                "401": {
                    "description": "The metrics token is missing or wrong",
                    "content": {"text/plain": {"schema": {"type": "string"}}},
                },
            },
        }
    },
}
