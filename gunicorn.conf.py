"""gunicorn settings: PORT and WEB_CONCURRENCY from the environment, logs to stdout."""

import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
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
