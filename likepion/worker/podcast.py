"""Podcast secondary sites (seed 002): virtual tasks, explicit claims, link inserts, account detail.

A secondary task is not a row: it is an (account, post) pair, synthesised from the accounts of a
running post's group whose site has role `secondary`, that have no link in that post yet, once the
group's primary-site account has `link_rss`. Its claim is `Account.posting_started_at`.
"""

import uuid
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import and_, exists, insert, select
from sqlalchemy.orm import aliased

from likepion.auth.models import Server
from likepion.backlink import counters, progress
from likepion.backlink.catalogue import normalise_name
from likepion.backlink.models import Account, Link, Request, Site
from likepion.core.db import db
from likepion.core.enums import SiteRole
from likepion.core.time import utcnow
from likepion.worker import claims
from likepion.worker.tasks import CREDENTIALS, SecondaryWork

Post = aliased(Request, name="post")
PrimaryAccount = aliased(Account, name="primary_account")
PrimarySite = aliased(Site, name="primary_site")


def pull_secondary_tasks(server: Server, service_type: str, limit: int) -> list[SecondaryWork]:
    """Claim up to `limit` secondary accounts and return them as seed-002 virtual tasks."""
    claimed = claims.claim_accounts(server, _open_pairs(service_type, free_only=True), limit)
    if not claimed:
        return []
    pairs = db.session.execute(
        _open_pairs(service_type, free_only=False, columns=(Account, Post)).where(
            Account.id.in_(claimed)
        )
    ).all()
    best_post = {}
    for account, post in pairs:
        best_post.setdefault(account.id, (account, post))
    remaining = progress.secondary_accounts_remaining({post.id for _, post in best_post.values()})
    feeds = _feeds({account.group_id for account, _ in best_post.values()})
    return [
        SecondaryWork.of(account, post, remaining.get(post.id, 0), feeds.get(account.group_id, ""))
        for account, post in (best_post[a] for a in claimed if a in best_post)
    ]


def account_detail(service_type: str, account_id) -> SecondaryWork | None:
    """Seed 002 section 4: the account in task shape, its post fields from the group's newest
    pending/running post (or ""/0); no claim guard, no status filter, no claim set."""
    account = db.session.scalar(
        select(Account).where(Account.id == account_id, Account.service_type == service_type)
    )
    if account is None:
        return None
    post = db.session.scalar(
        select(Request)
        .where(
            Request.group_id == account.group_id,
            Request.status.in_(("pending", "running")),
            Request.deleted_at.is_(None),
        )
        .order_by(Request.created_at.desc())
        .limit(1)
    )
    if post is None:
        return SecondaryWork.of(account, None, 0, "")
    remaining = progress.secondary_accounts_remaining({post.id}).get(post.id, 0)
    return SecondaryWork.of(
        account, post, remaining, _feeds({account.group_id}).get(account.group_id, "")
    )


@dataclass
class InsertedRow:
    """One row of a links/insert answer: the link inserted (`id`), or why not (`error`)."""

    index: int
    link_index: int
    post_id: str
    account_id: str | None
    domain: str | None
    link_post: str
    success: bool = False
    id: str | None = None
    error: str | None = None


def insert_links(
    server: Server, service_type: str, items: list[dict], posts: dict
) -> list[InsertedRow]:
    """Seed 002 section 3: one row per URL of each item; per-row results, one bad item does
    not stop the others. Credentials in an item are written to its account, whose claim ends.
    `posts` are the items' requests by id, already locked by the caller."""
    results, rows, touched = [], [], {}
    now = utcnow()
    resolved = [_resolve(service_type, item, posts) for item in items]
    # Another server's live claim on an account fails its items: they would overwrite its
    # credentials and end that claim.
    held = claims.claimed_elsewhere(server, {account.id for _, account, _ in resolved if account})
    for index, (item, (post, account, error)) in enumerate(zip(items, resolved, strict=True)):
        error = error or (held.get(account.id) if account else None)
        item_rows = _item_rows(index, item, error, account)
        results += item_rows
        if not error:
            rows += [_link_row(server, post, account, item, row, now) for row in item_rows]
            touched.setdefault(account.id, (account, item))
    _write_links(rows, touched)
    return results


def _item_rows(index: int, item: dict, error: str | None, account) -> list[InsertedRow]:
    """One row per URL of the item (one row for an item without any), with its outcome."""
    results = []
    for link_index, url in enumerate(item["urls"] or [""]):
        row = InsertedRow(
            index, link_index, str(item.get("post_id") or ""), None, item.get("domain"), url
        )
        if error:
            row.error = error
        else:
            row.account_id, row.domain = str(account.id), account.website
            row.success, row.id = True, str(uuid.uuid4())
        results.append(row)
    return results


def _write_links(rows: list[dict], touched: dict) -> None:
    """Insert the rows, count them in their posts, and write the items' credentials to their
    accounts, whose claims end."""
    if rows:
        db.session.execute(insert(Link), rows)
    for post_id, inserted in Counter(row["request_id"] for row in rows).items():
        counters.add_links(post_id, links=inserted)
    for account, item in touched.values():
        _propagate_credentials(account, item)
    if touched:
        claims.release_account_claims(list(touched))


def _resolve(service_type: str, item: dict, posts: dict):
    """The item's post and account, or an error message."""
    if item.get("error"):
        return None, None, item["error"]
    post = posts.get(item["post_id"])
    if post is None or post.service_type != service_type or post.deleted_at is not None:
        return None, None, f"Unknown request_id {item['post_id']}."
    if post.group_id is None:
        return post, None, "The post has no group of accounts."
    stmt = select(Account).where(Account.group_id == post.group_id)
    if item.get("account_id"):
        account = db.session.scalar(stmt.where(Account.id == item["account_id"]))
        missing = f"Account {item['account_id']} is not in the post's group."
    else:
        domain = normalise_name(item["domain"])
        account = db.session.scalar(
            stmt.where(Account.website == domain).order_by(Account.created_at).limit(1)
        )
        missing = f"No account for domain {domain} in the post's group."
    return (post, account, None) if account else (post, None, missing)


def _link_row(server, post, account, item, row: InsertedRow, now) -> dict:
    return {
        "id": uuid.UUID(row.id),
        "request_id": post.id,
        "user_id": post.user_id,
        "service_type": post.service_type,
        "site_id": account.site_id,
        "account_id": account.id,
        "server_id": server.id,
        "priority": post.priority,
        "auction_price": post.auction_price,
        "status": item["status"],
        "link_post": row.link_post,
        "note": item.get("note"),
        "email": item.get("email") or account.email,
        "username": item.get("username") or account.username,
        "secondary": True,
        "started_at": now,
        "completed_at": now if item["status"] == "completed" else None,
        "created_at": now,
        "updated_at": now,
    }


def _propagate_credentials(account: Account, item: dict) -> None:
    for field in CREDENTIALS:
        if item.get(field):
            setattr(account, field, item[field])
    if item.get("cookie"):
        account.cookies = item["cookie"]


def _open_pairs(service_type: str, *, free_only: bool, columns=(Account.id,)):
    """(account, post) pairs with no link yet, best post first; accounts of secondary sites in
    groups whose primary-site account has published its feed."""
    has_feed = exists().where(
        PrimaryAccount.group_id == Account.group_id,
        PrimaryAccount.link_rss.is_not(None),
        PrimaryAccount.link_rss != "",
        PrimarySite.id == PrimaryAccount.site_id,
        PrimarySite.role == SiteRole.PRIMARY,
    )
    no_link_yet = ~exists().where(Link.request_id == Post.id, Link.account_id == Account.id)
    conditions = [
        Account.service_type == service_type,
        progress.eligible_secondary_account(),
        has_feed,
        no_link_yet,
    ]
    if free_only:
        conditions.append(claims.account_claim_free(utcnow()))
    return (
        select(*columns)
        .join(Site, Site.id == Account.site_id)
        .join(
            Post,
            and_(
                Post.group_id == Account.group_id,
                Post.service_type == service_type,
                Post.status == "running",
                Post.deleted_at.is_(None),
            ),
        )
        .where(*conditions)
        .order_by(
            Post.priority.desc(),
            Post.auction_price.desc(),
            Post.created_at,
            Account.created_at,
            Account.id,
        )
    )


def _feeds(group_ids: set) -> dict:
    """Per group: the link_rss of its primary-site account."""
    rows = db.session.execute(
        select(Account.group_id, Account.link_rss)
        .join(Site, Site.id == Account.site_id)
        .where(
            Account.group_id.in_(group_ids),
            Site.role == SiteRole.PRIMARY,
            Account.link_rss.is_not(None),
            Account.link_rss != "",
        )
        .order_by(Account.created_at)
    )
    feeds = {}
    for group_id, link_rss in rows:
        feeds.setdefault(group_id, link_rss)
    return feeds
