"""gunicorn's settings for Claim tracker: `make run` and production both start
`gunicorn --config deploy/gunicorn.conf.py --bind HOST:PORT wsgi:app`.

Threaded workers, so that a slow client holds one thread and not a whole worker: with the sync
workers two clients sending a login form a byte a second stopped the server. The application
itself cuts a request body that has not arrived in time (TRACKER_BODY_TIMEOUT_SECONDS, 408), and
in production nginx stands in front and buffers every request whole (deploy/nginx.conf).
Any setting can be overridden on the command line or in GUNICORN_CMD_ARGS.
"""

import os
from typing import Any

from tracker.config import rate_limit_storage_problem

# Processes: one per CPU core is the usual start (WEB_CONCURRENCY is gunicorn's own convention).
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
# Threads per process: requests in flight at once, slow clients included. Database pools
# (PostgreSQL: 5 + 10 overflow per process) cover them.
threads = int(os.environ.get("TRACKER_THREADS", "8"))
# A worker whose main loop has been silent this long is restarted (threads answering slowly do
# not count: the main loop keeps beating). Longer than an import's 30-second fetch.
timeout = 60
graceful_timeout = 30
# Idle kept-alive connections are closed after this many seconds.
keepalive = 5
# Request line and headers stay within gunicorn's defaults (4 KiB line, 100 fields of 8 KiB).
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = "-"


def on_starting(server: Any) -> None:
    """Refuse to start several workers that would each count rate limits on their own."""
    problem = rate_limit_storage_problem(
        int(server.cfg.workers), os.environ.get("TRACKER_RATELIMIT_STORAGE_URI")
    )
    if problem:
        # gunicorn prints a RuntimeError from here as "Error: ..." and exits with status 1.
        raise RuntimeError(problem)
