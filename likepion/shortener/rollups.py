"""Click rollups: counts per object, bucket (hour, UTC day, all time) and dimension value.

The click writer adds each batch to them in the transaction that stores the raw rows; `rebuild`
recomputes them from the raw clicks (`flask clicks rollup`, the migration's backfill); `prune`
drops raw clicks past their retention while the totals stay. Counters are slotted upserts,
never `UPDATE short_urls SET clicks = clicks + 1` on a hot row (docs/decisions.md).
"""

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter

from sqlalchemy import Date, cast, delete, func, literal, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from likepion.core.db import batched, db
from likepion.core.time import as_utc
from likepion.shortener.models import (
    Click,
    LinkRollup,
    LinkVisitor,
    QrCode,
    QrRollup,
    QrVisitor,
    ShortUrl,
)

# The Click column naming the object, and that object's rollup and visitor tables.
KINDS = {"short_url_id": (LinkRollup, LinkVisitor), "qr_code_id": (QrRollup, QrVisitor)}
DIMENSIONS = {"country": "country", "referrer": "referrer_host", "browser": "browser", "os": "os"}
ROLLUP_KEY = ("object_id", "period", "dimension", "bucket", "value")
ALL_TIME = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_DAY = ALL_TIME.date()


# --- written with each batch of clicks --------------------------------------------------------
def add_clicks(connection: Connection, rows: list[dict]) -> None:
    """Count `rows`, stored in this same transaction, into the rollups.

    One upsert row per (object, period, dimension, bucket, value) of the batch, adding with
    `n = n + excluded.n`, so flushes of several processes at once all count. Rows go in key
    order: concurrent flushes lock shared keys in the same order and cannot deadlock.
    """
    for column, (rollup, visitors) in KINDS.items():
        mine = [row for row in rows if row[column] is not None]
        if not mine:
            continue
        hours = [_hour_number(row["created_at"]) for row in mine]  # once per click
        counts = _counts(column, mine, hours)
        for object_id, hour in _new_visitors(connection, visitors, column, mine, hours):
            _count(counts, object_id, "unique", hour, "")
        _upsert(connection, rollup, counts)


def _counts(column: str, rows: list[dict], hours: list[int]) -> Counter:
    """Clicks alike in object, hour and every dimension counted once each (a burst on one link is
    mostly alike), then spread over the dimensions and over hour, day and all time."""
    values_of = itemgetter(*DIMENSIONS.values())
    alike = Counter(
        (row[column], hour, *values_of(row)) for row, hour in zip(rows, hours, strict=True)
    )
    counts = Counter()
    for (object_id, hour_number, *values), n in alike.items():
        hour = _hour_of(hour_number)
        _count(counts, object_id, "total", hour, "", n)
        for dimension, value in zip(DIMENSIONS, values, strict=True):
            _count(counts, object_id, dimension, hour, value or "", n)
    return counts


def _count(
    counts: Counter, object_id: int, dimension: str, hour: datetime, value: str, n: int = 1
) -> None:
    for period, bucket in (("h", hour), ("d", hour.replace(hour=0)), ("a", ALL_TIME)):
        counts[(object_id, period, dimension, bucket, value)] += n


def _hour_number(created_at: datetime) -> int:
    """Hours since the epoch of `created_at` (naive values are UTC, as SQLite hands them back):
    a cheap key per click; `_hour_of` turns it back into the hour once per distinct key."""
    return int(as_utc(created_at).timestamp()) // 3600


def _hour_of(hour_number: int) -> datetime:
    return datetime.fromtimestamp(hour_number * 3600, UTC)


def _new_visitors(connection, visitors, column: str, rows: list[dict], hours: list[int]) -> list:
    """(object, hour) of each (object, day, visitor) of `rows` never seen before, the hour being
    that of its first click in `rows`: a unique visitor counts once per UTC day (the hash
    changes daily)."""
    first: dict[tuple, int] = {}
    for row, hour in zip(rows, hours, strict=True):
        if row["visitor"] is not None:
            key = (row[column], hour // 24, row["visitor"])
            first[key] = min(hour, first.get(key, hour))
    if not first:
        return []
    values = [
        {"object_id": o, "day": _hour_of(d * 24).date(), "visitor": v} for o, d, v in sorted(first)
    ]
    stmt = _insert(connection, visitors).on_conflict_do_nothing()
    returned = stmt.returning(visitors.object_id, visitors.day, visitors.visitor)
    new = connection.execute(returned, values)
    return [(o, _hour_of(first[(o, (day - EPOCH_DAY).days, v)])) for o, day, v in new]


def _upsert(connection, rollup, counts: Counter) -> None:
    """One statement over all rows (executemany: SQLAlchemy sends them as multi-row VALUES
    batches, in this order, with a statement compiled once per process)."""
    rows = [dict(zip(ROLLUP_KEY, key, strict=True), n=n) for key, n in sorted(counts.items())]
    stmt = _insert(connection, rollup)
    stmt = stmt.on_conflict_do_update(
        index_elements=ROLLUP_KEY, set_={"n": rollup.n + stmt.excluded.n}
    )
    connection.execute(stmt, rows)


def _insert(connection, table):
    return (postgresql if connection.dialect.name == "postgresql" else sqlite).insert(table)


# --- rebuilt from the raw clicks --------------------------------------------------------------
def lock_clicks(connection: Connection) -> None:
    """Hold click writers (they wait, their buffers keep the clicks) until this transaction
    ends, so a rebuild reads every raw click that its rollups will ever be missing."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("LOCK TABLE clicks IN SHARE ROW EXCLUSIVE MODE")


def rebuild(
    connection: Connection, kind: str, object_ids: list[int], *, since: datetime, hourly_days: int
) -> None:
    """Replace the rollups of these objects (`kind`: a KINDS key) from the UTC midnight `since`
    on (ALL_TIME: everything) with aggregates of their raw clicks, and their all-time rows with
    the sum of their days. Hourly rows are built for the last `hourly_days` days only."""
    rollup, visitors = KINDS[kind]
    hourly_since = max(since, midnight(days_ago=hourly_days))
    mine = rollup.object_id.in_(object_ids)
    connection.execute(delete(rollup).where(mine, rollup.period != "a", rollup.bucket >= since))
    connection.execute(
        delete(visitors).where(visitors.object_id.in_(object_ids), visitors.day >= since.date())
    )
    scope = RebuildScope(connection, getattr(Click, kind), object_ids)
    for period, start in (("d", since), ("h", hourly_since)):
        scope.insert_counts(rollup, period, start)
        scope.insert_uniques(rollup, period, start)
    scope.insert_visitors(visitors, since)
    connection.execute(delete(rollup).where(mine, rollup.period == "a"))
    every_day = rollup.object_id, rollup.dimension, rollup.value
    days = (
        select(
            every_day[0],
            literal_column("'a'"),
            every_day[1],
            literal(ALL_TIME, rollup.bucket.type),
            every_day[2],
            func.sum(rollup.n),
        )
        .where(mine, rollup.period == "d")
        .group_by(*every_day)
    )
    connection.execute(rollup.__table__.insert().from_select([*ROLLUP_KEY, "n"], days))


def rebuild_jobs(objects_per_job: int = 500) -> list[tuple[str, list[int]]]:
    """Every link and QR code id, as (KINDS key, ids) chunks for one transaction each."""
    jobs = []
    for kind, model in (("short_url_id", ShortUrl), ("qr_code_id", QrCode)):
        ids = list(db.session.scalars(select(model.id).order_by(model.id)))
        jobs += [(kind, chunk) for chunk in batched(ids, objects_per_job)]
    db.session.remove()
    return jobs


class RebuildScope:
    """INSERT … SELECT … GROUP BY over the raw clicks of some objects, on either database."""

    def __init__(self, connection: Connection, column, object_ids: list[int]):
        self.connection = connection
        self.column = column
        self.postgres = connection.dialect.name == "postgresql"
        self.mine = column.in_(object_ids)

    def insert_counts(self, rollup, period: str, start: datetime) -> None:
        bucket = self.truncate(period, Click.created_at)
        for dimension, field in (("total", None), *DIMENSIONS.items()):
            value = func.coalesce(getattr(Click, field), literal_column("''")) if field else None
            query = select(
                self.column,
                literal_column(f"'{period}'"),
                literal_column(f"'{dimension}'"),
                bucket,
                value if field else literal_column("''"),
                func.count(),
            )
            grouping = (self.column, bucket, value) if field else (self.column, bucket)
            query = query.where(self.mine, Click.created_at >= start).group_by(*grouping)
            self._insert(rollup, query)

    def insert_uniques(self, rollup, period: str, start: datetime) -> None:
        """Each (object, day, visitor) pair counts once, in the bucket of its first click."""
        first = func.min(Click.created_at).label("first")
        pairs = (
            select(self.column.label("object_id"), first)
            .where(self.mine, Click.created_at >= start, Click.visitor.is_not(None))
            .group_by(self.column, self.day(Click.created_at), Click.visitor)
            .subquery()
        )
        bucket = self.truncate(period, pairs.c.first)
        constants = literal_column(f"'{period}'"), literal_column("'unique'")
        query = select(pairs.c.object_id, *constants, bucket, literal_column("''"), func.count())
        self._insert(rollup, query.group_by(pairs.c.object_id, bucket))

    def insert_visitors(self, visitors, since: datetime) -> None:
        day = self.day(Click.created_at)
        query = (
            select(self.column, day, Click.visitor)
            .where(self.mine, Click.created_at >= since, Click.visitor.is_not(None))
            .group_by(self.column, day, Click.visitor)
        )
        insert = visitors.__table__.insert()
        self.connection.execute(insert.from_select(["object_id", "day", "visitor"], query))

    def _insert(self, rollup, query) -> None:
        insert = rollup.__table__.insert()
        self.connection.execute(insert.from_select([*ROLLUP_KEY, "n"], query))

    def truncate(self, period: str, moment):
        """The start of the hour or UTC day of `moment`, as each database stores a bucket."""
        unit = {"h": "hour", "d": "day"}[period]
        if self.postgres:
            return func.date_trunc(literal_column(f"'{unit}'"), moment, literal_column("'UTC'"))
        pattern = {"h": "%Y-%m-%d %H:00:00.000000", "d": "%Y-%m-%d 00:00:00.000000"}[period]
        return func.strftime(literal_column(f"'{pattern}'"), moment)

    def day(self, moment):
        if self.postgres:
            return cast(func.timezone(literal_column("'UTC'"), moment), Date)
        return func.date(moment)


# --- pruned -----------------------------------------------------------------------------------
def prune(connection: Connection, *, retention_days: int, hourly_days: int) -> dict[str, int]:
    """Delete raw clicks (and their visitor pairs) older than `retention_days` UTC days (0: keep
    them) and hourly rollups older than `hourly_days`; daily and all-time totals stay."""
    deleted = {"clicks": 0, "visitors": 0}
    if retention_days > 0:
        cutoff = midnight(days_ago=retention_days)
        deleted["clicks"] = connection.execute(
            delete(Click).where(Click.created_at < cutoff)
        ).rowcount
        for _rollup, visitors in KINDS.values():
            gone = connection.execute(delete(visitors).where(visitors.day < cutoff.date()))
            deleted["visitors"] += gone.rowcount
    hourly_cutoff = midnight(days_ago=hourly_days)
    deleted["hourly rollups"] = sum(
        connection.execute(
            delete(rollup).where(rollup.period == "h", rollup.bucket < hourly_cutoff)
        ).rowcount
        for rollup, _visitors in KINDS.values()
    )
    return deleted


def midnight(*, days_ago: int = 0) -> datetime:
    """The start of the UTC day `days_ago` days before today."""
    today = datetime.now(UTC).date() - timedelta(days=days_ago)
    return datetime(today.year, today.month, today.day, tzinfo=UTC)


def day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
