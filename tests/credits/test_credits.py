"""Credits: the ledger module and `GET /api/v1/backlink/credits`."""

import pytest
from sqlalchemy import select

from likepion.auth.models import User
from likepion.core.db import db
from likepion.core.errors import InsufficientCredits
from likepion.credits import ledger
from likepion.credits.models import LedgerEntry
from tests.helpers import balance


def test_charge_and_refund_write_ledger_rows(app, user):
    with app.app_context():
        assert ledger.charge(user.id, 300, reason="request.create", ref="r-1") == 700
        assert ledger.refund(user.id, 100, reason="link.refund", ref="l-1") == 800
        db.session.commit()
        rows = db.session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.user_id == user.id)
            .order_by(LedgerEntry.created_at)
        ).all()
    assert [(r.amount, r.reason, r.reference, r.balance_after) for r in rows] == [
        (1000, "test.top_up", None, 1000),
        (-300, "request.create", "r-1", 700),
        (100, "link.refund", "l-1", 800),
    ]
    assert balance(app, user) == 800


def test_charge_more_than_balance_raises_and_changes_nothing(app, user):
    with app.app_context():
        with pytest.raises(InsufficientCredits):
            ledger.charge(user.id, 1001, reason="request.create")
        db.session.commit()
    assert balance(app, user) == 1000


def test_charge_refreshes_a_loaded_user(app, user):
    with app.app_context():
        loaded = db.session.get(User, user.id)
        assert loaded.credits == 1000
        ledger.charge(user.id, 10, reason="x")
        assert loaded.credits == 990


@pytest.mark.parametrize("amount", [0, -5, 1.5])
def test_amount_must_be_a_positive_integer(app, user, amount):
    with app.app_context(), pytest.raises(ValueError):
        ledger.charge(user.id, amount, reason="x")


def test_credits_endpoint_shows_balance_and_paginated_ledger(app, client, user, jwt_headers):
    with app.app_context():
        for n in range(5):
            ledger.charge(user.id, 10, reason="request.create", ref=f"r-{n}")
        db.session.commit()

    response = client.get("/api/v1/backlink/credits?limit=2&page=1", headers=jwt_headers(user))

    assert response.status_code == 200
    body = response.json
    assert body["success"] is True
    assert body["total"] == 6 and body["page"] == 1 and body["limit"] == 2
    assert body["data"]["credits"] == 950
    first = body["data"]["ledger"][0]
    assert set(first) == {"id", "amount", "reason", "reference", "balance_after", "created_at"}
    assert first["amount"] == -10 and first["balance_after"] == 950
    assert first["created_at"].endswith("Z")
    page3 = client.get("/api/v1/backlink/credits?limit=2&page=3", headers=jwt_headers(user))
    assert page3.json["data"]["ledger"][-1]["reason"] == "test.top_up"


def test_credits_endpoint_shows_only_the_callers_ledger(client, user, other_user, jwt_headers):
    body = client.get("/api/v1/backlink/credits", headers=jwt_headers(other_user)).json
    assert body["total"] == 1
    assert body["data"]["credits"] == 1000


@pytest.mark.parametrize("query", ["page=0", "limit=0", "limit=1001", "page=x", "limit=-1"])
def test_credits_bad_pagination_is_422(client, user, jwt_headers, query):
    response = client.get(f"/api/v1/backlink/credits?{query}", headers=jwt_headers(user))
    assert response.status_code == 422
    assert response.json["error"] == "validation_error"


def test_credits_requires_a_token(client):
    assert client.get("/api/v1/backlink/credits").status_code == 401
