"""Page/limit query parameters and a paginate helper that counts in the database."""

from dataclasses import dataclass

from marshmallow import Schema, fields, validate
from sqlalchemy import Select, func, select

from likepion.core.db import db

MAX_LIMIT = 1000


class PageQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_LIMIT))


@dataclass
class Page:
    items: list
    total: int
    page: int
    limit: int


def paginate(
    stmt: Select, page: int, limit: int, *, scalars: bool = True, total: int | None = None
) -> Page:
    """Run `stmt` for one page and count all its rows (ordering dropped for the count), unless
    the caller knows the `total` (a row counter)."""
    if total is None:
        total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    paged = stmt.limit(limit).offset((page - 1) * limit)
    rows = db.session.scalars(paged) if scalars else db.session.execute(paged)
    return Page(items=list(rows), total=total or 0, page=page, limit=limit)
