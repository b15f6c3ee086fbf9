"""The search index's entries: one per thing search finds (a long source's text, one per part).
Their words live beside them, where each database keeps them: on PostgreSQL a tsvector column
`document` under two GIN indexes (its words; the pairs of its words that find a phrase's
entries), on SQLite the FTS5 table `search_fts` (rowid = entry id).
None is declared here: the migrations make them, and `tracker.search.index` writes them."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base, check_in

SEARCH_KINDS = ("claim", "question", "source", "speaker")
# What the migration makes beside the models, for `alembic check` to leave alone.
ENGINE_OBJECTS = frozenset(
    {"search_fts", "document", "ix_search_entries_document", "ix_search_entries_pairs"}
)


class SearchEntry(Base):
    __tablename__ = "search_entries"
    __table_args__ = (
        UniqueConstraint("kind", "entity_id", "part"),
        CheckConstraint(check_in("kind", SEARCH_KINDS), name="kind"),
        CheckConstraint("part >= 0", name="part"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[int] = mapped_column(Integer)
    part: Mapped[int] = mapped_column(Integer, default=0)
