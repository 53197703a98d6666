"""A request's links: list, export, retry and delete, with the credits each change moves.

Credits held by a request stay auction_price x (target - refunded unbuilt links) (progress.py):
a retry charges again for a link that was refunded, a delete gives back the slot of a link that
was not built. Podcast secondary links are outside the money: never charged nor refunded.
"""

from sqlalchemy import Select, and_, func, or_, select, update
from sqlalchemy.engine import RowMapping

from likepion.auth.models import Server, User
from likepion.backlink import counters, lifecycle, progress, requests
from likepion.backlink.models import Link, Request, Site
from likepion.core.db import db
from likepion.core.errors import Conflict, NotFound, ValidationFailed
from likepion.core.pagination import Page
from likepion.credits import ledger

# The columns of one link as the API shows it: server and site names come from outer joins.
COLUMNS = (
    Link.id,
    Link.service_type,
    Link.server_id,
    Server.name.label("server_name"),
    Link.site_id,
    Site.name.label("site_name"),
    Link.email,
    Link.username,
    Link.password,
    Link.about,
    Link.link_profile,
    Link.link_post,
    Link.status,
    Link.note,
    Link.error_message,
    Link.retry_count,
    Link.max_retries,
    Link.is_indexed,
    Link.started_at,
    Link.completed_at,
    Link.created_at,
)
EXPORT_BATCH = 1000
SEARCHED = (Link.link_post, Link.link_profile, Link.username, Link.email, Site.name)


def list_links(
    user: User,
    service_type: str,
    request_id,
    *,
    page: int,
    limit: int,
    status: str | None = None,
    search: str | None = None,
    sort: str = "created_at",
    order: str = "desc",
    after=None,
) -> Page:
    """One page of the request's links (with server and site names) and the count of all:
    the request's counter when unfiltered, else a COUNT bounded by the filter.

    The page's ids are picked first from the links alone, then joined to their names, so a deep
    page walks index entries instead of joining every row it skips. With `after` (a link id) the
    page starts after that link (keyset), whatever its depth."""
    request = requests.get_request(user, service_type, request_id)
    matching = select(Link.id).select_from(Link).where(Link.request_id == request.id)
    if status:
        matching = matching.where(Link.status == status)
    if search:
        matching = matching.outerjoin(Site, Site.id == Link.site_id).where(
            or_(*(column.icontains(search, autoescape=True) for column in SEARCHED))
        )
    if status or search:
        total = db.session.scalar(matching.with_only_columns(func.count()))
    else:
        total = request.link_count
    ordering = _ordering(sort, order)
    if after is None:
        matching = matching.offset((page - 1) * limit)
    else:
        matching = matching.where(_after(request, after, sort, order))
    items = _page(matching.order_by(*ordering).limit(limit), ordering)
    return Page(items=items, total=total or 0, page=page, limit=limit)


def export_links(user: User, service_type: str, request_id) -> list[RowMapping]:
    """Every link of the request, oldest first, in the list's shape; read in keyset batches
    so no statement holds the whole request."""
    request = requests.get_request(user, service_type, request_id)
    ordering = _ordering("created_at", "asc")
    matching = select(Link.id).where(Link.request_id == request.id).order_by(*ordering)
    rows, batch = [], None
    while batch is None or len(batch) == EXPORT_BATCH:
        stmt = matching.limit(EXPORT_BATCH)
        if batch:
            stmt = stmt.where(_after(request, batch[-1]["id"], "created_at", "asc"))
        batch = _page(stmt, ordering)
        rows += batch
    return rows


def _page(page_ids: Select, ordering: list) -> list[RowMapping]:
    """The links `page_ids` selects, with their server and site names, in `ordering`."""
    ids = page_ids.subquery()
    stmt = _with_names(select(*COLUMNS), ids.join(Link, Link.id == ids.c.id))
    return db.session.execute(stmt.order_by(*ordering)).mappings().all()


def _after(request: Request, link_id, sort: str, order: str):
    """Links after `link_id` of `request` in the creation order `order` (keyset cursor)."""
    if sort != "created_at":
        raise ValidationFailed(
            "after works only with sort=created_at.", details={"after": ["Needs sort=created_at."]}
        )
    created_at = db.session.scalar(
        select(Link.created_at).where(Link.id == link_id, Link.request_id == request.id)
    )
    if created_at is None:
        message = "after is not a link of this request."
        raise ValidationFailed(message, details={"after": [message]})
    if order == "asc":
        return and_(
            Link.created_at >= created_at,
            or_(Link.created_at > created_at, Link.id > link_id),
        )
    return and_(Link.created_at <= created_at, or_(Link.created_at < created_at, Link.id < link_id))


def retry_link(user: User, service_type: str, request_id, link_id) -> RowMapping:
    """A failed link back to the queue with fresh retries; charged again if it was refunded.
    The request runs again if it had finished."""
    request = requests.get_request(user, service_type, request_id, lock=True)
    link = _get_link(request, link_id)
    if link.status != "failed":
        raise Conflict(
            f"Only a failed link can be retried; this link is {link.status}.", code="invalid_state"
        )
    if link.secondary:
        # Workers pull secondary-site work per account, never as queued rows.
        raise Conflict(
            "A secondary-site link cannot be re-queued; delete it and its account is offered "
            "to workers again.",
            code="invalid_state",
        )
    _check_room(request, progress.link_counts(request.id))
    if link.refunded:
        ledger.charge(request.user_id, request.auction_price, reason="link.retry", ref=link.id)
    progress.reopen(request)  # first: the link waits by the status the request runs with
    db.session.execute(
        update(Link).where(Link.id == link.id).values(lifecycle.fresh_start_values(request.status)),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    return _link_row(link.id)


def retry_all_links(user: User, service_type: str, request_id) -> int:
    """Every failed link of the request (secondary-site ones aside) back to the queue, with one
    charge for those refunded; how many were re-queued."""
    request = requests.get_request(user, service_type, request_id, lock=True)
    counts = progress.link_counts(request.id)
    if not counts.get("failed"):
        return 0
    _check_room(request, counts)
    # Reopened first: the links wait by the status the request runs with. The request is
    # locked, so its failed links counted above are the ones re-queued.
    progress.reopen(request)
    retried = progress.requeue_failed_links(request, reason="link.retry_all")
    db.session.commit()
    return retried


def delete_link(user: User, service_type: str, request_id, link_id) -> int:
    """Remove the link; a link not built gives its slot back (refunded unless it already was,
    and the target drops by one). The credits refunded now."""
    request = requests.get_request(user, service_type, request_id, lock=True)
    link = _get_link(request, link_id)
    refunded = 0
    if link.secondary:
        pass  # never charged: no slot to give back
    elif link.status == "completed":
        request.deleted_completed += 1  # built: its slot stays spent, never refundable
    elif link.refunded:
        # Its credits came back when it ended unbuilt; dropping its slot keeps the held credits.
        if link.status in progress.UNBUILT:
            request.target = request.target - 1
    elif progress.owed_slots(request) > 0:
        refunded = request.auction_price
        ledger.refund(request.user_id, refunded, reason="link.delete", ref=link.id)
        request.target = request.target - 1
    counters.add_links(request.id, links=-1, completed=-progress.counts_as_completed(link))
    db.session.delete(link)
    db.session.flush()
    progress.settle(request)
    db.session.commit()
    return refunded


def _get_link(request: Request, link_id) -> Link:
    """The link `link_id` of `request`, locked; NotFound for any other id."""
    link = db.session.scalar(
        select(Link).where(Link.id == link_id, Link.request_id == request.id).with_for_update()
    )
    if link is None:
        raise NotFound("Link not found")
    return link


def _check_room(request: Request, counts: dict[str, int]) -> None:
    """Conflict when the request's completed links already reach its target."""
    if progress.built_slots(request, counts) >= request.target:
        raise Conflict(
            f"The request already has its {request.target} completed links; raise its target "
            "to build more.",
            code="invalid_state",
        )


def _link_row(link_id) -> RowMapping:
    return (
        db.session.execute(_with_names(select(*COLUMNS)).where(Link.id == link_id)).mappings().one()
    )


def _with_names(stmt: Select, links=Link) -> Select:
    """`stmt` over `links` (the table, or a join ending in it) plus the server and site names."""
    return (
        stmt.select_from(links)
        .outerjoin(Server, Server.id == Link.server_id)
        .outerjoin(Site, Site.id == Link.site_id)
    )


def _ordering(sort: str, order: str) -> list:
    """ORDER BY `sort` then creation, with a unique last key so pages never overlap."""
    direction = "asc" if order == "asc" else "desc"
    keys = [getattr(Link, sort)] if sort != "created_at" else []
    keys += [Link.created_at, Link.id]
    ordered = [getattr(key, direction)() for key in keys]
    if sort in ("started_at", "completed_at"):
        ordered[0] = ordered[0].nulls_last()
    return ordered
