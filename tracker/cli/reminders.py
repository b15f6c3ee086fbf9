"""Commands on reminders: the scheduler, the outbox, calendars and channels."""

from __future__ import annotations

import datetime as dt
import logging

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from tracker import audit
from tracker.cli.common import iso_instant, public_address, session_scope
from tracker.db import utcnow
from tracker.models import MESSAGE_STATUSES, User
from tracker.reminders import calendars, notify, scheduler, timing
from tracker.reminders import services as reminders
from tracker.text import plural


def _parse_now(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    return iso_instant(value, "--now", "2026-01-31 or 2026-01-31T09:00:00Z")


def _make_scheduler(clock: timing.Clock | None = None) -> scheduler.Scheduler:
    config = current_app.config
    try:
        notifiers = notify.notifiers_from_config(
            config["SMTP_URL"],
            config["WEBHOOK_URL"],
            config["WEBHOOK_SECRET"],
            public_address("links in reminders"),
        )
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    return scheduler.Scheduler(
        current_app.extensions["tracker.engine"],
        notifiers,
        timing.Settings.from_config(config),
        clock,
        name=config.get("SCHEDULER_NAME"),
    )


@click.group(cls=AppGroup, name="scheduler")
def scheduler_group() -> None:
    """The reminder scheduler (its own process; never inside the web server)."""


@scheduler_group.command("run")
def scheduler_run() -> None:
    """Tick every TRACKER_TICK_SECONDS until SIGTERM or Ctrl-C (the send in flight finishes)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # one line per tick is ours
    scheduler.run_forever(_make_scheduler())


@scheduler_group.command("tick")
@click.option(
    "--now",
    "now_text",
    help="Tick as if it were this instant, ISO 8601: a date is the start of that day, UTC; a"
    " time is UTC unless it says otherwise.",
)
def scheduler_tick(now_text: str | None) -> None:
    """Do one pass: plan, compose, deliver what is due, record the results."""
    at = _parse_now(now_text)
    result = _make_scheduler(timing.FixedClock(at) if at else None).tick()
    click.echo(str(result))


@click.group(cls=AppGroup, name="outbox")
def outbox_group() -> None:
    """Reminder messages: what is pending, sent, failing or dead."""


@outbox_group.command("list")
@click.option("--status", type=click.Choice(MESSAGE_STATUSES))
@click.option("--limit", type=click.IntRange(1, 10000), default=50, show_default=True)
def outbox_list(status: str | None, limit: int) -> None:
    """The newest messages first, with their last error."""
    with session_scope() as session:
        for message in reminders.list_outbox(session, status=status, limit=limit):
            click.echo(
                f"{message.id:>6}  {message.status:<9}  {message.channel:<7}  "
                f"{plural(message.attempts, 'try', 'tries'):>9}  {message.user.email}  "
                f"{message.last_error or ''}"
            )


@outbox_group.command("retry")
@click.argument("message_id", type=int)
def outbox_retry(message_id: int) -> None:
    """Send a failed or dead message again at the next tick."""
    with session_scope() as session:
        message = reminders.retry_message(session, message_id, utcnow())
        audit.record(session, "outbox.retried", "outbox", message.id, {"uid": message.uid})
    click.echo(f"message {message_id} goes out at the next tick")


@click.group(cls=AppGroup, name="calendar")
def calendar_group() -> None:
    """Private calendar feeds of assigned deadlines."""


@calendar_group.command("token")
@click.option("--email", required=True, help="The reviewer whose feed it is.")
def calendar_token(email: str) -> None:
    """Print a new private feed address for the reviewer (the old one stops working)."""
    with session_scope() as session:
        user = session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise click.ClickException(f"there is no user {email}")
        token = calendars.issue_token(session, user)
        audit.record(session, "calendar.token_issued", "user", user.id, {})
    click.echo(f"{public_address('calendar addresses')}/calendar/{token}.ics")


@click.group(cls=AppGroup, name="reminders")
def reminders_group() -> None:
    """Reminder channels per user."""


@reminders_group.command("channels")
@click.option("--email", "address", required=True, help="The user.")
@click.option("--mail/--no-mail", "mail", default=None, help="Reminders by email.")
@click.option("--chat/--no-chat", "chat", default=None, help="Reminders in the chat webhook.")
def reminders_channels(address: str, mail: bool | None, chat: bool | None) -> None:
    """Show or change which channels carry a user's reminders."""
    with session_scope() as session:
        user = session.scalar(select(User).where(User.email == address.strip().lower()))
        if user is None:
            raise click.ClickException(f"there is no user {address}")
        settings = reminders.set_channels(session, user.id, email=mail, webhook=chat)
        if mail is not None or chat is not None:
            audit.record(
                session,
                "reminders.channels_set",
                "user",
                user.id,
                {"email": settings.email_enabled, "webhook": settings.webhook_enabled},
            )
    click.echo(
        f"{user.email}: email {'on' if settings.email_enabled else 'off'}, "
        f"chat {'on' if settings.webhook_enabled else 'off'}"
    )
