"""Input and output schemas of the shortener API (seed 004 field names): the shared envelopes
and list query, the account, plans and users (admin). Short links and their stats are in
link_schemas.py, QR codes in qr_schemas.py, the other per-user objects in object_schemas.py."""

from marshmallow import Schema, fields, validate

from likepion.core.fields import PlainTime
from likepion.core.pagination import PageQuery
from likepion.core.time import plain

NAME = validate.Length(min=1, max=100)
URL = validate.Length(min=1, max=2048)
MAX_TARGETS = 50
ID = validate.Range(min=1, max=2**31 - 1)


class MessageEnvelope(Schema):
    error = fields.Integer(dump_default=0)
    message = fields.String()


class IdEnvelope(Schema):
    error = fields.Integer(dump_default=0)
    id = fields.Integer()


class ListQuery(PageQuery):
    """`limit` and `page` of every list (page >= 1, 1 <= limit <= 1000)."""


# --- Account ----------------------------------------------------------------------------------
class AccountRead(Schema):
    id = fields.Integer()
    email = fields.String()
    username = fields.String()
    avatar = fields.String()
    status = fields.String()
    expires = PlainTime(allow_none=True)
    registered = PlainTime()


class OwnAccountRead(AccountRead):
    """`GET /api/account`: `expires` is always a string, as the seed shows it ("" when the
    plan has no end date); the admin's user lists keep null, as theirs show."""

    expires = fields.Function(
        lambda account: plain(account["expires"]) or "", metadata={"type": "string"}
    )


class AccountEnvelope(Schema):
    error = fields.Integer(dump_default=0)
    data = fields.Nested(OwnAccountRead)


class AccountUpdate(Schema):
    email = fields.Email(validate=validate.Length(max=254))
    password = fields.String(
        validate=validate.Length(min=8, max=128),
        metadata={"description": "A new password; needs current_password. Revokes every JWT."},
    )
    current_password = fields.String(
        load_only=True,
        validate=validate.Length(max=128),
        metadata={"description": "Required with password."},
    )


# --- Plans and users (admin) ------------------------------------------------------------------
class Switch(fields.String):
    """A feature flag as the seed writes it: "1" on, "0" off (true/false and 1/0 are taken)."""

    def __init__(self, **kwargs):
        super().__init__(validate=validate.OneOf(["0", "1"]), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or value in (0, 1) and isinstance(value, int):
            value = str(int(value))
        return super()._deserialize(value, attr, data, **kwargs)


class Count(fields.String):
    """A count as the seed writes it, digits in a string ("10"); a whole number is taken."""

    def __init__(self, **kwargs):
        error = "Use a whole number from 0 to 999999999."
        super().__init__(validate=validate.Regexp(r"^\d{1,9}\Z", error=error), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        text = super()._deserialize(value, attr, data, **kwargs)
        return str(int(text)) if text.isascii() and text.isdigit() and len(text) <= 9 else text


LIMIT = validate.Range(min=0, max=999_999_999)
PRICE = validate.Range(min=0, max=999_999_999)
PLAN_NAME = validate.Regexp(
    r"^[^\s\x00-\x1f\x7f](?:[^\x00-\x1f\x7f]{0,62}[^\s\x00-\x1f\x7f])?\Z",
    error="Use 1 to 64 characters, no control characters, no space at either end.",
)


class PlanFlag(Schema):
    enabled = Switch(required=True)


class PlanCountedFlag(Schema):
    enabled = Switch()
    count = Count(metadata={"description": "How many the user may have."})


class PlanLimits(Schema):
    """The seed's limits object. On update only the keys sent change (merged key by key)."""

    links = fields.Integer(validate=LIMIT, metadata={"description": "Short links a user may have"})
    clicks = fields.Integer(validate=LIMIT)
    retention = fields.Integer(validate=LIMIT, metadata={"description": "Days of statistics"})
    custom = fields.Nested(PlanFlag)
    multiple = fields.Nested(PlanFlag)
    alias = fields.Nested(PlanFlag, metadata={"description": "Custom aliases"})
    device = fields.Nested(PlanFlag, metadata={"description": "Device and language targeting"})
    geo = fields.Nested(PlanFlag, metadata={"description": "Geo targeting"})
    bundle = fields.Nested(PlanFlag, metadata={"description": "Campaigns"})
    parameters = fields.Nested(PlanFlag, metadata={"description": "Deep links"})
    export = fields.Nested(PlanFlag)
    api = fields.Nested(PlanFlag)
    team = fields.Nested(PlanCountedFlag)
    splash = fields.Nested(PlanCountedFlag, metadata={"description": "Custom splash pages"})
    overlay = fields.Nested(PlanCountedFlag, metadata={"description": "CTA overlays"})
    pixels = fields.Nested(PlanCountedFlag)
    domain = fields.Nested(PlanCountedFlag, metadata={"description": "Branded domains"})


class PlanPrices(Schema):
    monthly = fields.Float(allow_nan=False, validate=PRICE)
    yearly = fields.Float(allow_nan=False, validate=PRICE)
    lifetime = fields.Float(allow_nan=False, validate=PRICE)


class PlanRead(Schema):
    id = fields.Integer()
    name = fields.String()
    free = fields.Boolean()
    prices = fields.Nested(PlanPrices, allow_none=True)
    limits = fields.Nested(PlanLimits)


class PlanUpdate(Schema):
    name = fields.String(validate=PLAN_NAME)
    free = fields.Boolean(metadata={"description": "New users are put on the (first) free plan."})
    prices = fields.Nested(PlanPrices, allow_none=True, metadata={"description": "Replaced whole"})
    limits = fields.Nested(PlanLimits)


class PlanCreate(PlanUpdate):
    name = fields.String(required=True, validate=PLAN_NAME)
    limits = fields.Nested(
        PlanLimits, metadata={"description": "What it leaves out is off (flags) or 0 (counts)."}
    )


class PlanCreatedEnvelope(IdEnvelope):
    data = fields.Nested(PlanRead)


class PlanUpdatedEnvelope(MessageEnvelope):
    data = fields.Nested(PlanRead)


class ErrorEnvelope(Schema):
    error = fields.Integer(dump_default=1, metadata={"example": 1})
    message = fields.String()


class PlansEnvelope(Schema):
    error = fields.Integer(dump_default=0)
    data = fields.Nested(PlanRead, many=True)


class SubscriptionUpdate(Schema):
    type = fields.String(required=True, validate=validate.OneOf(["monthly", "yearly", "lifetime"]))
    expiration = PlainTime(allow_none=True)


class UserQuery(ListQuery):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    filter = fields.String(validate=validate.OneOf(["admin", "free", "pro"]))
    email = fields.String(validate=validate.Length(max=254))


class PlatformUserRead(AccountRead):
    planid = fields.Integer(allow_none=True)
    apikey = fields.String()


class UsersEnvelope(Schema):
    error = fields.Integer(dump_default=0)
    data = fields.Nested(PlatformUserRead, many=True)


class UserEnvelope(Schema):
    error = fields.Integer(dump_default=0)
    data = fields.Nested(PlatformUserRead)


class UserCreate(Schema):
    username = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[A-Za-z0-9_.-]{3,32}\Z", error="Use 3 to 32 letters, digits, '.', '-' or '_'."
        ),
    )
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(min=5, max=128))
    planid = fields.Integer()
    expiration = PlainTime(allow_none=True)


class LegacyUserQuery(Schema):
    userid = fields.Integer(required=True, validate=ID)


class UserCreatedRead(Schema):
    id = fields.Integer()
    email = fields.String()
    username = fields.String()


class UserCreatedEnvelope(MessageEnvelope):
    data = fields.Nested(UserCreatedRead)


class SsoEnvelope(Schema):
    error = fields.Integer(dump_default=0)
    url = fields.String()
