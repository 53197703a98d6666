"""`/sites`: the sites catalogue per service type (read-only; `flask sites seed` loads it)."""

from likepion.auth.guards import require_jwt
from likepion.backlink import groups
from likepion.backlink.blueprint import bp
from likepion.backlink.schemas import SiteCountQuery, SiteCountRead, SiteQuery, SiteRead
from likepion.core.envelope import envelope, page_body


@bp.get("/sites/count")
@require_jwt
@bp.arguments(SiteCountQuery, location="query")
@bp.response(200, envelope(SiteCountRead))
def count_sites(query, user):
    """Count the sites of a service type.

    How many sites a request of that type can post to."""
    return {"data": {"type": query["type"], "count": groups.count_sites(query["type"])}}


@bp.get("/sites")
@require_jwt
@bp.arguments(SiteQuery, location="query")
@bp.response(200, envelope(SiteRead, many=True))
def list_sites(query, user):
    """List the sites.

    Paginated, filterable by service type."""
    return page_body(groups.list_sites(**query))
