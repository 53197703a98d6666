"""marshmallow fields shared by the API schemas."""

from marshmallow import fields

from likepion.core.time import iso_z, plain


class IsoZ(fields.Field):
    """A datetime dumped as `2025-06-01T00:00:00Z` (success family)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return iso_z(value)


class BlankString(fields.String):
    """Text that is missing dumps as "" (the seeds show `"note": ""`), never null."""

    def _serialize(self, value, attr, obj, **kwargs):
        return "" if value is None else super()._serialize(value, attr, obj, **kwargs)


class PlainTime(fields.Field):
    """A datetime dumped as `2025-06-01 00:00:00` (shortener family)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return plain(value)
