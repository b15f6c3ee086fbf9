"""`tracker search`: the full-text index of the record."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from tracker.cli.common import session_scope
from tracker.search import index


@click.group("search", cls=AppGroup)
def search_group() -> None:
    """The search index of quotes, questions, sources and speakers."""


@search_group.command("reindex")
def reindex_command() -> None:
    """Make the whole search index again from the record, in one transaction (searches keep
    answering from the old index until it commits)."""
    started = time.perf_counter()
    with session_scope() as session:
        counts = index.rebuild(session.connection())
        session.commit()
    took = time.perf_counter() - started
    parts = ", ".join(f"{n} {kind} entries" for kind, n in counts.items())
    click.echo(f"search index rebuilt: {parts} in {took:.1f} s")
