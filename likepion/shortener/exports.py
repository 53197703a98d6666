"""A link's raw clicks as CSV, streamed: pages of rows by keyset, so memory stays flat."""

import csv
import io
from collections.abc import Iterator

from sqlalchemy import select, tuple_

from likepion.core.db import read_only
from likepion.core.time import plain
from likepion.shortener.models import Click

COLUMNS = ("time", "country", "referrer", "browser", "os", "visitor")
PAGE_ROWS = 5000
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def click_csv(link_id: int) -> Iterator[str]:
    """The header, then one chunk of CSV text per page of PAGE_ROWS clicks, oldest first."""
    yield _csv_text([COLUMNS])
    after = None
    while True:
        rows = _page(link_id, after, PAGE_ROWS)
        if not rows:
            return
        yield _csv_text([_cells(row) for row in rows])
        after = (rows[-1].created_at, rows[-1].id)


def _page(link_id: int, after: tuple | None, page_rows: int) -> list:
    """One page after the keyset `after` = (created_at, id), on the (link, time) index; each
    page on a pooled connection of its own, with no transaction (nor SQLite lock) held
    between pages."""
    columns = (
        Click.id,
        Click.created_at,
        Click.country,
        Click.referrer_host,
        Click.browser,
        Click.os,
        Click.visitor,
    )
    stmt = select(*columns).where(Click.short_url_id == link_id)
    if after is not None:
        stmt = stmt.where(tuple_(Click.created_at, Click.id) > tuple_(*after))
    stmt = stmt.order_by(Click.created_at, Click.id).limit(page_rows)
    with read_only() as connection:
        return connection.execute(stmt).all()


def _cells(row) -> list[str]:
    values = (
        plain(row.created_at),
        row.country,
        row.referrer_host,
        row.browser,
        row.os,
        row.visitor,
    )
    return [_safe("" if value is None else value) for value in values]


def _safe(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _csv_text(rows: list) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()
