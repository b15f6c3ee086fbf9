"""The scorecard's running sums: what each forecast is counted as, the sums per group, day,
hedging and bin, and one state row that changes with them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base, UTCDateTime, check_in, utcnow

SCORE_DIMENSIONS = ("overall", "author", "outlet", "tag", "source")


class ScoreEntry(Base):
    """What the scorecard currently counts for one forecast: the values it was counted with,
    so that a change takes exactly that out again before counting the new state."""

    __tablename__ = "score_entries"
    __table_args__ = (
        CheckConstraint("probability > 0 AND probability < 1", name="probability"),
        CheckConstraint("outcome IS NULL OR outcome IN ('true', 'false')", name="outcome"),
    )

    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), primary_key=True)
    probability: Mapped[float] = mapped_column(Float)
    # 'true' / 'false' when scored; NULL while the forecast counts as not (yet) scored.
    outcome: Mapped[str | None] = mapped_column(String(8))
    hedged: Mapped[bool] = mapped_column(Boolean)
    period: Mapped[str] = mapped_column(String(10))
    # JSON list of [dimension, key] pairs this forecast was counted under.
    groups: Mapped[str] = mapped_column(Text)


class ScoreCell(Base):
    """Sums over the forecasts of one group, one day (or 'all' time), hedged or not, one
    calibration bin. Resolving a forecast changes a few cells; the scorecard reads only cells.
    (No CHECK on the counts: an upsert's candidate row carries a negative change.)"""

    __tablename__ = "score_cells"
    __table_args__ = (
        CheckConstraint(check_in("dimension", SCORE_DIMENSIONS), name="dimension"),
        CheckConstraint("bin >= 0 AND bin <= 9", name="bin"),
        # The front page reads every all-time cell of three dimensions; a group page uses the
        # primary key (dimension, group_key, period, ...).
        Index("ix_score_cells_period_dimension", "period", "dimension"),
    )

    dimension: Mapped[str] = mapped_column(String(8), primary_key=True)
    group_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    # 'all' for all time, else the forecast's deadline day as YYYY-MM-DD (UTC).
    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    hedged: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    bin: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
    n_true: Mapped[int] = mapped_column(Integer, default=0)
    sum_probability: Mapped[float] = mapped_column(Float, default=0.0)
    sum_squared_error: Mapped[float] = mapped_column(Float, default=0.0)
    sum_log: Mapped[float] = mapped_column(Float, default=0.0)
    # Forecasts of the group not scored: open, due, disputed, void, ambiguous or annulled.
    n_unscored: Mapped[int] = mapped_column(Integer, default=0)


class ScorecardState(Base):
    """One row: bumped by every change of the scorecard, so pages can say whether they changed.
    No row means the sums have not been built yet (they are built on first use)."""

    __tablename__ = "scorecard_state"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
