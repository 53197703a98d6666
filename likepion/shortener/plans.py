"""The default shortener plans of seed 004 and the idempotent `seed_plans`."""

import copy

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from likepion.core.db import db
from likepion.core.errors import Conflict
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
