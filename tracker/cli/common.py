"""What the command line's commands share: a session in one transaction, the quorum, and ISO
dates from options."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import current_app
from sqlalchemy.orm import Session

from tracker.config import defaults
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


def public_address(what: str) -> str:
    """TRACKER_BASE_URL, for a command that prints or sends links. When it is only the default
    (nothing set it), say so on standard error: a server on another address or port
    (`make run PORT=8080`, production) would otherwise get links that lead nowhere."""
    base = str(current_app.config["BASE_URL"]).rstrip("/")
    if "TRACKER_BASE_URL" not in os.environ and base == defaults()["BASE_URL"]:
        click.echo(
            f"Note: {what} start with {base}, the default public address. If the server is"
            " elsewhere, set TRACKER_BASE_URL to its address (as make run does) and run this"
            " again.",
            err=True,
        )
    return base
