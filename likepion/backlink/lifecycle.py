"""The life cycle of a link: where it waits for a worker, when a failed attempt is retried, and
what a retry or a fresh start writes.

Each rule is written once and serves both a loaded row and a set-based UPDATE: given a `Link`
row (or a status string) it answers a value, given the `Link` class (or a SQL expression) a SQL
expression. So a worker's report (progress.record_outcome), an expired claim
(worker.claims.release_expired) and the owner's retry or restart (links, requests) cannot drift
apart.
"""

from sqlalchemy import case

from likepion.core.time import utcnow

# A link waits `queued` (workers pull it) while its request runs, else `pending` until the
# request is started again.
WAITING_BY_REQUEST_STATUS = {"running": "queued"}
WAITING_OTHERWISE = "pending"


def waiting_status(request_status):
    """The status of a link put (back) to work, by its request's status: a string, or a SQL
    expression (then a CASE for a set-based UPDATE)."""
    if isinstance(request_status, str):
        return WAITING_BY_REQUEST_STATUS.get(request_status, WAITING_OTHERWISE)
    return case(WAITING_BY_REQUEST_STATUS, value=request_status, else_=WAITING_OTHERWISE)


def has_retries_left(link):
    """Whether a failed or expired attempt goes back to work rather than failing the link: a
    bool for a `Link` row, a SQL condition for the `Link` class."""
    return link.retry_count < link.max_retries


def retry_values(link, request_status) -> dict:
    """A failed or expired attempt with retries left: the link waits again (waiting_status) and
    one retry is used. For a row or the class, as has_retries_left."""
    return {
        "status": waiting_status(request_status),
        "retry_count": link.retry_count + 1,
        "claimed_until": None,
    }


def fresh_start_values(request_status: str) -> dict:
    """A failed link put back to work by its owner, as if new (retries and refund reset): its
    next charge is the caller's to make."""
    return {
        "status": waiting_status(request_status),
        "retry_count": 0,
        "refunded": False,
        "error_message": None,
        "claimed_until": None,
        "updated_at": utcnow(),
    }
