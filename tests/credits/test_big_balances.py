"""Balances past 2**31 work, and nothing takes one past ledger.MAX_BALANCE (issue 11, item 2).

Each test runs on the suite's database and on real PostgreSQL (`pg_app`, skipped without
LIKEPION_TEST_PG_URL), where `credits` was a 32-bit column.
"""

import uuid

import pytest

from likepion.backlink.models import Request
from likepion.core.db import db
from likepion.credits.ledger import MAX_BALANCE
from tests.factories import make_user
from tests.helpers import balance, jwt_for, ledger_rows

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
    return balance(app, user), ledger_rows(app, user, "reason", "amount", "balance_after")


def create(app, user, price=1_000_000, target=10_000):
    return app.test_client().post(
        BASE,
        json={"name": "Big", "auction_price": price, "target": target},
        headers=jwt_for(app, user),
    )


def test_balances_and_charges_past_2_to_the_31_work(any_app, alice):
    assert credit(any_app, BIG).exit_code == 0
    created = create(any_app, alice)  # 10**10 credits
    assert created.status_code == 201, created.json

    deleted = any_app.test_client().delete(
        f"{BASE}/{created.json['data']['id']}", headers=jwt_for(any_app, alice)
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
    shown = any_app.test_client().get("/api/v1/backlink/credits", headers=jwt_for(any_app, alice))
    assert shown.json["data"]["credits"] == BIG


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

    response = any_app.test_client().delete(f"{BASE}/{request_id}", headers=jwt_for(any_app, alice))

    assert response.status_code == 422
    assert response.json["error"] == "balance_limit"
    assert f"cannot exceed {MAX_BALANCE}" in response.json["message"]
    assert state(any_app, alice) == before
    with any_app.app_context():
        assert db.session.get(Request, uuid.UUID(request_id)).deleted_at is None
