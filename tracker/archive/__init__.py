"""Export and restore: everything the tracker holds, as one versioned, streamed archive file.

The file is JSON Lines (one JSON value per line, UTF-8, "\\n" line ends):

    {"format": "claim-tracker-archive", "version": 1, "schema": "<alembic head>", "tables": [...]}
    {"table": "users", "row": {...}}              one line per row, tables in the header's order,
    ...                                           rows in primary key order
    {"end": true, "counts": {"users": 3, ...}}    the trailer: a file without it is truncated

Every line is written with sorted keys and no extra spaces; times are UTC ISO 8601 with
microseconds and a `Z`; bytes (a fetched page as it came) are base64. Restoring a file and
exporting again gives the same bytes, on SQLite and PostgreSQL alike. Secrets are left out:
users come back without password hashes or invitations (they set a new password) and API
tokens are not archived (they are issued again). Audit rows are kept as they
are, so `tracker audit verify` holds after a restore; a restore adds no audit row of its own, or
the archive of a restored database would differ from the one it came from.

A restore checks every promise the archive's hashes and offsets make and refuses the whole file
when one is broken: each source's text and fetched page match their sha256, each claim's quote
is its source's text at its offsets, and the audit log's chain holds. What is derived from the
rows (the question matcher's terms, the search index, the scorecard's sums) is not archived but
built again in the same transaction, so the restored tracker serves at once.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    Float,
    LargeBinary,
    String,
    Table,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.orm import Session

from tracker import (
    integrity,
    migrate,
    models,  # noqa: F401  (defines every table on Base.metadata)
)
from tracker.archive.rows import (  # noqa: F401  (EXCLUDED_COLUMNS is part of this module's surface)
    EXCLUDED_COLUMNS,
    ArchiveError,
    Writer,
    archived_columns,
    dump,
    time_text,
)
from tracker.db import Base, UTCDateTime
from tracker.questions import legacy, retrieval
from tracker.scorecard import recount as scorecard_recount
from tracker.search import index as search_index
from tracker.text import load_json

FORMAT = "claim-tracker-archive"
VERSION = 2

# In the order rows must be inserted (foreign keys point backwards only).
TABLES = (
    "users",
    "reminder_settings",
    "sources",
    "speakers",
    "questions",
    "claims",
    "claim_tags",
    "resolutions",
    "evidence",
    "assignments",
    "claim_edits",
    "question_edits",
    "audit_log",
)
# Tables left out on purpose, with the reason.
EXCLUDED_TABLES = {
    "api_tokens": "bearer tokens are secrets; they are issued again after a restore",
    "login_sessions": "who is logged in where; everyone logs in again after a restore",
    "rate_limits": "counters of the last minutes' attempts; they start again at zero",
    "idempotency_keys": "replayable answers of recent API retries, kept for a day",
    "alembic_version": "the schema revision is in the header",
    "reminders": "planned from the questions by the scheduler's next tick (what fell due comes"
    " as one digest per recipient)",
    "outbox": "messages in flight and their delivery log; the scheduler writes them anew",
    "scheduler_heartbeats": "the liveness of this installation's scheduler processes",
    "score_entries": "the scorecard's running sums, counted again from the claims by the restore",
    "score_cells": "the scorecard's running sums, counted again from the claims by the restore",
    "scorecard_state": "written by the restore once it has counted the scorecard's sums",
    "question_terms": "the words each question is found by, indexed again from the restored"
    " questions and claims",
    "question_term_counts": "how many questions use each word, counted again with question_terms",
    "search_entries": "the search index, made again from the restored record",
}
BATCH = 1000
# Version 1 (before questions and speakers): restored by giving each claim a question and each
# source's author or outlet a speaker, and its review to its question, as the database
# migrations do.
V1_TABLES = tuple(
    name for name in TABLES if name not in ("speakers", "questions", "question_edits")
)


@dataclass(frozen=True)
class Summary:
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _encoder(column: Column[Any]) -> Callable[[Any], Any]:
    if isinstance(column.type, UTCDateTime | DateTime):
        return lambda v: None if v is None else time_text(v)
    if isinstance(column.type, LargeBinary):
        return lambda v: None if v is None else base64.b64encode(bytes(v)).decode("ascii")
    if isinstance(column.type, Boolean):
        return lambda v: None if v is None else bool(v)
    if isinstance(column.type, Float):
        return lambda v: None if v is None else float(v)
    return lambda v: v


def _order_by(connection: Connection, table: Table) -> list[Any]:
    """Primary key order, comparing text by code point on both databases."""
    keys: list[Any] = []
    for column in table.primary_key.columns:
        if isinstance(column.type, String) and connection.dialect.name == "postgresql":
            keys.append(column.collate("C"))
        else:
            keys.append(column)
    return keys


def schema_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def export_lines(connection: Connection) -> Iterator[str]:
    """The archive, one line at a time (each ending in a newline), read in one snapshot."""
    yield (
        dump(
            {
                "format": FORMAT,
                "version": VERSION,
                "schema": schema_revision(connection),
                "tables": list(TABLES),
            }
        )
        + "\n"
    )
    counts: dict[str, int] = {}
    for name in TABLES:
        table = _table(name)
        columns = archived_columns(table)
        encoders = [(c.name, _encoder(c)) for c in columns]
        query = select(*columns).order_by(*_order_by(connection, table))
        result = connection.execution_options(yield_per=BATCH).execute(query)
        count = 0
        for row in result:
            record = {k: encode(v) for (k, encode), v in zip(encoders, row, strict=True)}
            yield dump({"row": record, "table": name}) + "\n"
            count += 1
        counts[name] = count
    yield dump({"counts": counts, "end": True}) + "\n"


def export(engine: Engine, out: IO[str]) -> Summary:
    """Write the whole database to `out`, from one consistent snapshot."""
    counts: dict[str, int] = {}
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        with connection.begin():
            current = schema_revision(connection)
            if current not in migrate.heads():
                raise ArchiveError(
                    f"the database is at schema {current or 'none'}, not the latest: "
                    "run `tracker db upgrade` first"
                )
            for line in export_lines(connection):
                out.write(line)
                if line.startswith('{"row"'):
                    continue
                trailer = json.loads(line)
                if trailer.get("end"):
                    counts = trailer["counts"]
    return Summary(counts)


def _parse_lines(lines: Iterable[str]) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(lines, start=1):
        if not line.endswith("\n"):
            raise ArchiveError(f"line {number}: the archive is truncated (no line end)")
        try:
            yield number, load_json(line)
        except ValueError as error:
            raise ArchiveError(f"line {number}: not JSON ({error})") from None


def _check_header(header: Any) -> tuple[str, ...]:
    """The tables the archive holds, in order, by its version."""
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ArchiveError(f"not a claim tracker archive (the first line names no {FORMAT!r})")
    version = header.get("version")
    tables = {1: V1_TABLES, VERSION: TABLES}.get(version) if isinstance(version, int) else None
    if tables is None:
        raise ArchiveError(
            f"archive version {version!r} is not one this tracker reads (it reads 1 and {VERSION})"
        )
    if header.get("tables") != list(tables):
        raise ArchiveError("the archive's tables are not the ones this version names")
    return tables


def _check_target(connection: Connection) -> None:
    head = migrate.heads()
    current = schema_revision(connection)
    if current is None:
        raise ArchiveError("the database is not migrated: run `tracker db upgrade` first")
    if current not in head:
        raise ArchiveError(
            f"the database is at schema {current}, not the latest ({', '.join(head)}): "
            "run `tracker db upgrade` first"
        )
    for name in (*TABLES, *[t for t in EXCLUDED_TABLES if t in Base.metadata.tables]):
        table = _table(name)
        if connection.execute(select(func.count()).select_from(table)).scalar():
            raise ArchiveError(
                f"the database is not empty ({name} has rows): restore only into a new, "
                "migrated database"
            )


def _advance_sequences(connection: Connection) -> None:
    """After inserting explicit ids, make PostgreSQL hand out the next id above them."""
    if connection.dialect.name != "postgresql":
        return
    for name in TABLES:
        table = _table(name)
        if "id" not in table.primary_key.columns:
            continue
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608 (fixed names)
                f"COALESCE((SELECT max(id) FROM {name}), 0) + 1, false)"
            )
        )


def restore(engine: Engine, lines: Iterable[str]) -> Summary:
    """Load an archive into an empty, migrated database in one transaction: all of it or none."""
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            connection = connection.execution_options(sqlite_begin="IMMEDIATE")
        with connection.begin():
            _check_target(connection)
            counts = _load(connection, _parse_lines(lines))
            _check_promises(connection)
            retrieval.rebuild(connection)
            _advance_sequences(connection)
            search_index.rebuild(connection)
            # The scorecard's sums, counted here rather than by the first page served, which
            # would take as long (minutes for a million forecasts) and might be cut off.
            with Session(bind=connection) as session:
                scorecard_recount.rebuild(session)
    return Summary(counts)


def _check_source_row(row: dict[str, Any]) -> None:
    raw = row.get("raw_body")
    bad = integrity.check_source(
        row["id"],
        row.get("text"),
        row.get("text_sha256"),
        None if raw is None else base64.b64decode(raw),
        row.get("raw_sha256"),
    )
    if bad is not None:
        raise ArchiveError(f"{bad}; the archive was changed after it was made")


def _check_promises(connection: Connection) -> None:
    """What can only be checked once every row is in: quotes, and the audit log's chain."""
    with Session(bind=connection) as session:
        broken = integrity.quotes_and_chain(session)
    if broken is not None:
        raise ArchiveError(f"{broken}; the archive was changed after it was made")


def _load(connection: Connection, parsed: Iterator[tuple[int, Any]]) -> dict[str, int]:
    first = next(parsed, None)
    if first is None:
        raise ArchiveError("the archive is empty")
    tables = _check_header(first[1])
    v1 = (
        legacy.V1Claims(
            connection,
            Writer(connection, _table("questions")),
            Writer(connection, _table("question_edits")),
        )
        if tables is V1_TABLES
        else None
    )
    counts = dict.fromkeys(tables, 0)
    position = 0  # index into tables of the table being read
    batch: list[tuple[Any, ...]] = []
    writer = Writer(connection, _table(tables[0]))
    columns = set(writer.names)

    def flush() -> None:
        if batch:
            if v1 is not None and writer.table.name == "claims":
                v1.flush()
            writer.write(batch)
            batch.clear()

    for number, value in parsed:
        if not isinstance(value, dict):
            raise ArchiveError(f"line {number}: expected an object")
        if value.get("end") is True:
            flush()
            if value.get("counts") != counts:
                raise ArchiveError(
                    f"line {number}: the trailer counts {value.get('counts')} rows, "
                    f"the file holds {counts}"
                )
            if next(parsed, None) is not None:
                raise ArchiveError(f"line {number + 1}: lines after the end of the archive")
            if v1 is not None:
                if position < tables.index("claims"):
                    v1.start()
                v1.write_question_edits()
                v1.finish()
            return counts
        name, row = value.get("table"), value.get("row")
        if name not in tables or not isinstance(row, dict):
            raise ArchiveError(f"line {number}: not a row of a known table")
        index = tables.index(name)
        if index < position:
            raise ArchiveError(f"line {number}: {name} rows must come before {tables[position]}")
        if index > position:
            flush()
            if v1 is not None:
                if position < tables.index("claims") <= index:
                    v1.start()
                if position <= tables.index("claim_edits") < index:
                    v1.write_question_edits()
            position = index
            writer = Writer(connection, _table(name))
            columns = set(writer.names)
        converted: dict[str, Any] | None = row
        try:
            if v1 is not None:
                converted = v1.row(name, row)
        except ArchiveError as error:
            raise ArchiveError(f"line {number}: {error.message}") from None
        if converted is None:  # a version 1 row that went to another table
            counts[name] += 1
            continue
        row = converted
        if row.keys() != columns:
            unknown = sorted(set(row) - columns)
            missing = sorted(columns - set(row))
            raise ArchiveError(
                f"line {number}: {name} row does not match the table"
                + (f"; unknown: {', '.join(unknown)}" if unknown else "")
                + (f"; missing: {', '.join(missing)}" if missing else "")
            )
        try:
            batch.append(writer.row(row))
            if name == "sources":
                _check_source_row(row)
        except ArchiveError as error:
            raise ArchiveError(f"line {number}: {error.message}") from None
        counts[name] += 1
        if len(batch) >= BATCH:
            flush()
    raise ArchiveError("the archive is truncated: it has no end line")
