"""Beyond the seed: a link's time series and CSV export of its clicks, the account's stats."""

from flask import Response, stream_with_context

from likepion.auth.guards import require_api_key
from likepion.shortener import analytics
from likepion.shortener.blueprint import bp
from likepion.shortener.link_schemas import (
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
    return analytics.link_series(user, link_id, **query)


@bp.get("/url/<id:link_id>/clicks/export")
@require_api_key
@bp.response(200, {"type": "string"}, content_type="text/csv", description=EXPORT_COLUMNS)
def export_clicks(user, link_id):
    """Export a link's raw clicks as CSV.

    Oldest first, streamed; cells that a spreadsheet would run as a formula start with `'`."""
    link_id, chunks = analytics.click_export(user, link_id)
    response = Response(stream_with_context(chunks), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="clicks-{link_id}.csv"'
    return response


@bp.get("/stats")
@require_api_key
@bp.arguments(StatsRangeQuery, location="query")
@bp.response(200, AccountStatsEnvelope)
def account_stats(query, user):
    """The account's stats for a range of days.

    Clicks, unique clicks and QR scans on the days from `from` to `to` (default: the last 30
    days) and the top links by clicks in that range."""
    return analytics.account_stats(user, **query)
