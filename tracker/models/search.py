"""The search index's entries: one per thing search finds (a long source's text, one per part).
Their words live beside them, where each database keeps them: a tsvector column `document`
on PostgreSQL (GIN index), the FTS5 table `search_fts` on SQLite (rowid = entry id). Neither
is declared here: both are made by the migration, and `tracker.search.index` writes them."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base, check_in

SEARCH_KINDS = ("claim", "question", "source", "speaker")
# What the migration makes beside the models, for `alembic check` to leave alone.
ENGINE_OBJECTS = frozenset({"search_fts", "document", "ix_search_entries_document"})


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
