"""Plan limits (docs/api-shortener.md): counts and feature flags of the user's plan;
admins unlimited."""

from flask import g
from sqlalchemy import func, select

from likepion.auth.models import User
from likepion.core.db import db
from likepion.core.errors import Forbidden
from likepion.core.time import as_utc, utcnow
from likepion.shortener.models import Plan

# What each flag gates, for the error message.
FEATURES = {
    "alias": "Custom aliases",
    "geo": "Geo targeting",
    "device": "Device and language targeting",
    "bundle": "Campaigns",
    "parameters": "Deep links",
    "export": "Exports",
    "splash": "Custom splash pages",
    "overlay": "CTA overlays",
    "pixels": "Pixels",
    "domain": "Branded domains",
}

COUNTED = {
    "links": "links",
    "pixels": "pixels",
    "domain": "branded domains",
    "splash": "custom splash pages",
    "overlay": "CTA overlays",
}


def user_plan(user) -> Plan | None:
    """The plan the user is on, expired or not: `plan_id`, or the free plan when it is NULL."""
    if user.plan_id is None:
        return free_plan()
    return db.session.get(Plan, user.plan_id)


def user_plan_id(user) -> int | None:
    plan = user_plan(user)
    return plan.id if plan is not None else None


def current_plan(user) -> Plan | None:
    """The user's plan while it runs; once it has expired, the free plan."""
    expires = user.plan_expires
    plan = user_plan(user)
    if plan is not None and (expires is None or as_utc(expires) > utcnow()):
        return plan
    return free_plan()


def free_plan() -> Plan | None:
    """The free plan (new users get it), looked up once per request or command."""
    if "free_plan" not in g:
        g.free_plan = db.session.scalar(select(Plan).where(Plan.free.is_(True)).order_by(Plan.id))
    return g.free_plan


def _limits(user) -> dict:
    plan = current_plan(user)
    return plan.limits if plan is not None else {}


def require_feature(user, flag: str) -> None:
    """Forbidden unless the plan enables `flag` (`{"enabled": "1"}` in the seed's plans)."""
    if user.is_admin:
        return
    if str(_limits(user).get(flag, {}).get("enabled", "0")) != "1":
        raise Forbidden(f"{FEATURES[flag]} are not available on your plan.", code="plan_limit")


def require_room(user, flag: str, model, *, enabled_flag: bool = True) -> None:
    """Forbidden when the user already has as many `model` rows as the plan allows.

    `links` is a plain number in the seed's plans; the others are `{"enabled", "count"}`.
    """
    if user.is_admin:
        return
    if enabled_flag:
        require_feature(user, flag)
    allowed = _limits(user).get(flag)
    if isinstance(allowed, dict):
        allowed = allowed.get("count")
    allowed = int(allowed or 0)
    # Serialise this user's creates, so two at once cannot both take the last slot.
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    owned = db.session.scalar(
        select(func.count()).select_from(model).where(model.user_id == user.id)
    )
    if owned >= allowed:
        raise Forbidden(
            f"Your plan allows {allowed} {COUNTED[flag]}; delete one or upgrade.",
            code="plan_limit",
        )
