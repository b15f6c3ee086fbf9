"""Review moves to the questions: a record made before questions, with judgements and evidence
over several versions, a dispute, a void, assignments, a snooze, reminders and edits, upgrades
with nothing lost (every row compared), its audit chain verifying, and downgrades to the same
record."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import create_engine, text

from tests.questions.test_migration import BEFORE, QUESTIONS, _load_at_old_revision, _rows
from tracker import audit, migrate
from tracker.db import make_engine, make_sessionmaker, normalize_url, transaction

T = "2021-06-01 12:00:00"
LATER = "2021-07-01 12:00:00"

# Written at the revision before questions, after the version 1 archive's rows: claim 1 resolved
# in its second version after a dispute, claim 2 disputed, claim 3 void, claim 4 snoozed with
# reminders and edits, fact 12 resolved false (fact 11 already has one judgement of the archive).
HISTORY = [
    "INSERT INTO users (id, email, display_name, role, is_active, session_version, created_at)"
    " VALUES (3, 'r3@example.org', 'R3', 'reviewer', true, 1, :t),"
    " (4, 'r4@example.org', 'R4', 'reviewer', true, 1, :t),"
    " (5, 'a5@example.org', 'A5', 'admin', true, 1, :t)",
    "UPDATE claims SET status = 'resolved', outcome = 'true', resolution_version = 2,"
    " resolved_at = :later WHERE id = 1",
    "UPDATE claims SET status = 'disputed' WHERE id = 2",
    "UPDATE claims SET status = 'void', void_reason = 'duplicate: twice' WHERE id = 3",
    "UPDATE claims SET snoozed_until = :later, snooze_reason = 'minutes due' WHERE id = 4",
    "UPDATE claims SET status = 'resolved', verdict = 'false', resolved_at = :t WHERE id = 12",
    "INSERT INTO resolutions (id, claim_id, version, reviewer_id, outcome, verdict, rationale,"
    " is_settlement, created_at) VALUES"
    " (2, 1, 1, 3, 'false', NULL, 'Not yet.', false, :t),"
    " (3, 1, 1, 4, 'true', NULL, 'It did.', false, :t),"
    " (4, 1, 2, 3, 'true', NULL, 'It did, on reflection.', false, :later),"
    " (5, 1, 2, 4, 'true', NULL, 'It did.', false, :later),"
    " (6, 2, 1, 3, 'true', NULL, 'Yes.', false, :t),"
    " (7, 2, 1, 4, 'false', NULL, 'No.', false, :t),"
    " (8, 12, 1, 3, NULL, 'false', 'Wrong figure.', false, :t),"
    " (9, 12, 1, 5, NULL, 'false', 'Settled: wrong.', true, :t)",
    "INSERT INTO evidence (id, resolution_id, url, stance) VALUES"
    " (2, 3, 'https://example.org/a', 'supports'), (3, 4, 'https://example.org/b', 'supports'),"
    " (4, 5, 'https://example.org/c', 'context'), (5, 6, 'https://example.org/d', 'supports'),"
    " (6, 8, 'https://example.org/e', 'refutes')",
    "INSERT INTO assignments (id, claim_id, user_id, assigned_at) VALUES"
    " (2, 1, 3, :t), (3, 1, 4, :t), (4, 2, 3, :t), (5, 2, 4, :t), (6, 4, 3, :t), (7, 4, 4, :t)",
    "INSERT INTO reminders (id, claim_id, user_id, kind, channel, status, due_at, anchor_at,"
    " created_at, updated_at) VALUES"
    " (1, 4, 3, 'due', 'email', 'pending', :later, :later, :t, :t),"
    " (2, 4, 3, 'overdue', 'email', 'pending', :later, :later, :t, :t),"
    " (3, 2, 4, 'due', 'webhook', 'cancelled', :t, :t, :t, :t)",
    "INSERT INTO claim_edits (id, claim_id, field, old_value, new_value, reason, editor_id,"
    " edited_at) VALUES"
    " (2, 4, 'deadline_at', '2021-01-20T23:59:59+00:00', '2021-02-20T23:59:59+00:00',"
    "  'later', 1, :t),"
    " (3, 4, 'probability', '0.9', '0.8', 'hedged', 3, :t),"
    " (4, 4, 'resolution_criteria', NULL, 'An announcement.', 'clearer', 1, :t)",
]
SEQUENCES = ("users", "resolutions", "evidence", "assignments", "reminders", "claim_edits")
STATE = "status, outcome, verdict, resolution_version, resolved_at, void_reason"
SNOOZE = "snoozed_until, snooze_reason"


def _write(url: str, statements: list[str]) -> None:
    engine = create_engine(normalize_url(url))
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement), {"t": T, "later": LATER})
        if connection.dialect.name == "postgresql":
            for name in SEQUENCES:
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'),"
                        f" (SELECT max(id) FROM {name}))"
                    )
                )
    engine.dispose()


def _linked(url: str, owner: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row that names a claim (before) or question (after) as `owner`."""
    return {
        "resolutions": _rows(
            url,
            f"SELECT id, {owner}, version, reviewer_id, outcome, verdict, rationale,"
            " is_settlement, created_at FROM resolutions ORDER BY id",
        ),
        "evidence": _rows(url, "SELECT id, resolution_id, url, stance FROM evidence ORDER BY id"),
        "assignments": _rows(
            url, f"SELECT id, {owner}, user_id, assigned_at FROM assignments ORDER BY id"
        ),
        "reminders": _rows(
            url,
            f"SELECT id, {owner}, user_id, kind, channel, status, due_at, anchor_at"
            " FROM reminders ORDER BY id",
        ),
    }


def _verify(url: str) -> list[Any]:
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as session:
        assert audit.verify(session).ok
        last = session.execute(
            text("SELECT action, data FROM audit_log ORDER BY id DESC LIMIT 1")
        ).one()
    engine.dispose()
    return list(last)


def test_review_moves_to_the_questions_with_nothing_lost_and_back(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    _load_at_old_revision(url)
    _write(url, HISTORY)
    linked = _linked(url, "claim_id")
    claims = _rows(url, f"SELECT id, {STATE}, {SNOOZE} FROM claims ORDER BY id")
    edits = _rows(
        url,
        "SELECT id, claim_id, field, old_value, new_value, reason, editor_id FROM claim_edits"
        " ORDER BY id",
    )
    assert len(linked["resolutions"]) == 9 and len(edits) == 4

    migrate.upgrade(url)
    # Every judgement of every version, its evidence, every assignment and reminder: the same
    # rows, naming the question made for their claim (it has the claim's id).
    assert _linked(url, "question_id") == linked
    # Each question holds its claim's review state and snooze; each claim keeps its state.
    assert _rows(url, f"SELECT id, {STATE}, {SNOOZE} FROM questions ORDER BY id") == claims
    assert _rows(url, f"SELECT id, {STATE} FROM claims ORDER BY id") == [c[:7] for c in claims]
    # Edits of what was asked are the questions'; the probability override stays the claim's.
    fields = {"question": "text"}
    assert _rows(
        url,
        "SELECT id, question_id, field, old_value, new_value, reason, editor_id"
        " FROM question_edits ORDER BY id",
    ) == [(e[0], e[1], fields.get(e[2], e[2]), *e[3:]) for e in edits if e[2] != "probability"]
    assert _rows(
        url,
        "SELECT id, claim_id, field, old_value, new_value, reason, editor_id FROM claim_edits",
    ) == [e for e in edits if e[2] == "probability"]
    action, data = _verify(url)
    assert action == "questions.review_moved"
    counts = json.loads(data)
    assert (counts["resolutions"], counts["assignments"], counts["question_edits"]) == (9, 7, 3)
    assert (counts["reminders"], counts["split_off"]) == (3, 0)

    migrate.downgrade(url, BEFORE)
    assert _linked(url, "claim_id") == linked
    assert _rows(url, f"SELECT id, {STATE}, {SNOOZE} FROM claims ORDER BY id") == claims
    # Edits moved back get new ids (the claims' own kept theirs); nothing else differs.
    assert sorted(
        _rows(
            url,
            "SELECT claim_id, field, old_value, new_value, reason, editor_id FROM claim_edits",
        )
    ) == sorted(e[1:] for e in edits)
    migrate.upgrade(url)
    assert _linked(url, "question_id") == linked
    assert _verify(url)[0] == "questions.review_moved"


def test_a_claim_with_a_history_of_its_own_on_a_shared_question_is_split_off(
    empty_database_url: str,
) -> None:
    """Linked to another claim's question before review moved, a claim that was judged on its
    own gets a question of its own with its judgements; one that was not takes the shared
    question's state, by its stance."""
    url = empty_database_url
    _load_at_old_revision(url)
    _write(url, HISTORY)
    migrate.upgrade(url, QUESTIONS)
    _write(
        url,
        [
            "UPDATE claims SET question_id = 1 WHERE id = 2",  # disputed on its own
            "UPDATE claims SET question_id = 1, stance = 'against' WHERE id = 5",  # no history
        ],
    )
    disputed = _rows(url, "SELECT id FROM resolutions WHERE claim_id = 2 ORDER BY id")
    migrate.upgrade(url)
    (own,) = _rows(url, "SELECT question_id, stance, status FROM claims WHERE id = 2")
    assert own[0] not in (1, 2) and own[1:] == ("for", "disputed")
    assert _rows(url, f"SELECT status FROM questions WHERE id = {own[0]}") == [("disputed",)]
    assert (
        _rows(url, f"SELECT id FROM resolutions WHERE question_id = {own[0]} ORDER BY id")
        == disputed
    )
    assert _rows(
        url, "SELECT question_id, status, outcome, resolution_version FROM claims WHERE id = 5"
    ) == [(1, "resolved", "false", 2)]
    assert json.loads(_verify(url)[1])["split_off"] == 1
