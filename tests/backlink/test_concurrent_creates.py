"""On real PostgreSQL, concurrent creates never overspend: exactly the affordable ones exist."""

import threading

import pytest
from flask_jwt_extended import create_access_token
from sqlalchemy import func, select

from likepion.auth.models import User
from likepion.backlink.models import Request
from likepion.core.db import db
from likepion.credits.models import LedgerEntry
from tests.factories import make_user

pytestmark = pytest.mark.pg

THREADS = 20
PRICE, TARGET = 10, 10  # 100 credits each; 20 x 100 = 2,000 > 750


def test_20_concurrent_creates_charge_only_what_the_balance_allows(pg_app):
    user = make_user(pg_app, credits=750)
    with pg_app.app_context():
        headers = {"Authorization": f"Bearer {create_access_token(str(user.uuid))}"}
    barrier = threading.Barrier(THREADS)
    statuses = []

    def create(n):
        client = pg_app.test_client()
        barrier.wait()
        response = client.post(
            "/api/v1/backlink/entity",
            json={"name": f"R{n}", "auction_price": PRICE, "target": TARGET},
            headers=headers,
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=create, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [201] * 7 + [402] * 13
    with pg_app.app_context():
        balance = db.session.get(User, user.id).credits
        created = db.session.scalar(select(func.count()).select_from(Request))
        ledger_sum = db.session.scalar(
            select(func.sum(LedgerEntry.amount)).where(LedgerEntry.user_id == user.id)
        )
    assert created == 7
    assert balance == 750 - 7 * PRICE * TARGET == 50
    assert ledger_sum == balance
