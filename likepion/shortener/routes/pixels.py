"""Pixels (seed 004, "Pixels"): list, add, update, delete."""

from likepion.auth.guards import require_api_key
from likepion.shortener import pixels
from likepion.shortener.blueprint import bp
from likepion.shortener.envelope import list_envelope, page_data
from likepion.shortener.object_schemas import PixelCreate, PixelRead, PixelUpdate
from likepion.shortener.schemas import IdEnvelope, ListQuery, MessageEnvelope


@bp.get("/pixels")
@require_api_key
@bp.arguments(ListQuery, location="query")
@bp.response(200, list_envelope(PixelRead, "pixels"))
def list_pixels(query, user):
    """List tracking pixels.

    Paginated."""
    return page_data(pixels.list_pixels(user, **query), "pixels")


@bp.post("/pixel/add")
@require_api_key
@bp.arguments(PixelCreate)
@bp.response(200, IdEnvelope)
def add_pixel(data, user):
    """Add a tracking pixel.

    A provider type and its tag id."""
    return {"id": pixels.create_pixel(user, **data).id}


@bp.put("/pixel/<id:pixel_id>/update")
@require_api_key
@bp.arguments(PixelUpdate)
@bp.response(200, MessageEnvelope)
def update_pixel(data, user, pixel_id):
    """Change a tracking pixel.

    Only the fields sent change."""
    pixels.update_pixel(user, pixel_id, **data)
    return {"message": "Pixel has been updated successfully."}


@bp.delete("/pixel/<id:pixel_id>/delete")
@require_api_key
@bp.response(200, MessageEnvelope)
def delete_pixel(user, pixel_id):
    """Delete a tracking pixel.

    Links stop firing it."""
    pixels.delete_pixel(user, pixel_id)
    return {"message": "Pixel has been deleted successfully."}
