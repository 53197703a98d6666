"""Schemas of the simple per-user objects (seed 004 names): campaigns, splash pages and CTA
overlays, channels, pixels, branded domains."""

from marshmallow import Schema, fields, validate

from likepion.core.fields import PlainTime
from likepion.shortener.schemas import NAME, URL

HEX_COLOR = validate.Regexp(r"^#[0-9A-Fa-f]{6}\Z", error="Use a hex colour such as #FF0000.")
PIXEL_TYPES = [
    "gtmpixel", "gapixel", "fbpixel", "adwordspixel", "linkedinpixel", "twitterpixel",
    "adrollpixel", "quorapixel", "pinterest", "bing", "snapchat", "reddit", "tiktok",
]  # fmt: skip
OVERLAY_TYPES = ["message", "contact"]


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
