"""Request progress: completion, and refunds of links that will never be built.

Credits held by a request = auction_price x (target - refunded failed links). Every function here
keeps that true; callers own the transaction (these flush, never commit).
"""

from sqlalchemy import func, select, update

from likepion.backlink.models import OPEN_LINK_STATUSES, Link, Request
from likepion.core.db import db
from likepion.core.time import utcnow
from likepion.credits import ledger


def refund_failed_links(request: Request) -> int:
    """Refund, once each, the request's failed links not refunded yet (a ledger row per link)."""
    link_ids = db.session.scalars(
        select(Link.id)
        .where(Link.request_id == request.id, Link.status == "failed", Link.refunded.is_(False))
        .with_for_update()
    ).all()
    for link_id in link_ids:
        ledger.refund(request.user_id, request.auction_price, reason="link.failed", ref=link_id)
    if link_ids:
        db.session.execute(
            update(Link).where(Link.id.in_(link_ids)).values(refunded=True),
            execution_options={"synchronize_session": False},
        )
    return len(link_ids)


def link_counts(request_id) -> dict[str, int]:
    rows = db.session.execute(
        select(Link.status, func.count()).where(Link.request_id == request_id).group_by(Link.status)
    )
    return dict(rows.all())


def settle(request: Request) -> None:
    """Refund finally-failed links; complete the request when its completed links reach the
    target, or when no link can progress any more (completed if any link was, else failed)."""
    refund_failed_links(request)
    if request.status not in ("running", "stopped"):
        return
    counts = link_counts(request.id)
    completed = counts.get("completed", 0)
    still_open = sum(counts.get(status, 0) for status in OPEN_LINK_STATUSES)
    if completed >= request.target:
        cancel_links(request, statuses=("pending", "queued"))
        request.status = "completed"
    elif still_open == 0:
        request.status = "completed" if completed else "failed"
    else:
        return
    request.completed_at = utcnow()


def cancel_links(request: Request, *, statuses=OPEN_LINK_STATUSES, limit: int | None = None) -> int:
    """Cancel the request's links in `statuses` (newest first when limited); they are marked
    refunded because the caller has already settled their credits (or refunds them itself)."""
    ids = select(Link.id).where(Link.request_id == request.id, Link.status.in_(statuses))
    if limit is not None:
        ids = ids.order_by(Link.created_at.desc()).limit(limit)
    link_ids = db.session.scalars(ids).all()
    if link_ids:
        db.session.execute(
            update(Link)
            .where(Link.id.in_(link_ids))
            .values(status="cancel", claimed_until=None, refunded=True, updated_at=utcnow()),
            execution_options={"synchronize_session": False},
        )
    return len(link_ids)


def held_slots(request: Request) -> int:
    """How many links' worth of credits the request holds."""
    refunded_failed = db.session.scalar(
        select(func.count()).where(
            Link.request_id == request.id, Link.status == "failed", Link.refunded.is_(True)
        )
    )
    return request.target - (refunded_failed or 0)
