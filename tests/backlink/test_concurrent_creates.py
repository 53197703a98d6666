"""On real PostgreSQL, concurrent creates never overspend: exactly the affordable ones exist."""

import threading

import pytest
from sqlalchemy import func, select

from likepion.backlink.models import Request
from likepion.core.db import db
from tests.factories import make_user
from tests.helpers import balance, jwt_for

pytestmark = pytest.mark.pg

THREADS = 20
PRICE, TARGET = 10, 10  # 100 credits each; 20 x 100 = 2,000 > 750


def test_20_concurrent_creates_charge_only_what_the_balance_allows(pg_app):
    user = make_user(pg_app, credits=750)
    headers = jwt_for(pg_app, user)
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
        created = db.session.scalar(select(func.count()).select_from(Request))
    assert created == 7
    assert balance(pg_app, user) == 750 - 7 * PRICE * TARGET == 50  # the ledger sum too
