import pytest
from sqlalchemy import select

from likepion.core.db import db
from likepion.shortener.models import Plan
from likepion.shortener.plans import BUSINESS, NOTHING
from tests.cli import assert_fails
from tests.factories import make_user
from tests.helpers import count_rows, seed_plans_answer


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
    assert count_rows(app, Plan) == 2


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


# --- plans set / plans list (issue 15, item 1) ---------------------------------------------------
def test_plans_set_creates_a_plan_with_only_what_it_names(app, runner):
    runner.invoke(args=["plans", "seed"])

    result = runner.invoke(
        args=["plans", "set", "Pro", "--limit", "links=500", "--limit", "domain=3",
              "--enable", "geo", "--enable", "domain", "--price", "monthly=19.5"]
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Created plan Pro (id 3)."
    assert lines[1].split() == ["id", "name", "free", "users", "links", "enabled"]
    assert lines[2].split() == ["3", "Pro", "no", "0", "500", "domain", "3,", "geo"]
    pro = plans(app)[2]
    assert (pro["name"], pro["free"], pro["prices"]) == ("Pro", False, {"monthly": 19.5})
    assert pro["limits"] == NOTHING | {
        "links": 500,
        "domain": {"enabled": "1", "count": "3"},
        "geo": {"enabled": "1"},
    }


def test_plans_set_changes_only_what_it_names(app, runner):
    runner.invoke(args=["plans", "seed"])

    result = runner.invoke(
        args=["plans", "set", "Business", "--limit", "links=500", "--enable", "geo",
              "--disable", "bundle", "--disable", "alias", "--limit", "splash=8"]
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "Updated plan Business (id 2)."
    business = plans(app)[1]
    assert business["prices"] == BUSINESS["prices"]
    assert business["limits"] == BUSINESS["limits"] | {
        "links": 500,
        "geo": {"enabled": "1"},
        "bundle": {"enabled": "0"},
        "alias": {"enabled": "0"},
        "splash": {"enabled": "1", "count": "8"},
    }


def test_plans_set_free_and_paid(app, runner):
    runner.invoke(args=["plans", "seed"])

    assert_fails(runner.invoke(args=["plans", "set", "Starter", "--paid"]), "only free plan")
    assert runner.invoke(args=["plans", "set", "Business", "--free"]).exit_code == 0
    assert runner.invoke(args=["plans", "set", "Starter", "--paid"]).exit_code == 0

    assert [(p["name"], p["free"]) for p in plans(app)] == [("Starter", False), ("Business", True)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--limit", "links"], "Use --limit KEY=N"),
        (["--limit", "links=many"], "limits: links: Not a valid integer."),
        (["--limit", "links=-5"], "limits: links:"),
        (["--limit", "geo=5"], "limits: geo:"),
        (["--enable", "teleport"], "limits: teleport: Unknown field."),
        (["--enable", "geo", "--disable", "geo"], "Both enabled and disabled: geo."),
        (["--price", "weekly=3"], "prices: weekly: Unknown field."),
        (["--price", "monthly=-3"], "prices: monthly:"),
    ],
)
def test_plans_set_refuses_bad_options_and_changes_nothing(app, runner, args, message):
    runner.invoke(args=["plans", "seed"])
    before = plans(app)

    result = runner.invoke(args=["plans", "set", "Business", *args])

    assert_fails(result, message)
    assert plans(app) == before
    assert_fails(runner.invoke(args=["plans", "set", "New", *args]), message)
    assert plans(app) == before


def test_plans_set_refuses_a_bad_name(app, runner):
    assert_fails(runner.invoke(args=["plans", "set", " ", "--enable", "geo"]), "name:")
    assert count_rows(app, Plan) == 0


def test_plans_list_shows_each_plan_its_users_and_features(app, runner):
    runner.invoke(args=["plans", "seed"])
    make_user(app, email="a@example.com", username="aaa")
    make_user(app, email="b@example.com", username="bbb")

    result = runner.invoke(args=["plans", "list"])

    assert result.exit_code == 0, result.output
    header, starter, business = result.output.splitlines()
    assert header.split() == ["id", "name", "free", "users", "links", "enabled"]
    assert starter.split() == ["1", "Starter", "yes", "2", "10", "-"]
    assert business.split() == [
        "2", "Business", "no", "0", "100", "splash", "5,", "overlay", "10,", "pixels", "10,",
        "domain", "1,", "alias",
    ]  # fmt: skip


def test_plans_list_empty(runner):
    result = runner.invoke(args=["plans", "list"])

    assert (result.exit_code, result.output) == (0, "No plans.\n")
