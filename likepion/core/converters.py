"""URL converters: `<service_type:...>` routes only the six service types, `<id:...>` only
integer ids a database column can hold; anything else is a 404."""

from werkzeug.routing import AnyConverter, IntegerConverter

from likepion.core.enums import ServiceType


class ServiceTypeConverter(AnyConverter):
    def __init__(self, url_map):
        super().__init__(url_map, *[t.value for t in ServiceType])

    def to_python(self, value):
        return ServiceType(value)

    def to_url(self, value):
        return ServiceType(value).value


class IdConverter(IntegerConverter):
    """A positive 32-bit integer id (SQLite and PostgreSQL integer columns)."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=2**31 - 1)
