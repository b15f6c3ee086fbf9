"""scorecard sums in whole units, per year, month and day

Revision ID: 5c3e2a9d7b14
Revises: d3da6553c50d
Create Date: 2026-12-01 09:00:00.000000

The sums become whole numbers (fixed-point units) kept per year and month as well as per day,
and each forecast's entry keeps what it added. The old sums are dropped rather than converted:
without the scorecard_state row the product counts every forecast again on first use (or with
`tracker score --rebuild`), in the database, in seconds.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5c3e2a9d7b14"
down_revision: str | Sequence[str] | None = "d3da6553c50d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DIMENSIONS = "dimension IN ('overall', 'author', 'outlet', 'tag', 'source')"


def _sums() -> list[sa.Column[int]]:
    return [
        sa.Column(name, sa.BigInteger(), nullable=False)
        for name in ("n", "n_true", "sum_probability", "sum_squared_error", "sum_log", "n_unscored")
    ]


def upgrade() -> None:
    op.execute("DELETE FROM scorecard_state")
    op.drop_table("score_entries")
    with op.batch_alter_table("score_cells", schema=None) as batch_op:
        batch_op.drop_index("ix_score_cells_period_dimension")
    op.drop_table("score_cells")
    op.create_table(
        "score_cells",
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("dimension", sa.String(length=8), nullable=False),
        sa.Column("group_key", sa.String(length=200), nullable=False),
        sa.Column("hedged", sa.Boolean(), nullable=False),
        sa.Column("bin", sa.Integer(), nullable=False),
        *_sums(),
        sa.CheckConstraint(_DIMENSIONS, name=op.f("ck_score_cells_dimension")),
        sa.CheckConstraint("bin >= 0 AND bin <= 9", name=op.f("ck_score_cells_bin")),
        sa.PrimaryKeyConstraint(
            "period", "dimension", "group_key", "hedged", "bin", name=op.f("pk_score_cells")
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "score_entries",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("hedged", sa.Boolean(), nullable=False),
        sa.Column("bin", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=True),
        sa.Column("outlet", sa.String(length=200), nullable=True),
        sa.Column("tags", sa.Text(), nullable=False),
        *_sums(),
        sa.CheckConstraint("bin >= 0 AND bin <= 9", name=op.f("ck_score_entries_bin")),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_score_entries_claim_id_claims")
        ),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_score_entries")),
    )


def downgrade() -> None:
    op.execute("DELETE FROM scorecard_state")
    op.drop_table("score_entries")
    op.drop_table("score_cells")
    op.create_table(
        "score_cells",
        sa.Column("dimension", sa.String(length=8), nullable=False),
        sa.Column("group_key", sa.String(length=200), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("hedged", sa.Boolean(), nullable=False),
        sa.Column("bin", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("n_true", sa.Integer(), nullable=False),
        sa.Column("sum_probability", sa.Float(), nullable=False),
        sa.Column("sum_squared_error", sa.Float(), nullable=False),
        sa.Column("sum_log", sa.Float(), nullable=False),
        sa.Column("n_unscored", sa.Integer(), nullable=False),
        sa.CheckConstraint(_DIMENSIONS, name=op.f("ck_score_cells_dimension")),
        sa.CheckConstraint("bin >= 0 AND bin <= 9", name=op.f("ck_score_cells_bin")),
        sa.PrimaryKeyConstraint(
            "dimension", "group_key", "period", "hedged", "bin", name=op.f("pk_score_cells")
        ),
    )
    with op.batch_alter_table("score_cells", schema=None) as batch_op:
        batch_op.create_index(
            "ix_score_cells_period_dimension", ["period", "dimension"], unique=False
        )
    op.create_table(
        "score_entries",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("outcome", sa.String(length=8), nullable=True),
        sa.Column("hedged", sa.Boolean(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("groups", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('true', 'false')", name=op.f("ck_score_entries_outcome")
        ),
        sa.CheckConstraint(
            "probability > 0 AND probability < 1", name=op.f("ck_score_entries_probability")
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_score_entries_claim_id_claims")
        ),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_score_entries")),
    )
