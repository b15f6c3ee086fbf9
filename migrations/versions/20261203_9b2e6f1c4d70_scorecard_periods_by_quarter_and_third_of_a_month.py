"""scorecard periods by quarter and by third of a month, and totals of speakers and outlets

Revision ID: 9b2e6f1c4d70
Revises: 7d41c0a9e3b5
Create Date: 2026-12-03 09:00:00.000000

A forecast now counts in two more periods, its deadline's quarter ('2020Q1') and third of a
month ('2020-03:2': days 1-10, 11-20, 21 to the end), so that a date range reads about half
as many periods; the new periods' sums are added up from the days and months already kept
(a third from its days, a quarter from its months). Speakers and outlets, the groups the front
page ranks, also keep their sums over every calibration bin, per period and hedged flag
(`score_totals`, added up from the cells), so that its lists read one row per group, period
and hedged flag instead of up to ten. Downgrading drops the totals and the new periods.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9b2e6f1c4d70"
down_revision: str | Sequence[str] | None = "7d41c0a9e3b5"
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
_THIRD = (
    "substr(period, 1, 7) || ':' || CASE WHEN substr(period, 9, 2) <= '10' THEN '1'"
    " WHEN substr(period, 9, 2) <= '20' THEN '2' ELSE '3' END"
)
_QUARTER = (
    "substr(period, 1, 4) || 'Q' || CASE WHEN substr(period, 6, 2) <= '03' THEN '1'"
    " WHEN substr(period, 6, 2) <= '06' THEN '2' WHEN substr(period, 6, 2) <= '09' THEN '3'"
    " ELSE '4' END"
)


def _add_up(period: str, below: int) -> None:
    sums = ", ".join(_SUMS)
    added = ", ".join(f"SUM({name})" for name in _SUMS)
    op.execute(
        f"INSERT INTO score_cells (period, dimension, group_key, hedged, bin, {sums}) "  # noqa: S608 - fixed names
        f"SELECT {period}, dimension, group_key, hedged, bin, {added} FROM score_cells "
        f"WHERE length(period) = {below} GROUP BY 1, dimension, group_key, hedged, bin"
    )


def upgrade() -> None:
    _add_up(_THIRD, 10)  # thirds of months from days
    _add_up(_QUARTER, 7)  # quarters from months
    op.create_table(
        "score_totals",
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("dimension", sa.String(length=8), nullable=False),
        sa.Column("group_key", sa.String(length=200), nullable=False),
        sa.Column("hedged", sa.Boolean(), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in _SUMS),
        sa.CheckConstraint(
            "dimension IN ('speaker', 'outlet')",
            name=op.f("ck_score_totals_dimension"),
        ),
        sa.PrimaryKeyConstraint(
            "period", "dimension", "group_key", "hedged", name=op.f("pk_score_totals")
        ),
        sqlite_with_rowid=False,
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE score_totals SET (fillfactor = 70)")  # as score_cells
    sums = ", ".join(_SUMS)
    added = ", ".join(f"SUM({name})" for name in _SUMS)
    op.execute(
        f"INSERT INTO score_totals (period, dimension, group_key, hedged, {sums}) "  # noqa: S608 - fixed names
        f"SELECT period, dimension, group_key, hedged, {added} FROM score_cells "
        "WHERE dimension IN ('speaker', 'outlet') "
        "GROUP BY period, dimension, group_key, hedged"
    )


def downgrade() -> None:
    op.drop_table("score_totals")
    op.execute("DELETE FROM score_cells WHERE length(period) IN (6, 9)")
