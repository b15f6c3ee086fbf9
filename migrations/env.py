"""Alembic environment: the URL comes from `tracker db upgrade` or TRACKER_DATABASE_URL."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection

from tracker import models
from tracker.config import database_url_from_env
from tracker.db import make_engine

config = context.config
target_metadata = models.Base.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or database_url_from_env()


def _include_object(
    item: Any, name: str | None, type_: str, reflected: bool, _compare_to: Any
) -> bool:
    """Leave out what each database keeps beside the models: SQLite's FTS5 search table (and
    its shadow tables), PostgreSQL's tsvector column and its GIN index."""
    if not reflected or name is None:
        return True
    if type_ == "table" and name.startswith("search_fts"):
        return False
    if type_ == "column" and item.table.name == "search_entries":
        return name not in models.ENGINE_OBJECTS
    return not (type_ == "index" and name in models.ENGINE_OBJECTS)


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=_include_object,
    )


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                # Batch mode rebuilds tables; with foreign keys on, dropping the old copy of a
                # referenced table would fail. Off for the migration, then checked.
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
            if connection.dialect.name == "sqlite":
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                connection.rollback()
                if broken:
                    raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
