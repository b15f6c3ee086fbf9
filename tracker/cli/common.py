"""What the command line's commands share: a session in one transaction, the quorum, and ISO
dates from options."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import current_app
from sqlalchemy.orm import Session

from tracker.db import transaction
from tracker.errors import TrackerError


@contextmanager
def session_scope() -> Iterator[Session]:
    try:
        with transaction(current_app.extensions["tracker.sessions"]) as session:
            yield session
    except TrackerError as error:
        raise click.ClickException(error.message) from error


def quorum() -> int:
    return int(current_app.config["RESOLUTION_QUORUM"])


def iso_instant(value: str, param_hint: str, example: str) -> dt.datetime:
    """An ISO 8601 date or time from the command line, as a UTC instant: a date is the start
    of that day in UTC, and a time without a zone is UTC (every option reads them alike)."""
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"give an ISO 8601 date or time, e.g. {example}", param_hint=param_hint
        ) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)
