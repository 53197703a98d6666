"""Input and output schemas of the backlink API (seed 000 field names)."""

from marshmallow import Schema, fields, pre_dump, validate

from likepion.backlink import progress
from likepion.backlink.models import LINK_STATUSES, REQUEST_STATUSES
from likepion.core.enums import ServiceType
from likepion.core.fields import BlankString, BoundedJsonObject, IsoZ
from likepion.core.pagination import PageQuery

SERVICE_TYPES = [t.value for t in ServiceType]
ORDER = validate.OneOf(["asc", "desc"])
EXPORT_FORMAT = validate.OneOf(["json", "csv", "txt"])
MAX_BULK_IDS = 200
SEARCH = validate.Length(max=255)


class IdsIn(Schema):
    ids = fields.List(
        fields.UUID(), required=True, validate=validate.Length(min=1, max=MAX_BULK_IDS)
    )


class IdsExportIn(IdsIn):
    format = fields.String(load_default="json", validate=EXPORT_FORMAT)


class ExportQuery(Schema):
    format = fields.String(load_default="json", validate=EXPORT_FORMAT)


class DeletedRead(Schema):
    deleted = fields.Integer()


# --- Requests (campaigns) and projects ----------------------------------------------------------
REQUEST_SORTS = ["created_at", "name", "auction_price", "priority", "status", "started_at"]
NAME = validate.Length(min=1, max=255)
WEBSITE = validate.And(
    validate.Length(max=2048), validate.URL(schemes={"http", "https"}, require_tld=False)
)


class RequestFields(Schema):
    group_id = fields.UUID(allow_none=True)
    name = fields.String(validate=NAME)
    website = fields.String(allow_none=True, validate=WEBSITE)
    auction_price = fields.Integer(strict=True, validate=validate.Range(min=1, max=1_000_000))
    target = fields.Integer(strict=True, validate=validate.Range(min=1, max=100_000))
    priority = fields.Integer(strict=True, validate=validate.Range(min=1, max=10))
    type_request = fields.String(validate=validate.Length(min=1, max=32))
    config = BoundedJsonObject()
    data = BoundedJsonObject()
    folder_urls = BoundedJsonObject()


class RequestCreate(RequestFields):
    name = fields.String(required=True, validate=NAME)
    auction_price = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=1_000_000)
    )
    target = fields.Integer(
        load_default=10, strict=True, validate=validate.Range(min=1, max=100_000)
    )
    priority = fields.Integer(load_default=5, strict=True, validate=validate.Range(min=1, max=10))


class RequestUpdate(RequestFields):
    class Meta:
        exclude = ("group_id", "type_request")


class RequestQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(REQUEST_STATUSES))
    search = fields.String(validate=validate.Length(max=255))
    sort = fields.String(load_default="created_at", validate=validate.OneOf(REQUEST_SORTS))
    order = fields.String(load_default="desc", validate=ORDER)


class SecondaryProgress(Schema):
    """A podcast post's secondary-site work (0 and 0 for other requests), read for every
    dumped request at once, and `result` counting it: "<completed episodes + secondary
    accounts done> / <target + secondary accounts>", so it never reads complete while that
    work is pending."""

    secondary_total = fields.Function(lambda r: r.secondary_progress[1])
    secondary_done = fields.Function(lambda r: r.secondary_progress[0])

    @pre_dump(pass_collection=True)
    def read_secondary_progress(self, data, many, **kwargs):
        requests = data if many else [data]
        found = progress.secondary_progress(requests)
        for request in requests:
            request.secondary_progress = found.get(request.id, (0, 0))
        return data


def request_result(request) -> str:
    done, total = request.secondary_progress
    return f"{request.created_links + done} / {request.target + total}"


class RequestRead(SecondaryProgress):
    id = fields.UUID()
    service_type = fields.String()
    group_id = fields.UUID(allow_none=True)
    name = fields.String()
    website = fields.String(allow_none=True)
    auction_price = fields.Integer()
    target = fields.Integer()
    created_links = fields.Integer()
    status = fields.String()
    type_request = fields.String()
    started_at = IsoZ()
    completed_at = IsoZ()
    created_at = IsoZ()


class RequestDetailRead(RequestRead):
    priority = fields.Integer()
    config = fields.Dict()
    data = fields.Dict()
    folder_urls = fields.Dict()
    result = fields.Function(request_result)
    updated_at = IsoZ()


# --- Links ------------------------------------------------------------------------------------
LINK_SORTS = ["created_at", "status", "started_at", "completed_at", "retry_count"]


class LinkQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(LINK_STATUSES))
    search = fields.String(validate=validate.Length(max=255))
    sort = fields.String(load_default="created_at", validate=validate.OneOf(LINK_SORTS))
    order = fields.String(load_default="desc", validate=ORDER)
    after = fields.UUID(
        metadata={
            "description": "Keyset cursor for walking every link: the id of the last link of "
            "the previous page. The page then starts right after it (`page` is ignored), at "
            "the same cost however deep. Only with `sort=created_at` (either `order`)."
        }
    )


class LinkRead(Schema):
    id = fields.UUID()
    service_type = fields.String()
    server_id = fields.UUID(allow_none=True)
    server_name = BlankString()
    site_id = fields.UUID(allow_none=True)
    site_name = BlankString()
    email = BlankString()
    username = BlankString()
    password = BlankString()
    about = BlankString()
    link_profile = BlankString()
    link_post = BlankString()
    status = fields.String()
    note = BlankString()
    error_message = BlankString()
    retry_count = fields.Integer()
    max_retries = fields.Integer()
    is_indexed = fields.Boolean()
    started_at = IsoZ()
    completed_at = IsoZ()
    created_at = IsoZ()


class LinkDeletedRead(Schema):
    deleted = fields.Integer()
    refunded = fields.Integer(metadata={"description": "Credits given back (0 or the price)"})


class RetriedRead(Schema):
    retried = fields.Integer()


# --- Stats ------------------------------------------------------------------------------------


RequestCountsRead = Schema.from_dict(
    {status: fields.Integer() for status in REQUEST_STATUSES}, name="RequestCountsRead"
)
LinkCountsRead = Schema.from_dict(
    {status: fields.Integer() for status in LINK_STATUSES}, name="LinkCountsRead"
)


class StatsRead(Schema):
    requests = fields.Nested(RequestCountsRead)
    links = fields.Nested(LinkCountsRead)


# --- Projects (every request of the user, across service types) ---------------------------------


class ProjectQuery(PageQuery):
    search = fields.String(validate=validate.Length(max=255))
    status = fields.String(validate=validate.OneOf(REQUEST_STATUSES))
    service_type = fields.String(data_key="type", validate=validate.OneOf(SERVICE_TYPES))
    type_request = fields.String(validate=validate.Length(max=32))


class ProjectRead(SecondaryProgress):
    id = fields.UUID()
    name = fields.String()
    type = fields.String(attribute="service_type")
    type_request = fields.String()
    website = fields.String(allow_none=True)
    auction_price = fields.Integer()
    target = fields.Integer()
    created_links = fields.Integer()
    status = fields.String()
    result = fields.Function(request_result)
    started_at = IsoZ()
    created_at = IsoZ()
