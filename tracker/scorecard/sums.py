"""Keeping the scorecard's sums: `score_cells` per period, group, hedged flag and bin, and
`score_entries`, what each forecast is counted as. `on_outcome_changed` brings them up to date
with one claim at a cost independent of how many forecasts are scored (`recount.rebuild` counts
every forecast again).

Every sum is a whole number (`ScoreSums`): a count, or fixed-point units of 1/SUM_SCALE. What a
scored forecast adds to each is defined once, in FIELDS, both in Python (one forecast changes)
and in SQL (every forecast is counted again), and the two agree to the unit.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Float, case, cast, event, func, literal, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tracker.db import utcnow
from tracker.models import SUM_FIELDS, SUM_SCALE, Claim, ScorecardState, ScoreCell, ScoreEntry
from tracker.scorecard import scoring
from tracker.scorecard.periods import ALL_TIME as ALL_TIME
from tracker.scorecard.periods import periods_of

_generation = 0  # bumped by every change this process makes; see FreshnessMemo


def generation() -> int:
    return _generation


def _bump_generation() -> None:
    global _generation
    _generation += 1


def after_commit(_session: Session) -> None:
    _bump_generation()


# ---------------------------------------------------------------------------------------------
# What one forecast adds to each sum


def units(value: float) -> int:
    """`value` in fixed-point units, rounded half up (as `sql_units` rounds in the database)."""
    return math.floor(value * SUM_SCALE + 0.5)


def sql_units(value: Any) -> Any:
    return cast(func.floor(value * literal(float(SUM_SCALE), Float) + 0.5), BigInteger)


def _clipped(p: Any) -> Any:
    low, high = literal(scoring.CLIP_LOW, Float), literal(scoring.CLIP_HIGH, Float)
    return case((p < low, low), (p > high, high), else_=p)


def _sql_log(p: Any, came_true: Any) -> Any:
    clipped = _clipped(p)
    return sql_units(func.ln(case((came_true, clipped), else_=literal(1.0, Float) - clipped)))


def _sql_squared_error(p: Any, came_true: Any) -> Any:
    error = case((came_true, p - literal(1.0, Float)), else_=p)
    return sql_units(error * error)


@dataclass(frozen=True)
class Field:
    """What one scored forecast (probability p, came true or not) adds to a sum."""

    value: Callable[[float, bool], int]
    sql: Callable[[Any, Any], Any]  # (probability column, came-true condition) -> expression


def _squared_error(p: float, came_true: bool) -> int:
    error = p - (1.0 if came_true else 0.0)
    return units(error * error)


# The sums over scored forecasts; `n_unscored` counts every other forecast of the scorecard.
FIELDS: dict[str, Field] = {
    "n": Field(lambda p, o: 1, lambda p, o: literal(1, BigInteger)),
    "n_true": Field(lambda p, o: int(o), lambda p, o: _sql_int(o)),
    "sum_probability": Field(lambda p, o: units(p), lambda p, o: sql_units(p)),
    "sum_squared_error": Field(_squared_error, _sql_squared_error),
    "sum_log": Field(lambda p, o: units(scoring.log_term(p, o)), _sql_log),
}
UNSCORED = "n_unscored"
if set(FIELDS) | {UNSCORED} != set(SUM_FIELDS):  # pragma: no cover - caught at import
    raise RuntimeError("every summed field needs its value per forecast in FIELDS")


def _sql_int(condition: Any) -> Any:
    return case((condition, literal(1, BigInteger)), else_=literal(0, BigInteger))


def forecast_sums(probability: float, outcome: str | None) -> tuple[int, ...]:
    """What one forecast adds to each of SUM_FIELDS: its scores if it was scored (`outcome`
    'true' or 'false'), else one unscored forecast."""
    if outcome is None:
        return tuple(int(name == UNSCORED) for name in SUM_FIELDS)
    came_true = outcome == "true"
    return tuple(
        0 if name == UNSCORED else FIELDS[name].value(probability, came_true) for name in SUM_FIELDS
    )


# ---------------------------------------------------------------------------------------------
# One forecast: where it counts and how much


@dataclass(frozen=True)
class Counted:
    """Where a forecast counts (deadline day, hedging, bin, groups) and what it adds."""

    period: str
    hedged: bool
    bin: int
    source_id: int
    author: str | None
    outlet: str | None
    tags: tuple[str, ...]  # sorted
    sums: tuple[int, ...]  # in SUM_FIELDS order

    def groups(self) -> list[tuple[str, str]]:
        groups = [("overall", ""), ("source", str(self.source_id))]
        if self.author:
            groups.append(("author", self.author))
        if self.outlet:
            groups.append(("outlet", self.outlet))
        groups.extend(("tag", tag) for tag in self.tags)
        return groups


def counted(claim: Claim) -> Counted | None:
    """How a claim counts now: None if it is not a forecast the scorecard knows of."""
    if claim.kind != "forecast" or claim.probability is None or claim.deadline_at is None:
        return None
    scored = claim.status == "resolved" and claim.outcome in ("true", "false")
    source = claim.source
    return Counted(
        period=claim.deadline_at.astimezone(dt.UTC).date().isoformat(),
        hedged=bool(claim.hedged),
        bin=scoring.bin_index(claim.probability),
        source_id=claim.source_id,
        author=source.author_slug,
        outlet=source.outlet_slug,
        tags=tuple(sorted(set(claim.tag_names))),
        sums=forecast_sums(claim.probability, claim.outcome if scored else None),
    )


def _from_entry(entry: ScoreEntry) -> Counted:
    return Counted(
        period=entry.period,
        hedged=entry.hedged,
        bin=entry.bin,
        source_id=entry.source_id,
        author=entry.author,
        outlet=entry.outlet,
        tags=tuple(sorted(json.loads(entry.tags))),
        sums=tuple(int(getattr(entry, name)) for name in SUM_FIELDS),
    )


_CellKey = tuple[str, str, str, bool, int]  # period, dimension, group_key, hedged, bin


def _add(cells: dict[_CellKey, list[int]], item: Counted, sign: int) -> None:
    for dimension, key in item.groups():
        for period in periods_of(item.period):
            sums = cells.setdefault(
                (period, dimension, key, item.hedged, item.bin), [0] * len(SUM_FIELDS)
            )
            for index, value in enumerate(item.sums):
                sums[index] += sign * value


def _upsert_cells(session: Session, cells: dict[_CellKey, list[int]]) -> None:
    # In key order, so that two writers at once take their row locks in the same order.
    rows = [
        {
            "period": p,
            "dimension": d,
            "group_key": k,
            "hedged": h,
            "bin": b,
            **dict(zip(SUM_FIELDS, sums, strict=True)),
        }
        for (p, d, k, h, b), sums in sorted(cells.items())
        if any(sums)
    ]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    stmt: Any
    if dialect == "postgresql":
        stmt = postgresql.insert(ScoreCell).values(rows)
    elif dialect == "sqlite":
        stmt = sqlite.insert(ScoreCell).values(rows)
    else:  # pragma: no cover - the product runs on SQLite and PostgreSQL only
        raise RuntimeError(f"the scorecard does not know the {dialect} database")
    stmt = stmt.on_conflict_do_update(
        index_elements=["period", "dimension", "group_key", "hedged", "bin"],
        set_={name: getattr(ScoreCell, name) + stmt.excluded[name] for name in SUM_FIELDS},
    )
    session.execute(stmt)


def on_outcome_changed(
    session: Session,
    claim: Claim,
    old_outcome: str | None = None,
    new_outcome: str | None = None,
) -> None:
    """Bring the scorecard up to date with one claim, after any change of its status, outcome,
    probability, deadline, hedging, tags or source. Cost is independent of how many forecasts
    are scored. Idempotent: calling it when nothing changed changes nothing. Flushes.

    The outcomes are accepted to fit `resolutions.outcome_listeners` but not needed: what the
    claim was counted as is read back from its `score_entries` row."""
    # Pages this process remembers are looked at afresh once the change is committed.
    event.listen(session, "after_commit", after_commit, once=True)
    session.flush()
    if session.get(ScorecardState, 1) is None:
        return  # not built yet: the first reading builds the sums from every claim
    entry = session.get(ScoreEntry, claim.id)
    new = counted(claim)
    old = _from_entry(entry) if entry is not None else None
    if old == new:
        return
    cells: dict[_CellKey, list[int]] = {}
    if old is not None:
        _add(cells, old, -1)
    if new is not None:
        _add(cells, new, +1)
    _upsert_cells(session, cells)
    if new is None:
        if entry is not None:
            session.delete(entry)
    else:
        if entry is None:
            entry = ScoreEntry(claim_id=claim.id)
            session.add(entry)
        _fill_entry(entry, new)
    session.execute(
        update(ScorecardState)
        .where(ScorecardState.id == 1)
        .values(version=ScorecardState.version + 1, changed_at=utcnow())
    )
    session.flush()
    _bump_generation()


def _fill_entry(entry: ScoreEntry, item: Counted) -> None:
    entry.period = item.period
    entry.hedged = item.hedged
    entry.bin = item.bin
    entry.source_id = item.source_id
    entry.author = item.author
    entry.outlet = item.outlet
    entry.tags = json.dumps(list(item.tags))
    for name, value in zip(SUM_FIELDS, item.sums, strict=True):
        setattr(entry, name, value)


def sum_columns(columns: Iterable[str] = SUM_FIELDS) -> list[ColumnElement[Any]]:
    """The cells' sum columns, in SUM_FIELDS order."""
    return [getattr(ScoreCell, name) for name in columns]
