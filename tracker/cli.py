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

from tracker import audit, migrate, services
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
    click.echo(
        f"source {result.source_id}: "
        + ("recorded" if result.source_created else "already recorded")
        + f"; {result.claims_created} claims added, {result.claims_present} already there"
    )


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
