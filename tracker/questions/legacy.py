"""Giving a record made before questions and speakers its questions and speakers: each claim
its own question, each source's author (else outlet) a speaker. The database migration and the
restore of a version 1 archive both do it with these functions, so both give the same record.

Frozen on purpose: a migration that has run must keep meaning what it did."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Protocol

from sqlalchemy import Connection, text

from tracker import audit
from tracker.db import utcnow
from tracker.questions import review_move

# One speaker per distinct slug of a source's author, else its outlet: named as on the first
# source that names it, a person when that is an author, an organisation when an outlet.
# Inserted in slug order, so that ids come out the same on every database.
_INSERT_SPEAKERS = """
INSERT INTO speakers (name, slug, kind, created_at)
SELECT first.name, first.slug, first.kind, first.created_at
FROM (
    SELECT
        CASE WHEN s.author_slug IS NOT NULL THEN s.author ELSE s.outlet END AS name,
        COALESCE(s.author_slug, s.outlet_slug) AS slug,
        CASE WHEN s.author_slug IS NOT NULL THEN 'person' ELSE 'organization' END AS kind,
        s.created_at AS created_at,
        ROW_NUMBER() OVER (
            PARTITION BY COALESCE(s.author_slug, s.outlet_slug) ORDER BY s.id
        ) AS n
    FROM sources s
    WHERE COALESCE(s.author_slug, s.outlet_slug) IS NOT NULL
) first
WHERE first.n = 1
ORDER BY first.slug
"""

_SET_CLAIM_SPEAKERS = """
UPDATE claims SET speaker_id = (
    SELECT sp.id FROM sources s JOIN speakers sp
      ON sp.slug = COALESCE(s.author_slug, s.outlet_slug)
    WHERE s.id = claims.source_id
)
"""

# A question per claim, with the claim's id: its wording (the quote when it had none), criteria,
# kind and deadline.
_INSERT_QUESTIONS = """
INSERT INTO questions (id, kind, text, resolution_criteria, deadline_at, created_by_id,
                       created_at, updated_at)
SELECT id, kind, COALESCE(question, quote), resolution_criteria, deadline_at, recorded_by_id,
       created_at, updated_at
FROM claims ORDER BY id
"""


def question_row(claim: dict[str, Any]) -> dict[str, Any]:
    """The question a claim row of a version 1 archive gets: as `_INSERT_QUESTIONS` makes it,
    with the claim's review state as review_move.copy_state_to_questions gives it."""
    return {
        "id": claim.get("id"),
        "kind": claim.get("kind"),
        "text": claim.get("question") if claim.get("question") is not None else claim.get("quote"),
        "resolution_criteria": claim.get("resolution_criteria"),
        "deadline_at": claim.get("deadline_at"),
        "created_by_id": claim.get("recorded_by_id"),
        "created_at": claim.get("created_at"),
        "updated_at": claim.get("updated_at"),
        **{name: claim.get(name) for name in review_move.QUESTION_STATE},
    }


def insert_speakers(connection: Connection) -> None:
    connection.execute(text(_INSERT_SPEAKERS))


def set_claim_speakers(connection: Connection) -> None:
    connection.execute(text(_SET_CLAIM_SPEAKERS))


def insert_questions(connection: Connection) -> None:
    connection.execute(text(_INSERT_QUESTIONS))


def record_move(connection: Connection, at: dt.datetime) -> None:
    """One audit row saying what the move made, chained after the last row (none when there
    was nothing to move: a new, empty record)."""
    counts = {
        name: connection.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()  # noqa: S608 (fixed names)
        for name in ("claims", "questions", "speakers")
    }
    if not counts["claims"] and not counts["speakers"]:
        return
    data = json.dumps(
        {"claims": counts["claims"], "questions": counts["questions"],
         "speakers": counts["speakers"], "rule": "a question per claim; author, else outlet"},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    )  # fmt: skip
    audit.append_on_connection(connection, at, "questions.introduced", "question", data)


class RowWriter(Protocol):
    def row(self, record: dict[str, Any]) -> tuple[Any, ...]: ...

    def write(self, rows: list[tuple[Any, ...]]) -> None: ...


class V1Claims:
    """A version 1 archive as it is restored into today's tables, as the database migrations
    make the same record: each claim gets a question of its own (written just before it, with
    the claim's review state) and its source's speaker once every claim is in; judgements and
    assignments name the claim's question, and edits of what the claim asked become question
    edits (written after the claims' own edits)."""

    NEW_COLUMNS = ("question_id", "stance", "speaker_id")
    MOVED_TO_QUESTION = ("snoozed_until", "snooze_reason")
    CLAIM_EDIT_COLUMNS = frozenset(
        ("id", "claim_id", "field", "old_value", "new_value", "reason", "editor_id", "edited_at")
    )

    def __init__(
        self, connection: Connection, questions: RowWriter, question_edits: RowWriter
    ) -> None:
        self.connection = connection
        self.questions = questions
        self.question_edits = question_edits
        self.batch: list[tuple[Any, ...]] = []
        self.edits: list[tuple[Any, ...]] = []

    def start(self) -> None:
        """Every source is in: make the speakers."""
        insert_speakers(self.connection)

    def row(self, table: str, row: dict[str, Any]) -> dict[str, Any] | None:
        """The row as today's table takes it; None when it goes to another table."""
        if table == "claims":
            return self._claim(row)
        if table in ("resolutions", "assignments") and "claim_id" in row:
            converted = {k: v for k, v in row.items() if k != "claim_id"}
            return {**converted, "question_id": row["claim_id"]}
        if (
            table == "claim_edits"
            and row.keys() == self.CLAIM_EDIT_COLUMNS
            and row["field"] in review_move.QUESTION_FIELDS
        ):
            edit = {k: v for k, v in row.items() if k != "claim_id"}
            edit["question_id"] = row.get("claim_id")
            edit["field"] = review_move.QUESTION_FIELDS[row["field"]]
            self.edits.append(self.question_edits.row(edit))
            return None
        return row

    def _claim(self, row: dict[str, Any]) -> dict[str, Any]:
        if any(name in row for name in self.NEW_COLUMNS):
            return row  # the archive's column check names what does not belong
        self.batch.append(self.questions.row(question_row(row)))
        kept = {k: v for k, v in row.items() if k not in self.MOVED_TO_QUESTION}
        return {**kept, "question_id": row.get("id"), "stance": "for", "speaker_id": None}

    def flush(self) -> None:
        """Write the questions of the claims about to be written."""
        if self.batch:
            self.questions.write(self.batch)
            self.batch.clear()

    def write_question_edits(self) -> None:
        """Every claim edit is read: write those that became the questions'."""
        if self.edits:
            self.question_edits.write(self.edits)
            self.edits.clear()

    def finish(self) -> None:
        set_claim_speakers(self.connection)
        record_move(self.connection, utcnow())
        review_move.record_review_move(self.connection, utcnow(), 0)
