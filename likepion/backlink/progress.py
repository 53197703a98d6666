"""Request progress: completion, and refunds of links that will never be built.

Credits held by a request = auction_price x (target - refunded unbuilt links). Every function here
keeps that true; callers own the transaction (these flush, never commit). Podcast secondary-site
links (`Link.secondary`) are extras a worker reports: never charged, refunded or counted here.
"""

from sqlalchemy import and_, delete, distinct, exists, func, select, update

from likepion.backlink import counters, lifecycle
from likepion.backlink.models import OPEN_LINK_STATUSES, Account, Link, Request, Site
from likepion.core.db import db
from likepion.core.enums import ServiceType, SiteRole
from likepion.core.time import utcnow
from likepion.credits import ledger

# Links that ended without being built; each is refunded once.
UNBUILT = ("failed", "cancel")


def lock_requests(request_ids) -> dict:
    """Lock these requests (in id order) before touching their links: every path that moves a
    request's links or credits takes request, then links, then the user's balance, so two of
    them never interleave (a refund counted twice) or deadlock."""
    if not request_ids:
        return {}
    stmt = select(Request).where(Request.id.in_(request_ids)).order_by(Request.id).with_for_update()
    return {request.id: request for request in db.session.scalars(stmt)}


def refund_unbuilt_links(request: Request) -> int:
    """Refund, once each, the request's failed or cancelled links (a ledger row per link)."""
    link_ids = db.session.scalars(
        select(Link.id)
        .where(
            Link.request_id == request.id,
            Link.status.in_(UNBUILT),
            Link.refunded.is_(False),
            Link.secondary.is_(False),
        )
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
    """The request's own (not secondary) links by status."""
    rows = db.session.execute(
        select(Link.status, func.count())
        .where(Link.request_id == request_id, Link.secondary.is_(False))
        .group_by(Link.status)
    )
    return dict(rows.all())


def settle(request: Request) -> None:
    """Refund unbuilt links; complete the request when its completed links reach the target,
    or when no link can progress any more (completed if any link was, else failed)."""
    refund_unbuilt_links(request)
    if request.status not in ("running", "stopped"):
        return
    counts = link_counts(request.id)
    completed = built_slots(request, counts)
    still_open = sum(counts.get(status, 0) for status in OPEN_LINK_STATUSES)
    if completed >= request.target:
        if secondary_accounts_remaining({request.id}).get(request.id):
            return  # a podcast post runs on until every secondary site has its episodes
        request.status = "completed"
    elif still_open == 0:
        request.status = "completed" if completed else "failed"
    else:
        return
    request.completed_at = utcnow()


def record_outcome(link: Link, status: str, request: Request) -> None:
    """A worker's reported `status` for its claimed link: a failure with retries left goes
    back to work (lifecycle.retry_values), anything else is final. The request's completed
    counter follows the link."""
    was_completed = counts_as_completed(link)
    if status == "failed" and lifecycle.has_retries_left(link):
        for column, value in lifecycle.retry_values(link, request.status).items():
            setattr(link, column, value)
    else:
        link.status = status
        link.completed_at = utcnow() if status == "completed" else None
    counters.add_links(request.id, completed=counts_as_completed(link) - was_completed)


def counts_as_completed(link: Link) -> bool:
    """Whether the link is one of the request's `created_links`."""
    return link.status == "completed" and not link.secondary


def reopen(request: Request) -> None:
    """A finished request runs again for its re-queued or newly planned links."""
    if request.status in ("completed", "failed"):
        request.status, request.completed_at = "running", None


def requeue_failed_links(request: Request, *, reason: str) -> int:
    """Put the request's failed links (secondary ones aside) back to work as if new
    (lifecycle.fresh_start_values, by the request's status: the caller runs it first), charging
    again (one ledger row) for those already refunded; how many.
    Refunded links go first, so one refunded concurrently after that UPDATE stays failed
    rather than being re-queued without its charge."""
    failed = (Link.request_id == request.id, Link.status == "failed", Link.secondary.is_(False))
    values = lifecycle.fresh_start_values(request.status)
    options = {"synchronize_session": False}
    charged = db.session.execute(
        update(Link).where(*failed, Link.refunded.is_(True)).values(values),
        execution_options=options,
    ).rowcount
    if charged:
        ledger.charge(
            request.user_id, request.auction_price * charged, reason=reason, ref=request.id
        )
    rest = db.session.execute(
        update(Link).where(*failed, Link.refunded.is_(False)).values(values),
        execution_options=options,
    ).rowcount
    return charged + rest


def cancel_open_links(request: Request) -> None:
    """Cancel every open link so no worker gets it; the caller refunds their credits."""
    db.session.execute(
        update(Link)
        .where(Link.request_id == request.id, Link.status.in_(OPEN_LINK_STATUSES))
        .values(status="cancel", claimed_until=None, refunded=True, updated_at=utcnow()),
        execution_options={"synchronize_session": False},
    )


def remove_unstarted_links(request: Request, count: int) -> int:
    """Delete up to `count` of the request's newest pending or queued links."""
    link_ids = db.session.scalars(
        select(Link.id)
        .where(Link.request_id == request.id, Link.status.in_(("pending", "queued")))
        .order_by(Link.created_at.desc())
        .limit(count)
        .with_for_update()
    ).all()
    if link_ids:
        db.session.execute(
            delete(Link).where(Link.id.in_(link_ids)),
            execution_options={"synchronize_session": False},
        )
        counters.add_links(request.id, links=-len(link_ids))
    return len(link_ids)


def eligible_secondary_account():
    """An active account on an active secondary site: what a podcast post distributes to (the
    worker's virtual tasks) and waits for before it completes."""
    return and_(
        Account.active.is_(True),
        Account.status == "active",
        Site.role == SiteRole.SECONDARY,
        Site.active.is_(True),
    )


def secondary_accounts_remaining(post_ids: set) -> dict:
    """Per podcast post: the active secondary-site accounts of its group with no link in it."""
    if not post_ids:
        return {}
    no_link_yet = ~exists().where(Link.request_id == Request.id, Link.account_id == Account.id)
    rows = db.session.execute(
        select(Request.id, func.count(Account.id))
        .join(Account, Account.group_id == Request.group_id)
        .join(Site, Site.id == Account.site_id)
        .where(
            Request.id.in_(post_ids),
            Request.service_type == ServiceType.PODCAST,
            eligible_secondary_account(),
            no_link_yet,
        )
        .group_by(Request.id)
    )
    return dict(rows.all())


def secondary_progress(requests) -> dict:
    """Per podcast post among `requests`: (done, total) of its secondary-site work. Done: the
    accounts with links in the post; total: those plus, while the post can still run, the
    accounts settle() waits for (secondary_accounts_remaining). Other requests are left out."""
    posts = [r for r in requests if r.service_type == ServiceType.PODCAST]
    if not posts:
        return {}
    done = dict(
        db.session.execute(
            select(Link.request_id, func.count(distinct(Link.account_id)))
            .where(Link.request_id.in_([p.id for p in posts]), Link.secondary.is_(True))
            .group_by(Link.request_id)
        ).all()
    )
    running = {p.id for p in posts if p.status not in ("completed", "failed")}
    remaining = secondary_accounts_remaining(running)
    return {p.id: (done.get(p.id, 0), done.get(p.id, 0) + remaining.get(p.id, 0)) for p in posts}


def held_slots(request: Request) -> int:
    """How many links' worth of credits the request holds."""
    refunded = db.session.scalar(
        select(func.count()).where(
            Link.request_id == request.id, Link.status.in_(UNBUILT), Link.refunded.is_(True)
        )
    )
    return request.target - (refunded or 0)


def built_slots(request: Request, counts: dict[str, int]) -> int:
    """How many of the request's slots are delivered for good: its completed links and the
    completed links deleted since (`counts` from link_counts)."""
    return counts.get("completed", 0) + request.deleted_completed


def owed_slots(request: Request) -> int:
    """How many links' worth of held credits are not delivered yet: the most that deleting
    links or the request, or lowering its target or price, may give back."""
    return held_slots(request) - built_slots(request, link_counts(request.id))
