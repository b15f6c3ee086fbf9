"""The command line: migrate, seed, list claims, verify the audit log."""

from __future__ import annotations

import json

from flask.testing import FlaskCliRunner
from sqlalchemy import text
from sqlalchemy.orm import Session

from tracker.cli import main


def test_db_upgrade_on_a_migrated_database_is_a_no_op(runner: FlaskCliRunner) -> None:
    result = runner.invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "database at head" in result.output


def test_db_upgrade_counts_the_scorecard_sums_a_migration_set_aside(
    runner: FlaskCliRunner, session: Session, seeded: int
) -> None:
    session.execute(text("DELETE FROM scorecard_state"))
    session.commit()
    result = runner.invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "scorecard sums counted in" in result.output
    assert session.execute(text("SELECT count(*) FROM scorecard_state")).scalar() == 1
    assert session.execute(text("SELECT count(*) FROM score_entries")).scalar() == 10
    again = runner.invoke(main, ["db", "upgrade"])
    assert again.exit_code == 0 and "scorecard" not in again.output


def test_claims_list(runner: FlaskCliRunner, seeded: int) -> None:
    result = runner.invoke(main, ["claims", "list", "--kind", "forecast"])
    assert result.exit_code == 0, result.output
    assert "iran-retaliation" in result.output and "drone-downed" not in result.output
    as_json = runner.invoke(main, ["claims", "list", "--status", "due", "--json"])
    rows = [json.loads(line) for line in as_json.output.splitlines() if line.startswith("{")]
    assert len(rows) == 10 and {r["status"] for r in rows} == {"due"}


def test_claims_list_refuses_an_unknown_status(runner: FlaskCliRunner) -> None:
    result = runner.invoke(main, ["claims", "list", "--status", "finished"])
    assert result.exit_code == 2 and "finished" in result.output


def test_audit_verify_finds_the_changed_row(
    runner: FlaskCliRunner, session: Session, seeded: int
) -> None:
    ok = runner.invoke(main, ["audit", "verify"])
    assert ok.exit_code == 0 and "18 rows checked" in ok.output
    # Someone with database rights edits row 5 behind the application's back.
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
    else:
        session.execute(text("DROP TRIGGER audit_log_no_update"))
    session.execute(text('UPDATE audit_log SET data = \'{"key":"forged"}\' WHERE id = 5'))
    if dialect == "postgresql":
        # The PostgreSQL test database outlives this test: put the guard back.
        session.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
    session.commit()
    broken = runner.invoke(main, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "broken at row 5" in broken.output and "4 rows before it" in broken.output


def test_audit_verify_rehashes_every_source_and_checks_every_quote(
    runner: FlaskCliRunner, session: Session, seeded: int
) -> None:
    ok = runner.invoke(main, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "1 source re-hashed" in ok.output and "every claim's quote found" in ok.output
    # The source's text edited behind the application's back, its hash kept.
    swap = "UPDATE sources SET text = replace(text, :old, :new) WHERE id = :id"
    session.execute(text(swap), {"old": "Baghdad", "new": "Bagdad!", "id": seeded})
    session.commit()
    source = runner.invoke(main, ["audit", "verify"])
    assert source.exit_code == 1
    assert f"sources row {seeded}: text does not match its text_sha256" in source.output
    session.execute(text(swap), {"old": "Bagdad!", "new": "Baghdad", "id": seeded})
    # A claim's quote edited, its length kept so that no constraint notices.
    session.execute(text("UPDATE claims SET quote = upper(quote) WHERE id = 3"))
    session.commit()
    quote = runner.invoke(main, ["audit", "verify"])
    assert quote.exit_code == 1
    assert "claims row 3: quote is not the source's text" in quote.output
