"""URL converter `<service_type:...>`: only the six service types route; anything else is 404."""

from werkzeug.routing import AnyConverter

from likepion.core.enums import ServiceType


class ServiceTypeConverter(AnyConverter):
    def __init__(self, url_map):
        super().__init__(url_map, *[t.value for t in ServiceType])

    def to_python(self, value):
        return ServiceType(value)

    def to_url(self, value):
        return ServiceType(value).value
