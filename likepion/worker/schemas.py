"""Worker API schemas (seed 002 field names)."""

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_dump,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from likepion.backlink.account_schemas import (
    ACCOUNT_STATUSES,
)
from likepion.core.errors import ValidationFailed

MAX_PULL = 1000
MAX_ITEMS = 200
TEXT = validate.Length(max=10_000)
SHORT = validate.Length(max=255)


class ChecksQuery(Schema):
    limit = fields.Integer(load_default=5, validate=validate.Range(min=1, max=MAX_PULL))


class PullQuery(ChecksQuery):
    type = fields.String(validate=validate.OneOf(["primary", "secondary"]))


def _require_one(data: dict, single: str, many: str) -> None:
    if not data.get(single) and not data.get(many):
        raise ValidationError(f"Give {single} or {many}.", "_schema")


class AccountClaimUpdate(Schema):
    account_id = fields.UUID()
    account_ids = fields.List(fields.UUID(), validate=validate.Length(min=1, max=MAX_ITEMS))

    @validates_schema
    def needs_one(self, data, **kwargs):
        _require_one(data, "account_id", "account_ids")

    @post_load
    def ids(self, data, **kwargs) -> list:
        return data.get("account_ids") or [data["account_id"]]


class LinkClaimUpdate(Schema):
    link_id = fields.UUID()
    link_ids = fields.List(fields.UUID(), validate=validate.Length(min=1, max=MAX_ITEMS))

    @validates_schema
    def needs_one(self, data, **kwargs):
        _require_one(data, "link_id", "link_ids")

    @post_load
    def ids(self, data, **kwargs) -> list:
        return data.get("link_ids") or [data["link_id"]]


class ClaimRead(Schema):
    success = fields.Boolean(dump_default=True)
    claimed = fields.List(fields.String())
    count = fields.Integer()
    ttl_min = fields.Integer()
    held = fields.List(
        fields.String(), metadata={"description": "Ids another server holds a live claim on"}
    )
    not_found = fields.List(fields.String())


class Credentials(Schema):
    email = fields.String(allow_none=True, validate=validate.Length(max=254))
    username = fields.String(allow_none=True, validate=SHORT)
    password = fields.String(allow_none=True, validate=SHORT)
    pass_mail = fields.String(allow_none=True, validate=SHORT)
    twofa = fields.String(allow_none=True, validate=SHORT)
    app_password = fields.String(allow_none=True, validate=SHORT)
    cookie = fields.String(allow_none=True, validate=TEXT)


class ReportItem(Schema):
    id = fields.UUID(required=True)
    status = fields.String(
        required=True, validate=validate.OneOf(["completed", "failed", "cancel"])
    )
    link_profile = fields.String(allow_none=True, validate=TEXT)
    link_post = fields.String(allow_none=True, validate=TEXT)
    about = fields.String(allow_none=True, validate=TEXT)
    email = fields.String(allow_none=True, validate=validate.Length(max=254))
    username = fields.String(allow_none=True, validate=SHORT)
    password = fields.String(allow_none=True, validate=SHORT)
    error_message = fields.String(allow_none=True, validate=TEXT)
    note = fields.String(allow_none=True, validate=TEXT)
    is_indexed = fields.Boolean()


class ReportIn(Schema):
    """`{"items": [...]}`, or the bare array as links/insert takes it."""

    items = fields.List(
        fields.Nested(ReportItem), required=True, validate=validate.Length(min=1, max=MAX_ITEMS)
    )

    @pre_load
    def bare_array(self, data, **kwargs):
        return {"items": data} if isinstance(data, list) else data


def _left_out_when_none(data: dict, names: tuple[str, ...]) -> dict:
    return {k: v for k, v in data.items() if v is not None or k not in names}


class ReportItemRead(Schema):
    index = fields.Integer()
    id = fields.String()
    success = fields.Boolean()
    status = fields.String()
    error = fields.String()

    @post_dump
    def status_or_error(self, data, **kwargs):
        """A reported item has its link's new status, or an error: never both."""
        return _left_out_when_none(data, ("status", "error"))


class ReportRead(Schema):
    success = fields.Boolean(dump_default=True)
    input = fields.Integer()
    updated = fields.Integer()
    failed = fields.Integer()
    results = fields.List(fields.Nested(ReportItemRead))


class InsertItem(Credentials):
    """One seed-002 insert item: one site (domain or account) x N comma-separated URLs."""

    request_id = fields.UUID()
    post_id = fields.UUID()
    domain = fields.String(validate=SHORT)
    account_id = fields.UUID()
    status = fields.String(
        load_default="completed", validate=validate.OneOf(["completed", "failed", "cancel"])
    )
    link_post = fields.String(required=True, validate=validate.Length(min=1, max=200_000))
    note = fields.String(allow_none=True, validate=TEXT)

    @validates_schema
    def needs_post_and_site(self, data, **kwargs):
        if not data.get("request_id") and not data.get("post_id"):
            raise ValidationError("request_id (or post_id) is required.", "request_id")
        if not data.get("domain") and not data.get("account_id"):
            raise ValidationError("Give domain or account_id.", "domain")


def _plain(messages, prefix: str = "") -> str:
    """marshmallow's field errors as one line: `field: message; other.field: message`."""
    if not isinstance(messages, dict):
        text = " ".join(str(m) for m in messages) if isinstance(messages, list) else str(messages)
        return f"{prefix}: {text}" if prefix else text
    return "; ".join(
        _plain(value, f"{prefix}.{key}" if prefix else str(key)) for key, value in messages.items()
    )


def _echo(value) -> str | None:
    """A value sent in an invalid item, echoed back when it is a short string."""
    return value[:255] if isinstance(value, str) else None


def _split(link_post: str) -> list[str]:
    return [url.strip() for url in link_post.split(",") if url.strip()]


def load_insert_item(raw) -> dict:
    """A loaded item (`post_id`, `urls` from link_post), or one whose `error` says in plain
    words why it is invalid (echoing the request_id / post_id and domain it was sent with)."""
    if not isinstance(raw, dict):
        return {"error": "An item must be an object.", "urls": [], "post_id": "", "domain": None}
    try:
        item = InsertItem().load(raw)
    except ValidationError as error:
        link_post = raw.get("link_post")
        return {
            "error": f"Invalid item: {_plain(error.messages)}",
            "urls": _split(link_post) if isinstance(link_post, str) else [],
            "post_id": _echo(raw.get("request_id") or raw.get("post_id")) or "",
            "domain": _echo(raw.get("domain")),
        }
    item["post_id"] = item.pop("request_id", None) or item["post_id"]
    item["urls"] = _split(item.pop("link_post"))
    if not item["urls"]:
        item["error"] = "link_post has no URL."
    return item


class InsertCreate(Schema):
    """The links/insert body: one item, an array of items or `{"items": [...]}`, loaded as the
    list of its items. Each item is loaded on its own (load_insert_item: a bad one becomes
    failed rows); the whole call is refused over MAX_ITEMS rows after splitting link_post."""

    items = fields.List(fields.Raw(allow_none=True), required=True)

    @pre_load
    def one_shape(self, body, **kwargs):
        if isinstance(body, dict) and set(body) == {"items"}:
            if not isinstance(body["items"], list):
                raise ValidationFailed.on_field("items", "Must be an array of items.")
            return body
        if not isinstance(body, dict | list):
            raise ValidationFailed('Send an item, an array or {"items": [...]}.')
        return {"items": body if isinstance(body, list) else [body]}

    @post_load
    def each_item(self, data, **kwargs) -> list[dict]:
        raw_items = data["items"]
        if not raw_items or len(raw_items) > MAX_ITEMS:
            raise ValidationFailed(f"Send 1 to {MAX_ITEMS} items.")
        items = [load_insert_item(raw) for raw in raw_items]
        rows = sum(max(len(item["urls"]), 1) for item in items)
        if rows > MAX_ITEMS:
            raise ValidationFailed(
                f"{rows} rows after splitting link_post; at most {MAX_ITEMS} per call.",
                details={"link_post": [f"At most {MAX_ITEMS} URLs in all."]},
            )
        return items


class InsertResultRead(Schema):
    index = fields.Integer()
    link_index = fields.Integer()
    post_id = fields.String()
    account_id = fields.String(allow_none=True)
    domain = fields.String(allow_none=True)
    link_post = fields.String()
    success = fields.Boolean()
    id = fields.String()
    error = fields.String()

    @post_dump
    def id_or_error(self, data, **kwargs):
        """A row has the id of the link inserted, or an error: never both."""
        return _left_out_when_none(data, ("id", "error"))


class InsertRead(Schema):
    success = fields.Boolean(dump_default=True)
    input = fields.Integer()
    count = fields.Integer()
    inserted = fields.Integer()
    failed = fields.Integer()
    results = fields.List(fields.Nested(InsertResultRead))


class WorkerAccountUpdate(Credentials):
    account_id = fields.UUID(required=True)
    link_rss = fields.String(allow_none=True, validate=validate.Length(max=2048))
    status = fields.String(validate=validate.OneOf(ACCOUNT_STATUSES))
    active = fields.Boolean()
    is_indexed = fields.Boolean()
    note = fields.String(allow_none=True, validate=TEXT)
