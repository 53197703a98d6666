"""Input and output schemas of the shortener API (seed 004 field names)."""

import re
from datetime import UTC, datetime

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from likepion.core.fields import PlainTime
from likepion.core.pagination import PageQuery
from likepion.core.time import plain
from likepion.shortener import aliases

RGB = re.compile(r"^rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)\Z")
HEX_COLOR = validate.Regexp(r"^#[0-9A-Fa-f]{6}\Z", error="Use a hex colour such as #FF0000.")
LINK_TYPE = validate.Regexp(
    r"^(direct|frame|splash|splash-\d{1,9}|overlay-\d{1,9})\Z",
    error="Use direct, frame, splash, splash-<splash id> or overlay-<overlay id>.",
)
PIXEL_TYPES = [
    "gtmpixel", "gapixel", "fbpixel", "adwordspixel", "linkedinpixel", "twitterpixel",
    "adrollpixel", "quorapixel", "pinterest", "bing", "snapchat", "reddit", "tiktok",
]  # fmt: skip
QR_TYPES = ["text", "vcard", "link", "email", "phone", "sms", "wifi"]
OVERLAY_TYPES = ["message", "contact"]
LINK_STATUSES = ["public", "private"]
NAME = validate.Length(min=1, max=100)
URL = validate.Length(min=1, max=2048)
MAX_TARGETS = 50
ID = validate.Range(min=1, max=2**31 - 1)


def rgb_color(value: str) -> None:
    match = RGB.fullmatch(value)
    if not match or any(int(part) > 255 for part in match.groups()):
        raise ValidationError("Use an RGB colour such as rgb(255,255,255).")


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


# --- Short links ------------------------------------------------------------------------------
class GeoTarget(Schema):
    location = fields.String(required=True, validate=validate.Length(min=2, max=64))
    link = fields.String(required=True, validate=URL)


class DeviceTarget(Schema):
    device = fields.String(required=True, validate=validate.Length(min=2, max=32))
    link = fields.String(required=True, validate=URL)


class LanguageTarget(Schema):
    language = fields.String(required=True, validate=validate.Length(min=2, max=32))
    link = fields.String(required=True, validate=URL)


class DeepLink(Schema):
    auto = fields.Boolean(load_default=False)
    apple = fields.String(validate=URL)
    google = fields.String(validate=URL)


def _targets(schema):
    return fields.List(fields.Nested(schema), validate=validate.Length(max=MAX_TARGETS))


class UrlUpdate(Schema):
    url = fields.String(validate=URL)
    custom = fields.String(validate=aliases.validate_custom)
    type = fields.String(validate=LINK_TYPE)
    password = fields.String(allow_none=True, validate=validate.Length(max=128))
    domain = fields.String(allow_none=True, validate=validate.Length(max=300))
    expiry = PlainTime(allow_none=True)
    geotarget = _targets(GeoTarget)
    devicetarget = _targets(DeviceTarget)
    languagetarget = _targets(LanguageTarget)
    metatitle = fields.String(allow_none=True, validate=validate.Length(max=255))
    metadescription = fields.String(allow_none=True, validate=validate.Length(max=1000))
    # GemPixel's clients send the link's description as `description`: the same text as
    # `metadescription`, which wins when both are sent.
    description = fields.String(allow_none=True, validate=validate.Length(max=1000))
    metaimage = fields.String(allow_none=True, validate=URL)
    status = fields.String(validate=validate.OneOf(LINK_STATUSES))
    pixels = fields.List(fields.Integer(validate=ID), validate=validate.Length(max=MAX_TARGETS))
    channel = fields.Integer(allow_none=True, validate=ID)
    campaign = fields.Integer(allow_none=True, validate=ID)
    deeplink = fields.Nested(DeepLink, allow_none=True)
    # Beyond the seed: show aggregate stats to anyone at `/<alias>+`.
    public_stats = fields.Boolean(metadata={"description": "Public stats page at /<alias>+"})


class UrlCreate(UrlUpdate):
    url = fields.String(required=True, validate=URL)


MAX_BULK_URLS = 100


class EachOnItsOwn(fields.Nested):
    """Documented as the nested schema, loaded as sent: each bulk item is loaded by that schema
    on its own, so a bad item is that item's error, not the whole request's."""

    def _deserialize(self, value, attr, data, **kwargs):
        return value


class UrlBulkCreate(Schema):
    urls = fields.List(
        EachOnItsOwn(UrlCreate),
        required=True,
        validate=validate.Length(min=1, max=MAX_BULK_URLS),
        metadata={"description": f"1 to {MAX_BULK_URLS} bodies of POST /api/url/add."},
    )


class UrlBulkResult(Schema):
    index = fields.Integer(metadata={"description": "The item's place in `urls`, from 0."})
    error = fields.Integer(metadata={"description": "0: created; 1: refused, see message."})
    id = fields.Integer(metadata={"description": "The new link's id (created items)."})
    shorturl = fields.String(metadata={"description": "The new short URL (created items)."})
    message = fields.String(metadata={"description": "Why the item was refused."})


class UrlBulkCreated(Schema):
    error = fields.Integer(dump_default=0)
    results = fields.Nested(UrlBulkResult, many=True)


class UrlQuery(ListQuery):
    order = fields.String(load_default="date", validate=validate.OneOf(["date", "clicks"]))
    short = fields.String(validate=validate.Length(max=64))


class LegacyUrlStats(Schema):
    urlid = fields.Integer(required=True, validate=ID)


class UrlRead(Schema):
    id = fields.Integer()
    alias = fields.String()
    shorturl = fields.String()
    longurl = fields.String(attribute="url")
    clicks = fields.Integer()
    title = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    metaimage = fields.String(attribute="meta_image", allow_none=True)
    status = fields.String()
    campaign = fields.Integer(attribute="campaign_id", allow_none=True)
    date = PlainTime(attribute="created_at")


class UrlDetails(Schema):
    id = fields.Integer()
    shorturl = fields.String()
    longurl = fields.String(attribute="url")
    title = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    location = fields.Dict(keys=fields.String(), values=fields.String())
    device = fields.Dict(keys=fields.String(), values=fields.String())
    expiry = PlainTime(allow_none=True)
    metaimage = fields.String(attribute="meta_image", allow_none=True)
    status = fields.String()
    campaign = fields.Integer(attribute="campaign_id", allow_none=True)
    date = PlainTime(attribute="created_at")


class SocialCount(Schema):
    facebook = fields.Integer()
    twitter = fields.Integer()
    instagram = fields.Integer()


class ClickStatsRead(Schema):
    clicks = fields.Integer()
    uniqueClicks = fields.Integer()  # noqa: N815 - the seed's field name
    topCountries = fields.Dict(keys=fields.String(), values=fields.String())  # noqa: N815
    topReferrers = fields.Dict(keys=fields.String(), values=fields.String())  # noqa: N815
    topBrowsers = fields.Dict(keys=fields.String(), values=fields.String())  # noqa: N815
    topOs = fields.Dict(keys=fields.String(), values=fields.String())  # noqa: N815
    socialCount = fields.Nested(SocialCount)  # noqa: N815


class UrlEnvelope(Schema):
    error = fields.Integer(dump_default=0)
    id = fields.Integer()
    details = fields.Nested(UrlDetails)
    data = fields.Nested(ClickStatsRead)


FIRST_STATS_YEAR, LAST_STATS_YEAR = 1970, 2100


class DayOrTime(fields.Field):
    """A UTC day `2025-06-01` or moment `2025-06-01 13:00:00`, read as a datetime."""

    def _deserialize(self, value, attr, data, **kwargs):
        for form in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
            try:
                moment = datetime.strptime(str(value), form).replace(tzinfo=UTC)
            except ValueError:
                continue
            if not FIRST_STATS_YEAR <= moment.year <= LAST_STATS_YEAR:  # range arithmetic overflows
                raise ValidationError(f"Use a year from {FIRST_STATS_YEAR} to {LAST_STATS_YEAR}.")
            return moment
        raise ValidationError("Use YYYY-MM-DD or YYYY-MM-DD HH:MM:SS (UTC).")


class StatsRangeQuery(Schema):
    start = DayOrTime(data_key="from", metadata={"description": "First day or hour (UTC)"})
    end = DayOrTime(data_key="to", metadata={"description": "Last day or hour (UTC), included"})


class StatsQuery(StatsRangeQuery):
    interval = fields.String(load_default="day", validate=validate.OneOf(["hour", "day", "month"]))


class SeriesPoint(Schema):
    time = PlainTime(metadata={"description": "Start of the hour, day or month (UTC)"})
    clicks = fields.Integer()
    uniqueClicks = fields.Integer()  # noqa: N815 - as in the seed's stats


class SeriesEnvelope(ClickStatsRead):
    """A link's clicks per hour, day or month and its stats over that range (beyond the seed).

    Unique clicks are distinct (UTC day, visitor) pairs, each counted in the bucket of its
    first click."""

    error = fields.Integer(dump_default=0)
    id = fields.Integer()
    interval = fields.String()
    start = PlainTime(data_key="from")
    end = PlainTime(data_key="to")
    series = fields.Nested(SeriesPoint, many=True)


class TopLink(Schema):
    id = fields.Integer()
    alias = fields.String()
    shorturl = fields.String()
    clicks = fields.Integer()


class AccountStatsEnvelope(Schema):
    """The account's clicks, unique clicks and QR scans on the days of a range, and its top
    links by clicks (beyond the seed)."""

    error = fields.Integer(dump_default=0)
    start = PlainTime(data_key="from")
    end = PlainTime(data_key="to")
    clicks = fields.Integer()
    uniqueClicks = fields.Integer()  # noqa: N815
    scans = fields.Integer()
    topLinks = fields.Nested(TopLink, many=True)  # noqa: N815


class UrlCreated(Schema):
    error = fields.Integer(dump_default=0)
    id = fields.Integer()
    shorturl = fields.String()


# --- Campaigns --------------------------------------------------------------------------------
SLUG = validate.Regexp(r"^[A-Za-z0-9_-]{1,64}\Z", error="Use 1 to 64 letters, digits, - or _.")


class CampaignCreate(Schema):
    name = fields.String(validate=NAME)
    slug = fields.String(allow_none=True, validate=SLUG)
    public = fields.Boolean()


class CampaignUpdate(CampaignCreate):
    name = fields.String(required=True, validate=NAME)


class CampaignRead(Schema):
    id = fields.Integer()
    name = fields.String()
    domain = fields.String()  # the seed's key for the name
    public = fields.Boolean()
    rotator = fields.Raw()  # the rotator URL, or false without a slug
    list = fields.String()


class CampaignEnvelope(CampaignRead):
    error = fields.Integer(dump_default=0)


# --- Splash pages and CTA overlays ------------------------------------------------------------
class SplashCreate(Schema):
    name = fields.String(required=True, validate=NAME)
    title = fields.String(validate=validate.Length(max=255))
    message = fields.String(validate=validate.Length(max=2000))
    link = fields.String(validate=URL)
    counter = fields.Integer(load_default=5, validate=validate.Range(min=1, max=60))


class SplashRead(Schema):
    id = fields.Integer()
    name = fields.String()
    date = PlainTime(attribute="created_at")


class OverlayCreate(Schema):
    type = fields.String(required=True, validate=validate.OneOf(OVERLAY_TYPES))
    name = fields.String(required=True, validate=NAME)
    message = fields.String(validate=validate.Length(max=2000))
    button_text = fields.String(validate=validate.Length(max=100))
    button_url = fields.String(validate=URL)


class OverlayRead(Schema):
    id = fields.Integer()
    type = fields.String()
    name = fields.String()
    date = PlainTime(attribute="created_at")


# --- QR codes ---------------------------------------------------------------------------------
class QrUpdate(Schema):
    type = fields.String(validate=validate.OneOf(QR_TYPES))
    data = fields.Raw(required=True)
    name = fields.String(validate=NAME)
    background = fields.String(validate=rgb_color)
    foreground = fields.String(validate=rgb_color)
    logo = fields.String(allow_none=True, validate=validate.Length(max=700_000))

    @validates_schema
    def data_is_text_or_object(self, data, **kwargs):
        value = data.get("data")
        if not isinstance(value, str | dict) or not value:
            raise ValidationError("Give the QR data as text or an object.", "data")


class QrCreate(QrUpdate):
    type = fields.String(required=True, validate=validate.OneOf(QR_TYPES))


class QrRead(Schema):
    id = fields.Integer()
    link = fields.String()
    scans = fields.Integer()
    name = fields.String()
    date = PlainTime(attribute="created_at")


class QrEnvelope(Schema):
    error = fields.Integer(dump_default=0)
    details = fields.Nested(QrRead)
    data = fields.Nested(ClickStatsRead)


class QrCreated(Schema):
    error = fields.Integer(dump_default=0)
    id = fields.Integer()
    link = fields.String()


# --- Channels ---------------------------------------------------------------------------------
class ChannelUpdate(Schema):
    name = fields.String(validate=NAME)
    description = fields.String(allow_none=True, validate=validate.Length(max=1000))
    color = fields.String(validate=HEX_COLOR)
    starred = fields.Boolean()


class ChannelCreate(ChannelUpdate):
    name = fields.String(required=True, validate=NAME)


class ChannelRead(Schema):
    id = fields.Integer()
    name = fields.String()
    description = fields.String(allow_none=True)
    color = fields.String()
    starred = fields.Boolean()


class ChannelEnvelope(ChannelRead):
    error = fields.Integer(dump_default=0)


class ChannelItemRead(Schema):
    type = fields.String()
    id = fields.Integer()
    title = fields.String()
    preview = fields.String()
    link = fields.String()
    date = fields.String()


# --- Pixels -----------------------------------------------------------------------------------
PIXEL_TAG = validate.Regexp(
    r"^[A-Za-z0-9_.:-]{1,100}\Z", error="Use 1 to 100 letters, digits, '-', '_', '.' or ':'."
)


class PixelUpdate(Schema):
    name = fields.String(validate=NAME)
    tag = fields.String(required=True, validate=PIXEL_TAG)


class PixelCreate(PixelUpdate):
    type = fields.String(required=True, validate=validate.OneOf(PIXEL_TYPES))
    name = fields.String(required=True, validate=NAME)


class PixelRead(Schema):
    id = fields.Integer()
    type = fields.String()
    name = fields.String()
    tag = fields.String()
    date = PlainTime(attribute="created_at")


# --- Branded domains --------------------------------------------------------------------------
class DomainUpdate(Schema):
    redirectroot = fields.String(allow_none=True, validate=URL)
    redirect404 = fields.String(allow_none=True, validate=URL)


class DomainCreate(DomainUpdate):
    domain = fields.String(required=True, validate=validate.Length(min=1, max=300))


class DomainRead(Schema):
    id = fields.Integer()
    domain = fields.String(attribute="url")
    redirectroot = fields.String(attribute="redirect_root", allow_none=True)
    redirect404 = fields.String(attribute="redirect_404", allow_none=True)


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


class PlanCreated(IdEnvelope):
    data = fields.Nested(PlanRead)


class PlanUpdated(MessageEnvelope):
    data = fields.Nested(PlanRead)


class ErrorEnvelope(Schema):
    error = fields.Integer(dump_default=1, metadata={"example": 1})
    message = fields.String()


class PlansEnvelope(Schema):
    error = fields.Integer(dump_default=0)
    data = fields.Nested(PlanRead, many=True)


class Subscription(Schema):
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


class LegacyUserGet(Schema):
    userid = fields.Integer(required=True, validate=ID)


class UserCreatedData(Schema):
    id = fields.Integer()
    email = fields.String()
    username = fields.String()


class UserCreated(MessageEnvelope):
    data = fields.Nested(UserCreatedData)


class SsoEnvelope(Schema):
    error = fields.Integer(dump_default=0)
    url = fields.String()
