"""The `tracker` command line: one module of commands per part of the product."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from tracker.app import create_app
from tracker.cli import accounts, data, records, reminders, search


def _create_app() -> Flask:
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Claim tracker: record published claims, resolve them with evidence, score their authors."""


main.add_command(data.db)
main.add_command(data.audit_group)
main.add_command(data.export_command)
main.add_command(data.restore_command)
main.add_command(records.seed_command)
main.add_command(records.claims)
main.add_command(records.score_command)
main.add_command(records.import_command)
main.add_command(accounts.users)
main.add_command(accounts.tokens)
main.add_command(reminders.scheduler_group)
main.add_command(reminders.outbox_group)
main.add_command(reminders.calendar_group)
main.add_command(reminders.reminders_group)
main.add_command(search.search_group)
