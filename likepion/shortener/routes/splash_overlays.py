"""Custom splash pages and CTA overlays (seed 004 lists them; add and delete fill the lists)."""

from likepion.auth.guards import require_api_key
from likepion.shortener import splash_overlays
from likepion.shortener.blueprint import bp
from likepion.shortener.envelope import list_envelope, page_data
from likepion.shortener.object_schemas import OverlayCreate, OverlayRead, SplashCreate, SplashRead
from likepion.shortener.schemas import IdEnvelope, ListQuery, MessageEnvelope


@bp.get("/splash")
@require_api_key
@bp.arguments(ListQuery, location="query")
@bp.response(200, list_envelope(SplashRead, "splash"))
def list_splash(query, user):
    """List splash pages.

    Paginated."""
    return page_data(splash_overlays.list_splash(user, **query), "splash")


@bp.post("/splash/add")
@require_api_key
@bp.arguments(SplashCreate)
@bp.response(200, IdEnvelope)
def add_splash(data, user):
    """Create a splash page.

    Shown before a link redirects."""
    return {"id": splash_overlays.create_splash(user, **data).id}


@bp.delete("/splash/<id:splash_id>/delete")
@require_api_key
@bp.response(200, MessageEnvelope)
def delete_splash(user, splash_id):
    """Delete a splash page.

    Links using it redirect directly."""
    splash_overlays.delete_splash(user, splash_id)
    return {"message": "Splash page has been deleted successfully."}


@bp.get("/overlay")
@require_api_key
@bp.arguments(ListQuery, location="query")
@bp.response(200, list_envelope(OverlayRead, "cta"))
def list_overlays(query, user):
    """List CTA overlays.

    Paginated."""
    return page_data(splash_overlays.list_overlays(user, **query), "cta")


@bp.post("/overlay/add")
@require_api_key
@bp.arguments(OverlayCreate)
@bp.response(200, IdEnvelope)
def add_overlay(data, user):
    """Create a CTA overlay.

    A call-to-action shown over the destination."""
    return {"id": splash_overlays.create_overlay(user, **data).id}


@bp.delete("/overlay/<id:overlay_id>/delete")
@require_api_key
@bp.response(200, MessageEnvelope)
def delete_overlay(user, overlay_id):
    """Delete a CTA overlay.

    Links using it redirect directly."""
    splash_overlays.delete_overlay(user, overlay_id)
    return {"message": "Overlay has been deleted successfully."}
