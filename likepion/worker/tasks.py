"""The work handed to worker servers, as values read before the pull commits (a commit expires
the rows, and reloading them would cost one SELECT each); the routes dump them by schemas
(worker.task_schemas: PrimaryTask, SecondaryTask, CheckTask)."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from likepion.backlink.models import Account, Link, Request

CREDENTIALS = ("email", "username", "password", "pass_mail", "twofa", "app_password")


def credentials_of(account: Account | None) -> dict:
    """An account's credentials as workers get them: seed 002 names, "" for what is missing."""
    credentials = {name: (getattr(account, name) or "") if account else "" for name in CREDENTIALS}
    return credentials | {"cookie": (account.cookies or "") if account else ""}


@dataclass(kw_only=True)
class Task:
    """Every task carries its account's credentials (seed 002 names)."""

    email: str = ""
    username: str = ""
    password: str = ""
    pass_mail: str = ""
    twofa: str = ""
    app_password: str = ""
    cookie: str = ""


@dataclass(kw_only=True)
class PrimaryWork(Task):
    """A claimed link with its request's small fields and its account's credentials."""

    kind = "primary"
    id: uuid.UUID
    request_id: uuid.UUID
    type_request: str
    status: str
    service_type: str
    site_id: uuid.UUID | None
    domain: str
    account_id: uuid.UUID | None
    group_id: uuid.UUID | None
    website: str
    target: int
    priority: int
    auction_price: int
    retry_count: int
    max_retries: int
    claimed_until: datetime | None
    link_rss: str

    @classmethod
    def of(cls, link: Link, request: Request, site_name: str | None, account: Account | None):
        return cls(
            id=link.id,
            request_id=request.id,
            type_request=request.type_request,
            status=link.status,
            service_type=link.service_type,
            site_id=link.site_id,
            domain=site_name or "",
            account_id=link.account_id,
            group_id=request.group_id,
            website=request.website or "",
            target=request.target,
            priority=link.priority,
            auction_price=link.auction_price,
            retry_count=link.retry_count,
            max_retries=link.max_retries,
            claimed_until=link.claimed_until,
            link_rss=(account.link_rss or "") if account else "",
            **credentials_of(account),
        )


@dataclass(kw_only=True)
class SecondaryWork(Task):
    """Seed 002 section 1: a podcast virtual task, an (account, post) pair; id = account_id."""

    kind = "secondary"
    id: str
    request_id: str
    type_request: str
    status: str = "queued"
    account_id: str
    group_id: str
    target: int
    accounts_remaining: int
    domain: str
    website: str
    link_rss: str

    @classmethod
    def of(cls, account: Account, post: Request | None, remaining: int, link_rss: str):
        return cls(
            id=str(account.id),
            request_id=str(post.id) if post else "",
            type_request=post.type_request if post else "post",
            account_id=str(account.id),
            group_id=str(account.group_id),
            target=post.target if post else 0,
            accounts_remaining=remaining,
            domain=account.website,
            website=(post.website or "") if post else "",
            link_rss=link_rss or "",
            **credentials_of(account),
        )


@dataclass(kw_only=True)
class CheckWork(Task):
    """An account queued for a credentials check."""

    kind = "check"
    account_id: uuid.UUID
    group_id: uuid.UUID
    service_type: str
    domain: str
    claimed_until: datetime | None

    @classmethod
    def of(cls, account: Account):
        return cls(
            account_id=account.id,
            group_id=account.group_id,
            service_type=account.service_type,
            domain=account.website,
            claimed_until=account.check_claimed_until,
            **credentials_of(account),
        )


@dataclass
class Pull:
    """What one pull hands out: tasks (primary first) and, once per primary task's request,
    its big JSON fields."""

    tasks: list[Task] = field(default_factory=list)
    requests: dict[str, dict] = field(default_factory=dict)
