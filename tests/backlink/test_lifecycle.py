"""The link life cycle's rules (backlink.lifecycle) answer the same for a loaded row as for a
set-based UPDATE: the Python value and the SQL expression come from one definition."""

import pytest
from sqlalchemy import literal, select

from likepion.backlink import lifecycle
from likepion.backlink.models import REQUEST_STATUSES
from likepion.core.db import db


@pytest.mark.parametrize("request_status", REQUEST_STATUSES)
def test_a_link_waits_queued_only_while_its_request_runs(app, request_status):
    with app.app_context():
        in_sql = db.session.scalar(select(lifecycle.waiting_status(literal(request_status))))
    in_python = lifecycle.waiting_status(request_status)
    assert in_sql == in_python == ("queued" if request_status == "running" else "pending")


@pytest.mark.parametrize(("retry_count", "max_retries"), [(0, 3), (2, 3), (3, 3), (4, 3)])
def test_retries_left_is_the_same_for_a_row_and_in_sql(app, retry_count, max_retries):
    class Row:  # a loaded link's two columns
        pass

    row, columns = Row(), Row()
    row.retry_count, row.max_retries = retry_count, max_retries
    columns.retry_count, columns.max_retries = literal(retry_count), literal(max_retries)
    with app.app_context():
        in_sql = db.session.scalar(select(lifecycle.has_retries_left(columns)))
    assert bool(in_sql) is lifecycle.has_retries_left(row) is (retry_count < max_retries)
    retried = lifecycle.retry_values(row, "running")
    assert retried == {"status": "queued", "retry_count": retry_count + 1, "claimed_until": None}
