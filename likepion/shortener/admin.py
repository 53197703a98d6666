"""Admin-only shortener endpoints (seed 004, "Plans" and "Users"): plans, subscriptions, users,
one-time login links. Routes let only admins in (`admin_user`, a 403 before any input is read);
the acting admin is passed for the checks that need it (no deleting yourself)."""

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select

from likepion.auth import services as auth_services
from likepion.auth.models import User
from likepion.core.db import db
from likepion.core.errors import Forbidden, NotFound
from likepion.core.time import utcnow
from likepion.shortener import addresses, alias_version
from likepion.shortener.models import (
    Campaign,
    Channel,
    Domain,
    Overlay,
    Pixel,
    Plan,
    QrCode,
    ShortUrl,
    Splash,
)

TERMS = {"monthly": timedelta(days=30), "yearly": timedelta(days=365), "lifetime": None}
# Deleted with a user; clicks, pixels of links and channel places go by cascading keys.
USER_OBJECTS = (ShortUrl, QrCode, Campaign, Channel, Pixel, Splash, Overlay, Domain)


def require_admin(user) -> None:
    if not user.is_admin:
        raise Forbidden("Only administrators can do this.")


def subscribe(admin, plan_id: int, user_id: int, *, type: str,
              expiration: datetime | None = None) -> User:  # fmt: skip
    """Put the user on the plan until `expiration`, or for the term `type` names."""
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        raise NotFound("Plan not found")
    user = get_user(admin, user_id)
    term = TERMS[type]
    user.plan_id = plan.id
    user.plan_expires = None if plan.free else expiration or (utcnow() + term if term else None)
    db.session.commit()
    return user


def list_users(admin, *, page: int, limit: int, filter: str | None = None,
               email: str | None = None) -> list[User]:  # fmt: skip
    """Users, newest first; `filter` admin | free | pro, `email` a part of the address."""
    stmt = auth_services.LIVE_USERS.order_by(User.id.desc())
    if filter == "admin":
        stmt = stmt.where(User.is_admin.is_(True))
    elif filter in ("free", "pro"):
        paying = (
            select(Plan.id)
            .where(Plan.id == User.plan_id, Plan.free.is_(False))
            .where(or_(User.plan_expires.is_(None), User.plan_expires > utcnow()))
            .exists()
        )
        stmt = stmt.where(paying if filter == "pro" else ~paying)
    if email:
        stmt = stmt.where(User.email.contains(email.strip().lower(), autoescape=True))
    return list(db.session.scalars(stmt.limit(limit).offset((page - 1) * limit)))


def get_user(admin, user_id: int) -> User:
    user = auth_services.live_user(user_id)
    if user is None:
        raise NotFound("User not found")
    return user


def add_user(admin, *, username: str, email: str, password: str, planid: int | None = None,
             expiration: datetime | None = None) -> User:  # fmt: skip
    if planid is not None and db.session.get(Plan, planid) is None:
        raise NotFound("Plan not found")
    return auth_services.create_user(
        email=email, username=username, password=password, plan_id=planid, plan_expires=expiration
    )


def delete_user(admin, user_id: int) -> None:
    """Close the account: no more sign-in or API key; the user's short links, QR codes and the
    rest of their shortener objects are deleted. Credit ledger and backlink rows stay."""
    user = get_user(admin, user_id)
    if user.id == admin.id:
        raise Forbidden("You cannot delete your own account.")
    for model in USER_OBJECTS:
        db.session.execute(delete(model).where(model.user_id == user.id))
    alias_version.bump(db.session)  # bulk deletes skip the ORM's flush hook
    user.deleted_at = utcnow()
    db.session.commit()


def sso_url(admin, user_id: int) -> str:
    """A login URL for the user, valid for an hour and usable once."""
    token = auth_services.create_sso_token(get_user(admin, user_id))
    return f"{addresses.base_url()}/user/login/sso/{token}"
