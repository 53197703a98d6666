"""Beyond the seed: a link's time series and CSV export of its clicks, the account's stats."""

from flask import Response, current_app, stream_with_context

from likepion.auth.guards import require_api_key
from likepion.shortener import addresses, exports, links, stats
from likepion.shortener.blueprint import bp
from likepion.shortener.models import LinkRollup
from likepion.shortener.schemas import (
    AccountStatsEnvelope,
    SeriesEnvelope,
    StatsQuery,
    StatsRangeQuery,
)

EXPORT_COLUMNS = "CSV: time, country, referrer, browser, os, visitor (a salted daily hash)"


@bp.get("/url/<id:link_id>/stats")
@require_api_key
@bp.arguments(StatsQuery, location="query")
@bp.response(200, SeriesEnvelope)
def url_stats(query, user, link_id):
    """A link's clicks over time.

    Clicks and unique clicks per hour, day or month (default: the last 24 hours, 30 days or 12
    months up to `to`) and the link's stats over that range; hours cover the last
    CLICK_HOURLY_DAYS."""
    link = links.get_link(user, link_id)
    interval = query["interval"]
    points = _points(interval, query)
    series = stats.time_series(LinkRollup, link.id, points, interval)
    return {"id": link.id, "interval": interval, "start": points[0], "end": points[-1], **series}


@bp.get("/url/<id:link_id>/clicks/export")
@require_api_key
@bp.response(200, {"type": "string"}, content_type="text/csv", description=EXPORT_COLUMNS)
def export_clicks(user, link_id):
    """Export a link's raw clicks as CSV.

    Oldest first, streamed; cells that a spreadsheet would run as a formula start with `'`."""
    link = links.get_link(user, link_id)
    response = Response(stream_with_context(exports.click_csv(link.id)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="clicks-{link.id}.csv"'
    return response


@bp.get("/stats")
@require_api_key
@bp.arguments(StatsRangeQuery, location="query")
@bp.response(200, AccountStatsEnvelope)
def account_stats(query, user):
    """The account's stats for a range of days.

    Clicks, unique clicks and QR scans on the days from `from` to `to` (default: the last 30
    days) and the top links by clicks in that range."""
    points = _points("day", query)
    end = stats.step(points[-1], "day", 1)
    totals = stats.account(user.id, points[0], end)
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


def _points(interval: str, query: dict):
    hourly_days = current_app.config["CLICK_HOURLY_DAYS"]
    return stats.time_range(interval, query.get("start"), query.get("end"), hourly_days)
