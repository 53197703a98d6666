"""Requests (campaigns): create with a charge, change with a charge or refund, run, delete."""

import uuid

from sqlalchemy import Select, func, or_, select, update

from likepion.auth.models import User
from likepion.backlink import lifecycle, planner, progress
from likepion.backlink.models import Group, Link, Request
from likepion.core.db import db, get_owned
from likepion.core.enums import ServiceType
from likepion.core.errors import Conflict, NotFound, ValidationFailed
from likepion.core.pagination import Page, paginate
from likepion.core.time import utcnow
from likepion.credits import ledger

PREMIUM_TYPES = {ServiceType.BLOG20, ServiceType.PODCAST}
PREMIUM_PRICE = (50, 100)


def get_request(user: User, service_type: str | None, request_id, *, lock: bool = False):
    """The user's live request `request_id` (of `service_type` when given), else NotFound."""
    stmt = live_requests(user).where(Request.id == request_id)
    if service_type is not None:
        stmt = stmt.where(Request.service_type == service_type)
    if lock:
        stmt = stmt.with_for_update()
    request = db.session.scalar(stmt)
    if request is None:
        raise NotFound("Request not found")
    return request


def list_requests(
    user: User,
    service_type: str,
    *,
    page: int,
    limit: int,
    status=None,
    search=None,
    sort="created_at",
    order="desc",
) -> Page:
    stmt = live_requests(user).where(Request.service_type == service_type)
    if status:
        stmt = stmt.where(Request.status == status)
    if search:
        stmt = stmt.where(search_filter(search))
    column = getattr(Request, sort)
    direction = column.asc() if order == "asc" else column.desc()
    stmt = stmt.order_by(direction, Request.created_at.desc(), Request.id)
    return paginate(stmt, page, limit)


def create_request(
    user: User,
    service_type: ServiceType,
    *,
    name: str,
    auction_price: int,
    target: int,
    priority: int,
    group_id=None,
    type_request: str | None = None,
    **fields,
) -> Request:
    """A pending request; charges auction_price x target credits in the same transaction."""
    _check_price(service_type, auction_price)
    if group_id is not None:
        _check_group(user, service_type, group_id)
    request = Request(
        id=uuid.uuid4(),
        user_id=user.id,
        service_type=service_type,
        group_id=group_id,
        name=name,
        auction_price=auction_price,
        target=target,
        priority=priority,
        type_request=type_request or default_type_request(service_type),
        status="pending",
        website=fields.get("website"),
        config=fields.get("config") or {},
        data=fields.get("data") or {},
        folder_urls=fields.get("folder_urls") or {},
    )
    db.session.add(request)
    db.session.flush()
    ledger.charge(user.id, auction_price * target, reason="request.create", ref=request.id)
    db.session.commit()
    return request


def update_request(user: User, service_type: str, request_id, **changes) -> Request:
    """Change fields; a new price or target charges or refunds the difference in credits."""
    request = get_request(user, service_type, request_id, lock=True)
    new_price = changes.pop("auction_price", request.auction_price)
    new_target = changes.pop("target", request.target)
    _check_price(service_type, new_price)
    for field, value in changes.items():
        setattr(request, field, value)
    if (new_price, new_target) != (request.auction_price, request.target):
        _reprice(request, new_price, new_target)
    db.session.execute(
        update(Link)
        .where(Link.request_id == request.id, Link.status.in_(("pending", "queued")))
        .values(priority=request.priority, auction_price=request.auction_price),
        execution_options={"synchronize_session": False},
    )
    progress.settle(request)
    db.session.commit()
    return request


def delete_request(user: User, service_type: str | None, request_id) -> None:
    """Hide the request, cancel its open links and refund every link not completed."""
    _delete(get_request(user, service_type, request_id, lock=True))
    db.session.commit()


def bulk_delete(user: User, ids: list) -> int:
    requests = db.session.scalars(
        live_requests(user).where(Request.id.in_(ids)).with_for_update()
    ).all()
    for request in requests:
        _delete(request)
    db.session.commit()
    return len(requests)


def export_requests(user: User, ids: list) -> list[Request]:
    stmt = live_requests(user).where(Request.id.in_(ids)).order_by(Request.created_at)
    return db.session.scalars(stmt).all()


def start_request(user: User, service_type: str, request_id) -> Request:
    """pending|stopped -> running; the first start plans `target` queued links."""
    request = get_request(user, service_type, request_id, lock=True)
    if request.status not in ("pending", "stopped"):
        raise Conflict(f"A {request.status} request cannot be started.", code="invalid_state")
    planned = db.session.scalar(select(func.count()).where(Link.request_id == request.id))
    request.status = "running"
    waiting = lifecycle.waiting_status(request.status)
    if planned:
        _move_links(request, "pending", waiting)
    else:
        planner.plan_links(request, request.target, status=waiting)
    request.started_at = request.started_at or utcnow()
    db.session.commit()
    return request


def stop_request(user: User, service_type: str, request_id) -> Request:
    """running -> stopped; its queued links are held back from workers."""
    request = get_request(user, service_type, request_id, lock=True)
    if request.status != "running":
        raise Conflict(f"A {request.status} request cannot be stopped.", code="invalid_state")
    request.status = "stopped"
    _move_links(request, "queued", lifecycle.waiting_status(request.status))
    db.session.commit()
    return request


def restart_request(user: User, service_type: str, request_id) -> Request:
    """Failed links back to queued (retry_count 0, charged again if refunded); running again."""
    request = get_request(user, service_type, request_id, lock=True)
    if request.status not in ("stopped", "completed", "failed"):
        raise Conflict(f"A {request.status} request cannot be restarted.", code="invalid_state")
    request.status = "running"
    request.completed_at = None
    progress.requeue_failed_links(request, reason="request.restart")
    _move_links(request, "pending", lifecycle.waiting_status(request.status))
    progress.settle(request)
    db.session.commit()
    return request


def default_type_request(service_type: str) -> str:
    return "post" if service_type == ServiceType.PODCAST else str(service_type)


def live_requests(user: User) -> Select:
    """The user's requests that are not deleted."""
    return select(Request).where(Request.user_id == user.id, Request.deleted_at.is_(None))


def search_filter(search: str):
    """Requests whose name or website contains `search`."""
    return or_(
        Request.name.icontains(search, autoescape=True),
        Request.website.icontains(search, autoescape=True),
    )


def _check_price(service_type: str, price: int) -> None:
    low, high = PREMIUM_PRICE
    if service_type in PREMIUM_TYPES and not low <= price <= high:
        raise ValidationFailed(
            f"auction_price must be between {low} and {high} for {service_type}.",
            details={"auction_price": [f"Must be between {low} and {high} for {service_type}."]},
        )


def _check_group(user: User, service_type: str, group_id) -> None:
    group = get_owned(Group, group_id, user.id)
    if group.service_type != service_type:
        raise ValidationFailed(
            f"The group is for {group.service_type}, not {service_type}.",
            details={"group_id": ["The group's service type does not match."]},
        )


def _reprice(request: Request, new_price: int, new_target: int) -> None:
    """Move credits for a new price and/or target, and add or remove planned links. Built links
    keep the price they were built at: a new price applies to the slots still to build."""
    completed = progress.built_slots(request, progress.link_counts(request.id))
    if new_target < max(completed, 1):
        raise ValidationFailed(
            f"target cannot go below the {completed} links already completed (deleted ones "
            "included).",
            details={"target": [f"Must be at least {max(completed, 1)}."]},
        )
    planned = request.started_at is not None
    if planned and new_target < request.target:
        surplus = request.target - new_target
        if progress.remove_unstarted_links(request, surplus) < surplus:
            raise ValidationFailed(
                "target cannot go below the links already completed, running or failed.",
                details={"target": ["Too low for the links already worked on."]},
            )
    unbuilt = progress.owed_slots(request)
    target_delta = new_target - request.target
    old_cost = request.auction_price * unbuilt
    new_cost = new_price * (unbuilt + target_delta)
    request.auction_price, request.target = new_price, new_target
    if new_cost > old_cost:
        ledger.charge(request.user_id, new_cost - old_cost, reason="request.update", ref=request.id)
    elif new_cost < old_cost:
        ledger.refund(request.user_id, old_cost - new_cost, reason="request.update", ref=request.id)
    if planned and target_delta > 0:
        progress.reopen(request)
        planner.plan_links(request, target_delta, status=lifecycle.waiting_status(request.status))


def _delete(request: Request) -> None:
    progress.refund_unbuilt_links(request)
    owed = progress.owed_slots(request)
    progress.cancel_open_links(request)
    if owed > 0:
        ledger.refund(
            request.user_id, request.auction_price * owed, reason="request.delete", ref=request.id
        )
    request.deleted_at = utcnow()


def _move_links(request: Request, from_status: str, to_status: str) -> None:
    db.session.execute(
        update(Link)
        .where(Link.request_id == request.id, Link.status == from_status)
        .values(status=to_status, updated_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
