"""Schemas of short links (`/api/urls`, `/api/url/...`) and of their stats (seed 004 names)."""

from datetime import UTC, datetime

from marshmallow import Schema, ValidationError, fields, validate

from likepion.core.fields import PlainTime
from likepion.shortener import aliases
from likepion.shortener.schemas import ID, MAX_TARGETS, URL, ListQuery

LINK_TYPE = validate.Regexp(
    r"^(direct|frame|splash|splash-\d{1,9}|overlay-\d{1,9})\Z",
    error="Use direct, frame, splash, splash-<splash id> or overlay-<overlay id>.",
)
LINK_STATUSES = ["public", "private"]


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


class UrlBulkResultRead(Schema):
    index = fields.Integer(metadata={"description": "The item's place in `urls`, from 0."})
    error = fields.Integer(metadata={"description": "0: created; 1: refused, see message."})
    id = fields.Integer(metadata={"description": "The new link's id (created items)."})
    shorturl = fields.String(metadata={"description": "The new short URL (created items)."})
    message = fields.String(metadata={"description": "Why the item was refused."})


class UrlBulkEnvelope(Schema):
    error = fields.Integer(dump_default=0)
    results = fields.Nested(UrlBulkResultRead, many=True)


class UrlQuery(ListQuery):
    order = fields.String(load_default="date", validate=validate.OneOf(["date", "clicks"]))
    short = fields.String(validate=validate.Length(max=64))


class LegacyUrlQuery(Schema):
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


class UrlDetailsRead(Schema):
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


class SocialCountRead(Schema):
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
    socialCount = fields.Nested(SocialCountRead)  # noqa: N815


class UrlEnvelope(Schema):
    error = fields.Integer(dump_default=0)
    id = fields.Integer()
    details = fields.Nested(UrlDetailsRead)
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


class SeriesPointRead(Schema):
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
    series = fields.Nested(SeriesPointRead, many=True)


class TopLinkRead(Schema):
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
    topLinks = fields.Nested(TopLinkRead, many=True)  # noqa: N815


class UrlSavedEnvelope(Schema):
    error = fields.Integer(dump_default=0)
    id = fields.Integer()
    shorturl = fields.String()
