"""`/:type` requests (campaigns): CRUD, start/stop/restart, bulk delete and export."""

from flask_smorest import Blueprint

from likepion.auth.guards import require_jwt
from likepion.backlink import requests
from likepion.backlink.blueprint import bp
from likepion.backlink.exports import download
from likepion.backlink.schemas import (
    DeletedRead,
    IdsExportIn,
    IdsIn,
    RequestCreate,
    RequestDetailRead,
    RequestQuery,
    RequestRead,
    RequestUpdate,
)
from likepion.core.envelope import envelope, page_body
from likepion.core.idempotency import idempotent

ONE = "/<service_type:service_type>/<uuid:request_id>"
EXPORT_COLUMNS = [
    "id",
    "service_type",
    "group_id",
    "name",
    "website",
    "auction_price",
    "target",
    "created_links",
    "status",
    "type_request",
    "priority",
    "result",
    "started_at",
    "completed_at",
    "created_at",
]


@bp.post("/<service_type:service_type>")
@require_jwt
@bp.arguments(RequestCreate)
@idempotent(lambda user, **_: f"user:{user.id}")
@bp.response(201, envelope(RequestDetailRead))
def create_request(data, user, service_type):
    """Create a backlink request (campaign).

    Charges `auction_price` x `target` credits (402 when the balance is short); its links are
    planned when it starts."""
    return {"data": requests.create_request(user, service_type, **data)}


@bp.get("/<service_type:service_type>")
@require_jwt
@bp.arguments(RequestQuery, location="query")
@bp.response(200, envelope(RequestRead, many=True))
def list_requests(query, user, service_type):
    """List requests of a service type.

    Paginated, newest first, with progress counts."""
    return page_body(requests.list_requests(user, service_type, **query))


@bp.get(ONE)
@require_jwt
@bp.response(200, envelope(RequestDetailRead))
def get_request(user, service_type, request_id):
    """One request with its progress.

    Link counts by status and the request's fields."""
    return {"data": requests.get_request(user, service_type, request_id)}


@bp.put(ONE)
@require_jwt
@bp.arguments(RequestUpdate)
@bp.response(200, envelope(RequestDetailRead))
def update_request(data, user, service_type, request_id):
    """Change a request.

    Only the fields sent change."""
    return {"data": requests.update_request(user, service_type, request_id, **data)}


@bp.delete(ONE)
@require_jwt
@bp.response(200, envelope(DeletedRead))
def delete_request(user, service_type, request_id):
    """Delete a request.

    Hides the request, cancels its open links and refunds the slots not built."""
    requests.delete_request(user, service_type, request_id)
    return {"data": {"deleted": 1}}


STATE_DOCS = {
    "start": "pending or stopped to running; the first start plans `target` queued links. 409 "
    "`invalid_state` from another state.",
    "stop": "running to stopped; its queued links are held back from workers.",
    "restart": "Failed links back to queued (charged again if refunded); running again. 409 "
    "`invalid_state` from a pending or running request.",
}


def _state_route(action: str, service):
    @bp.post(f"{ONE}/{action}", endpoint=f"{action}_request")
    @bp.response(200, envelope(RequestDetailRead))
    @require_jwt
    @Blueprint.doc(summary=f"{action.capitalize()} a request", description=STATE_DOCS[action])
    def change_state(user, service_type, request_id):
        return {"data": service(user, service_type, request_id)}

    return change_state


start_request = _state_route("start", requests.start_request)
stop_request = _state_route("stop", requests.stop_request)
restart_request = _state_route("restart", requests.restart_request)


@bp.post("/requests/bulk-delete")
@require_jwt
@bp.arguments(IdsIn)
@bp.response(200, envelope(DeletedRead))
def bulk_delete_requests(data, user):
    """Delete many requests.

    Deletes the caller's requests among `ids`; others' ids are ignored."""
    return {"data": {"deleted": requests.bulk_delete(user, data["ids"])}}


@bp.post("/requests/export")
@require_jwt
@bp.arguments(IdsExportIn)
@bp.response(200, description="The requests as a JSON, CSV or TXT download")
def export_requests(data, user):
    """Export requests by id.

    The caller's requests among `ids` (their own fields, not their links)."""
    rows = RequestDetailRead(many=True).dump(requests.export_requests(user, data["ids"]))
    return download(
        rows,
        fmt=data["format"],
        filename="requests",
        columns=EXPORT_COLUMNS,
        txt_line=lambda r: "|".join(
            str(r[k] or "") for k in ("id", "service_type", "name", "website", "status", "result")
        ),
    )
