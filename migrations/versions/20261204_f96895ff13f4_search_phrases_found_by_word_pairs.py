"""search: PostgreSQL finds a phrase's entries by the pairs of words in it

Revision ID: f96895ff13f4
Revises: a5e0c2f7b914
Create Date: 2026-12-04 09:00:00.000000

PostgreSQL's GIN index on the entries' words keeps no positions: for "strait of hormuz" it
gives every entry with both words, and each of those is read from the table to see whether
the words stand together; a phrase of common words read thousands of entries, or the whole
table when the planner expected to find enough early. A second GIN index now holds, for each
entry, a number for every two of its words one or two places apart (the word, the distance,
the word after it, hashed into 65,536 numbers), computed by the database from the entry's
tsvector, so every write keeps it. A phrase's entries are looked up by its pairs first and
only those with every pair are checked for the phrase itself: the same entries are found,
few are read. The table itself is unchanged. SQLite (FTS5 keeps positions) is left as it was.
Upgrading indexes every existing entry; downgrading drops the index and its function.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "f96895ff13f4"
down_revision: str | Sequence[str] | None = "a5e0c2f7b914"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Only pg_catalog's functions inside, so that a restore (which empties search_path) computes
# the same numbers. Pairs that share a number only make an entry checked that need not be; the
# fewer numbers, the smaller the index (its lists compress better) and the more such entries.
_PAIR_KEYS = """
CREATE FUNCTION search_pair_keys(document tsvector) RETURNS integer[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  WITH p AS (SELECT t.lexeme, unnest(t.positions) AS pos FROM unnest(document) AS t)
  SELECT coalesce(
    array_agg(DISTINCT hashtext(a.lexeme || ' ' || g.gap || ' ' || b.lexeme) & 65535), '{}')
  FROM p AS a CROSS JOIN (VALUES (1), (2)) AS g (gap) JOIN p AS b ON b.pos = a.pos + g.gap
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_PAIR_KEYS)
    op.execute(
        "CREATE INDEX ix_search_entries_pairs ON search_entries"
        " USING gin (search_pair_keys(document))"
    )
    # The planner's estimates for the new index come from the statistics of its expression.
    op.execute("ANALYZE search_entries")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_search_entries_pairs")
    op.execute("DROP FUNCTION search_pair_keys(tsvector)")
