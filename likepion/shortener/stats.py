"""Click statistics in seed 004's shape and time series, read from the rollups (rollups.py):
the cost of a read follows the number of buckets and distinct values, not of clicks."""

from datetime import datetime, timedelta

import pycountry
from sqlalchemy import func, select

from likepion.core.db import db
from likepion.core.errors import ValidationFailed
from likepion.core.time import as_utc, utcnow
from likepion.shortener.models import LinkRollup, QrCode, QrRollup, ShortUrl
from likepion.shortener.rollups import midnight

TOP = 10
DIRECT = "Direct, email and other"
UNKNOWN = "Unknown"
SOCIAL_HOSTS = {
    "facebook": ("facebook.com", "fb.com", "fb.me"),
    "twitter": ("twitter.com", "t.co", "x.com"),
    "instagram": ("instagram.com",),
}
# Output key of each dimension and how its stored value ("" for none) reads.
BREAKDOWNS = {
    "country": ("topCountries", lambda code: country_name(code)),
    "referrer": ("topReferrers", lambda host: host or DIRECT),
    "browser": ("topBrowsers", lambda name: name or UNKNOWN),
    "os": ("topOs", lambda name: name or UNKNOWN),
}
INTERVALS = ("hour", "day", "month")
DEFAULT_POINTS = {"hour": 24, "day": 30, "month": 12}
MAX_POINTS = 1000


def click_count(rollup, id_column):
    """The all-time clicks of the object `id_column` (one primary-key lookup), for list queries."""
    return (
        select(func.coalesce(func.sum(rollup.n), 0))
        .where(rollup.object_id == id_column, rollup.period == "a", rollup.dimension == "total")
        .scalar_subquery()
    )


def stats(rollup, object_id: int) -> dict:
    """`clicks, uniqueClicks, topCountries, topReferrers, topBrowsers, topOs, socialCount` of
    all the clicks of one object (`rollup`: LinkRollup or QrRollup)."""
    return summary(rollup, rollup.object_id == object_id, rollup.period == "a")


def summary(rollup, *where) -> dict:
    """The seed's stats of the rollup rows matching `where`, summed per dimension value.

    Top values are the TOP most frequent stored values (ties by value, in the database's
    order), then values with the same label add up ("" and an unknown code both read
    "Unknown"), as the seed prints them."""
    n = func.sum(rollup.n)
    rows = db.session.execute(
        select(rollup.dimension, rollup.value, n)
        .where(*where)
        .group_by(rollup.dimension, rollup.value)
        .order_by(rollup.dimension, n.desc(), rollup.value)
    )
    result = {"clicks": 0, "uniqueClicks": 0, **{key: {} for key, _ in BREAKDOWNS.values()}}
    social_counts = dict.fromkeys(SOCIAL_HOSTS, 0)
    places = dict.fromkeys(BREAKDOWNS, 0)
    for dimension, value, count in rows:
        count = int(count)
        if dimension in ("total", "unique"):
            result["clicks" if dimension == "total" else "uniqueClicks"] = count
            continue
        if dimension == "referrer":
            _add_social(social_counts, value, count)
        places[dimension] += 1
        if places[dimension] <= TOP:
            key, label = BREAKDOWNS[dimension]
            result[key][label(value)] = result[key].get(label(value), 0) + count
    for key, _ in BREAKDOWNS.values():
        result[key] = {name: str(count) for name, count in result[key].items()}
    return {**result, "socialCount": social_counts}


def _add_social(counts: dict[str, int], host: str, n: int) -> None:
    for network, hosts in SOCIAL_HOSTS.items():
        if any(host == h or host.endswith("." + h) for h in hosts):
            counts[network] += n


def country_name(code: str | None) -> str:
    country = pycountry.countries.get(alpha_2=code) if code else None
    return country.name if country else UNKNOWN


# --- time series ------------------------------------------------------------------------------
def time_range(
    interval: str, start: datetime | None, end: datetime | None, hourly_days: int
) -> list[datetime]:
    """The bucket starts from `start` to `end` (both included, UTC; defaults: the last
    DEFAULT_POINTS buckets), at most MAX_POINTS; hours only within the last `hourly_days`."""
    last = floor(end or utcnow(), interval)
    first = floor(start, interval) if start else step(last, interval, 1 - DEFAULT_POINTS[interval])
    if first > last:
        raise ValidationFailed.on_field("from", "Must not be after to.")
    if interval == "hour" and first < midnight(days_ago=hourly_days):
        raise ValidationFailed.on_field("from", f"Hourly stats cover the last {hourly_days} days.")
    points = [first]
    while points[-1] < last:
        if len(points) >= MAX_POINTS:
            raise ValidationFailed.on_field("to", f"At most {MAX_POINTS} points per series.")
        points.append(step(points[-1], interval, 1))
    return points


def floor(moment: datetime, interval: str) -> datetime:
    moment = as_utc(moment).replace(minute=0, second=0, microsecond=0)
    if interval == "hour":
        return moment
    return moment.replace(hour=0, day=1) if interval == "month" else moment.replace(hour=0)


def step(moment: datetime, interval: str, n: int) -> datetime:
    if interval == "hour":
        return moment + timedelta(hours=n)
    if interval == "day":
        return moment + timedelta(days=n)
    months = moment.year * 12 + moment.month - 1 + n
    return moment.replace(year=months // 12, month=months % 12 + 1)


def time_series(rollup, object_id: int, points: list[datetime], interval: str) -> dict:
    """Clicks and unique clicks per point, and the seed's stats over the whole range."""
    period = "h" if interval == "hour" else "d"
    end = step(points[-1], interval, 1)
    where = (
        rollup.object_id == object_id,
        rollup.period == period,
        rollup.bucket >= points[0],
        rollup.bucket < end,
    )
    rows = db.session.execute(
        select(rollup.bucket, rollup.dimension, func.sum(rollup.n))
        .where(*where, rollup.dimension.in_(("total", "unique")))
        .group_by(rollup.bucket, rollup.dimension)
    )
    series = {point: {"time": point, "clicks": 0, "uniqueClicks": 0} for point in points}
    for bucket, dimension, n in rows:
        point = series[floor(bucket, interval)]
        point["clicks" if dimension == "total" else "uniqueClicks"] += int(n)
    return {"series": list(series.values()), **summary(rollup, *where)}


# --- the account ------------------------------------------------------------------------------
def account(user_id: int, start: datetime, end: datetime) -> dict:
    """Clicks, unique clicks and QR scans of all the user's objects on the days [start, end),
    and their TOP links by clicks."""
    days = (LinkRollup.period == "d", LinkRollup.bucket >= start, LinkRollup.bucket < end)
    n = func.sum(LinkRollup.n)
    totals = dict(
        db.session.execute(
            select(LinkRollup.dimension, n)
            .join(ShortUrl, ShortUrl.id == LinkRollup.object_id)
            .where(
                ShortUrl.user_id == user_id, *days, LinkRollup.dimension.in_(("total", "unique"))
            )
            .group_by(LinkRollup.dimension)
        ).all()
    )
    scans = db.session.scalar(
        select(func.coalesce(func.sum(QrRollup.n), 0))
        .join(QrCode, QrCode.id == QrRollup.object_id)
        .where(
            QrCode.user_id == user_id,
            QrRollup.period == "d",
            QrRollup.dimension == "total",
            QrRollup.bucket >= start,
            QrRollup.bucket < end,
        )
    )
    top = db.session.execute(
        select(LinkRollup.object_id, n)
        .join(ShortUrl, ShortUrl.id == LinkRollup.object_id)
        .where(ShortUrl.user_id == user_id, *days, LinkRollup.dimension == "total")
        .group_by(LinkRollup.object_id)
        .order_by(n.desc(), LinkRollup.object_id)
        .limit(TOP)
    ).all()
    return {
        "clicks": int(totals.get("total", 0)),
        "uniqueClicks": int(totals.get("unique", 0)),
        "scans": int(scans),
        "topLinks": _top_links(top),
    }


def _top_links(top: list) -> list[dict]:
    links = {
        link.id: link
        for link in db.session.scalars(
            select(ShortUrl).where(ShortUrl.id.in_([object_id for object_id, _ in top]))
        )
    }
    return [{"link": links[object_id], "clicks": int(n)} for object_id, n in top]
