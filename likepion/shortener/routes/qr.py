"""QR codes (seed 004, "QR codes"): list, get with stats, add, update, delete."""

from likepion.auth.guards import require_api_key
from likepion.shortener import addresses, qrcodes
from likepion.shortener.blueprint import bp
from likepion.shortener.envelope import list_envelope, page_data
from likepion.shortener.qr_schemas import QrCreate, QrCreatedEnvelope, QrEnvelope, QrRead, QrUpdate
from likepion.shortener.schemas import ListQuery, MessageEnvelope


@bp.get("/qr")
@require_api_key
@bp.arguments(ListQuery, location="query")
@bp.response(200, list_envelope(QrRead, "qrs"))
def list_qr(query, user):
    """List QR codes.

    Paginated, with scan counts."""
    return page_data(qrcodes.list_qrs(user, **query), "qrs")


@bp.get("/qr/<id:qr_id>")
@require_api_key
@bp.response(200, QrEnvelope)
def get_qr(user, qr_id):
    """One QR code.

    Its content, style and scan statistics."""
    return qrcodes.get_qr_with_stats(user, qr_id)


@bp.post("/qr/add")
@require_api_key
@bp.arguments(QrCreate)
@bp.response(200, QrCreatedEnvelope)
def add_qr(data, user):
    """Create a QR code.

    Answers its id and the link that serves its image."""
    qr = qrcodes.create_qr(user, **data)
    return {"id": qr.id, "link": addresses.qr_url(qr)}


@bp.put("/qr/<id:qr_id>/update")
@require_api_key
@bp.arguments(QrUpdate)
@bp.response(200, MessageEnvelope)
def update_qr(data, user, qr_id):
    """Change a QR code.

    Only the fields sent change."""
    qrcodes.update_qr(user, qr_id, **data)
    return {"message": "QR has been updated successfully."}


@bp.delete("/qr/<id:qr_id>/delete")
@require_api_key
@bp.response(200, MessageEnvelope)
def delete_qr(user, qr_id):
    """Delete a QR code.

    Its image URL stops working."""
    qrcodes.delete_qr(user, qr_id)
    return {"message": "QR Code has been deleted successfully."}
