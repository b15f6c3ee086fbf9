"""comparative scores and speakers in the scorecard's sums

Revision ID: 7d41c0a9e3b5
Revises: 5c3e2a9d7b14
Create Date: 2026-12-02 09:00:00.000000

The sums gain the baseline and peer scores (in whole units of a millionth of a point) and a
group per speaker; each forecast's entry keeps its question and speaker, so that a change of
one forecast counts its question's forecasts again; on PostgreSQL the cells leave room on
each page for their updates (fillfactor 70). The old sums are dropped rather than
converted: without the scorecard_state row the product counts every forecast again on first
use (or with `tracker score --rebuild`), in the database.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7d41c0a9e3b5"
down_revision: str | Sequence[str] | None = "5c3e2a9d7b14"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = ("n", "n_true", "sum_probability", "sum_squared_error", "sum_log", "n_unscored")
_AFTER = (
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
_DIMENSIONS = {
    _BEFORE: "dimension IN ('overall', 'author', 'outlet', 'tag', 'source')",
    _AFTER: "dimension IN ('overall', 'author', 'speaker', 'outlet', 'tag', 'source')",
}


def _sums(names: tuple[str, ...]) -> list[sa.Column[int]]:
    return [sa.Column(name, sa.BigInteger(), nullable=False) for name in names]


def _create(names: tuple[str, ...]) -> None:
    comparative = names == _AFTER
    op.create_table(
        "score_cells",
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("dimension", sa.String(length=8), nullable=False),
        sa.Column("group_key", sa.String(length=200), nullable=False),
        sa.Column("hedged", sa.Boolean(), nullable=False),
        sa.Column("bin", sa.Integer(), nullable=False),
        *_sums(names),
        sa.CheckConstraint(_DIMENSIONS[names], name=op.f("ck_score_cells_dimension")),
        sa.CheckConstraint("bin >= 0 AND bin <= 9", name=op.f("ck_score_cells_bin")),
        sa.PrimaryKeyConstraint(
            "period", "dimension", "group_key", "hedged", "bin", name=op.f("pk_score_cells")
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "score_entries",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        *([sa.Column("question_id", sa.Integer(), nullable=False)] if comparative else []),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("hedged", sa.Boolean(), nullable=False),
        sa.Column("bin", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=True),
        *([sa.Column("speaker", sa.String(length=200), nullable=True)] if comparative else []),
        sa.Column("outlet", sa.String(length=200), nullable=True),
        sa.Column("tags", sa.Text(), nullable=False),
        *_sums(names),
        sa.CheckConstraint("bin >= 0 AND bin <= 9", name=op.f("ck_score_entries_bin")),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_score_entries_claim_id_claims")
        ),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_score_entries")),
    )
    if comparative:
        with op.batch_alter_table("score_entries", schema=None) as batch_op:
            batch_op.create_index("ix_score_entries_question_id", ["question_id"], unique=False)


def upgrade() -> None:
    op.execute("DELETE FROM scorecard_state")
    op.drop_table("score_entries")
    op.drop_table("score_cells")
    _create(_AFTER)
    if op.get_bind().dialect.name == "postgresql":
        # Room on each page for a cell's next version: resolving a question updates some
        # fifteen thousand cells, and an update that stays on its page (HOT) leaves the
        # primary key's index alone, which halves the work.
        op.execute("ALTER TABLE score_cells SET (fillfactor = 70)")


def downgrade() -> None:
    op.execute("DELETE FROM scorecard_state")
    with op.batch_alter_table("score_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_score_entries_question_id")
    op.drop_table("score_entries")
    op.drop_table("score_cells")
    _create(_BEFORE)
