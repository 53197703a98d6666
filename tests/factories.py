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


def make_group(app, user, *, name=None, service_type="entity", status="active") -> UUID:
    """A group of `user` (a UserInfo); its id."""
    from likepion.backlink.models import Group

    n = next(_counter)
    with app.app_context():
        group = Group(
            user_id=user.id, name=name or f"Group {n}", service_type=service_type, status=status
        )
        db.session.add(group)
        db.session.commit()
        return group.id


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
    website=None,
    auction_price=10,
    target=None,
    type_request=None,
    links=(),
    charge=True,
    deleted=False,
    **fields,
) -> RequestInfo:
    """A request of `user` inserted directly, with a link per item of `links` (a status, or a
    dict of Link columns), oldest first. With `charge`, the ledger takes auction_price x target
    and gives back the price of each link marked `refunded`, as the services would have."""
    import uuid
    from datetime import timedelta

    from likepion.backlink import counters
    from likepion.backlink.models import Link, Request
    from likepion.core.time import utcnow

    n = next(_counter)
    links = [{"status": item} if isinstance(item, str) else dict(item) for item in links]
    if target is None:
        target = len(links) or 10
    now = utcnow()
    with app.app_context():
        request = Request(
            **{
                "id": uuid.uuid4(),
                "user_id": user.id,
                "service_type": service_type,
                "name": name or f"Campaign {n}",
                "website": website,
                "auction_price": auction_price,
                "target": target,
                "type_request": type_request
                or ("post" if service_type == "podcast" else service_type),
                "status": status,
                "started_at": None if status == "pending" else now,
                "deleted_at": now if deleted else None,
                "created_at": now,
            }
            | fields
        )
        db.session.add(request)
        db.session.flush()
        if charge:
            ledger.charge(user.id, auction_price * target, reason="request.create", ref=request.id)
        rows = []
        for i, link in enumerate(links):
            row = Link(
                **{
                    "id": uuid.uuid4(),
                    "request_id": request.id,
                    "user_id": user.id,
                    "service_type": service_type,
                    "auction_price": auction_price,
                    "created_at": now + timedelta(microseconds=i),
                    "refunded": False,
                }
                | link
            )
            rows.append(row)
            if charge and row.refunded:
                ledger.refund(user.id, auction_price, reason="link.failed", ref=row.id)
        db.session.add_all(rows)
        db.session.flush()
        counters.recount(Request, [request.id])
        db.session.commit()
        return RequestInfo(request.id, [row.id for row in rows])


@dataclass(frozen=True)
class ServerInfo:
    id: UUID
    name: str
    headers: dict  # its X-API-Key


def make_server(app, name=None) -> ServerInfo:
    """A worker server with a usable key."""
    from likepion.worker.services import create_server

    with app.app_context():
        server, key = create_server(name or f"server-{next(_counter):02d}")
        return ServerInfo(server.id, server.name, {"X-API-Key": key})
