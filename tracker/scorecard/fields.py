"""What one forecast adds to each of the scorecard's sums, defined once both in Python (when
forecasts change) and in SQL (when every forecast is counted again); the two agree to the unit.

Every sum is a whole number (`ScoreSums`): a count, or fixed-point units of 1/SUM_SCALE
(probabilities, squared errors, log terms) or of 1/POINT_SCALE points (baseline and peer
scores). A peer score depends on the other scored forecasts of the same question: it is made
of their baseline scores in whole units, so that Python and SQL give the same number.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Float, case, cast, func, literal

from tracker.models import POINT_SCALE, SUM_FIELDS, SUM_SCALE
from tracker.scorecard import scoring

_LN2 = math.log(2.0)


def units(value: float) -> int:
    """`value` in fixed-point units, rounded half up (as `sql_units` rounds in the database)."""
    return math.floor(value * SUM_SCALE + 0.5)


def sql_units(value: Any) -> Any:
    return cast(func.floor(value * literal(float(SUM_SCALE), Float) + 0.5), BigInteger)


def point_units(points: float) -> int:
    """A score in points as whole units of 1/POINT_SCALE, rounded half up."""
    return math.floor(points * POINT_SCALE + 0.5)


def _sql_point_units(points: Any) -> Any:
    return cast(func.floor(points * literal(float(POINT_SCALE), Float) + 0.5), BigInteger)


def _clip(p: float) -> float:
    return min(max(p, scoring.CLIP_LOW), scoring.CLIP_HIGH)


def _sql_clipped(p: Any) -> Any:
    low, high = literal(scoring.CLIP_LOW, Float), literal(scoring.CLIP_HIGH, Float)
    return case((p < low, low), (p > high, high), else_=p)


def _sql_given(p: Any, came_true: Any) -> Any:
    """q: the probability given to what happened, clipped."""
    clipped = _sql_clipped(p)
    return case((came_true, clipped), else_=literal(1.0, Float) - clipped)


def _given(p: float, came_true: bool) -> float:
    clipped = _clip(p)
    return clipped if came_true else 1.0 - clipped


def baseline_points(p: float, came_true: bool) -> float:
    """The baseline score 100 * log2(q / 0.5), computed step by step as the database does
    (`scoring.baseline_score` is the reference; the two differ in the last bits at most)."""
    return 100.0 * math.log(2.0 * _given(p, came_true)) / _LN2


def _sql_baseline(p: Any, came_true: Any) -> Any:
    q = _sql_given(p, came_true)
    points = literal(100.0, Float) * func.ln(literal(2.0, Float) * q) / literal(_LN2, Float)
    return _sql_point_units(points)


def _squared_error(p: float, came_true: bool) -> int:
    error = p - (1.0 if came_true else 0.0)
    return units(error * error)


def _sql_squared_error(p: Any, came_true: Any) -> Any:
    error = case((came_true, p - literal(1.0, Float)), else_=p)
    return sql_units(error * error)


def _sql_int(condition: Any) -> Any:
    return case((condition, literal(1, BigInteger)), else_=literal(0, BigInteger))


@dataclass(frozen=True)
class Field:
    """What one scored forecast (probability p, came true or not) adds to a sum."""

    value: Callable[[float, bool], int]
    sql: Callable[[Any, Any], Any]  # (probability column, came-true condition) -> expression


# The sums a scored forecast adds to on its own; `n_unscored` counts every other forecast of
# the scorecard, and PEER_FIELDS depend on the other forecasts of its question.
FIELDS: dict[str, Field] = {
    "n": Field(lambda p, o: 1, lambda p, o: literal(1, BigInteger)),
    "n_true": Field(lambda p, o: int(o), lambda p, o: _sql_int(o)),
    "sum_probability": Field(lambda p, o: units(p), lambda p, o: sql_units(p)),
    "sum_squared_error": Field(_squared_error, _sql_squared_error),
    "sum_log": Field(
        lambda p, o: units(scoring.log_term(p, o)),
        lambda p, o: sql_units(func.ln(_sql_given(p, o))),
    ),
    "sum_baseline": Field(lambda p, o: point_units(baseline_points(p, o)), _sql_baseline),
}
PEER_FIELDS = ("n_peer", "sum_peer")
UNSCORED = "n_unscored"
if set(FIELDS) | set(PEER_FIELDS) | {UNSCORED} != set(SUM_FIELDS):  # pragma: no cover
    raise RuntimeError("every summed field needs its value per forecast in FIELDS")


# ---------------------------------------------------------------------------------------------
# Peer scores: a forecast's baseline less the mean baseline of its question's scored forecasts


def mean_units(total: int, count: int) -> int:
    """total / count in whole units, rounded half up (exact: integers only)."""
    return (2 * total + count) // (2 * count)


def peer_units(baseline: int, total: int, count: int) -> int | None:
    """The peer score of a scored forecast whose baseline is `baseline` units, on a question
    whose `count` scored forecasts' baselines add up to `total`; None when it is alone."""
    if count < 2:
        return None
    return baseline - mean_units(total, count)


def _sql_floor_div(a: Any, b: Any) -> Any:
    """a // b for whole numbers, b > 0: both databases' integer division truncates toward zero."""
    return case(
        (a >= 0, a // b),
        else_=-((-a + b - literal(1, BigInteger)) // b),
    )


def sql_peer(baseline: Any, total: Any, count: Any) -> tuple[Any, Any]:
    """(n_peer, sum_peer) of a scored forecast, as `peer_units`: `total` and `count` are its
    question's sum of baselines and number of scored forecasts (whole numbers)."""
    two = literal(2, BigInteger)
    has_peer = count >= two
    mean = _sql_floor_div(two * total + count, two * count)
    return (
        case((has_peer, literal(1, BigInteger)), else_=literal(0, BigInteger)),
        case((has_peer, baseline - mean), else_=literal(0, BigInteger)),
    )


def scored_sums(probability: float, came_true: bool) -> dict[str, int]:
    """What a scored forecast adds on its own (FIELDS), by name."""
    return {name: field.value(probability, came_true) for name, field in FIELDS.items()}


def forecast_sums(
    probability: float, outcome: str | None, peer: int | None = None
) -> tuple[int, ...]:
    """What one forecast adds to each of SUM_FIELDS: its scores if it was scored (`outcome`
    'true' or 'false'; `peer` its peer score in units, None without peers), else one unscored
    forecast."""
    if outcome is None:
        return tuple(int(name == UNSCORED) for name in SUM_FIELDS)
    values = scored_sums(probability, outcome == "true")
    values["n_peer"] = int(peer is not None)
    values["sum_peer"] = peer or 0
    values[UNSCORED] = 0
    return tuple(values[name] for name in SUM_FIELDS)
