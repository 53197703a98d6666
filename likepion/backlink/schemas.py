"""Input and output schemas of the backlink API (seed 000 field names)."""

from marshmallow import Schema, fields, pre_dump, validate

from likepion.backlink import progress
from likepion.backlink.models import LINK_STATUSES, REQUEST_STATUSES
from likepion.core.enums import ServiceType
from likepion.core.fields import BlankString, BoundedJsonObject, IsoZ
from likepion.core.pagination import PageQuery

SERVICE_TYPES = [t.value for t in ServiceType]
ORDER = validate.OneOf(["asc", "desc"])
EXPORT_FORMAT = validate.OneOf(["json", "csv", "txt"])
MAX_BULK_IDS = 200


class IdsIn(Schema):
    ids = fields.List(
        fields.UUID(), required=True, validate=validate.Length(min=1, max=MAX_BULK_IDS)
    )


class IdsExportIn(IdsIn):
    format = fields.String(load_default="json", validate=EXPORT_FORMAT)


class ExportQuery(Schema):
    format = fields.String(load_default="json", validate=EXPORT_FORMAT)


class DeletedRead(Schema):
    deleted = fields.Integer()


# --- Sites, groups and accounts ---------------------------------------------------------------
GROUP_STATUSES = ["active", "inactive"]
ACCOUNT_STATUSES = ["active", "inactive", "checking", "failed", "banned"]
MAX_IMPORT_ACCOUNTS = 20_000
# Longest accepted value of each account input field; backlink.groups checks import items with
# the same limits (imports are validated per item there, so one bad item does not fail the call).
ACCOUNT_MAX_LENGTHS = {
    "website": 2048,  # as given; the stored (normalised) name is at most 255
    "username": 255,
    "email": 254,
    "password": 1024,
    "app_password": 1024,
    "pass_mail": 1024,
    "twofa": 1024,
    "cookies": 65_536,
    "note": 5000,
}
GROUP_NAME = validate.And(
    validate.Length(min=1, max=255), validate.Regexp(r"\s*\S", error="Must not be blank.")
)
SEARCH = validate.Length(max=255)


def _account_items(*, required: bool):
    """Import items: objects checked one by one by backlink.groups (an invalid one is counted
    as failed and the others are still imported), so the schema only caps the list."""
    return fields.List(
        fields.Raw(
            allow_none=True,
            metadata={
                "type": "object",
                "description": "An account: website*, username or email*, password, "
                "app_password, pass_mail, twofa, cookies, note.",
            },
        ),
        required=required,
        validate=validate.Length(min=1 if required else 0, max=MAX_IMPORT_ACCOUNTS),
    )


def _account_text(field: str, **kwargs):
    return fields.String(validate=validate.Length(max=ACCOUNT_MAX_LENGTHS[field]), **kwargs)


class SiteCountQuery(Schema):
    type = fields.String(required=True, validate=validate.OneOf(SERVICE_TYPES))


class SiteQuery(PageQuery):
    type = fields.String(validate=validate.OneOf(SERVICE_TYPES))
    active = fields.Boolean()
    search = fields.String(validate=SEARCH)


class SiteRead(Schema):
    id = fields.UUID()
    service_type = fields.String()
    name = fields.String()
    role = fields.String()
    active = fields.Boolean()
    created_at = IsoZ()


class SiteCountRead(Schema):
    type = fields.String()
    count = fields.Integer()


class GroupQuery(PageQuery):
    service_type = fields.String(validate=validate.OneOf(SERVICE_TYPES))
    status = fields.String(validate=validate.OneOf(GROUP_STATUSES))
    search = fields.String(validate=SEARCH)
    min_active = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000_000))


class GroupCreate(Schema):
    name = fields.String(required=True, validate=GROUP_NAME)
    service_type = fields.String(required=True, validate=validate.OneOf(SERVICE_TYPES))
    accounts = _account_items(required=False)
    skip_unsupported = fields.Boolean(load_default=True)


class GroupUpdate(Schema):
    name = fields.String(validate=GROUP_NAME)
    status = fields.String(validate=validate.OneOf(GROUP_STATUSES))


class GroupImport(Schema):
    service_type = fields.String(required=True, validate=validate.OneOf(SERVICE_TYPES))
    name = fields.String(required=True, validate=GROUP_NAME)
    accounts = _account_items(required=True)
    skip_unsupported = fields.Boolean(load_default=True)
    overwrite = fields.Boolean(load_default=False)


class GroupRead(Schema):
    id = fields.UUID()
    user_id = fields.UUID(attribute="user_uuid")
    name = fields.String()
    service_type = fields.String()
    status = fields.String()
    account_count = fields.Integer()
    account_active = fields.Integer()
    result = fields.Function(lambda group: f"{group.account_active} / {group.account_count}")
    created_at = IsoZ()
    updated_at = IsoZ()


class GroupBrief(Schema):
    id = fields.UUID()
    name = fields.String()


class ImportItemError(Schema):
    """Why one item of an import was not imported."""

    index = fields.Integer(metadata={"description": "The item's position in `accounts` (from 0)"})
    reason = fields.String(
        metadata={"description": "invalid (counted as failed), unsupported or duplicate"}
    )
    field = fields.String(metadata={"description": "The field at fault"})
    message = fields.String()


def _import_errors():
    return fields.List(
        fields.Nested(ImportItemError),
        metadata={"description": "Each item not imported, in item order, and why"},
    )


class GroupCreatedWithAccounts(Schema):
    group = fields.Nested(GroupRead)
    imported = fields.Integer()
    skipped = fields.Integer(metadata={"description": "duplicates + unsupported"})
    failed = fields.Integer()
    errors = _import_errors()


class GroupOrImport(fields.Field):
    """`POST /groups`: the group, or with `accounts` the group and the import's counters."""

    def _serialize(self, value, attr, obj, **kwargs):
        schema = GroupCreatedWithAccounts() if isinstance(value, dict) else GroupRead()
        return schema.dump(value)


class GroupCreateEnvelope(Schema):
    success = fields.Boolean(dump_default=True)
    data = GroupOrImport(
        metadata={
            "type": "object",
            "description": "The group; with `accounts` in the request "
            '{"group": {...}, "imported", "skipped", "failed", "errors"}.',
        }
    )


class ImportCounts(Schema):
    imported = fields.Integer()
    overwritten = fields.Integer()
    duplicates = fields.Integer()
    unsupported = fields.Integer()
    failed = fields.Integer()
    errors = _import_errors()


class GroupImported(ImportCounts):
    group = fields.Nested(GroupBrief)


class GroupAccountQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(ACCOUNT_STATUSES))
    search = fields.String(validate=SEARCH)


class GroupAccountFields(Schema):
    website = _account_text("website")
    username = _account_text("username", allow_none=True)
    email = _account_text("email", allow_none=True)
    password = _account_text("password", allow_none=True)
    app_password = _account_text("app_password", allow_none=True)
    pass_mail = _account_text("pass_mail", allow_none=True)
    twofa = _account_text("twofa", allow_none=True)
    cookies = _account_text("cookies", allow_none=True)
    note = _account_text("note", allow_none=True)


class GroupAccountCreate(GroupAccountFields):
    website = fields.String(
        required=True,
        validate=validate.Length(min=1, max=ACCOUNT_MAX_LENGTHS["website"]),
    )


class GroupAccountUpdate(GroupAccountFields):
    active = fields.Boolean()
    status = fields.String(validate=validate.OneOf(ACCOUNT_STATUSES))


class GroupAccountsImport(Schema):
    accounts = _account_items(required=True)
    overwrite = fields.Boolean(load_default=False)
    skip_unsupported = fields.Boolean(load_default=True)


class GroupAccountRead(Schema):
    id = fields.UUID()
    group_id = fields.UUID()
    service_type = fields.String()
    website = fields.String()
    username = BlankString()
    email = BlankString()
    password = BlankString()
    app_password = BlankString()
    pass_mail = BlankString()
    twofa = BlankString()
    cookies = BlankString()
    active = fields.Boolean()
    status = fields.String()
    is_indexed = fields.Boolean()
    note = BlankString()
    created_at = IsoZ()


class QueuedRead(Schema):
    queued = fields.Integer()


# --- Requests (campaigns) and projects ----------------------------------------------------------
REQUEST_SORTS = ["created_at", "name", "auction_price", "priority", "status", "started_at"]
NAME = validate.Length(min=1, max=255)
WEBSITE = validate.And(
    validate.Length(max=2048), validate.URL(schemes={"http", "https"}, require_tld=False)
)


class RequestFields(Schema):
    group_id = fields.UUID(allow_none=True)
    name = fields.String(validate=NAME)
    website = fields.String(allow_none=True, validate=WEBSITE)
    auction_price = fields.Integer(strict=True, validate=validate.Range(min=1, max=1_000_000))
    target = fields.Integer(strict=True, validate=validate.Range(min=1, max=100_000))
    priority = fields.Integer(strict=True, validate=validate.Range(min=1, max=10))
    type_request = fields.String(validate=validate.Length(min=1, max=32))
    config = BoundedJsonObject()
    data = BoundedJsonObject()
    folder_urls = BoundedJsonObject()


class RequestCreate(RequestFields):
    name = fields.String(required=True, validate=NAME)
    auction_price = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=1_000_000)
    )
    target = fields.Integer(
        load_default=10, strict=True, validate=validate.Range(min=1, max=100_000)
    )
    priority = fields.Integer(load_default=5, strict=True, validate=validate.Range(min=1, max=10))


class RequestUpdate(RequestFields):
    class Meta:
        exclude = ("group_id", "type_request")


class RequestQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(REQUEST_STATUSES))
    search = fields.String(validate=validate.Length(max=255))
    sort = fields.String(load_default="created_at", validate=validate.OneOf(REQUEST_SORTS))
    order = fields.String(load_default="desc", validate=ORDER)


class SecondaryProgress(Schema):
    """A podcast post's secondary-site work (0 and 0 for other requests), read for every
    dumped request at once, and `result` counting it: "<completed episodes + secondary
    accounts done> / <target + secondary accounts>", so it never reads complete while that
    work is pending."""

    secondary_total = fields.Function(lambda r: r.secondary_progress[1])
    secondary_done = fields.Function(lambda r: r.secondary_progress[0])

    @pre_dump(pass_collection=True)
    def read_secondary_progress(self, data, many, **kwargs):
        requests = data if many else [data]
        found = progress.secondary_progress(requests)
        for request in requests:
            request.secondary_progress = found.get(request.id, (0, 0))
        return data


def request_result(request) -> str:
    done, total = request.secondary_progress
    return f"{request.created_links + done} / {request.target + total}"


class RequestRead(SecondaryProgress):
    id = fields.UUID()
    service_type = fields.String()
    group_id = fields.UUID(allow_none=True)
    name = fields.String()
    website = fields.String(allow_none=True)
    auction_price = fields.Integer()
    target = fields.Integer()
    created_links = fields.Integer()
    status = fields.String()
    type_request = fields.String()
    started_at = IsoZ()
    completed_at = IsoZ()
    created_at = IsoZ()


class RequestDetail(RequestRead):
    priority = fields.Integer()
    config = fields.Dict()
    data = fields.Dict()
    folder_urls = fields.Dict()
    result = fields.Function(request_result)
    updated_at = IsoZ()


# --- Links ------------------------------------------------------------------------------------
LINK_SORTS = ["created_at", "status", "started_at", "completed_at", "retry_count"]


class LinkQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(LINK_STATUSES))
    search = fields.String(validate=validate.Length(max=255))
    sort = fields.String(load_default="created_at", validate=validate.OneOf(LINK_SORTS))
    order = fields.String(load_default="desc", validate=ORDER)
    after = fields.UUID(
        metadata={
            "description": "Keyset cursor for walking every link: the id of the last link of "
            "the previous page. The page then starts right after it (`page` is ignored), at "
            "the same cost however deep. Only with `sort=created_at` (either `order`)."
        }
    )


class LinkRead(Schema):
    id = fields.UUID()
    service_type = fields.String()
    server_id = fields.UUID(allow_none=True)
    server_name = BlankString()
    site_id = fields.UUID(allow_none=True)
    site_name = BlankString()
    email = BlankString()
    username = BlankString()
    password = BlankString()
    about = BlankString()
    link_profile = BlankString()
    link_post = BlankString()
    status = fields.String()
    note = BlankString()
    error_message = BlankString()
    retry_count = fields.Integer()
    max_retries = fields.Integer()
    is_indexed = fields.Boolean()
    started_at = IsoZ()
    completed_at = IsoZ()
    created_at = IsoZ()


class LinkDeletedRead(Schema):
    deleted = fields.Integer()
    refunded = fields.Integer(metadata={"description": "Credits given back (0 or the price)"})


class RetriedRead(Schema):
    retried = fields.Integer()


# --- Stats ------------------------------------------------------------------------------------


RequestCounts = Schema.from_dict(
    {status: fields.Integer() for status in REQUEST_STATUSES}, name="RequestCounts"
)
LinkCounts = Schema.from_dict(
    {status: fields.Integer() for status in LINK_STATUSES}, name="LinkCounts"
)


class StatsRead(Schema):
    requests = fields.Nested(RequestCounts)
    links = fields.Nested(LinkCounts)


# --- Projects (every request of the user, across service types) ---------------------------------


class ProjectQuery(PageQuery):
    search = fields.String(validate=validate.Length(max=255))
    status = fields.String(validate=validate.OneOf(REQUEST_STATUSES))
    service_type = fields.String(data_key="type", validate=validate.OneOf(SERVICE_TYPES))
    type_request = fields.String(validate=validate.Length(max=32))


class ProjectRead(SecondaryProgress):
    id = fields.UUID()
    name = fields.String()
    type = fields.String(attribute="service_type")
    type_request = fields.String()
    website = fields.String(allow_none=True)
    auction_price = fields.Integer()
    target = fields.Integer()
    created_links = fields.Integer()
    status = fields.String()
    result = fields.Function(request_result)
    started_at = IsoZ()
    created_at = IsoZ()
