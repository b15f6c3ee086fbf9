"""source scorecards from their forecasts' entries, not from cells of their own

Revision ID: 3e7c1b5a9d20
Revises: f96895ff13f4
Create Date: 2026-12-05 09:00:00.000000

A source is one article: its scorecard now adds up the entries of its forecasts (found by a
new index on `score_entries.source_id`) instead of reading cells kept for it in every period,
which were a third of all cells at a million forecasts. Its cells are dropped and
`score_cells` no longer accepts the dimension. The other cells are kept as they are.
Downgrading allows the dimension again and has the product count every forecast again on
first use (no scorecard_state row), which gives sources their cells back.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3e7c1b5a9d20"
down_revision: str | Sequence[str] | None = "f96895ff13f4"
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
_WITH_SOURCE = "dimension IN ('overall', 'author', 'speaker', 'outlet', 'tag', 'source')"
_WITHOUT_SOURCE = "dimension IN ('overall', 'author', 'speaker', 'outlet', 'tag')"


def _dimensions(check: str, kept: str) -> None:
    """Give `score_cells` the dimension CHECK `check`, keeping the rows matching `kept`."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DELETE FROM score_cells WHERE NOT ({kept})")  # noqa: S608 - fixed text
        op.drop_constraint(op.f("ck_score_cells_dimension"), "score_cells", type_="check")
        op.create_check_constraint(op.f("ck_score_cells_dimension"), "score_cells", check)
        return
    # SQLite alters a CHECK only by copying the table (kept WITHOUT ROWID, in its key's order).
    op.create_table(
        "score_cells_new",
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("dimension", sa.String(length=8), nullable=False),
        sa.Column("group_key", sa.String(length=200), nullable=False),
        sa.Column("hedged", sa.Boolean(), nullable=False),
        sa.Column("bin", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in _SUMS),
        sa.CheckConstraint(check, name=op.f("ck_score_cells_dimension")),
        sa.CheckConstraint("bin >= 0 AND bin <= 9", name=op.f("ck_score_cells_bin")),
        sa.PrimaryKeyConstraint(
            "period", "dimension", "group_key", "hedged", "bin", name=op.f("pk_score_cells")
        ),
        sqlite_with_rowid=False,
    )
    columns = ", ".join(("period", "dimension", "group_key", "hedged", "bin", *_SUMS))
    op.execute(
        f"INSERT INTO score_cells_new ({columns}) SELECT {columns} FROM score_cells "  # noqa: S608 - fixed names
        f"WHERE {kept} ORDER BY period, dimension, group_key, hedged, bin"
    )
    op.drop_table("score_cells")
    op.rename_table("score_cells_new", "score_cells")


def upgrade() -> None:
    _dimensions(_WITHOUT_SOURCE, "dimension <> 'source'")
    with op.batch_alter_table("score_entries", schema=None) as batch_op:
        batch_op.create_index("ix_score_entries_source_id", ["source_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("score_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_score_entries_source_id")
    _dimensions(_WITH_SOURCE, "1 = 1")
    op.execute("DELETE FROM scorecard_state")
