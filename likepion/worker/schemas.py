"""Worker API schemas (seed 002 field names)."""

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from likepion.backlink.schemas import ACCOUNT_STATUSES
from likepion.core.fields import IsoZ

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


class AccountClaimIn(Schema):
    account_id = fields.UUID()
    account_ids = fields.List(fields.UUID(), validate=validate.Length(min=1, max=MAX_ITEMS))

    @validates_schema
    def needs_one(self, data, **kwargs):
        _require_one(data, "account_id", "account_ids")


class LinkClaimIn(Schema):
    link_id = fields.UUID()
    link_ids = fields.List(fields.UUID(), validate=validate.Length(min=1, max=MAX_ITEMS))

    @validates_schema
    def needs_one(self, data, **kwargs):
        _require_one(data, "link_id", "link_ids")


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


class ItemResult(Schema):
    index = fields.Integer()
    id = fields.String()
    success = fields.Boolean()
    status = fields.String()
    error = fields.String()


class ReportRead(Schema):
    success = fields.Boolean(dump_default=True)
    input = fields.Integer()
    updated = fields.Integer()
    failed = fields.Integer()
    results = fields.List(fields.Nested(ItemResult))


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


class InsertResult(Schema):
    index = fields.Integer()
    link_index = fields.Integer()
    post_id = fields.String()
    account_id = fields.String(allow_none=True)
    domain = fields.String(allow_none=True)
    link_post = fields.String()
    success = fields.Boolean()
    id = fields.String()
    error = fields.String()


class InsertRead(Schema):
    success = fields.Boolean(dump_default=True)
    input = fields.Integer()
    count = fields.Integer()
    inserted = fields.Integer()
    failed = fields.Integer()
    results = fields.List(fields.Nested(InsertResult))


class AccountUpdateIn(Credentials):
    account_id = fields.UUID(required=True)
    link_rss = fields.String(allow_none=True, validate=validate.Length(max=2048))
    status = fields.String(validate=validate.OneOf(ACCOUNT_STATUSES))
    active = fields.Boolean()
    is_indexed = fields.Boolean()
    note = fields.String(allow_none=True, validate=TEXT)


class TaskCredentials(Schema):
    """An account's credentials as every worker task carries them (seed 002 names)."""

    email = fields.String()
    username = fields.String()
    password = fields.String()
    pass_mail = fields.String()
    twofa = fields.String()
    app_password = fields.String()
    cookie = fields.String()


class SecondaryTask(TaskCredentials):
    """Seed 002 section 1: a virtual task; id = account_id."""

    id = fields.String()
    request_id = fields.String()
    type_request = fields.String()
    status = fields.String()
    account_id = fields.String()
    group_id = fields.String()
    target = fields.Integer()
    accounts_remaining = fields.Integer()
    domain = fields.String()
    website = fields.String()
    link_rss = fields.String()


class PrimaryTask(TaskCredentials):
    """A claimed link with its request's small fields and its account's credentials, flat;
    the request's config, data and folder_urls are in the pull's `requests` map."""

    id = fields.String()
    kind = fields.String()
    request_id = fields.String()
    type_request = fields.String()
    status = fields.String()
    service_type = fields.String()
    site_id = fields.String(allow_none=True)
    domain = fields.String()
    account_id = fields.String(allow_none=True)
    group_id = fields.String(allow_none=True)
    website = fields.String()
    target = fields.Integer()
    priority = fields.Integer()
    auction_price = fields.Integer()
    retry_count = fields.Integer()
    max_retries = fields.Integer()
    claimed_until = IsoZ()
    link_rss = fields.String()


class RequestFieldsRead(Schema):
    """A pulled request's JSON fields, once per request (the pull's `requests` map)."""

    config = fields.Dict(metadata={"description": "As the request's owner sent it (free-form)"})
    data = fields.Dict(metadata={"description": "As the request's owner sent it (free-form)"})
    folder_urls = fields.Dict(
        metadata={"description": "As the request's owner sent it (free-form)"}
    )


class CheckTask(TaskCredentials):
    """An account queued for a credentials check."""

    account_id = fields.String()
    group_id = fields.String()
    service_type = fields.String()
    domain = fields.String()
    claimed_until = IsoZ()
