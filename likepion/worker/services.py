"""Worker servers and the work they pull and report (SPEC section 3, seed 002)."""

import re
import uuid
from datetime import timedelta

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

from likepion.backlink import accounts, progress
from likepion.backlink.models import Account, Link, Request, Site
from likepion.core import metrics
from likepion.core.crypto import key_hash, new_key
from likepion.core.db import db
from likepion.core.errors import Conflict, NotFound, ValidationFailed
from likepion.core.time import as_utc, utcnow
from likepion.worker import claims, podcast
from likepion.worker.models import Server
from likepion.worker.schemas import CheckTask, InsertItem, PrimaryTask

SEEN_EVERY = timedelta(minutes=1)
PRIMARY_TASKS = PrimaryTask(many=True)
CHECK_TASKS = CheckTask(many=True)

SERVER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z")


def create_server(name: str) -> tuple[Server, str]:
    """A new active server and its API key, which exists nowhere else once returned."""
    name = name.strip()
    if not SERVER_NAME.fullmatch(name):
        raise ValidationFailed(
            f"Invalid server name {name!r}: 1-64 letters, digits, '_', '.', '-'."
        )
    if db.session.scalar(select(Server.id).where(Server.name == name)) is not None:
        raise Conflict(f"A server named {name} already exists.")
    key = new_key()
    server = Server(name=name, key_hash=key_hash(key), active=True)
    db.session.add(server)
    try:
        db.session.commit()
    except IntegrityError as exc:  # lost a race with a concurrent create of the same name
        db.session.rollback()
        raise Conflict(f"A server named {name} already exists.") from exc
    return server, key


def list_servers() -> list[Server]:
    """Every server, by name."""
    return list(db.session.scalars(select(Server).order_by(Server.name)))


def revoke_server(name: str) -> Server:
    """Deactivate the server: its key stops authenticating (`flask servers revoke`)."""
    server = _server_named(name)
    server.active = False
    db.session.commit()
    return server


def rotate_server_key(name: str) -> tuple[Server, str]:
    """A new key for the server, returned once; the old one stops working, and a revoked
    server is active again with the new key (`flask servers rotate`)."""
    server = _server_named(name)
    key = new_key()
    server.key_hash = key_hash(key)
    server.active = True
    db.session.commit()
    return server, key


def _server_named(name: str) -> Server:
    server = db.session.scalar(select(Server).where(Server.name == name.strip()))
    if server is None:
        raise NotFound(f"No server named {name.strip()}.")
    return server


def authenticate(key: str | None) -> Server | None:
    """The active server whose API key is `key`; notes when it was last seen (once a minute)."""
    if not key:
        return None
    server = db.session.scalar(
        select(Server).where(Server.key_hash == key_hash(key), Server.active.is_(True))
    )
    if server is not None:
        now = utcnow()
        if server.last_seen_at is None or as_utc(server.last_seen_at) < now - SEEN_EVERY:
            server.last_seen_at = now
            db.session.commit()
    return server


# --- tasks -----------------------------------------------------------------------------------


def pull_tasks(server: Server, service_type: str, *, limit: int, type: str | None = None):
    """Claim and describe up to `limit` tasks: primary (real links) first, then podcast
    secondary virtual tasks, or only the kind `type` asks for. Request-level JSON (config, data,
    folder_urls) comes once per request in `requests`, keyed by the tasks' `request_id`."""
    tasks, requests = [], {}
    if type in (None, "primary"):
        link_ids = claims.claim_links(server, service_type, limit)
        tasks += PRIMARY_TASKS.dump(_primary_tasks(link_ids))
        requests = _request_fields({task["request_id"] for task in tasks})
    if type in (None, "secondary") and len(tasks) < limit:
        tasks += podcast.pull_secondary_tasks(server, service_type, limit - len(tasks))
    db.session.commit()
    return {"data": tasks, "requests": requests}


def _request_fields(request_ids: set[str]) -> dict[str, dict]:
    """The big request-level fields, read once per request (not once per task row)."""
    if not request_ids:
        return {}
    rows = db.session.execute(
        select(Request.id, Request.config, Request.data, Request.folder_urls).where(
            Request.id.in_([uuid.UUID(i) for i in request_ids])
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


def _primary_tasks(link_ids: list) -> list[dict]:
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
    tasks = []
    for link, request, site_name, account in rows:
        tasks.append(
            {
                "id": link.id,
                "kind": "primary",
                "request_id": request.id,
                "type_request": request.type_request,
                "status": link.status,
                "service_type": link.service_type,
                "site_id": link.site_id,
                "domain": site_name or "",
                "account_id": link.account_id,
                "group_id": request.group_id,
                "website": request.website or "",
                "target": request.target,
                "priority": link.priority,
                "auction_price": link.auction_price,
                "retry_count": link.retry_count,
                "max_retries": link.max_retries,
                "claimed_until": link.claimed_until,
                **podcast.credentials_of(account),
                "link_rss": (account.link_rss or "") if account else "",
            }
        )
    return tasks


def extend_link_claims(server: Server, service_type: str, link_ids: list) -> dict:
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


def claim_accounts(server: Server, service_type: str, account_ids: list) -> dict:
    claimed = claims.refresh_account_claims(server, service_type, account_ids)
    # An account of this type that could not be claimed is one another server holds.
    held = db.session.scalars(
        select(Account.id).where(
            Account.id.in_(set(account_ids) - set(claimed)), Account.service_type == service_type
        )
    ).all()
    db.session.commit()
    return _claim_answer(account_ids, claimed, held)


def _claim_answer(asked: list, claimed: list, held: list) -> dict:
    """Seed 002's answer; `held` (another server's live claim) apart from `not_found`."""
    claimed, held = {str(i) for i in claimed}, {str(i) for i in held}
    asked = [str(i) for i in dict.fromkeys(asked)]
    return {
        "claimed": [i for i in asked if i in claimed],
        "count": len(claimed),
        "ttl_min": current_app.config["CLAIM_TTL_MINUTES"],
        "held": [i for i in asked if i in held],
        "not_found": [i for i in asked if i not in claimed and i not in held],
    }


# --- reports ---------------------------------------------------------------------------------

RESULT_FIELDS = (
    "link_profile",
    "link_post",
    "about",
    "email",
    "username",
    "password",
    "note",
    "error_message",
    "is_indexed",
)


def report_links(server: Server, service_type: str, items: list[dict]) -> dict:
    """Record the outcome of claimed links; only the server holding a claim may report it."""
    results, touched = [], set()
    request_ids = db.session.scalars(
        select(Link.request_id).where(Link.id.in_([item["id"] for item in items]))
    ).all()
    requests = progress.lock_requests(set(request_ids))
    links = {
        link.id: link
        for link in db.session.scalars(
            select(Link)
            .where(Link.id.in_([item["id"] for item in items]), Link.service_type == service_type)
            .with_for_update()
        )
    }
    for index, item in enumerate(items):
        link = links.get(item["id"])
        result = {"index": index, "id": str(item["id"])}
        if link is None:
            results.append(result | {"success": False, "error": "Link not found."})
        elif not claims.holds_link(server, link):
            results.append(
                result
                | {"success": False, "error": "This server does not hold a live claim on the link."}
            )
        else:
            _apply_report(link, item, requests[link.request_id])
            touched.add(link.request_id)
            results.append(result | {"success": True, "status": link.status})
    for request_id in touched:
        progress.settle(requests[request_id])
    db.session.commit()
    updated = sum(1 for r in results if r["success"])
    metrics.TASKS_REPORTED.inc(updated)
    return {"input": len(results), "updated": updated, "failed": len(results) - updated,
            "results": results}  # fmt: skip


def _apply_report(link: Link, item: dict, request: Request) -> None:
    now = utcnow()
    for field in RESULT_FIELDS:
        if field in item:
            setattr(link, field, item[field])
    link.claimed_until = None
    link.updated_at = now
    progress.record_outcome(link, item["status"], request)


# --- accounts --------------------------------------------------------------------------------


def update_account(server: Server, service_type: str, *, account_id, **changes) -> dict:
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


def get_account(service_type: str, account_id) -> dict:
    detail = podcast.account_detail(service_type, account_id)
    if detail is None:
        raise NotFound("Account not found")
    return detail


def pull_checks(server: Server, service_type: str, *, limit: int) -> list[dict]:
    claimed = claims.claim_checks(server, service_type, limit)
    accounts = (
        db.session.scalars(select(Account).where(Account.id.in_(claimed))).all() if claimed else []
    )
    tasks = [
        {
            "account_id": a.id,
            "group_id": a.group_id,
            "service_type": a.service_type,
            "domain": a.website,
            **podcast.credentials_of(a),
            "claimed_until": a.check_claimed_until,
        }
        for a in accounts
    ]
    db.session.commit()  # after reading: a commit expires the rows (one SELECT each to reload)
    return CHECK_TASKS.dump(tasks)


# --- inserts ---------------------------------------------------------------------------------

MAX_INSERT_ROWS = 200


def insert_links(server: Server, service_type: str, body) -> dict:
    """Seed 002 section 3: validate the body, expand link_post, insert, answer per row."""
    items = parse_insert_body(body)
    posts = progress.lock_requests({item["post_id"] for item in items if not item.get("error")})
    results = podcast.insert_links(server, service_type, items, posts)
    for post in posts.values():
        progress.settle(post)
    db.session.commit()
    inserted = sum(1 for r in results if r["success"])
    return {
        "input": len(items),
        "count": len(results),
        "inserted": inserted,
        "failed": len(results) - inserted,
        "results": results,
    }


def parse_insert_body(body) -> list[dict]:
    """Items from a single object, an array or `{"items": [...]}`; each item validated on its
    own (a bad one becomes failed rows), the whole call refused over 200 rows."""
    if isinstance(body, dict) and set(body) == {"items"}:
        body = body["items"]
        if not isinstance(body, list):
            raise ValidationFailed.on_field("items", "Must be an array of items.")
    if not isinstance(body, dict | list):
        raise ValidationFailed('Send an item, an array or {"items": [...]}.')
    raw_items = body if isinstance(body, list) else [body]
    if not raw_items or len(raw_items) > MAX_INSERT_ROWS:
        raise ValidationFailed(f"Send 1 to {MAX_INSERT_ROWS} items.")
    items = [_parse_insert_item(raw) for raw in raw_items]
    rows = sum(max(len(item["urls"]), 1) for item in items)
    if rows > MAX_INSERT_ROWS:
        raise ValidationFailed(
            f"{rows} rows after splitting link_post; at most {MAX_INSERT_ROWS} per call.",
            details={"link_post": [f"At most {MAX_INSERT_ROWS} URLs in all."]},
        )
    return items


def _parse_insert_item(raw) -> dict:
    """A loaded item, or one whose `error` says in plain words why it is invalid (echoing the
    request_id / post_id and domain it was sent with)."""
    if not isinstance(raw, dict):
        return {"error": "An item must be an object.", "urls": [], "post_id": "", "domain": None}
    try:
        item = InsertItem().load(raw)
    except ValidationError as error:
        link_post = raw.get("link_post")
        return {
            "error": f"Invalid item: {_plain(error.messages)}",
            "urls": _split(link_post) if isinstance(link_post, str) else [],
            "post_id": _echo(raw.get("request_id") or raw.get("post_id")) or "",
            "domain": _echo(raw.get("domain")),
        }
    item["post_id"] = item.pop("request_id", None) or item["post_id"]
    item["urls"] = _split(item.pop("link_post"))
    if not item["urls"]:
        item["error"] = "link_post has no URL."
    return item


def _plain(messages, prefix: str = "") -> str:
    """marshmallow's field errors as one line: `field: message; other.field: message`."""
    if not isinstance(messages, dict):
        text = " ".join(str(m) for m in messages) if isinstance(messages, list) else str(messages)
        return f"{prefix}: {text}" if prefix else text
    return "; ".join(
        _plain(value, f"{prefix}.{key}" if prefix else str(key)) for key, value in messages.items()
    )


def _echo(value) -> str | None:
    """A value sent in an invalid item, echoed back when it is a short string."""
    return value[:255] if isinstance(value, str) else None


def _split(link_post: str) -> list[str]:
    return [url.strip() for url in link_post.split(",") if url.strip()]


def requeue_expired() -> dict:
    """Release every expired claim now (the CLI's `flask tasks requeue-expired`, for cron)."""
    counts = claims.release_expired()
    db.session.commit()
    return counts
