"""Click statistics in seed 004's shape, aggregated in the database (GROUP BY per breakdown)."""

import pycountry
from sqlalchemy import func, select

from likepion.core.db import db
from likepion.shortener.models import Click

TOP = 10
DIRECT = "Direct, email and other"
UNKNOWN = "Unknown"
SOCIAL_HOSTS = {
    "facebook": ("facebook.com", "fb.com", "fb.me"),
    "twitter": ("twitter.com", "t.co", "x.com"),
    "instagram": ("instagram.com",),
}


def click_count(column, id_column):
    """A correlated count of the clicks whose `column` is `id_column`, for list queries."""
    return select(func.count(Click.id)).where(column == id_column).scalar_subquery()


def stats(column, object_id: int) -> dict:
    """`clicks, uniqueClicks, topCountries, topReferrers, topBrowsers, topOs, socialCount` of
    the clicks whose `column` (Click.short_url_id or Click.qr_code_id) is `object_id`."""
    mine = column == object_id
    clicks, unique = db.session.execute(
        select(func.count(Click.id), func.count(func.distinct(Click.visitor))).where(mine)
    ).one()
    return {
        "clicks": clicks,
        "uniqueClicks": unique,
        "topCountries": _top(Click.country, mine, country_name),
        "topReferrers": _top(Click.referrer_host, mine, lambda host: host or DIRECT),
        "topBrowsers": _top(Click.browser, mine, lambda name: name or UNKNOWN),
        "topOs": _top(Click.os, mine, lambda name: name or UNKNOWN),
        "socialCount": _social(mine),
    }


def _top(field, mine, label) -> dict[str, str]:
    """The TOP most frequent values of `field`, as the seed prints them: counts as strings.

    Values with the same label (no country and an unknown code both read "Unknown") add up."""
    count = func.count(Click.id)
    rows = db.session.execute(
        select(field, count).where(mine).group_by(field).order_by(count.desc(), field).limit(TOP)
    )
    counts: dict[str, int] = {}
    for value, n in rows:
        counts[label(value)] = counts.get(label(value), 0) + n
    return {name: str(n) for name, n in counts.items()}


def _social(mine) -> dict[str, int]:
    rows = db.session.execute(
        select(Click.referrer_host, func.count(Click.id))
        .where(mine, Click.referrer_host.is_not(None))
        .group_by(Click.referrer_host)
    )
    counts = dict.fromkeys(SOCIAL_HOSTS, 0)
    for host, n in rows:
        for network, hosts in SOCIAL_HOSTS.items():
            if any(host == h or host.endswith("." + h) for h in hosts):
                counts[network] += n
    return counts


def country_name(code: str | None) -> str:
    country = pycountry.countries.get(alpha_2=code) if code else None
    return country.name if country else UNKNOWN
