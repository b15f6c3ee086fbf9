"""Giving a record made before questions and speakers its questions and speakers: each claim
its own question, each source's author (else outlet) a speaker. The database migration and the
restore of a version 1 archive both do it with these functions, so both give the same record.

Frozen on purpose: a migration that has run must keep meaning what it did."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Protocol

from sqlalchemy import Connection, bindparam, text

from tracker import audit
from tracker.db import UTCDateTime, utcnow

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
    """The question a claim row of a version 1 archive gets: as `_INSERT_QUESTIONS` makes it."""
    return {
        "id": claim["id"],
        "kind": claim["kind"],
        "text": claim["question"] if claim["question"] is not None else claim["quote"],
        "resolution_criteria": claim["resolution_criteria"],
        "deadline_at": claim["deadline_at"],
        "created_by_id": claim["recorded_by_id"],
        "created_at": claim["created_at"],
        "updated_at": claim["updated_at"],
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
    prev = connection.execute(
        text("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
    ).scalar_one_or_none()
    prev_hash = prev or audit.GENESIS
    data = json.dumps(
        {"claims": counts["claims"], "questions": counts["questions"],
         "speakers": counts["speakers"], "rule": "a question per claim; author, else outlet"},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    )  # fmt: skip
    action, entity = "questions.introduced", "question"
    digest = audit.entry_hash(prev_hash, at, None, action, entity, None, data)
    # An explicit id: a restore writes rows with their ids before PostgreSQL's sequences move.
    last_id = connection.execute(text("SELECT COALESCE(max(id), 0) FROM audit_log")).scalar_one()
    next_id = last_id + 1
    connection.execute(
        text(
            "INSERT INTO audit_log (id, at, actor_id, action, entity, entity_id, data, prev_hash,"
            " hash) VALUES (:id, :at, NULL, :action, :entity, NULL, :data, :prev, :hash)"
        ).bindparams(bindparam("at", type_=UTCDateTime())),
        {"id": next_id, "at": at, "action": action, "entity": entity, "data": data,
         "prev": prev_hash, "hash": digest},
    )  # fmt: skip
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT setval(pg_get_serial_sequence('audit_log', 'id'), :n, false)"),
            {"n": next_id + 1},
        )


class RowWriter(Protocol):
    def row(self, record: dict[str, Any]) -> tuple[Any, ...]: ...

    def write(self, rows: list[tuple[Any, ...]]) -> None: ...


class V1Claims:
    """The claims of a version 1 archive as they are restored: each gets a question of its own,
    written just before it, and its source's speaker once every claim is in."""

    NEW_COLUMNS = ("question_id", "stance", "speaker_id")

    def __init__(self, connection: Connection, questions: RowWriter) -> None:
        self.connection = connection
        self.questions = questions
        self.batch: list[tuple[Any, ...]] = []

    def start(self) -> None:
        """Every source is in: make the speakers."""
        insert_speakers(self.connection)

    def row(self, row: dict[str, Any]) -> dict[str, Any]:
        if any(name in row for name in self.NEW_COLUMNS):
            return row  # the archive's column check names what does not belong
        self.batch.append(self.questions.row(question_row(row)))
        return {**row, "question_id": row.get("id"), "stance": "for", "speaker_id": None}

    def flush(self) -> None:
        """Write the questions of the claims about to be written."""
        if self.batch:
            self.questions.write(self.batch)
            self.batch.clear()

    def finish(self) -> None:
        set_claim_speakers(self.connection)
        record_move(self.connection, utcnow())
