"""gunicorn settings: PORT and WEB_CONCURRENCY from the environment, logs to stdout."""

import glob
import os
import tempfile

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
accesslog = "-"
errorlog = "-"
access_log_format = (
    '{"remote":"%(h)s","request":"%(r)s","status":%(s)s,"bytes":"%(b)s","ms":%(M)s,'
    '"request_id":"%({x-request-id}o)s"}'
)


def post_worker_init(worker):
    """Load the user-agent parser before the first visitor, not during their request."""
    from likepion.redirect.tracking import warm_up

    warm_up()


def worker_exit(server, worker):
    """Write the clicks still buffered in this worker before it goes."""
    from likepion.redirect.tracking import flush_all

    flush_all()


# Metrics of every worker (prometheus_client multiprocess mode, likepion/core/metrics.py): set
# before the workers import the app; emptied when the master starts, so counts start at zero.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="likepion-metrics-")


def on_starting(server):
    metrics_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(metrics_dir, exist_ok=True)
    for stale in glob.glob(os.path.join(metrics_dir, "*.db")):
        os.remove(stale)


def child_exit(server, worker):
    """A dead worker's live gauges go; its counters stay in the totals."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
