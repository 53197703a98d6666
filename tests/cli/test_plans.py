import json
from pathlib import Path

import pytest
from sqlalchemy import select

from likepion.core.db import db
from likepion.shortener.models import Plan
from tests.cli import count

SEED_004 = Path(__file__).parents[3] / "shared" / "seeds" / "004_5f60d15e65a886e8.txt"


def seed_plans_answer() -> list[dict]:
    """The `data` of seed 004's `GET /api/plans` example answer."""
    if not SEED_004.exists():
        pytest.skip(f"{SEED_004} is not checked out next to the project")
    text = SEED_004.read_text(encoding="utf-8")
    start = text.index("GET https://buildlink.org/api/plans")
    start = text.index('{\n    "error": 0,\n    "data": [', start)
    answer, _ = json.JSONDecoder().raw_decode(text[start:])
    return answer["data"]


def plans(app) -> list[dict]:
    with app.app_context():
        return [
            {"id": p.id, "name": p.name, "free": p.free, "prices": p.prices, "limits": p.limits}
            for p in db.session.scalars(select(Plan).order_by(Plan.id))
        ]


def test_seed_plans_creates_the_seed_plans(app, runner):
    result = runner.invoke(args=["plans", "seed"])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Plans: 2 created, 0 updated, 0 unchanged.",
        "  1  Starter (free)",
        "  2  Business",
    ]
    created = plans(app)
    starter, business = created
    assert (starter["id"], starter["name"], starter["free"], starter["prices"]) == (
        1,
        "Starter",
        True,
        None,
    )
    assert business["prices"] == {"monthly": 9.99, "yearly": 99.99, "lifetime": 999.99}
    expected = sorted(seed_plans_answer(), key=lambda plan: plan["id"])
    assert created == expected


def test_seed_plans_twice_is_idempotent(app, runner):
    runner.invoke(args=["plans", "seed"])

    result = runner.invoke(args=["plans", "seed"])

    assert result.exit_code == 0, result.output
    assert "Plans: 0 created, 0 updated, 2 unchanged." in result.output
    assert count(app, Plan) == 2


def test_seed_plans_resets_a_changed_plan_by_name(app, runner):
    runner.invoke(args=["plans", "seed"])
    with app.app_context():
        business = db.session.scalar(select(Plan).where(Plan.name == "Business"))
        business.limits = {**business.limits, "links": 5}
        business.prices = None
        db.session.commit()

    result = runner.invoke(args=["plans", "seed"])

    assert "Plans: 0 created, 1 updated, 1 unchanged." in result.output
    assert plans(app) == sorted(seed_plans_answer(), key=lambda plan: plan["id"])
