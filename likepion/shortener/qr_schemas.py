"""Schemas of QR codes (`/api/qr...`, seed 004 names)."""

import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from likepion.core.fields import PlainTime
from likepion.shortener.link_schemas import ClickStatsRead
from likepion.shortener.schemas import NAME

RGB = re.compile(r"^rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)\Z")
QR_TYPES = ["text", "vcard", "link", "email", "phone", "sms", "wifi"]


def rgb_color(value: str) -> None:
    match = RGB.fullmatch(value)
    if not match or any(int(part) > 255 for part in match.groups()):
        raise ValidationError("Use an RGB colour such as rgb(255,255,255).")


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


class QrCreatedEnvelope(Schema):
    error = fields.Integer(dump_default=0)
    id = fields.Integer()
    link = fields.String()
