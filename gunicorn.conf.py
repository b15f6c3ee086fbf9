"""gunicorn's settings for Claim tracker, read from the directory gunicorn starts in (`make run`,
`gunicorn wsgi:app`). Command-line options still decide everything else."""

from __future__ import annotations

import os
from typing import Any

from tracker.config import rate_limit_storage_problem


def on_starting(server: Any) -> None:
    """Refuse to start several workers that would each count rate limits on their own."""
    problem = rate_limit_storage_problem(
        int(server.cfg.workers), os.environ.get("TRACKER_RATELIMIT_STORAGE_URI")
    )
    if problem:
        # gunicorn prints a RuntimeError from here as "Error: ..." and exits with status 1.
        raise RuntimeError(problem)
