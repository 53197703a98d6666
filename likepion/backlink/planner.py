"""Planning a started request's link rows over the service type's sites and the group's accounts."""

import itertools
import uuid
from collections import defaultdict

from sqlalchemy import insert, select

from likepion.backlink import counters
from likepion.backlink.models import Account, Link, Request, Site
from likepion.core.db import batched, db
from likepion.core.enums import ServiceType, SiteRole
from likepion.core.errors import ValidationFailed
from likepion.core.time import utcnow

CHUNK = 5000


def plan_links(request: Request, count: int, *, status: str) -> int:
    """Insert `count` link rows for `request`, spread round-robin over its sites; a site where
    the request's group has active accounts uses them in turn."""
    slots = _podcast_slots(request) if request.service_type == ServiceType.PODCAST else None
    slots = slots or _site_slots(request)
    now = utcnow()
    rows = [
        {
            "id": uuid.uuid4(),
            "request_id": request.id,
            "user_id": request.user_id,
            "service_type": request.service_type,
            "site_id": site_id,
            "account_id": account_id,
            "priority": request.priority,
            "auction_price": request.auction_price,
            "status": status,
            "created_at": now,
            "updated_at": now,
        }
        for site_id, account_id in itertools.islice(itertools.cycle(slots), count)
    ]
    for chunk in batched(rows, CHUNK):
        db.session.execute(insert(Link), chunk)
    counters.add_links(request.id, links=len(rows))
    return len(rows)


def _site_slots(request: Request) -> list[tuple]:
    """(site, account) pairs: each active site once per group account on it, or once bare."""
    site_ids = db.session.scalars(
        select(Site.id)
        .where(Site.service_type == request.service_type, Site.active.is_(True))
        .order_by(Site.name)
    ).all()
    if not site_ids:
        raise ValidationFailed(f"There are no active {request.service_type} sites to post to.")
    accounts = _group_accounts(request)
    slots_per_site = [[(s, a) for a in accounts[s]] or [(s, None)] for s in site_ids]
    # Interleave so consecutive links go to different sites.
    return [slot for batch in itertools.zip_longest(*slots_per_site) for slot in batch if slot]


def _podcast_slots(request: Request) -> list[tuple]:
    """Podcast posts are episodes on the group's primary site account."""
    row = None
    if request.group_id is not None:
        row = db.session.execute(
            select(Account.site_id, Account.id)
            .join(Site, Site.id == Account.site_id)
            .where(
                Account.group_id == request.group_id,
                Account.active.is_(True),
                Site.role == SiteRole.PRIMARY,
                Site.active.is_(True),
            )
            .order_by(Account.created_at)
            .limit(1)
        ).first()
    if row is None:
        raise ValidationFailed(
            "A podcast request needs a group with an active account on a primary podcast site."
        )
    return [tuple(row)]


def _group_accounts(request: Request) -> dict:
    accounts = defaultdict(list)
    if request.group_id is None:
        return accounts
    rows = db.session.execute(
        select(Account.site_id, Account.id)
        .where(
            Account.group_id == request.group_id,
            Account.active.is_(True),
            Account.status == "active",
            Account.site_id.is_not(None),
        )
        .order_by(Account.created_at)
    )
    for site_id, account_id in rows:
        accounts[site_id].append(account_id)
    return accounts
