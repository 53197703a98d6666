"""The work worker servers pull and report (docs/api-worker.md)."""

import uuid
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

from likepion.auth.models import Server
from likepion.backlink import accounts
from likepion.backlink.models import Account, Link, Request, Site
from likepion.core.db import db
from likepion.core.errors import Conflict, NotFound
from likepion.worker import claims, podcast
from likepion.worker.tasks import CheckWork, PrimaryWork, Pull, SecondaryWork

# --- tasks -----------------------------------------------------------------------------------


def pull_tasks(server: Server, service_type: str, *, limit: int, type: str | None = None) -> Pull:
    """Claim and describe up to `limit` tasks: primary (real links) first, then podcast
    secondary virtual tasks, or only the kind `type` asks for. Request-level JSON (config, data,
    folder_urls) comes once per request in `requests`, keyed by the tasks' `request_id`."""
    pull = Pull()
    if type in (None, "primary"):
        link_ids = claims.claim_links(server, service_type, limit)
        pull.tasks += _primary_tasks(link_ids)
        pull.requests = _request_fields({task.request_id for task in pull.tasks})
    if type in (None, "secondary") and len(pull.tasks) < limit:
        pull.tasks += podcast.pull_secondary_tasks(server, service_type, limit - len(pull.tasks))
    db.session.commit()
    return pull


def _request_fields(request_ids: set[uuid.UUID]) -> dict[str, dict]:
    """The big request-level fields, read once per request (not once per task row)."""
    if not request_ids:
        return {}
    rows = db.session.execute(
        select(Request.id, Request.config, Request.data, Request.folder_urls).where(
            Request.id.in_(request_ids)
        )
    )
    return {
        str(row.id): {
            "config": row.config or {},
            "data": row.data or {},
            "folder_urls": row.folder_urls or {},
        }
        for row in rows
    }


def _primary_tasks(link_ids: list) -> list[PrimaryWork]:
    if not link_ids:
        return []
    rows = db.session.execute(
        select(Link, Request, Site.name, Account)
        .join(Request, Request.id == Link.request_id)
        .outerjoin(Site, Site.id == Link.site_id)
        .outerjoin(Account, Account.id == Link.account_id)
        .where(Link.id.in_(link_ids))
        .order_by(Link.priority.desc(), Link.auction_price.desc(), Link.created_at)
        .options(defer(Request.config), defer(Request.data), defer(Request.folder_urls))
    )
    return [PrimaryWork.of(*row) for row in rows]


def extend_link_claims(server: Server, service_type: str, link_ids: list) -> "ClaimAnswer":
    claimed = claims.extend_links(server, service_type, link_ids)
    held = db.session.scalars(
        select(Link.id).where(
            Link.id.in_(set(link_ids) - set(claimed)),
            Link.service_type == service_type,
            Link.status == "running",
            Link.server_id != server.id,
        )
    ).all()
    db.session.commit()
    return _claim_answer(link_ids, claimed, held)


def claim_accounts(server: Server, service_type: str, account_ids: list) -> "ClaimAnswer":
    claimed = claims.refresh_account_claims(server, service_type, account_ids)
    # An account of this type that could not be claimed is one another server holds.
    held = db.session.scalars(
        select(Account.id).where(
            Account.id.in_(set(account_ids) - set(claimed)), Account.service_type == service_type
        )
    ).all()
    db.session.commit()
    return _claim_answer(account_ids, claimed, held)


@dataclass
class ClaimAnswer:
    """Seed 002's answer to a claim; `held` (another server's live claim) apart from
    `not_found`, each in the order asked."""

    claimed: list[str]
    count: int
    ttl_min: int
    held: list[str]
    not_found: list[str]


def _claim_answer(asked: list, claimed: list, held: list) -> ClaimAnswer:
    claimed, held = {str(i) for i in claimed}, {str(i) for i in held}
    asked = [str(i) for i in dict.fromkeys(asked)]
    return ClaimAnswer(
        claimed=[i for i in asked if i in claimed],
        count=len(claimed),
        ttl_min=current_app.config["CLAIM_TTL_MINUTES"],
        held=[i for i in asked if i in held],
        not_found=[i for i in asked if i not in claimed and i not in held],
    )


# --- accounts --------------------------------------------------------------------------------


def update_account(server: Server, service_type: str, *, account_id, **changes) -> SecondaryWork:
    """A worker's news about an account: feed URL, fresh credentials, or a check result.
    Refused (409) while another server holds a live claim on the account."""
    account = db.session.scalar(
        select(Account)
        .where(Account.id == account_id, Account.service_type == service_type)
        .with_for_update()
    )
    if account is None:
        raise NotFound("Account not found")
    held = claims.claimed_elsewhere(server, [account.id]).get(account.id)
    if held:
        raise Conflict(held, code="claimed_by_another_server")
    if "cookie" in changes:  # seed 002's name
        changes["cookies"] = changes.pop("cookie")
    accounts.change_account(account, changes, accounts.BY_WORKER)
    try:
        db.session.commit()
    except IntegrityError as exc:
        raise Conflict("The group already has an account with that username or email.") from exc
    return podcast.account_detail(service_type, account.id)


def get_account(service_type: str, account_id) -> SecondaryWork:
    detail = podcast.account_detail(service_type, account_id)
    if detail is None:
        raise NotFound("Account not found")
    return detail


def pull_checks(server: Server, service_type: str, *, limit: int) -> list[CheckWork]:
    claimed = claims.claim_checks(server, service_type, limit)
    accounts = (
        db.session.scalars(select(Account).where(Account.id.in_(claimed))).all() if claimed else []
    )
    tasks = [CheckWork.of(account) for account in accounts]
    db.session.commit()  # after reading: a commit expires the rows (one SELECT each to reload)
    return tasks


def requeue_expired() -> dict:
    """Release every expired claim now (the CLI's `flask tasks requeue-expired`, for cron)."""
    counts = claims.release_expired()
    db.session.commit()
    return counts
