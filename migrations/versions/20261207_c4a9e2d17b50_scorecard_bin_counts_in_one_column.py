"""a calibration bin's count and number come true kept in one column of the scorecard's cells

Revision ID: c4a9e2d17b50
Revises: b81d4f0e6a37
Create Date: 2026-12-07 09:00:00.000000

Each calibration bin of a `score_cells` row kept three columns: the scored forecasts' count,
their probabilities' sum and how many came true (`bin{i}_n`, `bin{i}_p`, `bin{i}_t`). The
two counts are now one whole number, `bin{i}_nt` = count * 2**32 + number come true, which
adds up exactly as the pair does (while a cell holds fewer than 2**31 forecasts): a date
range reads and adds up 29 columns of a row instead of 39.

The sums are counted again from the claims: by `tracker db upgrade` once it reaches this
revision, else by the first reader (no scorecard_state row). Downgrading gives back the
three columns per bin, empty, counted again the same way.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4a9e2d17b50"
down_revision: str | Sequence[str] | None = "b81d4f0e6a37"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SUMS = (
    "n",
    "n_true",
    "sum_probability",
    "sum_squared_error",
    "sum_log",
    "sum_baseline",
    "n_peer",
    "sum_peer",
    "n_unscored",
)
_DIMENSIONS = "dimension IN ('overall', 'author', 'speaker', 'outlet', 'tag')"
_KEY = ("period", "dimension", "group_key", "hedged")


def _cells(bin_parts: Sequence[str]) -> None:
    """`score_cells`, emptied (with what was counted: the sums are counted again), with
    these columns per calibration bin."""
    op.execute("DELETE FROM scorecard_state")
    op.execute("DELETE FROM score_entries")
    op.drop_table("score_cells")
    bins = tuple(f"bin{i}_{part}" for i in range(10) for part in bin_parts)
    op.create_table(
        "score_cells",
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("dimension", sa.String(length=8), nullable=False),
        sa.Column("group_key", sa.String(length=200), nullable=False),
        sa.Column("hedged", sa.Boolean(), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in _SUMS + bins),
        sa.CheckConstraint(_DIMENSIONS, name=op.f("ck_score_cells_dimension")),
        sa.PrimaryKeyConstraint(*_KEY, name=op.f("pk_score_cells")),
        sqlite_with_rowid=False,
    )
    if op.get_bind().dialect.name == "postgresql":
        # room on each page for a row's next version (updates stay on the page)
        op.execute("ALTER TABLE score_cells SET (fillfactor = 70)")


def upgrade() -> None:
    _cells(("nt", "p"))


def downgrade() -> None:
    _cells(("n", "p", "t"))
