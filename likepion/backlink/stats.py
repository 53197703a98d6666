"""Read-only overviews of a user's live requests: the projects list and the status counts."""

from sqlalchemy import func, select

from likepion.auth.models import User
from likepion.backlink import requests
from likepion.backlink.models import LINK_STATUSES, REQUEST_STATUSES, Link, Request
from likepion.core.db import db
from likepion.core.pagination import Page, paginate


def list_projects(
    user: User,
    *,
    page: int,
    limit: int,
    search: str | None = None,
    status: str | None = None,
    service_type: str | None = None,
    type_request: str | None = None,
) -> Page:
    """The user's live requests of every service type, newest first; `created_links` is the
    request's counter (backlink.counters)."""
    stmt = requests.live_requests(user)
    if search:
        stmt = stmt.where(requests.search_filter(search))
    if status:
        stmt = stmt.where(Request.status == status)
    if service_type:
        stmt = stmt.where(Request.service_type == service_type)
    if type_request:
        stmt = stmt.where(Request.type_request == type_request)
    return paginate(stmt.order_by(Request.created_at.desc(), Request.id.desc()), page, limit)


def get_stats(user: User, service_type: str | None = None) -> dict:
    """Counts of the user's live requests and of their links, by status (two GROUP BYs)."""
    live = [Request.user_id == user.id, Request.deleted_at.is_(None)]
    if service_type is not None:
        live.append(Request.service_type == service_type)
    requests = db.session.execute(
        select(Request.status, func.count()).where(*live).group_by(Request.status)
    )
    links = db.session.execute(
        select(Link.status, func.count())
        .select_from(Request)
        .join(Link, Link.request_id == Request.id)
        .where(*live)
        .group_by(Link.status)
    )
    return {
        "requests": _all_keys(REQUEST_STATUSES, requests),
        "links": _all_keys(LINK_STATUSES, links),
    }


def _all_keys(statuses: tuple[str, ...], rows) -> dict[str, int]:
    counts = dict(rows.all())
    return {status: counts.get(status, 0) for status in statuses}
