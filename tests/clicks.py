"""Clicks for tests, stored the way the redirect stores them (the click writer: raw rows and
rollups in one transaction), and the stats a GROUP BY over the raw clicks gives."""

from datetime import datetime

from sqlalchemy import func, literal_column, select

from likepion.core.db import db
from likepion.core.time import as_utc, utcnow
from likepion.redirect import tracking
from likepion.shortener import stats
from likepion.shortener.models import Click

# The stats of an object nobody visited, as the API shows them.
NO_CLICKS = {
    "clicks": 0,
    "uniqueClicks": 0,
    "topCountries": {},
    "topReferrers": {},
    "topBrowsers": {},
    "topOs": {},
    "socialCount": {"facebook": 0, "twitter": 0, "instagram": 0},
}


def click_row(
    *, link=None, qr=None, at=None, country=None, referrer=None, browser=None, os=None, visitor=None
) -> dict:
    return {
        "short_url_id": link,
        "qr_code_id": qr,
        "created_at": at or utcnow(),
        "country": country,
        "referrer_host": referrer,
        "browser": browser,
        "os": os,
        "visitor": visitor,
    }


def store(app, rows: list[dict], batch_size: int | None = None) -> None:
    """Write `rows` through the app's click buffer, in batches of `batch_size` (default: one)."""
    buffer = tracking.buffer(app)
    saved = app.config["CLICK_BATCH_SIZE"]
    app.config["CLICK_BATCH_SIZE"] = batch_size or max(len(rows), 1)
    try:
        for row in rows:
            buffer.add(row)
        buffer.flush()
    finally:
        app.config["CLICK_BATCH_SIZE"] = saved


def add_clicks(app, link_id, *clicks) -> None:
    """Clicks of a link as (country, referrer_host, browser, os, visitor) tuples."""
    store(app, [_row(clicks_of={"link": link_id}, click=click) for click in clicks])


def add_scans(app, qr_id, *scans) -> None:
    """Scans of a QR code, as add_clicks takes them."""
    store(app, [_row(clicks_of={"qr": qr_id}, click=scan) for scan in scans])


def _row(*, clicks_of: dict, click: tuple) -> dict:
    country, referrer, browser, os_name, visitor = click
    return click_row(
        **clicks_of,
        country=country,
        referrer=referrer,
        browser=browser,
        os=os_name,
        visitor=visitor,
    )


def raw_stats(column, object_id: int, start: datetime | None = None, end=None) -> dict:
    """The seed's stats of the raw clicks of one object in [start, end), by GROUP BY.

    Unique clicks: (UTC day, visitor) pairs whose first click falls in the range."""
    mine = [column == object_id]
    if start is not None:
        mine += [Click.created_at >= start, Click.created_at < end]
    count = func.count(Click.id)
    result = {"clicks": db.session.scalar(select(count).where(*mine))}
    result["uniqueClicks"] = len(first_visits(column, object_id, start, end))
    for dimension, (key, label) in stats.BREAKDOWNS.items():
        field = getattr(Click, tracking_field(dimension))
        value = func.coalesce(field, literal_column("''"))
        rows = db.session.execute(
            select(value, count)
            .where(*mine)
            .group_by(value)
            .order_by(count.desc(), value)
            .limit(stats.TOP)
        )
        merged: dict[str, int] = {}
        for raw, n in rows:
            merged[label(raw)] = merged.get(label(raw), 0) + n
        result[key] = {name: str(n) for name, n in merged.items()}
    social = dict.fromkeys(stats.SOCIAL_HOSTS, 0)
    hosts = select(Click.referrer_host, count).where(*mine, Click.referrer_host.is_not(None))
    for host, n in db.session.execute(hosts.group_by(Click.referrer_host)):
        for network, names in stats.SOCIAL_HOSTS.items():
            if any(host == name or host.endswith("." + name) for name in names):
                social[network] += n
    result["socialCount"] = social
    return result


def tracking_field(dimension: str) -> str:
    return {"referrer": "referrer_host"}.get(dimension, dimension)


def first_visits(column, object_id: int, start=None, end=None) -> list[datetime]:
    """The first click time of each (UTC day, visitor) pair of the object, within the range."""
    rows = db.session.execute(
        select(Click.created_at, Click.visitor).where(
            column == object_id, Click.visitor.is_not(None)
        )
    )
    first: dict[tuple, datetime] = {}
    for created_at, visitor in rows:
        created_at = as_utc(created_at)
        key = (created_at.date(), visitor)
        first[key] = min(created_at, first.get(key, created_at))
    return [at for at in first.values() if start is None or start <= at < end]
