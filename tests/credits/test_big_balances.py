"""Balances past 2**31 work, and nothing takes one past ledger.MAX_BALANCE (issue 11, item 2).

Each test runs on the suite's database and on real PostgreSQL (`pg_app`, skipped without
LIKEPION_TEST_PG_URL), where `credits` was a 32-bit column.
"""

import uuid

import pytest
from flask_jwt_extended import create_access_token
from sqlalchemy import func, select

from likepion.auth.models import User
from likepion.backlink.models import Request
from likepion.core.db import db
from likepion.credits.ledger import MAX_BALANCE
from likepion.credits.models import LedgerEntry
from tests.factories import make_user

BASE = "/api/v1/backlink/entity"
BIG = 5 * 2**32  # past both 32-bit bounds, and more than one request below takes


@pytest.fixture(params=["app", pytest.param("pg_app", marks=pytest.mark.pg)])
def any_app(request):
    return request.getfixturevalue(request.param)


@pytest.fixture
def alice(any_app):
    return make_user(any_app, email="alice@example.com", username="alice")


def credit(app, amount):
    return app.test_cli_runner().invoke(args=["users", "credit", "alice@example.com", str(amount)])


def state(app, user):
    """(balance, ledger rows as (reason, amount, balance_after)), the balance checked against
    the ledger sum."""
    with app.app_context():
        balance = db.session.get(User, user.id).credits
        rows = db.session.execute(
            select(LedgerEntry.reason, LedgerEntry.amount, LedgerEntry.balance_after)
            .where(LedgerEntry.user_id == user.id)
            .order_by(LedgerEntry.created_at)
        ).all()
        total = db.session.scalar(
            select(func.sum(LedgerEntry.amount)).where(LedgerEntry.user_id == user.id)
        )
    assert balance == (total or 0)
    return balance, [tuple(row) for row in rows]


def headers(app, user):
    with app.app_context():
        return {"Authorization": f"Bearer {create_access_token(identity=str(user.uuid))}"}


def create(app, user, price=1_000_000, target=10_000):
    return app.test_client().post(
        BASE,
        json={"name": "Big", "auction_price": price, "target": target},
        headers=headers(app, user),
    )


def test_balances_and_charges_past_2_to_the_31_work(any_app, alice):
    assert credit(any_app, BIG).exit_code == 0
    created = create(any_app, alice)  # 10**10 credits
    assert created.status_code == 201, created.json

    deleted = any_app.test_client().delete(
        f"{BASE}/{created.json['data']['id']}", headers=headers(any_app, alice)
    )

    assert deleted.status_code == 200
    assert state(any_app, alice) == (
        BIG,
        [
            ("admin.credit", BIG, BIG),
            ("request.create", -(10**10), BIG - 10**10),
            ("request.delete", 10**10, BIG),
        ],
    )
    balance = any_app.test_client().get("/api/v1/backlink/credits", headers=headers(any_app, alice))
    assert balance.json["data"]["credits"] == BIG


@pytest.mark.parametrize("amount", [MAX_BALANCE + 1, 2**63, 10**30])
def test_a_grant_past_the_cap_is_refused_and_changes_nothing(any_app, alice, amount):
    assert credit(any_app, 5).exit_code == 0
    before = state(any_app, alice)

    result = credit(any_app, amount)

    assert result.exit_code == 1
    assert f"Error: The balance cannot exceed {MAX_BALANCE} credits." in result.output
    assert state(any_app, alice) == before


def test_a_grant_up_to_the_cap_is_taken(any_app, alice):
    assert credit(any_app, MAX_BALANCE).exit_code == 0
    assert credit(any_app, 1).exit_code == 1
    assert state(any_app, alice)[0] == MAX_BALANCE


def test_a_refund_past_the_cap_is_refused_with_a_4xx_and_changes_nothing(any_app, alice):
    assert credit(any_app, MAX_BALANCE).exit_code == 0
    request_id = create(any_app, alice).json["data"]["id"]
    assert credit(any_app, 10**10).exit_code == 0  # back at the cap: the refund cannot fit
    before = state(any_app, alice)

    response = any_app.test_client().delete(f"{BASE}/{request_id}", headers=headers(any_app, alice))

    assert response.status_code == 422
    assert response.json["error"] == "balance_limit"
    assert f"cannot exceed {MAX_BALANCE}" in response.json["message"]
    assert state(any_app, alice) == before
    with any_app.app_context():
        assert db.session.get(Request, uuid.UUID(request_id)).deleted_at is None
