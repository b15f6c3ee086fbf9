"""search index: entries with a weighted tsvector (PostgreSQL, GIN) or an FTS5 table (SQLite)

Filled from the record as it stands at this revision; from then on the services keep it
current and `tracker search reindex` rebuilds it. The fill below is frozen with the revision
(its own queries of the tables as they are here), so later changes of the index's code never
change what this migration does.

Revision ID: d3da6553c50d
Revises: 6b5c38153028
Create Date: 2026-11-30 12:00:00.000000
"""

from collections import defaultdict
from collections.abc import Iterator, Sequence

import sqlalchemy as sa
from alembic import op

from tracker.search.terms import plain

revision: str = "d3da6553c50d"
down_revision: str | Sequence[str] | None = "6b5c38153028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TSVECTOR = (
    "setweight(to_tsvector('english', :title), 'A') || "
    "setweight(to_tsvector('english', :people), 'B') || "
    "setweight(to_tsvector('english', :body), 'D')"
)


def _chunks(text: str) -> Iterator[tuple[int, int]]:
    """The parts a source's text was indexed in at this revision: up to 40,000 characters."""
    start = 0
    while start < len(text):
        end = min(start + 40_000, len(text))
        if end < len(text):
            space = text.rfind(" ", start + 20_000, end)
            if space > start:
                end = space + 1
        yield start, end
        start = end


def _join(*values: str | None) -> str:
    return " ".join(plain(v) for v in values if v)


def _rows(connection: sa.Connection) -> Iterator[tuple[str, int, int, str, str, str]]:
    tags: dict[int, list[str]] = defaultdict(list)
    for claim_id, tag in connection.execute(sa.text("SELECT claim_id, tag FROM claim_tags")):
        tags[claim_id].append(tag.replace("-", " "))
    for claim_id, quote, question, condition, speaker, outlet in connection.execute(
        sa.text(
            "SELECT c.id, c.quote, c.question, c.condition, sp.name, s.outlet FROM claims c"
            " JOIN sources s ON s.id = c.source_id LEFT JOIN speakers sp ON sp.id = c.speaker_id"
            " ORDER BY c.id"
        )
    ).fetchall():
        body = _join(question, condition, " ".join(tags.get(claim_id, ())))
        yield "claim", claim_id, 0, _join(quote), _join(speaker, outlet), body
    for question_id, wording, criteria in connection.execute(
        sa.text("SELECT id, text, resolution_criteria FROM questions ORDER BY id")
    ).fetchall():
        yield "question", question_id, 0, _join(wording), "", _join(criteria)
    source_ids = connection.execute(sa.text("SELECT id FROM sources ORDER BY id")).scalars().all()
    for source_id in source_ids:
        title, outlet, author, body = connection.execute(
            sa.text("SELECT title, outlet, author, text FROM sources WHERE id = :id"),
            {"id": source_id},
        ).one()
        for part, (start, end) in enumerate(_chunks(body)):
            head = part == 0
            yield (
                "source", source_id, part, _join(title) if head else "",
                _join(outlet, author) if head else "", plain(body[start:end]),
            )  # fmt: skip
    for speaker_id, name in connection.execute(
        sa.text("SELECT id, name FROM speakers ORDER BY id")
    ).fetchall():
        yield "speaker", speaker_id, 0, _join(name), "", ""


def _fill(connection: sa.Connection) -> None:
    postgres = connection.dialect.name == "postgresql"
    last = 0
    for entry_id, (kind, entity_id, part, title, people, body) in enumerate(
        _rows(connection), start=1
    ):
        values = {"id": entry_id, "kind": kind, "entity_id": entity_id, "part": part,
                  "title": title, "people": people, "body": body}  # fmt: skip
        if postgres:
            connection.execute(
                sa.text("INSERT INTO search_entries (id, kind, entity_id, part, document)"
                        f" VALUES (:id, :kind, :entity_id, :part, {_TSVECTOR})"), values,
            )  # fmt: skip
        else:
            connection.execute(
                sa.text("INSERT INTO search_entries (id, kind, entity_id, part)"
                        " VALUES (:id, :kind, :entity_id, :part)"), values,
            )  # fmt: skip
            connection.execute(
                sa.text("INSERT INTO search_fts (rowid, title, people, body)"
                        " VALUES (:id, :title, :people, :body)"), values,
            )  # fmt: skip
        last = entry_id
    if postgres and last:
        connection.execute(
            sa.text("SELECT setval(pg_get_serial_sequence('search_entries', 'id'), :last)"),
            {"last": last},
        )


def upgrade() -> None:
    op.create_table(
        "search_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('claim', 'question', 'source', 'speaker')",
            name=op.f("ck_search_entries_kind"),
        ),
        sa.CheckConstraint("part >= 0", name=op.f("ck_search_entries_part")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_entries")),
        sa.UniqueConstraint(
            "kind", "entity_id", "part", name=op.f("uq_search_entries_kind_entity_id_part")
        ),
    )
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        # Weights: A the title (quote, question, source title, speaker's name), B the people
        # (speaker, outlet, author), D the text. Written by tracker.search.index.
        op.execute("ALTER TABLE search_entries ADD COLUMN document tsvector NOT NULL")
        op.execute("CREATE INDEX ix_search_entries_document ON search_entries USING gin (document)")
    else:
        # English stemming (Porter) over unicode61 words, diacritics removed; the text itself
        # is already folded and split into plain words by tracker.search.terms.
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5(title, people, body,"
            " tokenize = 'porter unicode61 remove_diacritics 2')"
        )
    _fill(connection)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE search_fts")
    op.drop_table("search_entries")
