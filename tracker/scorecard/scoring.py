"""Forecast scores, exactly as SPEC's "Scoring" section defines them. Pure: numbers in, numbers out.

Every score is computed from per-bin running sums (`BinTotals`), so the same code scores a list
of (probability, outcome) pairs and the sums the scorecard keeps in the database; adding or
removing one forecast is a change of those sums, never a rescan.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

BINS = 10
CLIP_LOW = 0.001
CLIP_HIGH = 0.999
CHANCE_BRIER = 0.25  # the Brier score of always saying 50%
BIN_BOUNDS = tuple((i / BINS, (i + 1) / BINS) for i in range(BINS))  # each bin's lower, upper


def bin_index(probability: float) -> int:
    """The calibration bin of a probability: min(floor(10*p), 9)."""
    return min(math.floor(BINS * probability), BINS - 1)


def log_term(probability: float, outcome: bool) -> float:
    """ln q, where q = p if the forecast came true else 1 - p, with p clipped to [0.001, 0.999]."""
    clipped = min(max(probability, CLIP_LOW), CLIP_HIGH)
    return math.log(clipped if outcome else 1.0 - clipped)


@dataclass
class BinTotals:
    """Running sums over the scored forecasts of one calibration bin."""

    n: int = 0
    sum_probability: float = 0.0
    n_true: int = 0
    sum_squared_error: float = 0.0
    sum_log: float = 0.0

    def add(self, probability: float, outcome: bool, sign: int = 1) -> None:
        """Count one forecast in (sign 1) or out again (sign -1)."""
        self.n += sign
        self.sum_probability += sign * probability
        self.n_true += sign * int(outcome)
        self.sum_squared_error += sign * (probability - float(outcome)) ** 2
        self.sum_log += sign * log_term(probability, outcome)

    def merge(self, other: BinTotals) -> None:
        self.n += other.n
        self.sum_probability += other.sum_probability
        self.n_true += other.n_true
        self.sum_squared_error += other.sum_squared_error
        self.sum_log += other.sum_log


Totals = dict[int, BinTotals]


def accumulate(pairs: Iterable[tuple[float, bool]]) -> Totals:
    """Per-bin sums of (probability, outcome) pairs; outcome True means it came true."""
    totals: Totals = {}
    for probability, outcome in pairs:
        if not 0.0 <= probability <= 1.0 or math.isnan(probability):
            raise ValueError(f"probability {probability!r} is not between 0 and 1")
        totals.setdefault(bin_index(probability), BinTotals()).add(probability, bool(outcome))
    return totals


_new_tuple = tuple.__new__


# A score and its parts are named tuples, not frozen dataclasses: as immutable, and made in a
# quarter of the time (0.5 us against 2 us here), and a date range's scorecard makes some
# fifteen for each of its hundreds of groups.


class CalibrationBin(NamedTuple):
    """One calibration bin of a score."""

    bin: int
    n: int
    mean_probability: float
    observed_rate: float

    @property
    def lower(self) -> float:
        return BIN_BOUNDS[self.bin][0]

    @property
    def upper(self) -> float:
        return BIN_BOUNDS[self.bin][1]


class Murphy(NamedTuple):
    """Murphy's (1973) decomposition over the calibration bins."""

    reliability: float
    resolution: float
    uncertainty: float


class Score(NamedTuple):
    """Every number SPEC defines, over one set of scored forecasts. None when n is 0."""

    n: int
    n_true: int
    brier: float | None
    log_score: float | None
    skill_vs_chance: float | None
    observed_rate: float | None
    calibration: tuple[CalibrationBin, ...] = ()
    murphy: Murphy | None = None


def summarize(totals: Mapping[int, BinTotals], calibrated: bool = True) -> Score:
    """All scores from per-bin sums. Bins holding no forecast are left out of the calibration.
    Not `calibrated`: the sums are totals over the bins, scored without calibration or Murphy
    decomposition (which need the bins)."""
    bins = [(index, totals[index]) for index in sorted(totals) if totals[index].n > 0]
    return from_sums(
        n=sum(t.n for _, t in bins),
        n_true=sum(t.n_true for _, t in bins),
        sum_squared_error=sum(t.sum_squared_error for _, t in bins),
        sum_log=sum(t.sum_log for _, t in bins),
        bins=[(i, t.n, t.sum_probability, t.n_true) for i, t in bins] if calibrated else None,
    )


def from_sums(
    n: int,
    n_true: int,
    sum_squared_error: float,
    sum_log: float,
    bins: Sequence[tuple[int, int, float, int]] | None,
) -> Score:
    """All scores from sums over the scored forecasts and, for the calibration and Murphy
    decomposition, per bin (index, n, sum of probabilities, n true) in bin order, empty bins
    left out. `bins` None: scored without calibration or Murphy decomposition."""
    if n == 0:
        return Score(0, 0, None, None, None, None)
    # Sums kept by adding and removing floats can drift below zero by rounding.
    brier = max(sum_squared_error / n, 0.0)
    log_score = min(sum_log / n, 0.0)
    base_rate = n_true / n
    if bins is None:
        return Score(n, n_true, brier, log_score, 1.0 - brier / CHANCE_BRIER, base_rate)
    calibration = []
    reliability = resolution = 0.0
    for index, count, total, came_true in bins:
        mean, rate = total / count, came_true / count
        # Made as a tuple is: half the time of calling the named tuple's class.
        calibration.append(_new_tuple(CalibrationBin, (index, count, mean, rate)))
        reliability += count * (mean - rate) ** 2
        resolution += count * (rate - base_rate) ** 2
    return Score(
        n,
        n_true,
        brier,
        log_score,
        1.0 - brier / CHANCE_BRIER,
        base_rate,
        tuple(calibration),
        Murphy(reliability / n, resolution / n, base_rate * (1.0 - base_rate)),
    )


def score(pairs: Iterable[tuple[float, bool]]) -> Score:
    """Every score of a list of (probability, outcome) pairs."""
    return summarize(accumulate(pairs))


def brier(pairs: Iterable[tuple[float, bool]]) -> float | None:
    """mean((p - o)^2): 0 is perfect, 0.25 is always saying 50%, 1 is always certain and wrong."""
    return score(pairs).brier


def log_score(pairs: Iterable[tuple[float, bool]]) -> float | None:
    """mean(ln q), q the probability given to what happened, p clipped to [0.001, 0.999]."""
    return score(pairs).log_score


def skill_vs_chance(pairs: Iterable[tuple[float, bool]]) -> float | None:
    """1 - brier / 0.25: above 0 beats always saying 50%."""
    return score(pairs).skill_vs_chance


def calibration(pairs: Iterable[tuple[float, bool]]) -> tuple[CalibrationBin, ...]:
    """Ten bins by min(floor(10*p), 9): n, mean probability and observed rate; empty omitted."""
    return score(pairs).calibration


def murphy(pairs: Iterable[tuple[float, bool]]) -> Murphy | None:
    """Reliability, resolution and uncertainty over the calibration bins."""
    return score(pairs).murphy


# Comparative scores (SPEC, "Questions and speakers"; Metaculus's definitions) ------------------


def baseline_score(probability_for_outcome: float) -> float:
    """100 * log2(q / 0.5), q being the probability a claim gave to what happened, clipped to
    [0.001, 0.999]: 0 is no better than a coin, 100 is certain and right."""
    q = min(max(probability_for_outcome, CLIP_LOW), CLIP_HIGH)
    return 100.0 * math.log2(q / 0.5)


def peer_scores(baselines: list[float]) -> list[float] | None:
    """Each claim's baseline minus the mean baseline of all scored claims on its question;
    None with fewer than two (a claim alone has no peers). They sum to zero."""
    if len(baselines) < 2:
        return None
    mean = math.fsum(baselines) / len(baselines)
    return [b - mean for b in baselines]
