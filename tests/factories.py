"""Plain factory functions. They commit and return detached snapshots that outlive the session."""

from dataclasses import dataclass
from uuid import UUID

from likepion.auth import services as auth_services
from likepion.core.db import db
from likepion.credits import ledger

DEFAULT_PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class UserInfo:
    id: int
    uuid: UUID
    email: str
    username: str
    api_key: str
    password: str


_counter = iter(range(1, 10**9))


def make_user(
    app, *, email=None, username=None, password=DEFAULT_PASSWORD, credits=0, is_admin=False
) -> UserInfo:
    n = next(_counter)
    with app.app_context():
        user = auth_services.create_user(
            email=email or f"user{n}@example.com",
            username=username or f"user{n}",
            password=password,
            is_admin=is_admin,
        )
        if credits:
            ledger.top_up(user.id, credits, reason="test.top_up")
            db.session.commit()
        return UserInfo(user.id, user.uuid, user.email, user.username, user.api_key, password)


def make_site(app, *, service_type="entity", name=None, role="primary", active=True) -> UUID:
    """A catalogue site; its id."""
    from likepion.backlink.models import Site

    n = next(_counter)
    with app.app_context():
        site = Site(
            service_type=service_type, name=name or f"site{n}.example", role=role, active=active
        )
        db.session.add(site)
        db.session.commit()
        return site.id


def make_group(
    app, user, *, name=None, service_type="entity", status="active", accounts=()
) -> UUID:
    """A group of `user` (a UserInfo) with an account on each site named in `accounts`; its id."""
    from likepion.backlink.models import Group

    n = next(_counter)
    with app.app_context():
        group = Group(
            user_id=user.id, name=name or f"Group {n}", service_type=service_type, status=status
        )
        db.session.add(group)
        db.session.commit()
        group_id = group.id
    for website in accounts:
        make_account(app, group_id, website=website)
    return group_id


def make_account(app, group_id, *, website, username=None, email=None, **fields) -> UUID:
    """An account in the group `group_id` on the site named `website` (which must exist for the
    group's service type); its id."""
    from sqlalchemy import select

    from likepion.backlink import counters
    from likepion.backlink.models import Account, Group, Site

    n = next(_counter)
    if username is None and email is None:
        username = f"account{n}"
    with app.app_context():
        group = db.session.get(Group, group_id)
        site_id = db.session.scalar(
            select(Site.id).where(Site.service_type == group.service_type, Site.name == website)
        )
        account = Account(
            group_id=group.id,
            user_id=group.user_id,
            service_type=group.service_type,
            site_id=site_id,
            website=website,
            identity=(username or email).lower(),
            username=username,
            email=email,
            **fields,
        )
        db.session.add(account)
        db.session.flush()
        counters.recount(Group, [group.id])
        db.session.commit()
        return account.id


@dataclass(frozen=True)
class RequestInfo:
    id: UUID
    link_ids: list


def make_request(
    app,
    user,
    *,
    service_type="entity",
    status="running",
    name=None,
    auction_price=10,
    target=None,
    links=(),
    charge=True,
    deleted=False,
    **fields,
) -> RequestInfo:
    """A request of `user` created by the backlink service (its defaults, its charge of
    auction_price x target), then put in `status` with a link per item of `links` (a status, or
    a dict of Link columns), oldest first; each link marked `refunded` is refunded, as the
    services would have. Without `charge`, the user is first given the credits it costs (and
    refunded links give nothing back).
    Other `fields` are Request columns (website, group_id, created_at, ...)."""
    from likepion.backlink import counters
    from likepion.backlink.models import Request
    from likepion.core.time import utcnow

    links = [{"status": item} if isinstance(item, str) else dict(item) for item in links]
    body = {"name": name or f"Campaign {next(_counter)}", "auction_price": auction_price}
    if target or links:
        body["target"] = target or len(links)
    request_id = _create_request(app, user, service_type, body, fields, charge=charge)
    now = utcnow()
    with app.app_context():
        request = db.session.get(Request, request_id)
        request.status = status
        request.started_at = None if status == "pending" else now
        request.deleted_at = now if deleted else None
        for column, value in {"created_at": now, **fields}.items():
            setattr(request, column, value)
        link_ids = _add_links(request, links, created_at=now, refund=charge)
        counters.recount(Request, [request_id])
        db.session.commit()
    return RequestInfo(request_id, link_ids)


def _create_request(app, user, service_type, body: dict, fields: dict, *, charge) -> UUID:
    """A pending request made by the service from `body` as the API would load it."""
    from likepion.auth.models import User
    from likepion.backlink.requests import create_request
    from likepion.backlink.schemas import RequestCreate

    body = RequestCreate().load(body)
    given = {key: fields[key] for key in ("website", "group_id", "type_request") if key in fields}
    with app.app_context():
        if not charge:
            ledger.top_up(user.id, body["auction_price"] * body["target"], reason="test.top_up")
        owner = db.session.get(User, user.id)
        return create_request(owner, service_type, **body, **given).id


def _add_links(request, links: list[dict], *, created_at, refund: bool) -> list[UUID]:
    import uuid
    from datetime import timedelta

    from likepion.backlink.models import Link

    rows = []
    for i, link in enumerate(links):
        row = Link(
            **{
                "id": uuid.uuid4(),
                "request_id": request.id,
                "user_id": request.user_id,
                "service_type": request.service_type,
                "auction_price": request.auction_price,
                "created_at": created_at + timedelta(microseconds=i),
                "refunded": False,
            }
            | link
        )
        rows.append(row)
        if refund and row.refunded:
            ledger.refund(request.user_id, request.auction_price, reason="link.failed", ref=row.id)
    db.session.add_all(rows)
    db.session.flush()
    return [row.id for row in rows]


@dataclass(frozen=True)
class ServerInfo:
    id: UUID
    name: str
    headers: dict  # its X-API-Key


def make_server(app, name=None) -> ServerInfo:
    """A worker server with a usable key."""
    from likepion.auth.servers import create_server

    with app.app_context():
        server, key = create_server(name or f"server-{next(_counter):02d}")
        return ServerInfo(server.id, server.name, {"X-API-Key": key})
