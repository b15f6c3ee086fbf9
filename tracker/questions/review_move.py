"""Moving review from claims to questions: each question takes the review state, judgements,
assignments, reminders and edits of the claim it was made for, and every claim keeps a copy of
its question's state by its stance. The database migration and the restore of a version 1
archive both do it with these functions, so both give the same record.

Frozen on purpose: a migration that has run must keep meaning what it did (the live rules of
how a claim takes its question's state are in state.py)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Connection, bindparam, column, text
from sqlalchemy.sql.elements import ColumnClause

from tracker import audit
from tracker.db import UTCDateTime

_FLIP_OUTCOME = "CASE {v} WHEN 'true' THEN 'false' WHEN 'false' THEN 'true' ELSE {v} END"
_FLIP_VERDICT = (
    "CASE {v} WHEN 'true' THEN 'false' WHEN 'false' THEN 'true'"
    " WHEN 'mostly-true' THEN 'mostly-false' WHEN 'mostly-false' THEN 'mostly-true' ELSE {v} END"
)
FLIP = {
    "true": "false", "false": "true", "mostly-true": "mostly-false", "mostly-false": "mostly-true",
}  # fmt: skip
STATE = (
    "status", "outcome", "verdict", "resolution_version", "resolved_at", "void_reason",
)  # fmt: skip
# What a question holds of its lead claim's review: its state and its snooze.
QUESTION_STATE = (*STATE, "snoozed_until", "snooze_reason")
# A claim edit's field, as the question edit it becomes names it.
QUESTION_FIELDS = {"question": "text", "resolution_criteria": "resolution_criteria",
                   "deadline_at": "deadline_at"}  # fmt: skip
# A claim's review history before the move: what makes it the source of a question's state.
_HISTORY = (
    "SELECT DISTINCT claim_id FROM resolutions",
    "SELECT DISTINCT claim_id FROM assignments",
    "SELECT DISTINCT claim_id FROM reminders",
    "SELECT DISTINCT claim_id FROM claim_edits WHERE field <> 'probability'",
    "SELECT id FROM claims WHERE status <> 'open' OR snoozed_until IS NOT NULL",
)


def sa_column(name: str) -> ColumnClause[Any]:
    """A result column of a textual select, typed where the driver gives back raw values."""
    return column(name, UTCDateTime()) if name in ("resolved_at", "snoozed_until") else column(name)


def _leads(connection: Connection) -> tuple[dict[int, tuple[int, str]], list[int]]:
    """Each question's lead claim (the claim it was made for, else its first `for` claim, else
    its first claim) with that claim's stance, and the other claims on questions that carry a
    review history of their own (resolved or judged on their own before questions decided)."""
    by_question: dict[int, list[tuple[int, str]]] = {}
    for claim_id, question_id, stance in connection.execute(
        text("SELECT id, question_id, stance FROM claims ORDER BY id")
    ):
        by_question.setdefault(question_id, []).append((claim_id, stance))
    leads: dict[int, tuple[int, str]] = {}
    for question_id, claims in by_question.items():
        own = [c for c in claims if c[0] == question_id]
        leads[question_id] = (own or [c for c in claims if c[1] == "for"] or claims)[0]
    others = {c[0] for claims in by_question.values() for c in claims} - {
        lead[0] for lead in leads.values()
    }
    divergent: set[int] = set()
    if others:
        for sql in _HISTORY:
            divergent.update(r[0] for r in connection.execute(text(sql)) if r[0] in others)
    return leads, sorted(divergent)


def split_divergent(connection: Connection, divergent: list[int]) -> dict[int, int]:
    """Give each claim with a review history of its own, on another claim's question, a
    question of its own (its wording, criteria and deadline), so no history merges. Returns
    {new question id: claim id}."""
    made: dict[int, int] = {}
    if not divergent:
        return made
    next_id = connection.execute(text("SELECT COALESCE(max(id), 0) FROM questions")).scalar_one()
    for claim_id in divergent:
        next_id += 1
        connection.execute(
            text(
                "INSERT INTO questions (id, kind, text, resolution_criteria, deadline_at,"
                " created_by_id, created_at, updated_at, status, resolution_version)"
                " SELECT :qid, kind, COALESCE(question, quote), resolution_criteria, deadline_at,"
                " recorded_by_id, created_at, updated_at, 'open', 1 FROM claims WHERE id = :cid"
            ),
            {"qid": next_id, "cid": claim_id},
        )
        connection.execute(
            text("UPDATE claims SET question_id = :qid, stance = 'for' WHERE id = :cid"),
            {"qid": next_id, "cid": claim_id},
        )
        made[next_id] = claim_id
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT setval(pg_get_serial_sequence('questions', 'id'), :n, false)"),
            {"n": next_id + 1},
        )
    return made


def copy_state_to_questions(connection: Connection) -> int:
    """Each question takes its lead claim's review state (the opposite result when the lead
    says the opposite of the question). Returns how many claims were split off."""
    leads, divergent = _leads(connection)
    for question_id, claim_id in split_divergent(connection, divergent).items():
        leads[question_id] = (claim_id, "for")
    columns = QUESTION_STATE
    # The usual case in one statement: the question made for the claim with its id.
    assignments = ", ".join(
        f"{name} = (SELECT c.{name} FROM claims c WHERE c.id = questions.id)"  # noqa: S608
        for name in columns
    )
    connection.execute(
        text(
            f"UPDATE questions SET {assignments}"  # noqa: S608 (fixed column names)
            " WHERE EXISTS (SELECT 1 FROM claims c WHERE c.id = questions.id"
            " AND c.question_id = questions.id)"
        )
    )
    for question_id, (claim_id, stance) in leads.items():
        if claim_id == question_id:
            continue
        row = connection.execute(
            text(f"SELECT {', '.join(columns)} FROM claims WHERE id = :id").columns(  # noqa: S608
                *[sa_column(name) for name in columns]
            ),
            {"id": claim_id},
        ).one()
        values: dict[str, Any] = dict(zip(columns, row, strict=True))
        if stance == "against":
            for name in ("outcome", "verdict"):
                values[name] = FLIP.get(values[name], values[name])
        connection.execute(
            text(
                "UPDATE questions SET "  # noqa: S608 (fixed column names)
                + ", ".join(f"{name} = :{name}" for name in columns)
                + " WHERE id = :question_id"
            ).bindparams(
                bindparam("resolved_at", type_=UTCDateTime()),
                bindparam("snoozed_until", type_=UTCDateTime()),
            ),
            {**values, "question_id": question_id},
        )
    return len(divergent)


def point_rows_at_questions(connection: Connection) -> None:
    """Judgements, assignments and reminders name the question of the claim they named."""
    for table in ("resolutions", "assignments", "reminders"):
        connection.execute(
            text(
                f"UPDATE {table} SET question_id ="  # noqa: S608 (fixed table names)
                f" (SELECT c.question_id FROM claims c WHERE c.id = {table}.claim_id)"
            )
        )


def move_question_edits(connection: Connection) -> None:
    """Edits of what a claim asked (question, criteria, deadline) become its question's, with
    their ids; a reviewer's probability override stays the claim's."""
    connection.execute(
        text(
            "INSERT INTO question_edits (id, question_id, field, old_value, new_value, reason,"
            " editor_id, edited_at)"
            " SELECT e.id, c.question_id, CASE e.field WHEN 'question' THEN 'text'"
            " ELSE e.field END, e.old_value, e.new_value, e.reason, e.editor_id, e.edited_at"
            " FROM claim_edits e JOIN claims c ON c.id = e.claim_id"
            " WHERE e.field <> 'probability' ORDER BY e.id"
        )
    )
    connection.execute(text("DELETE FROM claim_edits WHERE field <> 'probability'"))
    if connection.dialect.name == "postgresql":
        connection.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('question_edits', 'id'),"
                " COALESCE((SELECT max(id) FROM question_edits), 0) + 1, false)"
            )
        )


def copy_state_to_claims(connection: Connection) -> None:
    """Every claim holds its question's state: a `for` claim as it is, an `against` claim with
    the opposite result (true and false, mostly-true and mostly-false swap)."""

    def of_question(name: str) -> str:
        return f"(SELECT q.{name} FROM questions q WHERE q.id = claims.question_id)"  # noqa: S608

    outcome, verdict = of_question("outcome"), of_question("verdict")
    connection.execute(
        text(
            "UPDATE claims SET "  # noqa: S608 (fixed column names)
            + ", ".join(
                f"{name} = {of_question(name)}"
                for name in ("status", "resolution_version", "resolved_at", "void_reason")
            )
            + f", outcome = CASE WHEN stance = 'against' THEN {_FLIP_OUTCOME.format(v=outcome)}"
            f" ELSE {outcome} END"
            f", verdict = CASE WHEN stance = 'against' THEN {_FLIP_VERDICT.format(v=verdict)}"
            f" ELSE {verdict} END"
        )
    )


def record_review_move(connection: Connection, at: dt.datetime, split: int) -> None:
    """One audit row saying what moved to the questions (none for an empty record)."""
    counts = {
        name: connection.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()  # noqa: S608 (fixed names)
        for name in ("claims", "questions", "resolutions", "assignments", "question_edits",
                     "reminders")
    }  # fmt: skip
    if not counts["claims"]:
        return
    data = json.dumps(
        {**counts, "split_off": split,
         "rule": "each question decides for its claims; against claims take the opposite"},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    )  # fmt: skip
    audit.append_on_connection(connection, at, "questions.review_moved", "question", data)


# Downgrade: each question's judgements go back to one claim, the claim it was made for, else
# its first claim; a question no claim is linked to has no claim to take them.
_LEAD_OF = (
    "COALESCE((SELECT c.id FROM claims c WHERE c.id = {q} AND c.question_id = {q}),"
    " (SELECT min(c.id) FROM claims c WHERE c.question_id = {q}))"
)


def point_rows_at_claims(connection: Connection) -> None:
    for table in ("resolutions", "assignments", "reminders"):
        lead = _LEAD_OF.format(q=f"{table}.question_id")
        connection.execute(text(f"UPDATE {table} SET claim_id = {lead}"))  # noqa: S608
    connection.execute(
        text(
            "DELETE FROM evidence WHERE resolution_id IN"
            " (SELECT id FROM resolutions WHERE claim_id IS NULL)"
        )
    )
    for table in ("resolutions", "assignments", "reminders"):
        connection.execute(text(f"DELETE FROM {table} WHERE claim_id IS NULL"))  # noqa: S608


def move_edits_back(connection: Connection) -> None:
    lead = _LEAD_OF.format(q="e.question_id")
    connection.execute(
        text(
            "INSERT INTO claim_edits (claim_id, field, old_value, new_value, reason, editor_id,"  # noqa: S608 (fixed SQL)
            f" edited_at) SELECT {lead}, CASE e.field WHEN 'text' THEN 'question'"
            " ELSE e.field END, e.old_value, e.new_value, e.reason, e.editor_id, e.edited_at"
            f" FROM question_edits e WHERE {lead} IS NOT NULL ORDER BY e.id"
        )
    )


def copy_snooze_to_claims(connection: Connection) -> None:
    for name in ("snoozed_until", "snooze_reason"):
        connection.execute(
            text(
                f"UPDATE claims SET {name} ="  # noqa: S608 (fixed column names)
                f" (SELECT q.{name} FROM questions q WHERE q.id = claims.question_id)"
            )
        )
