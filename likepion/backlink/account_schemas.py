"""Input and output schemas of the backlink API's sites, groups and accounts (seed 000 field
names)."""

from marshmallow import Schema, fields, validate

from likepion.backlink.schemas import SEARCH, SERVICE_TYPES
from likepion.core.fields import BlankString, IsoZ
from likepion.core.pagination import PageQuery

GROUP_STATUSES = ["active", "inactive"]
ACCOUNT_STATUSES = ["active", "inactive", "checking", "failed", "banned"]
MAX_IMPORT_ACCOUNTS = 20_000
# Longest accepted value of each account input field; backlink.accounts checks import items with
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


def _account_items(*, required: bool):
    """Import items: objects checked one by one by backlink.imports (an invalid one is counted
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


class GroupImportCreate(Schema):
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


class GroupBriefRead(Schema):
    id = fields.UUID()
    name = fields.String()


class ImportItemErrorRead(Schema):
    """Why one item of an import was not imported."""

    index = fields.Integer(metadata={"description": "The item's position in `accounts` (from 0)"})
    reason = fields.String(
        metadata={"description": "invalid (counted as failed), unsupported or duplicate"}
    )
    field = fields.String(metadata={"description": "The field at fault"})
    message = fields.String()


def _import_errors():
    return fields.List(
        fields.Nested(ImportItemErrorRead),
        metadata={"description": "Each item not imported, in item order, and why"},
    )


class GroupCreatedRead(Schema):
    group = fields.Nested(GroupRead)
    imported = fields.Integer()
    skipped = fields.Integer(metadata={"description": "duplicates + unsupported"})
    failed = fields.Integer()
    errors = _import_errors()


class GroupOrImport(fields.Field):
    """`POST /groups`: the group, or with `accounts` the group and the import's counters."""

    def _serialize(self, value, attr, obj, **kwargs):
        schema = GroupCreatedRead() if isinstance(value, dict) else GroupRead()
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


class ImportCountsRead(Schema):
    imported = fields.Integer()
    overwritten = fields.Integer()
    duplicates = fields.Integer()
    unsupported = fields.Integer()
    failed = fields.Integer()
    errors = _import_errors()


class GroupImportRead(ImportCountsRead):
    group = fields.Nested(GroupBriefRead)


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


class GroupAccountImportCreate(Schema):
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
