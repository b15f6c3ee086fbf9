"""Commands on the database as a whole: migrations, export and restore, and the audit chain."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from alembic import command
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from tracker import archive, audit, integrity, migrate
from tracker.cli.common import session_scope
from tracker.errors import TrackerError
from tracker.text import plural


@click.group(cls=AppGroup)
def db() -> None:
    """Create and migrate the database schema."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the latest). At the latest, count the
    scorecard's sums if a migration set them aside, so that no reader waits for them."""
    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at {revision}")
    if revision != "head":
        return
    from tracker.scorecard import services as scorecard  # only here: every command starts faster

    started = time.monotonic()
    with session_scope() as session:
        built = scorecard.ensure_built(session)
    if built:
        click.echo(f"scorecard sums counted in {time.monotonic() - started:.1f} s")


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


@click.group(cls=AppGroup, name="audit")
def audit_group() -> None:
    """The tamper-evident audit log."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Walk the audit log's hash chain, re-hash every source's text and fetched page, and check
    every claim's quote against its source; name the first row that does not match."""
    with session_scope() as session:
        result = audit.verify(session)
        record = integrity.verify_record(session) if result.ok else None
    if not result.ok:
        click.echo(
            f"audit log broken at row {result.first_bad_id}: {result.reason} "
            f"({plural(result.checked, 'row')} before it "
            f"{'is' if result.checked == 1 else 'are'} intact)",
            err=True,
        )
        sys.exit(1)
    assert record is not None
    if not record.ok:
        click.echo(
            f"audit log intact ({plural(result.checked, 'row')}), but the record is not: "
            f"{record.first_bad}",
            err=True,
        )
        sys.exit(1)
    click.echo(
        f"audit log intact: {plural(result.checked, 'row')} checked; "
        f"{plural(record.sources, 'source')} re-hashed and every claim's quote found at its "
        "offsets"
    )


@click.command("export")
@with_appcontext
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


@click.command("restore")
@with_appcontext
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


# What one row of each archived table is, for counts people read ("1 claim", "2 claims").
_ROW_NOUNS = {
    "audit_log": ("audit log row", "audit log rows"),
    "evidence": ("evidence link", "evidence links"),
    "reminder_settings": ("reminder setting", "reminder settings"),
}


def _counts(summary: archive.Summary) -> str:
    def noun(name: str) -> tuple[str, str]:
        return _ROW_NOUNS.get(
            name, (name.removesuffix("s").replace("_", " "), name.replace("_", " "))
        )

    return ", ".join(plural(count, *noun(name)) for name, count in summary.counts.items())
