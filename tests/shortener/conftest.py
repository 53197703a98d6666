"""Shortener fixtures: the seed's plans, a Business-plan user and a plan with every feature."""

import pytest
from sqlalchemy import select

from likepion.auth.models import User
from likepion.core.db import db
from likepion.shortener.models import Plan
from likepion.shortener.plans import seed_plans
from tests.factories import make_user

EVERY_FEATURE = {
    "links": 1000,
    "clicks": 1000000,
    "retention": 365,
    **{flag: {"enabled": "1"} for flag in ("alias", "geo", "device", "bundle", "parameters")},
    **{flag: {"enabled": "1", "count": "100"} for flag in ("splash", "overlay", "pixels")},
    "domain": {"enabled": "1", "count": "100"},
    "export": {"enabled": "1"},
    "api": {"enabled": "1"},
}


@pytest.fixture(autouse=True)
def plans(app):
    """Starter (id 1, free) and Business (id 2), as a fresh `flask plans seed` makes them;
    the shortener's 30/minute limit is lifted (tests/core tests the real limit)."""
    app.config["SHORTENER_RATE_LIMIT"] = "100000 per minute"
    with app.app_context():
        seed_plans()


def put_on_plan(app, user, plan_name: str, limits: dict | None = None) -> None:
    """Move `user` to the plan named `plan_name` (created with `limits` if missing)."""
    with app.app_context():
        plan = db.session.scalar(select(Plan).where(Plan.name == plan_name))
        if plan is None:
            plan = Plan(name=plan_name, free=False, prices=None, limits=limits)
            db.session.add(plan)
            db.session.flush()
        db.session.get(User, user.id).plan_id = plan.id
        db.session.commit()


@pytest.fixture
def business_user(app):
    """A user on the seed's Business plan (aliases, 5 splash, 10 overlays, 10 pixels, 1 domain)."""
    user = make_user(app, email="carol@example.com", username="carol")
    put_on_plan(app, user, "Business")
    return user


@pytest.fixture
def power_user(app):
    """A user on a plan with every feature enabled."""
    user = make_user(app, email="dave@example.com", username="dave")
    put_on_plan(app, user, "Everything", EVERY_FEATURE)
    return user
