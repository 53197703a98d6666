"""On real PostgreSQL, concurrent charges never take a balance below zero (docs/decisions.md)."""

import threading

import pytest
from sqlalchemy import func, select

from likepion.core.db import db
from likepion.core.errors import InsufficientCredits
from likepion.credits import ledger
from likepion.credits.models import LedgerEntry
from tests.factories import make_user
from tests.helpers import balance

pytestmark = pytest.mark.pg

THREADS = 32
CHARGES_PER_THREAD = 10
START = 1000
PRICE = 7  # 320 attempts x 7 = 2,240 > 1,000: most must be refused


def test_32_threads_charging_one_user(pg_app):
    user = make_user(pg_app, credits=START)
    barrier = threading.Barrier(THREADS)
    outcomes = {"charged": 0, "refused": 0}
    lock = threading.Lock()

    def charge_many():
        barrier.wait()
        for _ in range(CHARGES_PER_THREAD):
            with pg_app.app_context():
                try:
                    ledger.charge(user.id, PRICE, reason="test.charge")
                    db.session.commit()
                    result = "charged"
                except InsufficientCredits:
                    db.session.rollback()
                    result = "refused"
            with lock:
                outcomes[result] += 1

    threads = [threading.Thread(target=charge_many) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    with pg_app.app_context():
        charged = db.session.scalar(
            select(func.count()).where(LedgerEntry.user_id == user.id, LedgerEntry.amount < 0)
        )
    credits = balance(pg_app, user)  # the ledger sum too
    assert outcomes["charged"] + outcomes["refused"] == THREADS * CHARGES_PER_THREAD
    assert outcomes["charged"] == START // PRICE == charged
    assert credits == START - PRICE * charged == START % PRICE
    assert credits >= 0
