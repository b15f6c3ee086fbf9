"""Reading the scorecard's sums: the rows of a group, or of the groups a scorecard lists, for
all time or a date range (added up and taken away over the few periods `periods.cover` names),
and a source's from its forecasts' entries."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    String,
    and_,
    bindparam,
    cast,
    column,
    func,
    literal,
    select,
    text,
)
from sqlalchemy.orm import Session

from tracker.models import BINS, CELL_FIELDS, COUNTS_BASE, SUM_FIELDS, ScoreCell, ScoreEntry
from tracker.scorecard import periods
from tracker.scorecard.filters import Filters
from tracker.scorecard.periods import ALL_TIME

RANGE_WORK_MEM = "32MB"  # PostgreSQL's memory for adding up a date range


def years_counted(session: Session) -> tuple[int, int] | None:
    """The first and last year any forecast is due in (two index lookups: periods sort years
    first, then their quarters, months, thirds and days, then 'all')."""
    first = session.scalar(select(func.min(ScoreCell.period)))
    last = session.scalar(select(func.max(ScoreCell.period)).where(ScoreCell.period < ALL_TIME))
    if first is None or last is None:
        return None
    return int(first[:4]), int(last[:4])


def cover_of(session: Session, filters: Filters) -> periods.Cover:
    """The periods to add up and take away for the filters' date range."""
    if filters.date_from is None and filters.date_to is None:
        return {ALL_TIME: 1}
    years = years_counted(session)
    return periods.cover(filters.date_from, filters.date_to, *years) if years else {}


def sums_query(
    cover: periods.Cover, where: Any, dialect: str, fields: Sequence[str] = CELL_FIELDS
) -> Any:
    """The sums `fields` of the cells matching `where`, per group and hedged flag: read as
    they are for all time (one row each); for a date range added up and taken away over the
    few periods `periods.cover` names, whatever its width. The statement is the same for
    every range (the periods are one parameter), so it is built and compiled once."""
    if cover == {ALL_TIME: 1}:
        return _all_time_select(tuple(fields)).where(where)
    periods_json = json.dumps(sorted(cover.items()), separators=(",", ":"))
    return _range_select(tuple(fields), dialect).where(where).params(cover=periods_json)


@functools.lru_cache(maxsize=16)
def _all_time_select(fields: tuple[str, ...]) -> Any:
    cells: Any = ScoreCell.__table__
    keys = [cells.c.dimension, cells.c.group_key, cells.c.hedged]
    return select(*keys, *(cells.c[name] for name in fields)).where(cells.c.period == ALL_TIME)


# The periods of a range and their weights, from one JSON parameter ([[period, weight], ...]).
_COVER_SQL = {
    "sqlite": "SELECT json_extract(value, '$[0]') AS period, json_extract(value, '$[1]') AS weight"
    " FROM json_each(:cover)",
    "postgresql": "SELECT e ->> 0 AS period, CAST(e ->> 1 AS integer) AS weight"
    " FROM json_array_elements(CAST(:cover AS json)) AS e",
}


@functools.lru_cache(maxsize=16)
def _range_select(fields: tuple[str, ...], dialect: str) -> Any:
    cells: Any = ScoreCell.__table__
    keys = [cells.c.dimension, cells.c.group_key, cells.c.hedged]
    weights = (
        text(_COVER_SQL[dialect])
        .bindparams(bindparam("cover", type_=String))
        .columns(column("period", String), column("weight", Integer))
        .cte("cover_periods")
        # Materialized: each period's weight is read from the JSON once, not once for every
        # sum of every row (PostgreSQL 96 ms for a range at 1,000,000 forecasts, 21 ms
        # materialized; SQLite 70 ms, 42 ms).
        .prefix_with("MATERIALIZED")
    )
    # One grouped pass: each row read once, times its period's weight (+1 or -1) from a small
    # table of the periods. Summing the sides apart and then together sorted every row twice.
    return (
        # As whole numbers: PostgreSQL sums bigints as numeric, read as Decimal (slower).
        select(*keys, *(cast(func.sum(cells.c[n] * weights.c.weight), BigInteger) for n in fields))
        .select_from(weights.join(cells, cells.c.period == weights.c.period))
        .group_by(*keys)
    )


def source_query(source_id: int, filters: Filters) -> Any:
    """A source's sums per hedged flag, as `sums_query` gives a group's: from the entries of
    its forecasts due in the range (one article's, found by their index)."""
    entries: Any = ScoreEntry.__table__
    where = [entries.c.source_id == source_id]
    if filters.date_from is not None:
        where.append(entries.c.period >= filters.date_from.isoformat())
    if filters.date_to is not None:
        where.append(entries.c.period <= filters.date_to.isoformat())
    return (
        select(
            literal("source"),
            literal(str(source_id)),
            entries.c.hedged,
            *(cast(func.sum(entries.c[name]), BigInteger) for name in SUM_FIELDS),
            *(cast(total, BigInteger) for total in in_bins(entries)),
        )
        .where(*where)
        .group_by(entries.c.hedged)
    )


def in_bins(entries: Any) -> list[Any]:
    """Each calibration bin's columns (BIN_FIELDS, in order) summed over rows shaped as
    `score_entries` are (a forecast's bin and its SUM_FIELDS): its counts packed as
    `models.pack_counts` packs them, and its probabilities' sum. Each sum takes only its
    bin's rows (FILTER): a row adds to two sums, not twenty (CASE ... ELSE 0 added a zero to
    the other eighteen, a seventh more time for the day cells of a recount)."""
    zero = literal(0, BigInteger)
    c = entries.c
    counts = c.n * literal(COUNTS_BASE, BigInteger) + c.n_true
    return [
        func.coalesce(func.sum(part).filter(c.bin == index), zero)
        for index in range(BINS)
        for part in (counts, c.sum_probability)
    ]


def of_group(dimension: str, key: str) -> Any:
    cells: Any = ScoreCell.__table__
    return and_(cells.c.dimension == dimension, cells.c.group_key == key)


def of_hedged(hedged: bool) -> Any:
    cells: Any = ScoreCell.__table__
    return cells.c.hedged.is_(hedged)


def of_dimensions(dimensions: Sequence[str]) -> Any:
    cells: Any = ScoreCell.__table__
    return cells.c.dimension.in_(dimensions)


def make_room_for_a_range(session: Session) -> None:
    """PostgreSQL, for this transaction: memory to add up a range's rows by hashing them
    (some 11 MB for 9,000 cells; with the default 4 MB it sorted them on disk, and took twice
    as long), and no JIT compilation: the planner's estimate of a range's rows passes the
    threshold, and compiling took 74 ms of a 250 ms query at 1,000,000 forecasts."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SET LOCAL work_mem = '{RANGE_WORK_MEM}'"))
        session.execute(text("SET LOCAL jit = off"))
