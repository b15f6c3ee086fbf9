"""The `tracker` command line."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from alembic import command
from flask import Flask, current_app
from flask.cli import FlaskGroup
from sqlalchemy.orm import Session

from tracker import accounts, audit, migrate, resolutions, services
from tracker.app import create_app
from tracker.db import transaction, utcnow
from tracker.errors import TrackerError
from tracker.models import STATUSES


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
    from tracker import scorecard

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
