"""the scorecard's calibration bins as columns of one row per group, period and hedged flag

Revision ID: b81d4f0e6a37
Revises: 3e7c1b5a9d20
Create Date: 2026-12-06 09:00:00.000000

`score_cells` kept a row per calibration bin, and `score_totals` the same over the bins for
the groups the front page lists. A cell is now one row per period, group and hedged flag: the
totals, and per bin the scored forecasts' count, probabilities' sum and number come true
(`bin{i}_n`, `bin{i}_p`, `bin{i}_t`), which is all calibration reads of a bin. A date range
reads a tenth of the rows it did, and `score_totals` is no longer needed.

The sums are counted again from the claims: by `tracker db upgrade` once it reaches this
revision, else by the first reader (no scorecard_state row). Downgrading gives back the
former tables, empty, counted again the same way.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b81d4f0e6a37"
down_revision: str | Sequence[str] | None = "3e7c1b5a9d20"
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
_BINS = tuple(f"bin{i}_{part}" for i in range(10) for part in ("n", "p", "t"))
_DIMENSIONS = "dimension IN ('overall', 'author', 'speaker', 'outlet', 'tag')"
_KEY = ("period", "dimension", "group_key", "hedged")


def _key_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("dimension", sa.String(length=8), nullable=False),
        sa.Column("group_key", sa.String(length=200), nullable=False),
        sa.Column("hedged", sa.Boolean(), nullable=False),
    ]


def _sums(names: Sequence[str]) -> list[sa.Column[object]]:
    return [sa.Column(name, sa.BigInteger(), nullable=False) for name in names]


def _fill_to_70(table: str) -> None:
    """PostgreSQL: room on each page for a row's next version (updates stay on the page)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {table} SET (fillfactor = 70)")


def upgrade() -> None:
    op.execute("DELETE FROM scorecard_state")
    op.execute("DELETE FROM score_entries")
    op.drop_table("score_totals")
    op.drop_table("score_cells")
    op.create_table(
        "score_cells",
        *_key_columns(),
        *_sums(_SUMS + _BINS),
        sa.CheckConstraint(_DIMENSIONS, name=op.f("ck_score_cells_dimension")),
        sa.PrimaryKeyConstraint(*_KEY, name=op.f("pk_score_cells")),
        sqlite_with_rowid=False,
    )
    _fill_to_70("score_cells")


def downgrade() -> None:
    op.execute("DELETE FROM scorecard_state")
    op.execute("DELETE FROM score_entries")
    op.drop_table("score_cells")
    op.create_table(
        "score_cells",
        *_key_columns(),
        sa.Column("bin", sa.Integer(), nullable=False),
        *_sums(_SUMS),
        sa.CheckConstraint(_DIMENSIONS, name=op.f("ck_score_cells_dimension")),
        sa.CheckConstraint("bin >= 0 AND bin <= 9", name=op.f("ck_score_cells_bin")),
        sa.PrimaryKeyConstraint(*_KEY, "bin", name=op.f("pk_score_cells")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "score_totals",
        *_key_columns(),
        *_sums(_SUMS),
        sa.CheckConstraint(
            "dimension IN ('speaker', 'outlet')", name=op.f("ck_score_totals_dimension")
        ),
        sa.PrimaryKeyConstraint(*_KEY, name=op.f("pk_score_totals")),
        sqlite_with_rowid=False,
    )
    _fill_to_70("score_cells")
    _fill_to_70("score_totals")
