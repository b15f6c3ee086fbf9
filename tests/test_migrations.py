"""Migrations: one head, upgrade from empty, models and migrations agree, downgrade to base."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DBAPIError

from tracker import migrate
from tracker.db import normalize_url
from tracker.models import Base


def test_one_head() -> None:
    assert len(migrate.heads()) == 1


def _tables(url: str) -> set[str]:
    engine = create_engine(normalize_url(url))
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_check_downgrade_upgrade(empty_database_url: str) -> None:
    url = empty_database_url
    migrate.upgrade(url)
    assert set(Base.metadata.tables) <= _tables(url)
    # Fails with "New upgrade operations detected" if a model change has no migration.
    command.check(migrate.alembic_config(url))
    migrate.downgrade(url, "base")
    assert _tables(url) <= {"alembic_version"}
    migrate.upgrade(url)
    assert set(Base.metadata.tables) <= _tables(url)


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"]
)
def test_audit_log_refuses_update_and_delete(database_url: str, statement: str) -> None:
    from tracker import audit
    from tracker.db import make_engine, make_sessionmaker, transaction

    engine = make_engine(database_url)
    with transaction(make_sessionmaker(engine)) as session:
        audit.record(session, "test.recorded", "test", 1, {"n": 1})
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text(statement))
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM audit_log")) == 1
    engine.dispose()


def test_upgrade_keeps_the_data_of_every_earlier_revision(empty_database_url: str) -> None:
    from alembic.script import ScriptDirectory

    from tracker.db import make_engine, make_sessionmaker, transaction
    from tracker.seed import seed

    url = empty_database_url
    script = ScriptDirectory.from_config(migrate.alembic_config(url))
    first = next(r for r in script.walk_revisions() if r.down_revision is None).revision
    migrate.upgrade(url, first)
    engine = make_engine(url)
    with engine.begin() as connection:
        # The seed as the first revision knew it, written with that revision's columns.
        connection.execute(
            text(
                "INSERT INTO sources (title, text, text_sha256, fetched_at, created_at)"
                " VALUES ('T', 'It will rain.', :sha, :at, :at)"
            ),
            {"sha": "0" * 64, "at": "2020-01-01 00:00:00"},
        )
        connection.execute(
            text(
                "INSERT INTO claims (source_id, key, kind, quote, quote_start, quote_end,"
                " hedged, status, resolution_version, created_at, updated_at)"
                " SELECT id, 'rain', 'fact', 'It will rain.', 0, 13, false, 'open', 1, :at, :at"
                " FROM sources"
            ),
            {"at": "2020-01-01 00:00:00"},
        )
        connection.execute(
            text("INSERT INTO claim_tags (claim_id, tag) SELECT id, 'weather' FROM claims")
        )
    engine.dispose()
    migrate.upgrade(url)
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as session:
        assert session.execute(text("SELECT key FROM claims")).scalar_one() == "rain"
        assert session.execute(text("SELECT tag FROM claim_tags")).scalar_one() == "weather"
        seed(session)
    engine.dispose()
