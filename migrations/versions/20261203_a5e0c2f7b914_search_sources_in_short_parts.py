"""search: sources' texts indexed in short overlapping parts

Revision ID: a5e0c2f7b914
Revises: 9b2e6f1c4d70
Create Date: 2026-12-03 09:00:00.000000

A source's archived text was indexed in parts of up to 40,000 characters: every search that
found a word in one checked and ranked the whole part, which PostgreSQL keeps compressed out
of its row. It is now indexed in parts of about 1,000 characters, each beginning some 80
characters before the one before it ends (so that a phrase cut by a boundary is whole in one
of them). The source entries are written again here from the record; claims, questions and
speakers keep theirs. The parts are cut by this revision's own copy of the rule, so later
changes of the index's code never change what it does; the downgrade writes them back in the
old parts.
"""

from collections.abc import Iterator, Sequence

import sqlalchemy as sa
from alembic import op

from tracker.search.terms import plain

revision: str = "a5e0c2f7b914"
down_revision: str | Sequence[str] | None = "9b2e6f1c4d70"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INSERT_POSTGRESQL = (
    "INSERT INTO search_entries (kind, entity_id, part, document) VALUES (:kind, :entity_id,"
    " :part, setweight(to_tsvector('english', :title), 'A') ||"
    " setweight(to_tsvector('english', :people), 'B') ||"
    " setweight(to_tsvector('english', :body), 'D'))"
)
_BATCH = 500


def _parts(text: str, size: int, overlap: int) -> Iterator[tuple[int, int]]:
    start = 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            space = text.rfind(" ", start + size // 2, end)
            if space > start:
                end = space + 1
        yield start, end
        if end >= len(text) or not overlap:
            start = end
            continue
        back = text.find(" ", end - overlap, end - 1)
        start = back + 1 if back > start else end


def _join(*values: str | None) -> str:
    return " ".join(plain(v) for v in values if v)


def _rows(connection: sa.Connection, size: int, overlap: int) -> Iterator[dict[str, object]]:
    ids = connection.execute(sa.text("SELECT id FROM sources ORDER BY id")).scalars().all()
    for source_id in ids:
        title, outlet, author, body = connection.execute(
            sa.text("SELECT title, outlet, author, text FROM sources WHERE id = :id"),
            {"id": source_id},
        ).one()
        for part, (start, end) in enumerate(_parts(body, size, overlap)):
            head = part == 0
            yield {"kind": "source", "entity_id": source_id, "part": part,
                   "title": _join(title) if head else "",
                   "people": _join(outlet, author) if head else "",
                   "body": plain(body[start:end])}  # fmt: skip


def _write(values: list[dict[str, object]], connection: sa.Connection, next_id: int) -> int:
    if not values:
        return next_id
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text(_INSERT_POSTGRESQL), values)
        return next_id
    for offset, value in enumerate(values):
        value["id"] = next_id + offset
    connection.execute(
        sa.text("INSERT INTO search_entries (id, kind, entity_id, part)"
                " VALUES (:id, :kind, :entity_id, :part)"), values,
    )  # fmt: skip
    connection.execute(
        sa.text("INSERT INTO search_fts (rowid, title, people, body)"
                " VALUES (:id, :title, :people, :body)"), values,
    )  # fmt: skip
    return next_id + len(values)


def _reindex_sources(size: int, overlap: int) -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        connection.execute(
            sa.text("DELETE FROM search_fts WHERE rowid IN"
                    " (SELECT id FROM search_entries WHERE kind = 'source')")
        )  # fmt: skip
    connection.execute(sa.text("DELETE FROM search_entries WHERE kind = 'source'"))
    next_id = int(connection.scalar(sa.text("SELECT max(id) FROM search_entries")) or 0) + 1
    batch: list[dict[str, object]] = []
    for row in _rows(connection, size, overlap):
        batch.append(row)
        if len(batch) >= _BATCH:
            next_id = _write(batch, connection, next_id)
            batch = []
    _write(batch, connection, next_id)


def upgrade() -> None:
    _reindex_sources(1_000, 80)


def downgrade() -> None:
    _reindex_sources(40_000, 0)
