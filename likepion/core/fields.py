"""marshmallow fields shared by the API schemas."""

from datetime import UTC, datetime

from marshmallow import ValidationError, fields

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
    """A datetime as `2025-06-01 00:00:00` in UTC (shortener family), both ways."""

    def _serialize(self, value, attr, obj, **kwargs):
        return plain(value)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        except ValueError:
            raise ValidationError("Use the form YYYY-MM-DD HH:MM:SS (UTC).") from None
