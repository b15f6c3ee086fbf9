"""Keeping the search index current. Every service that writes what search finds (sources,
claims, questions, speakers) calls `refresh` with the ids it changed, in its own transaction;
`rebuild` makes the whole index again (`tracker search reindex`).

The index is one row per thing found (a long source's text: one row per part of it) in
`search_entries`, with its words in three weighted fields: title (A: a quote, a question, a
source's title, a speaker's name), people (B: speaker, outlet, author) and text (D: the
archived text, a claim's question and tags, a question's criteria). PostgreSQL keeps them as a
weighted tsvector (`english` configuration) under a GIN index; SQLite in the FTS5 table
`search_fts` (porter stemming over unicode61) whose rowid is the entry's id."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, text
from sqlalchemy.orm import Session

from tracker.search.terms import chunks, plain

KINDS = ("claim", "question", "source", "speaker")
BATCH = 1000

_TSVECTOR = (
    "setweight(to_tsvector('english', :title), 'A') || "
    "setweight(to_tsvector('english', :people), 'B') || "
    "setweight(to_tsvector('english', :body), 'D')"
)


@dataclass(frozen=True)
class Row:
    """One entry as the engines index it: plain words only (see terms.plain)."""

    kind: str
    entity_id: int
    part: int
    title: str
    people: str
    body: str


def _join(*values: str | None) -> str:
    return " ".join(plain(v) for v in values if v)


def _source_rows(source_id: int, title: str, outlet: str | None, author: str | None,
                 body: str) -> Iterator[Row]:  # fmt: skip
    for part, (start, end) in enumerate(chunks(body)):
        head = part == 0
        yield Row(
            "source",
            source_id,
            part,
            _join(title) if head else "",
            _join(outlet, author) if head else "",
            plain(body[start:end]),
        )


def _ids_clause(column: str, ids: Sequence[int] | None) -> tuple[str, dict[str, Any]]:
    if ids is None:
        return "", {}
    return f" WHERE {column} IN :ids", {"ids": list(ids)}


def _expanding(sql: str, params: dict[str, Any]) -> Any:
    statement = text(sql)
    if "ids" in params:
        statement = statement.bindparams(bindparam("ids", expanding=True))
    return statement


def claim_rows(connection: Connection, ids: Sequence[int] | None = None) -> Iterator[Row]:
    where, params = _ids_clause("c.id", ids)
    tags: dict[int, list[str]] = defaultdict(list)
    tag_where, _ = _ids_clause("claim_id", ids)
    for claim_id, tag in connection.execute(
        _expanding(f"SELECT claim_id, tag FROM claim_tags{tag_where} ORDER BY claim_id, tag",
                   params), params,
    ):  # fmt: skip
        tags[claim_id].append(tag.replace("-", " "))
    result = connection.execute(
        _expanding(
            "SELECT c.id, c.quote, c.question, c.condition, sp.name, s.outlet FROM claims c"
            " JOIN sources s ON s.id = c.source_id LEFT JOIN speakers sp ON sp.id = c.speaker_id"
            f"{where} ORDER BY c.id",
            params,
        ),
        params,
        execution_options={"yield_per": BATCH},
    )
    for claim_id, quote, question, condition, speaker, outlet in result:
        body = _join(question, condition, " ".join(tags.get(claim_id, ())))
        yield Row("claim", claim_id, 0, _join(quote), _join(speaker, outlet), body)


def question_rows(connection: Connection, ids: Sequence[int] | None = None) -> Iterator[Row]:
    where, params = _ids_clause("id", ids)
    result = connection.execute(
        _expanding(f"SELECT id, text, resolution_criteria FROM questions{where} ORDER BY id",
                   params), params, execution_options={"yield_per": BATCH},
    )  # fmt: skip
    for question_id, wording, criteria in result:
        yield Row("question", question_id, 0, _join(wording), "", _join(criteria))


def source_rows(connection: Connection, ids: Sequence[int] | None = None) -> Iterator[Row]:
    where, params = _ids_clause("id", ids)
    result = connection.execute(
        _expanding(f"SELECT id, title, outlet, author, text FROM sources{where} ORDER BY id",
                   params), params, execution_options={"yield_per": 50},
    )  # fmt: skip
    for source_id, title, outlet, author, body in result:
        yield from _source_rows(source_id, title, outlet, author, body)


def speaker_rows(connection: Connection, ids: Sequence[int] | None = None) -> Iterator[Row]:
    where, params = _ids_clause("id", ids)
    result = connection.execute(
        _expanding(f"SELECT id, name FROM speakers{where} ORDER BY id", params), params
    )
    for speaker_id, name in result:
        yield Row("speaker", speaker_id, 0, _join(name), "", "")


_ROWS = {
    "claim": claim_rows,
    "question": question_rows,
    "source": source_rows,
    "speaker": speaker_rows,
}


def _batches(rows: Iterable[Row]) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(connection: Connection, rows: list[Row], first_id: int | None = None) -> None:
    """Index rows; with `first_id`, entries get ids from it on (a rebuild, in bulk)."""
    if not rows:
        return
    values = [
        {"kind": r.kind, "entity_id": r.entity_id, "part": r.part, "title": r.title,
         "people": r.people, "body": r.body}
        for r in rows
    ]  # fmt: skip
    if connection.dialect.name == "postgresql":
        if first_id is None:
            connection.execute(
                text("INSERT INTO search_entries (kind, entity_id, part, document)"
                     f" VALUES (:kind, :entity_id, :part, {_TSVECTOR})"), values,
            )  # fmt: skip
        else:
            for offset, value in enumerate(values):
                value["id"] = first_id + offset
            connection.execute(
                text("INSERT INTO search_entries (id, kind, entity_id, part, document)"
                     f" VALUES (:id, :kind, :entity_id, :part, {_TSVECTOR})"), values,
            )  # fmt: skip
        return
    if first_id is None:
        for value in values:
            value["id"] = connection.scalar(
                text("INSERT INTO search_entries (kind, entity_id, part)"
                     " VALUES (:kind, :entity_id, :part) RETURNING id"), value,
            )  # fmt: skip
    else:
        for offset, value in enumerate(values):
            value["id"] = first_id + offset
        connection.execute(
            text("INSERT INTO search_entries (id, kind, entity_id, part)"
                 " VALUES (:id, :kind, :entity_id, :part)"), values,
        )  # fmt: skip
    connection.execute(
        text("INSERT INTO search_fts (rowid, title, people, body)"
             " VALUES (:id, :title, :people, :body)"), values,
    )  # fmt: skip


def _remove(connection: Connection, kind: str, ids: Sequence[int]) -> None:
    params = {"kind": kind, "ids": list(ids)}
    where = "kind = :kind AND entity_id IN :ids"
    if connection.dialect.name == "sqlite":
        connection.execute(
            text(f"DELETE FROM search_fts WHERE rowid IN (SELECT id FROM search_entries"
                 f" WHERE {where})").bindparams(bindparam("ids", expanding=True)), params,
        )  # fmt: skip
    connection.execute(
        text(f"DELETE FROM search_entries WHERE {where}").bindparams(
            bindparam("ids", expanding=True)
        ),
        params,
    )


def refresh_connection(connection: Connection, kind: str, ids: Iterable[int]) -> None:
    """Index these things of one kind as they are now; ids no longer in the record leave it."""
    unique = sorted(set(ids))
    for start in range(0, len(unique), BATCH):
        batch = unique[start : start + BATCH]
        _remove(connection, kind, batch)
        for rows in _batches(_ROWS[kind](connection, batch)):
            _insert(connection, rows)


def refresh(
    session: Session,
    *,
    claims: Iterable[int] = (),
    questions: Iterable[int] = (),
    sources: Iterable[int] = (),
    speakers: Iterable[int] = (),
) -> None:
    """Bring the index up to date with these claims, questions, sources and speakers as the
    session has them (flushed): new ones are added, changed ones written again, and those no
    longer in the record (deleted, merged away) removed."""
    session.flush()
    connection = session.connection()
    for kind, ids in (("claim", claims), ("question", questions), ("source", sources),
                      ("speaker", speakers)):  # fmt: skip
        ids = [i for i in ids if i is not None]
        if ids:
            refresh_connection(connection, kind, ids)


def speaker_claims(session: Session, speaker_ids: Iterable[int]) -> list[int]:
    """The claims of these speakers: their entries carry the speaker's name."""
    ids = list(speaker_ids)
    if not ids:
        return []
    return list(
        session.scalars(
            text("SELECT id FROM claims WHERE speaker_id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": ids},
        )
    )


def clear(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.execute(text("DELETE FROM search_fts"))
        connection.execute(text("DELETE FROM search_entries"))
    else:
        connection.execute(text("TRUNCATE search_entries RESTART IDENTITY"))


def rebuild(connection: Connection) -> dict[str, int]:
    """Make the whole index again from the record; returns the number of entries per kind."""
    clear(connection)
    counts: dict[str, int] = {}
    next_id = 1
    for kind in KINDS:
        counts[kind] = 0
        for rows in _batches(_ROWS[kind](connection)):
            _insert(connection, rows, first_id=next_id)
            next_id += len(rows)
            counts[kind] += len(rows)
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT setval(pg_get_serial_sequence('search_entries', 'id'),"
                 " GREATEST(:last, 1), :last > 0)"), {"last": next_id - 1},
        )  # fmt: skip
    else:
        connection.execute(text("INSERT INTO search_fts (search_fts) VALUES ('optimize')"))
    return counts
