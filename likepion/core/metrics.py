"""Prometheus metrics, summed over every gunicorn worker, at `GET /metrics`.

Under gunicorn each worker writes its samples to files in PROMETHEUS_MULTIPROC_DIR (set by
gunicorn.conf.py before any worker imports this module: prometheus_client picks its storage at
import) and `/metrics` adds them up; elsewhere (flask run, tests) the process's own registry
answers. An increment is a write to a memory-mapped file: no database, no network.
"""

import hmac
import os
import time

from flask import Blueprint, Flask, Response, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

REQUESTS = Counter(
    "likepion_http_requests_total", "HTTP requests by endpoint family and status",
    ["family", "status"],
)  # fmt: skip
LATENCY = Histogram(
    "likepion_http_request_duration_seconds", "Time to answer, by endpoint family", ["family"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)  # fmt: skip
REDIRECTS = Counter("likepion_redirects_total", "Redirects and link pages served")
CLICKS_BUFFERED = Counter("likepion_clicks_buffered_total", "Clicks queued for writing")
CLICKS_WRITTEN = Counter("likepion_clicks_written_total", "Clicks written to the database")
CLICKS_DROPPED = Counter("likepion_clicks_dropped_total", "Clicks dropped (buffer overflow)")
TASKS_CLAIMED = Counter("likepion_tasks_claimed_total", "Links claimed by workers")
TASKS_REPORTED = Counter("likepion_tasks_reported_total", "Link reports accepted from workers")
TASKS_REQUEUED = Counter("likepion_tasks_requeued_total", "Expired claims put back in the queue")
CREDITS_CHARGED = Counter("likepion_credits_charged_total", "Credits charged")
CREDITS_REFUNDED = Counter("likepion_credits_refunded_total", "Credits refunded")

bp = Blueprint("metrics", __name__)
STARTED_KEY = "likepion.started"  # in the WSGI environ


def init_metrics(app: Flask) -> None:
    app.before_request(_start_timer)
    app.after_request(_count_request)
    app.register_blueprint(bp)


def _start_timer():
    request.environ[STARTED_KEY] = time.perf_counter()


def _count_request(response):
    current = request._get_current_object()  # one context lookup for both reads
    key = (current.blueprint, response.status_code)
    counters = _by_family_and_status.get(key)
    if counters is None:  # labels() looks up under a lock: resolved once per key
        family = key[0] or "unmatched"
        counters = _by_family_and_status[key] = (REQUESTS.labels(family, key[1]),
                                                  LATENCY.labels(family))  # fmt: skip
    counters[0].inc()
    started = current.environ.get(STARTED_KEY)
    if started is not None:
        counters[1].observe(time.perf_counter() - started)
    return response


_by_family_and_status: dict = {}


@bp.get("/metrics")
def metrics():
    """The Prometheus text format; with METRICS_TOKEN set, only for `Bearer <METRICS_TOKEN>`."""
    token = current_app.config["METRICS_TOKEN"]
    given = request.headers.get("Authorization", "")
    if token and not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return Response("metrics need the metrics token\n", 401, mimetype="text/plain")
    return Response(generate_latest(_registry()), mimetype=CONTENT_TYPE_LATEST)


def _registry():
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    return registry
