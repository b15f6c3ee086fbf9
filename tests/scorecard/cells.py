"""The scorecard's kept sums as plain rows, for tests that compare them (after a recount, a
restore, a change undone)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.models import CELL_FIELDS, ScoreCell

Cell = tuple[object, ...]  # period, dimension, group key, hedged, then CELL_FIELDS


def every_cell(session: Session) -> list[Cell]:
    """Every cell that holds something, with its key, in key order. The sums are whole
    numbers, so two ways of counting the same forecasts give equal rows."""
    table = ScoreCell.__table__
    key = [table.c.period, table.c.dimension, table.c.group_key, table.c.hedged]
    rows = session.execute(select(*key, *(table.c[name] for name in CELL_FIELDS)))
    return sorted(tuple(row) for row in rows if any(row[len(key) :]))
