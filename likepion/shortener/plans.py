"""Shortener plans: the defaults of seed 004 (used by `seed_plans` and by the data migration
`ops_seed_default_plans`), and the admin's create, update, delete (API and `flask plans set`)."""

import copy

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from likepion.auth.models import User
from likepion.core.db import db
from likepion.core.errors import Conflict, NotFound
from likepion.shortener import limits
from likepion.shortener.models import Plan

# Exactly the plans of seed 004's `GET /api/plans` answer, "0"/"1" strings and all.
STARTER = {
    "name": "Starter",
    "free": True,
    "prices": None,
    "limits": {
        "links": 10,
        "clicks": 1000,
        "retention": 7,
        "custom": {"enabled": "0"},
        "team": {"enabled": "0", "count": "0"},
        "splash": {"enabled": "0", "count": "0"},
        "overlay": {"enabled": "0", "count": "10"},
        "pixels": {"enabled": "0", "count": "10"},
        "domain": {"enabled": "0", "count": "0"},
        "multiple": {"enabled": "0"},
        "alias": {"enabled": "0"},
        "device": {"enabled": "0"},
        "geo": {"enabled": "0"},
        "bundle": {"enabled": "0"},
        "parameters": {"enabled": "0"},
        "export": {"enabled": "0"},
        "api": {"enabled": "0"},
    },
}

BUSINESS = {
    "name": "Business",
    "free": False,
    "prices": {"monthly": 9.99, "yearly": 99.99, "lifetime": 999.99},
    "limits": {
        "links": 100,
        "clicks": 100000,
        "retention": 60,
        "custom": {"enabled": "0"},
        "team": {"enabled": "0", "count": "0"},
        "splash": {"enabled": "1", "count": "5"},
        "overlay": {"enabled": "1", "count": "10"},
        "pixels": {"enabled": "1", "count": "10"},
        "domain": {"enabled": "1", "count": "1"},
        "multiple": {"enabled": "0"},
        "alias": {"enabled": "1"},
        "device": {"enabled": "0"},
        "geo": {"enabled": "0"},
        "bundle": {"enabled": "0"},
        "parameters": {"enabled": "0"},
        "export": {"enabled": "0"},
        "api": {"enabled": "0"},
    },
}

# Created in this order, so a fresh database gives Starter id 1 and Business id 2 as the seed does.
DEFAULT_PLANS = (STARTER, BUSINESS)

# Flags that carry a count besides `enabled` (`{"enabled": "1", "count": "5"}`).
COUNTED_FLAGS = tuple(
    k for k, v in STARTER["limits"].items() if isinstance(v, dict) and "count" in v
)

# Where a new plan starts: every feature off, every count 0 (the keys of the seed's plans).
NOTHING = {
    key: ({k: "0" for k in value} if isinstance(value, dict) else 0)
    for key, value in STARTER["limits"].items()
}


def seed_plans() -> dict[str, int]:
    """Create the default plans, or reset them by name to the seed's values; one transaction."""
    existing = {plan.name: plan for plan in db.session.scalars(select(Plan))}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for default in DEFAULT_PLANS:
        values = copy.deepcopy(default)
        plan = existing.get(values["name"])
        if plan is None:
            db.session.add(Plan(**values))
            db.session.flush()
            counts["created"] += 1
        elif any(getattr(plan, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(plan, field, value)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    try:
        db.session.commit()
    except IntegrityError as exc:  # a concurrent seed created a plan of the same name first
        db.session.rollback()
        raise Conflict("The plans changed while seeding; run the command again.") from exc
    return counts


def list_plans(*, newest_first: bool = False) -> list[Plan]:
    """Every plan, by id (`GET /api/plans` lists them newest first, as seed 004 does)."""
    order = Plan.id.desc() if newest_first else Plan.id
    return list(db.session.scalars(select(Plan).order_by(order)))


def get_plan(plan_id: int) -> Plan:
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        raise NotFound("Plan not found")
    return plan


def create_plan(*, name: str, free: bool = False, prices: dict | None = None,
                limits: dict | None = None) -> Plan:  # fmt: skip
    """A new plan; `limits` fills in NOTHING (what it does not name stays off or 0)."""
    plan = Plan(name=name, free=free, prices=prices, limits=merged_limits(NOTHING, limits or {}))
    db.session.add(plan)
    _commit(name)
    return plan


def update_plan(plan_id: int, **changes) -> Plan:
    """Change what `changes` names of `name`, `free`, `prices` (replaced) and `limits` (merged
    key by key: `{"geo": {"enabled": "1"}}` leaves every other limit as it is)."""
    plan = get_plan(plan_id)
    _apply(plan, changes)
    _commit(plan.name)
    return plan


def set_plan(name: str, **changes) -> tuple[Plan, bool]:
    """Update the plan named `name`, or create it (`flask plans set`); the plan and whether it
    was created."""
    plan = db.session.scalar(select(Plan).where(Plan.name == name))
    if plan is None:
        return create_plan(name=name, **changes), True
    _apply(plan, changes)
    _commit(name)
    return plan, False


def delete_plan(plan_id: int) -> None:
    """Delete a plan no user is on; never the only free plan (new users are put on it)."""
    plan = db.session.scalar(select(Plan).where(Plan.id == plan_id).with_for_update())
    if plan is None:
        raise NotFound("Plan not found")
    users = users_on(plan.id)
    if users:
        raise Conflict(
            f"{users} user(s) are on this plan; move them to another plan first.",
            code="plan_in_use",
        )
    _keep_a_free_plan(plan)
    # Deleted users keep their rows (the ledger needs them), not their plan.
    db.session.execute(update(User).where(User.plan_id == plan.id).values(plan_id=None))
    db.session.delete(plan)
    db.session.commit()


def users_on(plan_id: int) -> int:
    """How many users (not deleted) are on the plan; those without one are on the free plan."""
    on_plan = User.plan_id == plan_id
    free_plan = limits.free_plan()
    if free_plan is not None and free_plan.id == plan_id:
        on_plan = or_(on_plan, User.plan_id.is_(None))
    return db.session.scalar(
        select(func.count()).select_from(User).where(on_plan, User.deleted_at.is_(None))
    )


def merged_limits(current: dict, changes: dict) -> dict:
    """`current` with `changes` laid over it; a flag's `enabled` and `count` merge separately."""
    merged = copy.deepcopy(current)
    for key, value in changes.items():
        old = merged.get(key)
        merged[key] = (
            {**old, **value} if isinstance(value, dict) and isinstance(old, dict) else value
        )
    return merged


def _apply(plan: Plan, changes: dict) -> None:
    if changes.get("free") is False and plan.free:
        _keep_a_free_plan(plan)
    if "limits" in changes:
        plan.limits = merged_limits(plan.limits or {}, changes.pop("limits"))
    for field, value in changes.items():
        setattr(plan, field, value)


def _keep_a_free_plan(plan: Plan) -> None:
    """Conflict when `plan` is the only free plan."""
    if plan.free and not _other_free_plan(plan.id):
        raise Conflict(
            "This is the only free plan, which new users are put on; make another plan free first.",
            code="free_plan_needed",
        )


def _other_free_plan(plan_id: int) -> bool:
    return (
        db.session.scalar(select(Plan.id).where(Plan.free.is_(True), Plan.id != plan_id).limit(1))
        is not None
    )


def _commit(name: str) -> None:
    try:
        db.session.commit()
    except IntegrityError as exc:  # the name is unique
        db.session.rollback()
        raise Conflict(f"A plan named {name} already exists.", code="plan_exists") from exc
