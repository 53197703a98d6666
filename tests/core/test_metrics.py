"""`GET /metrics`: Prometheus text with requests and latency per endpoint family and status,
redirects, clicks, tasks and credits; behind `METRICS_TOKEN` when set. Across gunicorn workers:
tests/fleet/test_fleet.py."""

from prometheus_client.parser import text_string_to_metric_families

from likepion.core.db import db
from likepion.credits import ledger
from tests.conftest import build_app
from tests.factories import make_user
from tests.helpers import add_link
from tests.redirect.conftest import WINDOWS_CHROME


def samples(client, headers=None) -> dict:
    """{(sample name, sorted labels): value} of one scrape."""
    response = client.get("/metrics", headers=headers or {})
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
    }


def value(scrape: dict, name: str, **labels) -> float:
    return scrape.get((name, tuple(sorted(labels.items()))), 0.0)


def test_redirects_clicks_and_requests_are_counted(app, client, admin, api_key_headers):
    _, alias = add_link(client, api_key_headers(admin), "https://example.com/landing")
    before = samples(client)

    statuses = [client.get(f"/{alias}", headers={"User-Agent": WINDOWS_CHROME}).status_code]
    statuses.append(client.get("/no-such-alias").status_code)
    after = samples(client)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert statuses == [302, 404]
    assert delta("likepion_redirects_total") == 1
    assert delta("likepion_clicks_buffered_total") == 1
    assert delta("likepion_clicks_written_total") == 1  # tests write each click at once
    assert delta("likepion_http_requests_total", family="redirect", status="302") == 1
    assert delta("likepion_http_requests_total", family="redirect", status="404") == 1
    assert delta("likepion_http_request_duration_seconds_count", family="redirect") == 2


def test_credits_charged_and_refunded_are_counted(app, client, user):
    before = samples(client)
    with app.app_context():
        ledger.charge(user.id, 30, "test.charge")
        ledger.refund(user.id, 12, "test.refund")
        db.session.commit()
    after = samples(client)
    charged = "likepion_credits_charged_total"
    refunded = "likepion_credits_refunded_total"
    assert value(after, charged) - value(before, charged) == 30
    assert value(after, refunded) - value(before, refunded) == 12


def test_metrics_token_guards_the_metrics():
    app = build_app("sqlite://", METRICS_TOKEN="s3cret-metrics")
    client = app.test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    scrape = samples(client, {"Authorization": "Bearer s3cret-metrics"})
    assert ("likepion_tasks_claimed_total", ()) in scrape
    make_user(app)  # the app still works as usual
