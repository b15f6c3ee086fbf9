"""The scorecard's running sums: what each forecast is counted as, the sums per group, period,
hedging and bin, and one state row that changes with them.

Every sum is a whole number: counts, or fixed-point units of 1/SUM_SCALE (probabilities,
squared errors, log terms) or 1/POINT_SCALE (baseline and peer scores, in points), so that
counting a forecast in and out again leaves exactly what was there, and a sum over any periods
equals a recount from the claims."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base, UTCDateTime, check_in, utcnow

# The groups `score_cells` keeps sums of. A source (one article, a few hundred forecasts at
# most) is scored from its forecasts' `score_entries` instead: keeping its own cells cost a
# third of the cells at a million forecasts, for one of the least read scorecards.
SCORE_DIMENSIONS = ("overall", "author", "speaker", "outlet", "tag")
SUM_SCALE = 10**9  # units per 1 of the fixed-point sums (nano-units)
# Units per point of the baseline and peer scores (micro-points). Coarser than SUM_SCALE
# because a score runs to about -900 points: a sum holds some ten billion of the worst.
POINT_SCALE = 10**6


class ScoreSums:
    """The summed fields, in one place: a cell holds their sums, an entry one forecast's part.
    A new sum is a column here (and its value per forecast in `scorecard.sums.FIELDS`)."""

    n: Mapped[int] = mapped_column(BigInteger, default=0)  # scored forecasts
    n_true: Mapped[int] = mapped_column(BigInteger, default=0)  # ... that came true
    sum_probability: Mapped[int] = mapped_column(BigInteger, default=0)  # units of p
    sum_squared_error: Mapped[int] = mapped_column(BigInteger, default=0)  # units of (p-o)^2
    sum_log: Mapped[int] = mapped_column(BigInteger, default=0)  # units of ln q
    # Comparative scores (SPEC, "Questions and speakers"), in units of 1/POINT_SCALE points:
    # every scored forecast's baseline score, and the peer score of those with a peer.
    sum_baseline: Mapped[int] = mapped_column(BigInteger, default=0)
    n_peer: Mapped[int] = mapped_column(BigInteger, default=0)  # scored with a peer score
    sum_peer: Mapped[int] = mapped_column(BigInteger, default=0)
    # Forecasts not scored: open, due, disputed, void, ambiguous or annulled.
    n_unscored: Mapped[int] = mapped_column(BigInteger, default=0)


SUM_FIELDS = (
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


class ScoreEntry(ScoreSums, Base):
    """What the scorecard currently counts for one forecast: where it was counted (deadline day,
    hedging, bin, groups) and how much, so that a change takes exactly that out again. Its peer
    score depends on the other forecasts of its question: `question_id` says which question's
    forecasts to count again with it (read by question when one changes)."""

    __tablename__ = "score_entries"
    __table_args__ = (
        CheckConstraint("bin >= 0 AND bin <= 9", name="bin"),
        Index("ix_score_entries_question_id", "question_id"),
        Index("ix_score_entries_source_id", "source_id"),  # a source's scorecard
    )

    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), primary_key=True)
    question_id: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(10))  # deadline day, YYYY-MM-DD (UTC)
    hedged: Mapped[bool] = mapped_column(Boolean)
    bin: Mapped[int] = mapped_column(Integer)
    source_id: Mapped[int] = mapped_column(Integer)
    author: Mapped[str | None] = mapped_column(String(200))  # the source's author slug
    speaker: Mapped[str | None] = mapped_column(String(200))  # the claim's speaker's slug
    outlet: Mapped[str | None] = mapped_column(String(200))  # the source's outlet slug
    tags: Mapped[str] = mapped_column(Text)  # JSON list of the claim's tags


# Calibration bins (`scorecard.scoring.bin_index`): a cell keeps two columns per bin,
# bin{i}_nt, the bin's scored forecasts' count times COUNTS_BASE plus how many of them came
# true (`pack_counts`), and bin{i}_p, their probabilities' sum (units of 1/SUM_SCALE).
# Two counts in one whole number add up as the pair does, exactly while a cell holds fewer
# than 2**31 forecasts; a date range reads and adds up a quarter fewer columns for it.
BINS = 10
COUNTS_BASE = 2**32
BIN_FIELDS = tuple(f"bin{i}_{part}" for i in range(BINS) for part in ("nt", "p"))
CELL_FIELDS = SUM_FIELDS + BIN_FIELDS  # a cell's sums, in this order
# Where each bin's columns start in CELL_FIELDS (its counts; its probabilities' sum follows).
BIN_AT = tuple(CELL_FIELDS.index(f"bin{i}_nt") for i in range(BINS))


def pack_counts(n: int, n_true: int) -> int:
    """A bin's count and number come true as its bin{i}_nt column keeps them (or a change of
    them: negative changes pack and add up the same way)."""
    return n * COUNTS_BASE + n_true


def unpack_counts(packed: int) -> tuple[int, int]:
    """(count, number come true) of a bin{i}_nt sum: 0 <= number come true <= count."""
    return divmod(packed, COUNTS_BASE)


class ScoreCell(Base):
    """Sums over the forecasts of one group and period, hedged or not: the totals of
    `SUM_FIELDS`, and per calibration bin what calibration needs (`BIN_FIELDS`).

    A forecast counts in six periods: 'all' (all time), its deadline's year 'YYYY', quarter
    'YYYYQn', month 'YYYY-MM', third of a month 'YYYY-MM:n' and day 'YYYY-MM-DD' (UTC). A date
    range reads whole periods inside it and finer ones only at its edges (`scorecard.periods`),
    so its cost does not grow with its width. The bins are columns, not rows: a range reads
    one row per group, period and hedged flag, a tenth of the rows it read with a row per bin.
    The key starts with the period: a page reads a few periods of many groups. On PostgreSQL
    its pages are filled to 70% (set by the migration) so that updates stay on their page.
    (No CHECK on the sums: an upsert's candidate row carries a negative change.)"""

    __table__ = Table(
        "score_cells",
        Base.metadata,
        Column("period", String(10), primary_key=True),
        Column("dimension", String(8), primary_key=True),
        Column("group_key", String(200), primary_key=True),
        Column("hedged", Boolean, primary_key=True),
        *(Column(name, BigInteger, nullable=False, default=0) for name in CELL_FIELDS),
        CheckConstraint(check_in("dimension", SCORE_DIMENSIONS), name="dimension"),
        sqlite_with_rowid=False,
    )

    period: Mapped[str]
    dimension: Mapped[str]
    group_key: Mapped[str]
    hedged: Mapped[bool]
    n: Mapped[int]
    n_unscored: Mapped[int]


class ScorecardState(Base):
    """One row: bumped by every change of the scorecard, so pages can say whether they changed.
    No row means the sums have not been built yet (they are built on first use)."""

    __tablename__ = "scorecard_state"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
