"""gunicorn settings: PORT, WEB_CONCURRENCY and GUNICORN_THREADS from the environment, logs to
stdout.

Threaded workers: a client that sends its request slowly holds one thread, not a whole worker,
so WEB_CONCURRENCY x GUNICORN_THREADS slow clients are needed to stall the service instead of
WEB_CONCURRENCY (README, "Slow clients").
"""

import glob
import os
import tempfile

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "16"))
# A worker takes a connection only when a thread is free for it; otherwise the connection waits
# in the kernel's queue for the other workers, instead of inside a worker whose every thread a
# slow client holds. The price: no keep-alive (an idle kept-alive connection would hold a place).
worker_connections = threads
keepalive = 0
accesslog = "-"
errorlog = "-"
# Access and error lines as JSON objects written by an encoder (likepion/core/logs.py).
logger_class = "likepion.core.logs.GunicornJsonLogger"


def post_worker_init(worker):
    """Load the user-agent parser before the first visitor, not during their request."""
    from likepion.redirect.tracking import warm_up

    warm_up()


def worker_exit(server, worker):
    """Write the clicks still buffered in this worker before it goes."""
    from likepion.redirect.tracking import flush_all

    flush_all()


# Metrics of every worker (prometheus_client multiprocess mode, likepion/core/metrics.py): the
# directory is made and emptied here, when the master reads this file, because the master
# imports the app package (for `logger_class`) before any server hook runs.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="likepion-metrics-")
os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)
for stale in glob.glob(os.path.join(os.environ["PROMETHEUS_MULTIPROC_DIR"], "*.db")):
    os.remove(stale)


def child_exit(server, worker):
    """A dead worker's live gauges go; its counters stay in the totals."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
