"""Row counters lists read instead of COUNT(*): per request its links (`link_count`, secondary
ones too) and its own completed links (`created_links`); per group its accounts
(`account_count`) and active accounts (`account_active`).

The modules that own a life cycle (planner, progress, links, accounts, imports, the worker's
reports and inserts) call `add_links`/`add_accounts` beside the write that changes the rows, in
the same transaction. Each is one `UPDATE ... SET n = n + :d`, so concurrent writers never lose an
increment. Claims change neither count, so the claim path never touches these rows.
`verify` (the `flask counters verify` CLI) compares every counter with a COUNT and repairs drift.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func, select, update

from likepion.backlink.models import Account, Group, Link, Request
from likepion.core.db import db

BATCH = 1000


def add_links(request_id, *, links: int = 0, completed: int = 0) -> None:
    """Move the request's counters by these deltas."""
    if links or completed:
        _add(Request, request_id, link_count=links, created_links=completed)


def add_accounts(group_id, *, total: int = 0, active: int = 0) -> None:
    """Move the group's counters by these deltas."""
    if total or active:
        _add(Group, group_id, account_count=total, account_active=active)


def _add(model, row_id, **deltas) -> None:
    columns = {name: getattr(model, name) + delta for name, delta in deltas.items() if delta}
    db.session.execute(
        update(model).where(model.id == row_id).values(columns),
        execution_options={"synchronize_session": False},
    )
    loaded = db.session.identity_map.get(db.session.identity_key(model, row_id))
    if loaded is not None:
        db.session.expire(loaded, list(columns))


# --- verify -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Drift:
    table: str
    id: object
    column: str
    stored: int
    counted: int


# Per counted table: the owner model, its counters and the COUNT expression of each.
COUNTED = {
    Request: (
        Link,
        Link.request_id,
        {
            "link_count": func.count(),
            "created_links": func.count().filter(
                Link.status == "completed", Link.secondary.is_(False)
            ),
        },
    ),
    Group: (
        Account,
        Account.group_id,
        {
            "account_count": func.count(),
            "account_active": func.count().filter(Account.active.is_(True)),
        },
    ),
}


def owner_total() -> int:
    """How many requests and groups `verify` walks (the progress bar's length)."""
    return sum(db.session.scalar(select(func.count()).select_from(m)) for m in COUNTED)


def verify(*, fix: bool = False) -> Iterator[tuple[int, list[Drift]]]:
    """Walk every request and group in batches; per batch, how many owners it checked and
    the counters that differ from their COUNT (repaired and committed with `fix`)."""
    for model in COUNTED:
        after = None
        while True:
            stmt = select(model.id).order_by(model.id).limit(BATCH)
            ids = db.session.scalars(stmt if after is None else stmt.where(model.id > after)).all()
            if not ids:
                break
            drift = _drift(model, ids)
            if fix and drift:
                recount(model, {d.id for d in drift})
            db.session.commit()
            yield len(ids), drift
            after = ids[-1]


def _drift(model, ids: list) -> list[Drift]:
    _, key, counts = COUNTED[model]
    counted = {
        row[0]: row[1:]
        for row in db.session.execute(
            select(key, *counts.values()).where(key.in_(ids)).group_by(key)
        )
    }
    stored = db.session.execute(
        select(model.id, *(getattr(model, name) for name in counts)).where(model.id.in_(ids))
    )
    drift = []
    for row in stored:
        actual = counted.get(row[0], (0,) * len(counts))
        for name, have, want in zip(counts, row[1:], actual, strict=True):
            if have != want:
                drift.append(Drift(model.__tablename__, row[0], name, have, want))
    return drift


def recount(model, ids) -> None:
    """Set the counters of these requests or groups to their COUNTs. The rows are locked
    first, so the COUNT (a later statement) sees every writer that moved them before."""
    rows, key, counts = COUNTED[model]
    ids = sorted(ids)
    db.session.execute(select(model.id).where(model.id.in_(ids)).with_for_update())
    values = {
        name: select(count).select_from(rows).where(key == model.id).scalar_subquery()
        for name, count in counts.items()
    }
    db.session.execute(
        update(model).where(model.id.in_(ids)).values(values),
        execution_options={"synchronize_session": False},
    )
    for row_id in ids:
        loaded = db.session.identity_map.get(db.session.identity_key(model, row_id))
        if loaded is not None:
            db.session.expire(loaded, list(counts))
