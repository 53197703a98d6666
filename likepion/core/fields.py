"""marshmallow fields shared by the API schemas."""

import json
from datetime import UTC, datetime

from flask import current_app
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


class BoundedJsonObject(fields.Dict):
    """A free-form JSON object capped at JSON_FIELD_MAX_BYTES (compact UTF-8 JSON) and
    JSON_FIELD_MAX_DEPTH levels: such fields are stored and copied to workers as they are."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        max_depth = current_app.config["JSON_FIELD_MAX_DEPTH"]
        if json_depth(value) > max_depth:
            raise ValidationError(f"{attr}: at most {max_depth} levels of nesting.")
        max_bytes = current_app.config["JSON_FIELD_MAX_BYTES"]
        size = len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())
        if size > max_bytes:
            raise ValidationError(f"{attr}: at most {max_bytes} bytes as JSON (got {size}).")
        return value


def json_depth(value) -> int:
    """Levels of objects/arrays in `value` (a scalar is 0, `{}` is 1), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            node = node.values()
        elif not isinstance(node, list):
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node if isinstance(child, dict | list))
    return deepest
