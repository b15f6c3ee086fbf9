"""Questions and speakers arrive: a record made before them upgrades with nothing lost, each
claim on a question of its own and each author (else outlet) a speaker; a version 1 archive
restores to the same record; downgrading gives the old tables back."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, Table, create_engine, inspect, text

from tracker import archive, audit, migrate
from tracker.archive.rows import decoder
from tracker.db import make_engine, make_sessionmaker, normalize_url, transaction
from tracker.models import Base

V1_ARCHIVE = Path(__file__).parent.parent / "data" / "archive-v1.jsonl"
BEFORE = "d62e1dcdc6ee"  # the last revision without questions and speakers
QUESTIONS = "99953488f4ef"  # questions and speakers, review still on the claims


def _v1_lines() -> list[dict[str, Any]]:
    return [json.loads(line) for line in V1_ARCHIVE.read_text(encoding="utf-8").splitlines()]


def _load_at_old_revision(url: str) -> None:
    """The version 1 archive's rows written straight into a database at the old revision."""
    migrate.upgrade(url, BEFORE)
    engine = create_engine(normalize_url(url))
    old = MetaData()
    with engine.begin() as connection:
        for line in _v1_lines()[1:-1]:
            name, row = line["table"], line["row"]
            table = old.tables.get(name)
            if table is None:
                table = Table(name, old, autoload_with=connection)
            # Today's column where there is one; the old table's for columns since dropped.
            model = Base.metadata.tables[name]
            values = {
                key: decoder(model.c[key] if key in model.c else table.c[key])(value)
                for key, value in row.items()
            }
            connection.execute(table.insert().values(values))
        if connection.dialect.name == "postgresql":
            for name in ("users", "sources", "claims", "resolutions", "audit_log"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT max(id) FROM {name}))"
                    )
                )
    engine.dispose()


def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = create_engine(normalize_url(url))
    try:
        with engine.connect() as connection:
            return [tuple(r) for r in connection.execute(text(sql))]
    finally:
        engine.dispose()


def _export(url: str) -> list[str]:
    engine = make_engine(url)
    out = io.StringIO()
    try:
        archive.export(engine, out)
    finally:
        engine.dispose()
    return out.getvalue().splitlines()


def test_upgrade_gives_each_claim_its_question_and_speaker(empty_database_url: str) -> None:
    url = empty_database_url
    _load_at_old_revision(url)
    kept = "SELECT id, claim_id, version, reviewer_id, outcome, verdict, rationale FROM resolutions"
    before = {
        name: _rows(url, f"SELECT count(*) FROM {name}")[0][0]
        for name in archive.V1_TABLES
        if name != "audit_log"
    }
    resolutions = _rows(url, kept)
    claims = _rows(url, "SELECT id, kind, COALESCE(question, quote), deadline_at FROM claims")
    migrate.upgrade(url, QUESTIONS)
    for name, count in before.items():
        assert _rows(url, f"SELECT count(*) FROM {name}")[0][0] == count, name
    assert _rows(url, kept) == resolutions
    assert _rows(url, "SELECT count(*) FROM questions")[0][0] == before["claims"] == 17
    linked = _rows(
        url,
        "SELECT c.id, q.kind, q.text, q.deadline_at, c.question_id, c.stance, sp.slug, sp.kind"
        " FROM claims c JOIN questions q ON q.id = c.question_id"
        " LEFT JOIN speakers sp ON sp.id = c.speaker_id ORDER BY c.id",
    )
    assert [(r[0], r[1], r[2], r[3]) for r in linked] == sorted(claims)
    assert all(r[4] == r[0] and r[5] == "for" for r in linked)
    # The seed article names no author: every claim of it is its outlet's.
    assert {(r[6], r[7]) for r in linked} == {("washington-examiner", "organization")}
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as session:
        assert audit.verify(session).ok
        last = session.execute(
            text("SELECT action, data FROM audit_log ORDER BY id DESC LIMIT 1")
        ).one()
    engine.dispose()
    assert last[0] == "questions.introduced"
    assert json.loads(last[1])["questions"] == 17
    migrate.downgrade(url, BEFORE)
    assert not {"questions", "speakers"} & set(inspect_tables(url))
    assert _rows(url, "SELECT count(*) FROM claims")[0][0] == 17
    migrate.upgrade(url)
    assert _rows(url, "SELECT count(*) FROM questions")[0][0] == 17


def inspect_tables(url: str) -> list[str]:
    engine = create_engine(normalize_url(url))
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_a_version_1_archive_restores_as_the_migration_would_make_it(
    empty_database_url: str, database_url: str
) -> None:
    # One record two ways: the version 1 rows upgraded by the migration, and the version 1
    # archive restored into a new database. Exported, they agree but for the time of the move.
    _load_at_old_revision(empty_database_url)
    migrate.upgrade(empty_database_url)
    engine = make_engine(database_url)
    try:
        with V1_ARCHIVE.open(encoding="utf-8") as lines:
            summary = archive.restore(engine, lines)
    finally:
        engine.dispose()
    assert summary.counts["claims"] == 17
    migrated, restored = _export(empty_database_url), _export(database_url)
    assert json.loads(restored[0])["version"] == 2

    def without_move_time(lines: list[str]) -> list[str]:
        out = []
        for line in lines:
            value = json.loads(line)
            row = value.get("row", {})
            if value.get("table") == "audit_log" and row["action"] == "questions.introduced":
                value["row"] = {k: v for k, v in row.items() if k not in ("at", "hash")}
            if value.get("table") == "audit_log" and row["action"] == "questions.review_moved":
                # Chained after the row above, whose hash holds its time.
                value["row"] = {
                    k: v for k, v in row.items() if k not in ("at", "hash", "prev_hash")
                }
            out.append(json.dumps(value, sort_keys=True))
        return out

    assert without_move_time(restored) == without_move_time(migrated)
    assert sum('"table":"questions"' in line for line in restored) == 17
    # The claim's edit of its question is the question's now, the judgement names it too.
    assert sum('"table":"question_edits"' in line for line in restored) == 1
    assert sum('"table":"claim_edits"' in line for line in restored) == 0
    assert any('"question_id":11' in line for line in restored if '"table":"resolutions"' in line)
