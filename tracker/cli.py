"""The `tracker` command line."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from alembic import command
from flask import Flask, current_app
from flask.cli import FlaskGroup
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import archive, audit, migrate
from tracker.accounts import services as accounts
from tracker.app import create_app
from tracker.db import transaction, utcnow
from tracker.errors import TrackerError
from tracker.imports import sources
from tracker.models import MESSAGE_STATUSES, STATUSES, User
from tracker.record import services
from tracker.reminders import calendars, notify, scheduler
from tracker.reminders import services as reminders
from tracker.review import resolutions


def _create_app() -> Flask:
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Claim tracker: record published claims, resolve them with evidence, score their authors."""


@contextmanager
def _session() -> Iterator[Session]:
    try:
        with transaction(current_app.extensions["tracker.sessions"]) as session:
            yield session
    except TrackerError as error:
        raise click.ClickException(error.message) from error


@main.group()
def db() -> None:
    """Create and migrate the database schema."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at {revision}")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION (`base` empties the database)."""
    migrate.downgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at {revision}")


@db.command("current")
def db_current() -> None:
    """Show the revision the database is at."""
    command.current(migrate.alembic_config(current_app.config["DATABASE_URL"]))


@db.command("check")
def db_check() -> None:
    """Fail if the models have changes that no migration holds yet."""
    command.check(migrate.alembic_config(current_app.config["DATABASE_URL"]))


@db.command("revision")
@click.option("-m", "--message", required=True, help="What the schema change is for.")
def db_revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    command.revision(
        migrate.alembic_config(current_app.config["DATABASE_URL"]), message, autogenerate=True
    )


@main.command("seed")
def seed_command() -> None:
    """Record the seed article and its claims (running it again changes nothing)."""
    from tracker.seed import seed

    with _session() as session:
        result = seed(session)
        resolutions.fill_assignments(session, _quorum())
    click.echo(
        f"source {result.source_id}: "
        + ("recorded" if result.source_created else "already recorded")
        + f"; {result.claims_created} claims added, {result.claims_present} already there"
    )


def _quorum() -> int:
    return int(current_app.config["RESOLUTION_QUORUM"])


@main.group()
def users() -> None:
    """Accounts of reviewers, editors and admins."""


@users.command("add")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(["reviewer", "editor", "admin"]), default="reviewer")
@click.option("--name", "display_name", help="The name shown with their resolutions.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_add(email: str, role: str, display_name: str | None, password_stdin: bool) -> None:
    """Create an account; prints a generated password unless --password-stdin is given."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else accounts.generate_password()
    with _session() as session:
        user = accounts.add_user(
            session, email=email, role=role, display_name=display_name, password=password
        )
        resolutions.fill_assignments(session, _quorum())
    if password_stdin:
        click.echo(f"added {user.email} ({role})")
    else:
        click.echo(f"added {user.email} ({role}); password: {password}")


@users.command("list")
def users_list() -> None:
    """List accounts with their role and state."""
    with _session() as session:
        for user in accounts.list_users(session):
            state = "active" if user.is_active else "disabled"
            click.echo(f"{user.id:>4}  {user.role:<8}  {state:<8}  {user.email}")


@users.command("set-password")
@click.option("--email", required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_set_password(email: str, password_stdin: bool) -> None:
    """Set a new password (ends every session of the account); prints it if generated."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else accounts.generate_password()
    with _session() as session:
        user = accounts.find_user_by_email(session, email)
        if user is None:
            raise click.ClickException(f"there is no account {email}")
        accounts.set_password(session, user, password, None)
    click.echo("password changed" if password_stdin else f"password: {password}")


@users.command("demo")
@click.option("--file", "path", type=click.Path(dir_okay=False), required=True)
def users_demo(path: str) -> None:
    """On an installation with no accounts, create an admin, an editor and two reviewers and
    keep their logins in FILE (readable by you only); print the logins in FILE."""
    from pathlib import Path

    target = Path(path)
    with _session() as session:
        if accounts.count_users(session) == 0:
            lines = []
            for email, role in (
                ("admin@tracker.local", "admin"),
                ("editor@tracker.local", "editor"),
                ("reviewer1@tracker.local", "reviewer"),
                ("reviewer2@tracker.local", "reviewer"),
            ):
                password = accounts.generate_password()
                accounts.add_user(session, email=email, role=role, password=password)
                lines.append(f"{role:<9} {email:<26} {password}")
            resolutions.fill_assignments(session, _quorum())
            target.parent.mkdir(parents=True, exist_ok=True)
            target.touch(mode=0o600)
            target.write_text("\n".join(lines) + "\n")
    if target.exists():
        click.echo("Log in at /login with one of these accounts (kept in " + str(target) + "):")
        click.echo(target.read_text().rstrip())
    else:
        click.echo(
            "Accounts exist already: log in with yours, or add one with `tracker users add`."
        )


@main.group()
def tokens() -> None:
    """API tokens for scripts and newsroom tools."""


@tokens.command("create")
@click.option("--email", required=True)
@click.option("--name", default="API token", help="What the token is for.")
def tokens_create(email: str, name: str) -> None:
    """Print a new token for the account (only once: only its hash is kept)."""
    with _session() as session:
        user = accounts.find_user_by_email(session, email)
        if user is None:
            raise click.ClickException(f"there is no account {email}")
        token = accounts.create_token(session, user, name, None)
    click.echo(token)


@tokens.command("list")
@click.option("--email", help="Only this account's tokens.")
def tokens_list(email: str | None) -> None:
    """List tokens: id, account, name, created, last used, revoked."""
    with _session() as session:
        user_id = None
        if email:
            user = accounts.find_user_by_email(session, email)
            if user is None:
                raise click.ClickException(f"there is no account {email}")
            user_id = user.id
        for row in accounts.list_tokens(session, user_id):
            used = row.last_used_at.isoformat() if row.last_used_at else "never"
            revoked = f"revoked {row.revoked_at.isoformat()}" if row.revoked_at else "live"
            click.echo(f"{row.id:>4}  {row.user.email}  {row.name}  used {used}  {revoked}")


@tokens.command("revoke")
@click.argument("token_id", type=int)
def tokens_revoke(token_id: int) -> None:
    """Revoke a token by its id; requests with it are refused at once."""
    with _session() as session:
        accounts.revoke_token(session, token_id, utcnow(), None)
    click.echo(f"token {token_id} revoked")


@main.group()
def claims() -> None:
    """Read recorded claims."""


@claims.command("list")
@click.option("--status", type=click.Choice(STATUSES))
@click.option("--kind", type=click.Choice(["forecast", "fact"]))
@click.option("--source-id", type=int)
@click.option("--key")
@click.option("--author")
@click.option("--outlet")
@click.option("--tag")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def claims_list(as_json: bool, **filters: Any) -> None:
    """List claims, oldest first, with their derived status."""
    current = utcnow()
    with _session() as session:
        rows = services.list_claims(session, now=current, **filters)
        for claim in rows:
            status = services.claim_status(claim, current)
            if as_json:
                click.echo(
                    json.dumps(
                        {
                            "id": claim.id,
                            "source_id": claim.source_id,
                            "key": claim.key,
                            "kind": claim.kind,
                            "status": status,
                            "deadline": claim.deadline_at.isoformat()
                            if claim.deadline_at
                            else None,
                            "probability": claim.probability,
                            "quote": claim.quote,
                        },
                        ensure_ascii=False,
                    )
                )
            else:
                deadline = claim.deadline_at.strftime("%Y-%m-%d") if claim.deadline_at else "-"
                probability = f"{claim.probability:.0%}" if claim.probability is not None else "-"
                click.echo(
                    f"{claim.id:>5}  {claim.kind:<8}  {status:<8}  {deadline:<10}  "
                    f"{probability:>4}  {claim.key}"
                )
        if not as_json:
            click.echo(f"{len(rows)} claims", err=True)


@main.command("score")
@click.option("--author")
@click.option("--outlet")
@click.option("--tag")
@click.option("--source-id")
@click.option("--from", "date_from", help="first deadline day, YYYY-MM-DD")
@click.option("--to", "date_to", help="last deadline day, YYYY-MM-DD")
@click.option("--include-hedged", is_flag=True)
@click.option("--json", "as_json", is_flag=True, help="the scorecard as JSON, as the API gives it")
@click.option("--rebuild", is_flag=True, help="count every forecast again before scoring")
def score_command(as_json: bool, rebuild: bool, include_hedged: bool, **args: str | None) -> None:
    """Print the scorecard (the same numbers as the front page, CSV and API)."""
    from tracker.scorecard import services as scorecard

    query = {
        "from" if name == "date_from" else "to" if name == "date_to" else name: value
        for name, value in args.items()
        if value is not None
    }
    if include_hedged:
        query["include_hedged"] = "true"
    with _session() as session:
        filters = scorecard.parse_filters(query)
        if rebuild:
            counted = scorecard.rebuild(session)
            click.echo(f"counted {counted} forecasts again", err=True)
        card = scorecard.compute(session, filters)
        groups = [card.group, *card.authors, *card.outlets]
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "group": scorecard.group_record(card.group),
                        "authors": [scorecard.group_record(g) for g in card.authors],
                        "outlets": [scorecard.group_record(g) for g in card.outlets],
                    },
                    ensure_ascii=False,
                )
            )
            return
        click.echo(
            f"{'':<8} {'rank':>4}  {'scored':>6}  {'brier':>6}  {'log':>7}  {'skill':>7}  name"
        )
        for group in groups:
            record = scorecard.group_record(group)

            def number(value: float | None, width: int) -> str:
                return f"{value:>{width}.3f}" if value is not None else f"{'-':>{width}}"

            click.echo(
                f"{group.dimension:<8} {group.rank or '-':>4}  {group.n_scored:>6}  "
                f"{number(record['brier'], 6)}  {number(record['log_score'], 7)}  "
                f"{number(record['skill_vs_chance'], 7)}  {group.name}"
                + ("  (too few to judge)" if group.too_few_to_judge else "")
            )


@main.group("audit")
def audit_group() -> None:
    """The tamper-evident audit log."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Walk the hash chain; name the first row that does not match."""
    with _session() as session:
        result = audit.verify(session)
    if result.ok:
        click.echo(f"audit log intact: {result.checked} rows checked")
        return
    click.echo(
        f"audit log broken at row {result.first_bad_id}: {result.reason} "
        f"({result.checked} rows before it are intact)",
        err=True,
    )
    sys.exit(1)


def _iso_instant(value: str, param_hint: str, example: str) -> dt.datetime:
    """An ISO 8601 date or time from the command line; naive values are returned naive."""
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"give an ISO 8601 date or time, e.g. {example}", param_hint=param_hint
        ) from None


def _published(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    parsed = _iso_instant(value, "--published", "2020-01-03 or 2020-01-03T05:00:00Z")
    return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed


@main.command("import")
@click.argument("location")
@click.option("--title", help="The title, when the page declares none (or to override it).")
@click.option("--outlet", help="The outlet, when the page declares none.")
@click.option("--author", help="The author, when the page names none.")
@click.option("--published", help="Publication date or time, ISO 8601 (UTC unless it says).")
@click.option("--url", "original_url", help="For a FILE: the address it was published at.")
@click.option("--json", "as_json", is_flag=True, help="Print the candidates as JSON lines.")
def import_command(
    location: str,
    title: str | None,
    outlet: str | None,
    author: str | None,
    published: str | None,
    original_url: str | None,
    as_json: bool,
) -> None:
    """Archive an article from a URL or a FILE (.html or plain text) and print the claims it
    seems to make: forecasts with their wording, probability and deadline, and facts."""
    published_at = _published(published)
    is_url = location.lower().startswith(("http://", "https://"))
    if is_url:
        fetcher = current_app.extensions.get("tracker.fetcher") or sources.HttpFetcher.from_config(
            current_app.config
        )
        try:
            fetched = fetcher.fetch(location)
        except TrackerError as error:
            raise click.ClickException(error.message) from error
    else:
        path = Path(location)
        if not path.is_file():
            raise click.BadParameter(f"{location} is neither an http(s) URL nor a file")
        fetched = None
    with _session() as session:
        fetched = fetched or sources.read_file(path)
        source = sources.import_fetched(
            session,
            fetched,
            url=location if is_url else original_url,
            title=title,
            outlet=outlet,
            author=author,
            published_at=published_at,
        )
        source_id = source.id
        click.echo(
            f"source {source_id}: {source.title!r}"
            f" ({source.outlet or 'outlet unknown'}, {source.author or 'author unknown'},"
            f" published {source.published_at.date() if source.published_at else 'unknown'})",
            err=True,
        )
        proposed = sources.list_candidates(session, source_id)
    for item in proposed:
        candidate = item.candidate
        if as_json:
            data = candidate.as_dict()
            data["deadline"] = data["deadline"].isoformat() if data["deadline"] else None
            click.echo(json.dumps({"source_id": source_id, **data}, ensure_ascii=False))
            continue
        if candidate.kind == "forecast":
            assert candidate.deadline is not None and candidate.probability is not None
            flags = "".join(
                f" [{flag}]"
                for flag, on in (
                    ("hedged", candidate.hedged),
                    ("negated", candidate.negated),
                    ("conditional", candidate.condition is not None),
                )
                if on
            )
            click.echo(
                f"forecast  {candidate.quote_start:>6}-{candidate.quote_end:<6}"
                f" {candidate.probability:>4.0%} {candidate.phrase!r}"
                f" by {candidate.deadline.at.date()} ({candidate.deadline.origin}){flags}"
            )
            if candidate.condition:
                click.echo(f"          if: {candidate.condition}")
        else:
            click.echo(
                f"fact      {candidate.quote_start:>6}-{candidate.quote_end:<6} {candidate.reason}"
            )
        click.echo(f"          {candidate.quote}")
    click.echo(f"{len(proposed)} candidates", err=True)


@main.command("export")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
def export_command(file: str) -> None:
    """Write everything (sources, claims, resolutions, users without secrets, the audit log) to
    FILE as a versioned archive; `-` writes to standard output."""
    engine = current_app.extensions["tracker.engine"]
    try:
        if file == "-":
            summary = archive.export(engine, sys.stdout)
        else:
            # Written beside the target and renamed at the end: a failed export leaves no
            # half file.
            target = Path(file)
            partial = target.with_name(f".{target.name}.partial")
            try:
                with partial.open("w", encoding="utf-8", newline="\n") as out:
                    summary = archive.export(engine, out)
                partial.replace(target)
            finally:
                partial.unlink(missing_ok=True)
    except OSError as error:
        raise click.ClickException(f"cannot write {file}: {error}") from error
    except TrackerError as error:
        raise click.ClickException(f"nothing exported: {error.message}") from error
    click.echo(f"exported {summary.total} rows: {_counts(summary)}", err=True)


@main.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
def restore_command(file: str) -> None:
    """Load an archive made by `tracker export` into an empty, migrated database: all of it or
    nothing. Users come back without passwords and API tokens are not restored."""
    engine = current_app.extensions["tracker.engine"]
    try:
        if file == "-":
            summary = archive.restore(engine, sys.stdin)
        else:
            with open(file, encoding="utf-8", newline="") as lines:
                summary = archive.restore(engine, lines)
    except (OSError, UnicodeDecodeError) as error:
        raise click.ClickException(f"cannot read {file}: {error}") from error
    except TrackerError as error:
        raise click.ClickException(f"nothing restored: {error.message}") from error
    click.echo(f"restored {summary.total} rows: {_counts(summary)}")
    if summary.counts.get("users"):
        click.echo(
            "users have no password yet: set each with `tracker users set-password`; "
            "API tokens are made anew with `tracker tokens create`"
        )


def _counts(summary: archive.Summary) -> str:
    return ", ".join(f"{count} {name}" for name, count in summary.counts.items())


def _parse_now(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    parsed = _iso_instant(value, "--now", "2026-01-31T09:00:00Z")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise click.BadParameter(
            "the instant needs a time zone, for example 2026-01-31T09:00:00Z", param_hint="--now"
        )
    return parsed.astimezone(dt.UTC)


def _make_scheduler(clock: scheduler.Clock | None = None) -> scheduler.Scheduler:
    config = current_app.config
    try:
        notifiers = notify.notifiers_from_config(
            config["SMTP_URL"], config["WEBHOOK_URL"], config["WEBHOOK_SECRET"], config["BASE_URL"]
        )
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    return scheduler.Scheduler(
        current_app.extensions["tracker.engine"],
        notifiers,
        scheduler.Settings.from_config(config),
        clock,
        name=config.get("SCHEDULER_NAME"),
    )


@main.group("scheduler")
def scheduler_group() -> None:
    """The reminder scheduler (its own process; never inside the web server)."""


@scheduler_group.command("run")
def scheduler_run() -> None:
    """Tick every TRACKER_TICK_SECONDS until SIGTERM or Ctrl-C (the send in flight finishes)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # one line per tick is ours
    scheduler.run_forever(_make_scheduler())


@scheduler_group.command("tick")
@click.option("--now", "now_text", help="Tick as if it were this instant (ISO 8601, with zone).")
def scheduler_tick(now_text: str | None) -> None:
    """Do one pass: plan, compose, deliver what is due, record the results."""
    at = _parse_now(now_text)
    result = _make_scheduler(scheduler.FixedClock(at) if at else None).tick()
    click.echo(str(result))


@main.group("outbox")
def outbox_group() -> None:
    """Reminder messages: what is pending, sent, failing or dead."""


@outbox_group.command("list")
@click.option("--status", type=click.Choice(MESSAGE_STATUSES))
@click.option("--limit", type=click.IntRange(1, 10000), default=50, show_default=True)
def outbox_list(status: str | None, limit: int) -> None:
    """The newest messages first, with their last error."""
    with _session() as session:
        for message in reminders.list_outbox(session, status=status, limit=limit):
            click.echo(
                f"{message.id:>6}  {message.status:<9}  {message.channel:<7}  "
                f"{message.attempts:>2} tries  {message.user.email}  {message.last_error or ''}"
            )


@outbox_group.command("retry")
@click.argument("message_id", type=int)
def outbox_retry(message_id: int) -> None:
    """Send a failed or dead message again at the next tick."""
    with _session() as session:
        message = reminders.retry_message(session, message_id, utcnow())
        audit.record(session, "outbox.retried", "outbox", message.id, {"uid": message.uid})
    click.echo(f"message {message_id} goes out at the next tick")


@main.group("calendar")
def calendar_group() -> None:
    """Private calendar feeds of assigned deadlines."""


@calendar_group.command("token")
@click.option("--email", required=True, help="The reviewer whose feed it is.")
def calendar_token(email: str) -> None:
    """Print a new private feed address for the reviewer (the old one stops working)."""
    with _session() as session:
        user = session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise click.ClickException(f"there is no user {email}")
        token = calendars.issue_token(session, user)
        audit.record(session, "calendar.token_issued", "user", user.id, {})
    click.echo(f"{current_app.config['BASE_URL'].rstrip('/')}/calendar/{token}.ics")


@main.group("reminders")
def reminders_group() -> None:
    """Reminder channels per user."""


@reminders_group.command("channels")
@click.option("--email", "address", required=True, help="The user.")
@click.option("--mail/--no-mail", "mail", default=None, help="Reminders by email.")
@click.option("--chat/--no-chat", "chat", default=None, help="Reminders in the chat webhook.")
def reminders_channels(address: str, mail: bool | None, chat: bool | None) -> None:
    """Show or change which channels carry a user's reminders."""
    with _session() as session:
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
