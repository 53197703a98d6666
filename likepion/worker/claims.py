"""The only code that takes, extends and expires worker leases (docs/decisions.md, the work queue).

Guarantee: no link, secondary-site account or account check is handed to two workers while its
claim is live. Each claim is one guarded UPDATE: on PostgreSQL the candidates are picked with
`FOR UPDATE SKIP LOCKED`; on SQLite (which ignores FOR UPDATE) the write transaction begins with
BEGIN IMMEDIATE, and the status/claim guard repeated in the UPDATE makes a lost race claim fewer
rows, never the same row twice. Callers own the transaction (these flush, never commit), except
`claim_links`: a link claim is its own unit of work and commits (see its body).
"""

import functools
import time
import uuid
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Engine

from likepion.auth.models import Server
from likepion.backlink import lifecycle, progress
from likepion.backlink.models import Account, Link, Request
from likepion.core import metrics
from likepion.core.db import db
from likepion.core.time import as_utc, utcnow

# The status literal (not a bound parameter) lets PostgreSQL match the partial index
# ix_links_claim_queue in its generic plan (docs/decisions.md).
QUEUED = text("links.status = 'queued'")
RELEASE_EVERY_SECONDS = 5
_last_release: dict[str, float] = {}


def ttl() -> timedelta:
    return timedelta(minutes=current_app.config["CLAIM_TTL_MINUTES"])


def claim_links(server: Server, service_type: str, limit: int) -> list[uuid.UUID]:
    """Claim up to `limit` queued links of `service_type`, best first (priority, then
    auction_price, then age), for this server until the TTL runs out; return their ids.
    No link is handed to two workers while its claim is live (module docstring)."""
    if _release_due(service_type):
        release_expired(service_type)
        db.session.commit()  # the claim below must see the requeued links
    now = utcnow()
    params = {
        "claim_type": str(service_type),
        "claim_limit": limit,
        "claim_server": server.id,
        "claim_now": now,
        "claim_until": now + ttl(),
    }
    engine = db.engine
    if engine.dialect.name != "postgresql":
        claimed = list(db.session.scalars(CLAIM_LINKS, params))
    else:
        claimed = _commit_claim(engine, _claim_sql(limit), params)
    metrics.TASKS_CLAIMED.inc(len(claimed))
    return claimed


def _commit_claim(engine: Engine, sql: str, params: dict) -> list[uuid.UUID]:
    """Run the PostgreSQL claim on its own pooled connection, outside the ORM session, and
    commit it: the session's per-statement machinery cost more than the claim itself, and the
    psycopg connection is used directly (one `execute`, one `fetchall`) for the same reason
    (bench/claims.py). A claim whose answer never reaches the worker simply expires and is
    requeued."""
    connection = engine.raw_connection()
    try:
        rows = connection.driver_connection.execute(sql, params).fetchall()
        connection.commit()
    finally:
        connection.close()
    return [row[0] for row in rows]


@functools.cache
def _claim_sql(limit: int) -> str:
    """CLAIM_LINKS compiled for PostgreSQL (psycopg's parameter format), this LIMIT written in."""
    compiled = str(CLAIM_LINKS.compile(dialect=postgresql.dialect()))
    return compiled.replace("__[POSTCOMPILE_claim_limit]", str(int(limit)))


def _claim_links_statement():
    """Built once: the claim is the hot path, and rebuilding the expression on every call cost
    more than the database round trip (`bench/claims.py --profile`). The LIMIT is rendered
    literally so PostgreSQL's cached generic plan keeps using ix_links_claim_queue."""
    links = Link.__table__
    candidates = _picked(
        select(links.c.id)
        .where(links.c.service_type == bindparam("claim_type"), QUEUED)
        .order_by(links.c.priority.desc(), links.c.auction_price.desc(), links.c.created_at)
        .limit(bindparam("claim_limit", type_=Integer, literal_execute=True))
        .with_for_update(skip_locked=True)
    )
    return (
        update(links)
        .where(links.c.id.in_(candidates), QUEUED)
        .values(
            status=literal_column("'running'"),
            server_id=bindparam("claim_server"),
            claimed_until=bindparam("claim_until"),
            started_at=bindparam("claim_now"),
            updated_at=bindparam("claim_now"),
        )
        .returning(links.c.id)
    )


def _picked(candidates):
    """The candidate ids as a MATERIALIZED CTE, so the database picks them exactly once: as a
    plain `IN (subquery)` PostgreSQL may re-run the subquery per row, and with ties in the
    ORDER BY each run can lock different rows, claiming more than `limit`."""
    picked = candidates.cte("picked").prefix_with("MATERIALIZED")
    return select(picked.c.id)


CLAIM_LINKS = _claim_links_statement()


def extend_links(server: Server, service_type: str, link_ids: list) -> list[uuid.UUID]:
    """Renew this server's live claims on `link_ids`; return the ids it really holds."""
    stmt = (
        update(Link)
        .where(
            Link.id.in_(link_ids),
            Link.service_type == service_type,
            Link.status == "running",
            Link.server_id == server.id,
        )
        .values(claimed_until=utcnow() + ttl())
        .returning(Link.id)
    )
    return list(db.session.scalars(stmt, execution_options={"synchronize_session": False}))


def release_expired(service_type: str | None = None, now: datetime | None = None) -> dict:
    """Put links whose claim expired back to work (lifecycle.retry_values: queued while their
    request runs), or fail them once their retries are used up (and settle their requests:
    refunds, completion)."""
    now = now or utcnow()
    expired = [Link.status == "running", Link.claimed_until < now, Link.secondary.is_(False)]
    if service_type is not None:
        expired.append(Link.service_type == service_type)
    request_ids = db.session.scalars(select(Link.request_id).where(*expired).distinct()).all()
    requests = progress.lock_requests(set(request_ids))
    if not requests:
        return {"requeued": 0, "failed": 0}
    expired.append(Link.request_id.in_(list(requests)))
    request_status = select(Request.status).where(Request.id == Link.request_id).scalar_subquery()
    requeued = db.session.execute(
        update(Link)
        .where(*expired, lifecycle.has_retries_left(Link))
        .values(**lifecycle.retry_values(Link, request_status), updated_at=now),
        execution_options={"synchronize_session": False},
    ).rowcount
    failed_link_requests = list(
        db.session.scalars(
            update(Link)
            .where(*expired, ~lifecycle.has_retries_left(Link))
            .values(
                status="failed", claimed_until=None, error_message="claim expired", updated_at=now
            )
            .returning(Link.request_id),
            execution_options={"synchronize_session": False},
        )
    )
    for request_id in set(failed_link_requests):
        progress.settle(requests[request_id])
    metrics.TASKS_REQUEUED.inc(requeued)
    return {"requeued": requeued, "failed": len(failed_link_requests)}


def _release_due(service_type: str) -> bool:
    """Pulls release expired claims at most every few seconds per process, so the hot claim
    path usually runs one statement; `flask tasks requeue-expired` does it from cron as well."""
    if time.monotonic() - _last_release.get(service_type, 0.0) < RELEASE_EVERY_SECONDS:
        return False
    _last_release[service_type] = time.monotonic()
    return True


def holds_link(server: Server, link: Link) -> bool:
    return link.status == "running" and link.server_id == server.id


# --- secondary-site accounts (podcast) ---------------------------------------------------------


def account_claim_free(now: datetime):
    """The seed's 15-minute guard: an account is free when never claimed or claimed long ago."""
    return or_(Account.posting_started_at.is_(None), Account.posting_started_at < now - ttl())


def claim_accounts(server: Server, candidates, limit: int) -> list[uuid.UUID]:
    """Claim for `server` up to `limit` free accounts among `candidates` (a SELECT of account
    ids in preference order); return the ids claimed."""
    now = utcnow()
    picked = candidates.limit(limit).with_for_update(of=Account, skip_locked=True)
    ids = list(dict.fromkeys(db.session.scalars(picked)))
    if not ids:
        return []
    stmt = (
        update(Account)
        .where(Account.id.in_(ids), account_claim_free(now))
        .values(posting_started_at=now, posting_server_id=server.id)
        .returning(Account.id)
    )
    claimed = set(db.session.scalars(stmt, execution_options={"synchronize_session": False}))
    return [account_id for account_id in ids if account_id in claimed]


def refresh_account_claims(server: Server, service_type: str, account_ids: list) -> list[uuid.UUID]:
    """Seed 002 section 2: claim or re-claim accounts for `server` (idempotent); an account
    another server holds a live claim on is left alone (the caller reports it not found)."""
    now = utcnow()
    stmt = (
        update(Account)
        .where(
            Account.id.in_(account_ids),
            Account.service_type == service_type,
            or_(account_claim_free(now), Account.posting_server_id == server.id),
        )
        .values(posting_started_at=now, posting_server_id=server.id)
        .returning(Account.id)
    )
    return list(db.session.scalars(stmt, execution_options={"synchronize_session": False}))


def claimed_elsewhere(server: Server, account_ids) -> dict:
    """Per account among `account_ids` that another server holds a live claim on (a
    secondary-site posting or a credentials check): why `server` may not change it, naming the
    holder. Locks the accounts (in id order) so no claim lands before the caller commits."""
    if not account_ids:
        return {}
    now = utcnow()
    rows = db.session.execute(
        select(
            Account.id,
            Account.posting_started_at,
            Account.posting_server_id,
            Account.check_claimed_until,
            Account.check_server_id,
        )
        .where(Account.id.in_(account_ids))
        .order_by(Account.id)
        .with_for_update()
    ).all()
    holds = {row.id: _other_holder(row, server.id, now) for row in rows}
    holds = {account_id: hold for account_id, hold in holds.items() if hold}
    names = dict(
        db.session.execute(
            select(Server.id, Server.name).where(Server.id.in_({h for h, _ in holds.values()}))
        ).all()
    )
    return {
        account_id: f"Account {account_id} is claimed by server "
        f"{names.get(holder, '(unknown)')} until {as_utc(until):%Y-%m-%dT%H:%M:%SZ}; only that "
        "server may change it until then."
        for account_id, (holder, until) in holds.items()
    }


def _other_holder(row, server_id, now: datetime):
    """(holder server id, claim end) of a live claim held by a server other than `server_id`."""
    posting_until = row.posting_started_at and as_utc(row.posting_started_at) + ttl()
    if posting_until and posting_until > now and row.posting_server_id != server_id:
        return row.posting_server_id, posting_until
    check_until = row.check_claimed_until and as_utc(row.check_claimed_until)
    if check_until and check_until > now and row.check_server_id != server_id:
        return row.check_server_id, check_until
    return None


def release_account_claims(account_ids) -> None:
    db.session.execute(
        update(Account)
        .where(Account.id.in_(account_ids))
        .values(posting_started_at=None, posting_server_id=None),
        execution_options={"synchronize_session": False},
    )


# --- account checks ------------------------------------------------------------------------------


def claim_checks(server: Server, service_type: str, limit: int) -> list[uuid.UUID]:
    """Claim accounts queued for a credentials check (status "checking")."""
    now = utcnow()
    free = or_(Account.check_claimed_until.is_(None), Account.check_claimed_until < now)
    candidates = _picked(
        select(Account.id)
        .where(Account.service_type == service_type, Account.status == "checking", free)
        .order_by(Account.updated_at, Account.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    stmt = (
        update(Account)
        .where(Account.id.in_(candidates), and_(Account.status == "checking", free))
        .values(check_claimed_until=now + ttl(), check_server_id=server.id)
        .returning(Account.id)
    )
    return list(db.session.scalars(stmt, execution_options={"synchronize_session": False}))
