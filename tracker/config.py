"""Configuration defaults; every setting can be overridden from the environment (TRACKER_*)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_PATH = PROJECT_ROOT / "instance"


def default_database_url(instance_path: Path = INSTANCE_PATH) -> str:
    return f"sqlite:///{instance_path / 'tracker.sqlite3'}"


def defaults(instance_path: Path = INSTANCE_PATH) -> dict[str, Any]:
    return {
        "DATABASE_URL": default_database_url(instance_path),
        "SECRET_KEY": None,
        # The public address: every absolute link (feed, cached pages, API, mail) is built
        # from it, never from a request's Host header.
        "BASE_URL": "http://127.0.0.1:5000",
        # Host names this server answers for (`a.example, b.example`); others get 400. Unset:
        # every Host is served, which is safe because no link depends on it.
        "TRUSTED_HOSTS": None,
        "PUBLISHER_NAME": "Claim tracker",
        "SMTP_URL": None,
        "WEBHOOK_URL": None,
        "WEBHOOK_SECRET": None,
        "TICK_SECONDS": 30,
        # A scheduler that takes messages holds them this long; one that dies mid-send hands
        # them to the next tick after this. Longer than a batch takes to send.
        "LEASE_SECONDS": 120,
        "DELIVERY_BATCH": 50,
        "SCHEDULER_NAME": None,
        "RESOLUTION_QUORUM": 2,
        "LOGIN_RATE_LIMIT": "10 per minute",
        # argon2id cost: RFC 9106's second recommended option.
        "ARGON2_TIME_COST": 3,
        "ARGON2_MEMORY_KIB": 65536,
        "ARGON2_PARALLELISM": 4,
        # Hashes worked out at once per process (each takes ARGON2_MEMORY_KIB); a login that
        # waits longer than ARGON2_WAIT_SECONDS for its turn gets 503 with Retry-After.
        "ARGON2_AT_ONCE": 2,
        "ARGON2_WAIT_SECONDS": 10.0,
        # Where rate limits are counted: `database://` is this product's database, shared by
        # every worker and host using it; `redis://host:6379` is Redis; `memory://` counts per
        # process (one process only: gunicorn refuses several workers with it).
        "RATELIMIT_STORAGE_URI": "database://",
        "RATELIMIT_STRATEGY": "fixed-window",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Reverse proxies in front of the server that set X-Forwarded-For/-Proto (nginx: 1).
        # Per-address limits then count the client's address, not the proxy's. 0 trusts none
        # of those headers, which any client can send.
        "PROXY_HOPS": 0,
        # Failed bearer-token (and calendar-token) authentications per address; beyond it
        # every token from that address gets 429 with Retry-After until the window ends.
        "TOKEN_FAILURE_RATE_LIMIT": "10 per minute",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # A reviewer may spend an hour on a rationale: the token lives as long as the session.
        "WTF_CSRF_TIME_LIMIT": None,
        "SQL_ECHO": False,
        # A write waits this long for the writes before it (SQLite's busy timeout, PostgreSQL's
        # lock_timeout); past it the request is answered 503 with Retry-After.
        "LOCK_TIMEOUT_SECONDS": 10.0,
        # Lets the fetcher reach loopback and private addresses: for tests only, never in
        # production (it opens the server to request forgery against its own network).
        "ALLOW_PRIVATE_FETCH": False,
        # API writes per token (or per address without one); Flask-Limiter notation.
        "API_RATE_LIMIT": "120 per minute",
        # Request bodies above this are refused with 413 before they are read (5 MiB).
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
        # A request body must arrive within this many seconds, plus one second per
        # BODY_MIN_RATE bytes it declares (5 MiB: 115 s); past it the client gets 408.
        "BODY_TIMEOUT_SECONDS": 10.0,
        "BODY_MIN_RATE": 50_000,
        # An export asked for while another is being written waits this long, then gets 503.
        "EXPORT_WAIT_SECONDS": 30,
        # How long a worker trusts its last look at whether the scorecard changed; a change
        # made elsewhere shows on the public pages within this many seconds.
        "SCORECARD_FRESHNESS_SECONDS": 1.0,
    }


def database_url_from_env() -> str:
    """The database URL for processes that have no Flask app (Alembic run by hand)."""
    return os.environ.get("TRACKER_DATABASE_URL") or default_database_url()


def rate_limit_storage_problem(workers: int, storage_uri: str | None) -> str | None:
    """Why several server processes cannot count rate limits correctly, or None. Used by
    deploy/gunicorn.conf.py before the workers start: with a per-process store each worker would
    allow the whole limit (two workers, 10 logins a minute: 20 get through)."""
    uri = (storage_uri or "database://").strip()
    if workers > 1 and uri.startswith("memory://"):
        return (
            f"TRACKER_RATELIMIT_STORAGE_URI={uri} counts rate limits in each process, and "
            f"{workers} workers would each allow the full limit. Leave it unset (database://, "
            "shared through the database), set redis://host:6379, or run one worker "
            "(--workers 1 --threads N)."
        )
    return None
