"""Overviews across a user's requests: `GET /projects`, `GET /stats`, `GET /:type/stats`."""

from likepion.auth.guards import require_jwt
from likepion.backlink import stats
from likepion.backlink.blueprint import bp
from likepion.backlink.schemas import (
    ProjectQuery,
    ProjectRead,
    StatsRead,
)
from likepion.core.envelope import envelope, page_body


@bp.get("/projects")
@require_jwt
@bp.arguments(ProjectQuery, location="query")
@bp.response(200, envelope(ProjectRead, many=True))
def list_projects(query, user):
    """List the caller's projects.

    Every live request of every service type, newest first."""
    return page_body(stats.list_projects(user, **query))


@bp.get("/stats")
@require_jwt
@bp.response(200, envelope(StatsRead))
def get_stats(user):
    """Totals over every service type.

    Request and link counts by status."""
    return {"data": stats.get_stats(user)}


@bp.get("/<service_type:service_type>/stats")
@require_jwt
@bp.response(200, envelope(StatsRead))
def get_type_stats(user, service_type):
    """Totals for one service type.

    Request and link counts by status."""
    return {"data": stats.get_stats(user, service_type)}
