"""`/sites`: the sites catalogue per service type (read-only; `flask sites seed` loads it)."""

from likepion.auth.guards import require_jwt
from likepion.backlink import catalogue
from likepion.backlink.account_schemas import (
    SiteCountQuery,
    SiteCountRead,
    SiteQuery,
    SiteRead,
)
from likepion.backlink.blueprint import bp
from likepion.core.envelope import envelope, page_body


@bp.get("/sites/count")
@require_jwt
@bp.arguments(SiteCountQuery, location="query")
@bp.response(200, envelope(SiteCountRead))
def count_sites(query, user):
    """Count the sites of a service type.

    How many sites a request of that type can post to."""
    return {"data": {"type": query["type"], "count": catalogue.count_sites(query["type"])}}


@bp.get("/sites")
@require_jwt
@bp.arguments(SiteQuery, location="query")
@bp.response(200, envelope(SiteRead, many=True))
def list_sites(query, user):
    """List the sites.

    Paginated, filterable by service type."""
    return page_body(catalogue.list_sites(**query))
