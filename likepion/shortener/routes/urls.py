"""Short links: `/api/urls`, `/api/url/...` (docs/api-shortener.md; seed 004's empty "Links")."""

from marshmallow import EXCLUDE

from likepion.auth.guards import require_api_key
from likepion.shortener import addresses, links
from likepion.shortener.blueprint import bp
from likepion.shortener.envelope import list_envelope, page_data
from likepion.shortener.link_schemas import (
    LegacyUrlQuery,
    UrlBulkCreate,
    UrlBulkEnvelope,
    UrlCreate,
    UrlEnvelope,
    UrlQuery,
    UrlRead,
    UrlSavedEnvelope,
    UrlUpdate,
)
from likepion.shortener.schemas import MessageEnvelope


@bp.get("/urls")
@require_api_key
@bp.arguments(UrlQuery, location="query")
@bp.response(200, list_envelope(UrlRead, "urls"))
def list_urls(query, user):
    """List short links.

    Newest (`order=date`) or most clicked first; `short` finds the link with that alias."""
    return page_data(links.list_links(user, **query), "urls")


@bp.post("/url/get")
@require_api_key
@bp.arguments(UrlQuery)
@bp.response(200, list_envelope(UrlRead, "urls"))
@bp.doc(deprecated=True, summary="Legacy alias of GET /api/urls (GemPixel's PHP wrapper)")
def list_urls_legacy(data, user):
    """List short links (legacy).

    GemPixel's PHP wrapper sends the query in the body."""
    return page_data(links.list_links(user, **data), "urls")


@bp.get("/url/<id:link_id>")
@require_api_key
@bp.response(200, UrlEnvelope)
def get_url(user, link_id):
    """One short link with its statistics.

    Clicks, unique clicks, top countries, referrers, browsers and systems."""
    return links.get_link_with_stats(user, link_id)


@bp.post("/url/stats")
@require_api_key
@bp.arguments(LegacyUrlQuery)
@bp.response(200, UrlEnvelope)
@bp.doc(deprecated=True, summary="Legacy alias of GET /api/url/{id} (GemPixel's PHP wrapper)")
def get_url_legacy(data, user):
    """One short link (legacy).

    GemPixel's PHP wrapper sends the id in the body."""
    return links.get_link_with_stats(user, data["urlid"])


@bp.post("/url/add")
@require_api_key
@bp.arguments(UrlCreate)
@bp.response(200, UrlSavedEnvelope)
def add_url(data, user):
    """Shorten a URL.

    Answers the link's id and short URL; plan limits and URL checks apply (400 says why)."""
    link = links.create_link(user, **data)
    return {"id": link.id, "shorturl": addresses.short_url(link)}


@bp.post("/urls/bulk")
@require_api_key
@bp.arguments(UrlBulkCreate)
@bp.response(200, UrlBulkEnvelope)
@bp.doc(
    summary="Create up to 100 short links in one call",
    description=(
        "Each item of `urls` is a body of `POST /api/url/add`, checked by the same rules. "
        "`results` answers each item in order: `error` 0 with `id` and `shorturl`, or "
        "`error` 1 with `message`. A refused item creates nothing; the others are kept. "
        "The plan's link count counts the links made earlier in the batch. The call counts "
        "once against the rate limit. More than 100 items, or none, is a 400."
    ),
)
def add_urls_bulk(data, user):
    return {"results": links.create_links(user, data["urls"], UrlCreate(unknown=EXCLUDE).load)}


@bp.put("/url/<id:link_id>/update")
@require_api_key
@bp.arguments(UrlUpdate)
@bp.response(200, UrlSavedEnvelope)
def update_url(data, user, link_id):
    """Change a short link.

    Only the fields sent change."""
    link = links.update_link(user, link_id, **data)
    return {"id": link.id, "shorturl": addresses.short_url(link)}


@bp.delete("/url/<id:link_id>/delete")
@require_api_key
@bp.response(200, MessageEnvelope)
def delete_url(user, link_id):
    """Delete a short link.

    Its alias stops redirecting."""
    links.delete_link(user, link_id)
    return {"message": "Link has been deleted successfully."}
