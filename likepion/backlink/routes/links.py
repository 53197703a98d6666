"""`/:type/:id/links`: list, export, retry one or all, delete."""

from likepion.auth.guards import require_jwt
from likepion.backlink import links
from likepion.backlink.blueprint import bp
from likepion.backlink.exports import download
from likepion.backlink.schemas import (
    ExportQuery,
    LinkDeletedRead,
    LinkQuery,
    LinkRead,
    RetriedRead,
)
from likepion.core.envelope import envelope, page_body

LINKS = "/<service_type:service_type>/<uuid:request_id>/links"
ONE = LINKS + "/<uuid:link_id>"
EXPORT_COLUMNS = list(LinkRead().fields)


@bp.get(LINKS)
@require_jwt
@bp.arguments(LinkQuery, location="query")
@bp.response(200, envelope(LinkRead, many=True))
def list_links(query, user, service_type, request_id):
    """List a request's links.

    Paginated, filterable by status."""
    return page_body(links.list_links(user, service_type, request_id, **query))


@bp.get(LINKS + "/export")
@require_jwt
@bp.arguments(ExportQuery, location="query")
@bp.response(200, description="The request's links as a JSON, CSV or TXT download")
def export_links(query, user, service_type, request_id):
    """Export a request's links.

    Every link of the request with its result fields."""
    rows = LinkRead(many=True).dump(links.export_links(user, service_type, request_id))
    if query["format"] == "txt":
        rows = [row for row in rows if txt_line(row)]
    return download(
        rows,
        fmt=query["format"],
        filename=f"links-{request_id}",
        columns=EXPORT_COLUMNS,
        txt_line=txt_line,
    )


def txt_line(row: dict) -> str:
    """The link a TXT export lists: the post, else the profile."""
    return row["link_post"] or row["link_profile"]


@bp.post(ONE + "/retry")
@require_jwt
@bp.response(200, envelope(LinkRead))
def retry_link(user, service_type, request_id, link_id):
    """Retry a failed link.

    Puts the link back in the queue (`queued`; `pending` while its request is stopped)."""
    return {"data": links.retry_link(user, service_type, request_id, link_id)}


@bp.post(LINKS + "/retry-all")
@require_jwt
@bp.response(200, envelope(RetriedRead))
def retry_all_links(user, service_type, request_id):
    """Retry every failed link of a request.

    Answers how many links were queued again."""
    return {"data": {"retried": links.retry_all_links(user, service_type, request_id)}}


@bp.delete(ONE)
@require_jwt
@bp.response(200, envelope(LinkDeletedRead))
def delete_link(user, service_type, request_id, link_id):
    """Delete one link of a request.

    The link is removed from the request."""
    refunded = links.delete_link(user, service_type, request_id, link_id)
    return {"data": {"deleted": 1, "refunded": refunded}}
