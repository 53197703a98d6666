"""A link's clicks over time and as CSV, and the account's stats over a range of days."""

from collections.abc import Iterator
from datetime import datetime

from flask import current_app

from likepion.shortener import addresses, exports, links, stats
from likepion.shortener.models import LinkRollup


def link_series(user, link_id: int, *, interval: str, start: datetime | None = None,
                end: datetime | None = None) -> dict:  # fmt: skip
    """The link's clicks per `interval` from `start` to `end` and its stats over that range."""
    link = links.get_link(user, link_id)
    points = _points(interval, start, end)
    series = stats.time_series(LinkRollup, link.id, points, interval)
    return {"id": link.id, "interval": interval, "start": points[0], "end": points[-1], **series}


def click_export(user, link_id: int) -> tuple[int, Iterator[str]]:
    """The link's id and its raw clicks as chunks of CSV (read as the answer streams)."""
    link = links.get_link(user, link_id)
    return link.id, exports.click_csv(link.id)


def account_stats(user, *, start: datetime | None = None, end: datetime | None = None) -> dict:
    """The account's totals on the days from `start` to `end` and its top links by clicks."""
    points = _points("day", start, end)
    totals = stats.account(user.id, points[0], stats.step(points[-1], "day", 1))
    totals["topLinks"] = [
        {
            "id": top["link"].id,
            "alias": top["link"].alias,
            "shorturl": addresses.short_url(top["link"]),
            "clicks": top["clicks"],
        }
        for top in totals["topLinks"]
    ]
    return {"start": points[0], "end": points[-1], **totals}


def _points(interval: str, start: datetime | None, end: datetime | None) -> list[datetime]:
    hourly_days = current_app.config["CLICK_HOURLY_DAYS"]
    return stats.time_range(interval, start, end, hourly_days)
