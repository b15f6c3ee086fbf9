"""The public scorecard: scores per author, speaker, outlet, tag, source and overall, over a date
range: Brier, log score and calibration, and the comparative baseline and peer scores.

Numbers come from `score_cells`, sums kept per group, period (all time, and the deadline's
year, quarter, month, third of a month and day), hedged flag and calibration bin, and from
`score_totals`, the same over the bins for the groups a scorecard lists; `on_outcome_changed`
(in `sums`, re-exported here) updates both whenever a forecast's state changes. Reading a
scorecard reads a bounded number of rows per group, never every claim, whatever the range.
A source's scorecard, one article's forecasts, adds up their `score_entries`.
`compute` is the one function the page, the CSV, the API and the command line take their
numbers from.

The date range selects forecasts by their deadline (UTC day): every forecast has one, and "how
did the forecasts due in 2020 turn out" is what a reader of a scorecard asks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.cache import Cache
from tracker.db import utcnow
from tracker.errors import NotFound
from tracker.models import (
    POINT_SCALE,
    SUM_FIELDS,
    SUM_SCALE,
    TOTALED_DIMENSIONS,
    ClaimTag,
    ScoreCell,
    ScoreTotal,
    Source,
    Speaker,
)
from tracker.scorecard import reads, scoring
from tracker.scorecard.filters import Filters as Filters
from tracker.scorecard.filters import parse_filters as parse_filters
from tracker.scorecard.freshness import Freshness as Freshness
from tracker.scorecard.freshness import FreshnessMemo as FreshnessMemo
from tracker.scorecard.freshness import current_freshness as current_freshness
from tracker.scorecard.freshness import freshness as freshness
from tracker.scorecard.lists import ClaimScore as ClaimScore
from tracker.scorecard.lists import claim_scores as claim_scores
from tracker.scorecard.lists import list_due as list_due
from tracker.scorecard.lists import list_recent_resolutions as list_recent_resolutions
from tracker.scorecard.lists import list_recently_recorded as list_recently_recorded
from tracker.scorecard.lists import list_scored_claims as list_scored_claims
from tracker.scorecard.lists import list_upcoming as list_upcoming
from tracker.scorecard.periods import ALL_TIME
from tracker.scorecard.recount import ensure_built as ensure_built
from tracker.scorecard.recount import rebuild as rebuild

# Re-exported: resolution code calls scorecard.on_outcome_changed(session, claim), or for many
# claims at once on_claims_changed(session, ids) / on_question_changed(session, question_id).
from tracker.scorecard.sums import on_claims_changed as on_claims_changed
from tracker.scorecard.sums import on_outcome_changed as on_outcome_changed
from tracker.scorecard.sums import on_question_changed as on_question_changed

MIN_SCORED = 10  # fewer scored forecasts than this: shown, marked too few to judge, not ranked
GROUP_DIMENSIONS = ("author", "speaker", "outlet", "tag", "source")
LISTED_DIMENSIONS = ("author", "speaker", "outlet")  # the groups the overall scorecard lists
SUMMARY_DIMENSIONS = TOTALED_DIMENSIONS  # ... and a summary of it: speakers and outlets
CACHE_SIZE = 256  # scorecards a process keeps (`tracker.cache.Cache`) ...
# ... holding at most this many groups in all (measured at 100,000 forecasts: 60 date ranges
# kept held 600,000 objects, and the garbage collector's full passes took up to 0.3 s).
CACHE_GROUPS = 4096


# ---------------------------------------------------------------------------------------------
# Reading scorecards


@dataclass(frozen=True)
class HedgedOutcome:
    """How the hedged forecasts of a group turned out."""

    n_scored: int
    n_true: int
    observed_rate: float | None
    mean_probability: float | None
    brier: float | None


@dataclass(frozen=True)
class Comparative:
    """Mean baseline score over a group's scored forecasts, and mean peer score over those
    whose question has other scored forecasts (SPEC, "Questions and speakers"), in points."""

    baseline: float | None
    peer: float | None
    n_peer: int


@dataclass(frozen=True)
class GroupScore:
    dimension: str
    key: str
    name: str
    score: scoring.Score
    n_unscored: int
    n_forecasts: int
    n_hedged: int
    hedged: HedgedOutcome
    comparative: Comparative = Comparative(None, None, 0)
    rank: int | None = None

    @property
    def n_scored(self) -> int:
        return self.score.n

    @property
    def too_few_to_judge(self) -> bool:
        return self.score.n < MIN_SCORED

    @property
    def hedge_rate(self) -> float | None:
        return self.n_hedged / self.n_forecasts if self.n_forecasts else None


@dataclass(frozen=True)
class Scorecard:
    filters: Filters
    group: GroupScore
    authors: tuple[GroupScore, ...] = field(default_factory=tuple)
    outlets: tuple[GroupScore, ...] = field(default_factory=tuple)
    speakers: tuple[GroupScore, ...] = field(default_factory=tuple)


_COMPARATIVE = ("sum_baseline", "n_peer", "sum_peer")


# A bin's sums as read: n, sum of probabilities, n true, sum of squared errors, sum of logs.
# Plain tuples of numbers while reading, which the garbage collector stops tracking (a range
# reads some ten thousand); `BinTotals` only for the moment a group is scored.
_Bin = tuple[int, float, int, float, float]


@dataclass
class _GroupSums:
    scored: dict[int, _Bin] = field(default_factory=dict)
    hedged: dict[int, _Bin] = field(default_factory=dict)
    n_unscored: int = 0
    n_hedged_forecasts: int = 0
    # sum_baseline, n_peer, sum_peer of the forecasts not hedged, and of the hedged ones
    comparative: list[int] = field(default_factory=lambda: [0, 0, 0])
    hedged_comparative: list[int] = field(default_factory=lambda: [0, 0, 0])
    binned: bool = True  # per calibration bin, or totals over the bins (no calibration)


def _names(session: Session, dimension: str, keys: Iterable[str]) -> dict[str, str]:
    keys = list(keys)
    if dimension == "author":
        rows = session.execute(
            select(Source.author_slug, func.min(Source.author))
            .where(Source.author_slug.in_(keys))
            .group_by(Source.author_slug)
        )
    elif dimension == "speaker":
        rows = session.execute(select(Speaker.slug, Speaker.name).where(Speaker.slug.in_(keys)))
    elif dimension == "outlet":
        rows = session.execute(
            select(Source.outlet_slug, func.min(Source.outlet))
            .where(Source.outlet_slug.in_(keys))
            .group_by(Source.outlet_slug)
        )
    elif dimension == "source":
        ids = [int(k) for k in keys]
        rows = session.execute(select(Source.id, Source.title).where(Source.id.in_(ids)))
        return {str(i): str(title) for i, title in rows}
    else:
        return {k: k for k in keys}
    return {str(k): str(v) for k, v in rows}


def _group_score(
    dimension: str, key: str, name: str, sums: _GroupSums, include_hedged: bool
) -> GroupScore:
    bin_totals = scoring.BinTotals
    scored = {index: bin_totals(*values) for index, values in sums.scored.items()}
    hedged = {index: bin_totals(*values) for index, values in sums.hedged.items()}
    headline: scoring.Totals = scored
    if include_hedged and hedged:
        headline = {}
        for part in (scored, hedged):
            for index, totals in part.items():
                headline.setdefault(index, bin_totals()).merge(totals)
    # The hedged forecasts are shown by their totals only: no calibration of their own.
    hedged_score = scoring.summarize(hedged, calibrated=False)
    headline_score = scoring.summarize(headline, sums.binned)
    sum_baseline, n_peer, sum_peer = sums.comparative
    if include_hedged:
        sum_baseline += sums.hedged_comparative[0]
        n_peer += sums.hedged_comparative[1]
        sum_peer += sums.hedged_comparative[2]
    # In bin order, whatever order the database gave the rows in (floats: order counts).
    hedged_n_prob = sum(hedged[index].sum_probability for index in sorted(hedged))
    n_scored_all = sum(t.n for t in scored.values()) + hedged_score.n
    n_hedged = sums.n_hedged_forecasts + hedged_score.n
    return GroupScore(
        dimension=dimension,
        key=key,
        name=name,
        score=headline_score,
        n_unscored=sums.n_unscored,
        n_forecasts=n_scored_all + sums.n_unscored,
        n_hedged=n_hedged,
        hedged=HedgedOutcome(
            n_scored=hedged_score.n,
            n_true=hedged_score.n_true,
            observed_rate=hedged_score.observed_rate,
            mean_probability=hedged_n_prob / hedged_score.n if hedged_score.n else None,
            brier=hedged_score.brier,
        ),
        comparative=Comparative(
            baseline=sum_baseline / POINT_SCALE / headline_score.n if headline_score.n else None,
            peer=sum_peer / POINT_SCALE / n_peer if n_peer else None,
            n_peer=n_peer,
        ),
    )


def _ranked(groups: Iterable[GroupScore]) -> tuple[GroupScore, ...]:
    """Groups with enough scored forecasts ranked by Brier (then log score); the rest after,
    unranked, most scored first; ties by name, then key (two groups may share a name)."""
    groups = list(groups)
    judged = sorted(
        (g for g in groups if not g.too_few_to_judge),
        key=lambda g: (g.score.brier, -(g.score.log_score or 0.0), g.name.lower(), g.key),
    )
    rest = sorted(
        (g for g in groups if g.too_few_to_judge),
        key=lambda g: (-g.n_scored, g.name.lower(), g.key),
    )
    return tuple(replace(g, rank=i) for i, g in enumerate(judged, 1)) + tuple(rest)


def _read(session: Session, query: Any, sums: dict[tuple[str, str], _GroupSums]) -> None:
    """Add the rows of a `reads.sums_query` to the groups' sums: rows of cells (dimension, key,
    hedged, bin, sums) or of totals (dimension, key, hedged, sums)."""
    binned = len(query.selected_columns) > 3 + len(SUM_FIELDS)
    first = 4 if binned else 3
    at = {name: first + i for i, name in enumerate(SUM_FIELDS)}
    n_at, true_at, unscored_at = at["n"], at["n_true"], at["n_unscored"]
    p_at, sq_at, log_at = at["sum_probability"], at["sum_squared_error"], at["sum_log"]
    baseline_at, n_peer_at, peer_at = (at[name] for name in _COMPARATIVE)
    scale = SUM_SCALE
    # Core rows (no ORM layer), one at a time (a row kept would be one more object for the
    # garbage collector to look at): a date range reads some ten thousand, every group's
    # bins, so this loop is kept to the few operations each row needs.
    for row in session.connection().execute(query):
        if not any(row[first:]):
            continue  # a group's forecasts all moved elsewhere, or none is due in the range
        group_sums = sums.get((row[0], row[1]))
        if group_sums is None:
            group_sums = sums[row[0], row[1]] = _GroupSums(binned=binned)
        n_unscored = int(row[unscored_at])
        group_sums.n_unscored += n_unscored
        hedged = row[2]
        if hedged:
            group_sums.n_hedged_forecasts += n_unscored
        if row[n_at]:
            kept = group_sums.hedged_comparative if hedged else group_sums.comparative
            kept[0] += int(row[baseline_at])
            kept[1] += int(row[n_peer_at])
            kept[2] += int(row[peer_at])
            target = group_sums.hedged if hedged else group_sums.scored
            target[int(row[3]) if binned else 0] = (
                int(row[n_at]),
                int(row[p_at]) / scale,
                int(row[true_at]),
                int(row[sq_at]) / scale,
                int(row[log_at]) / scale,
            )


def _compute(session: Session, filters: Filters, summary: bool) -> Scorecard:
    dimension, key = filters.group
    sums: dict[tuple[str, str], _GroupSums] = {}
    if dimension == "source":
        _read(session, reads.source_query(int(key), filters), sums)
    elif cover := reads.cover_of(session, filters):
        if cover != {ALL_TIME: 1}:
            reads.make_room_for_a_range(session)
        cells: Any = ScoreCell.__table__
        if dimension != "overall":
            of_group = reads.of_group(cells, dimension, key)
            _read(session, reads.sums_query(cells, cover, of_group), sums)
        elif not summary:
            listed = cells.c.dimension.in_(("overall", *LISTED_DIMENSIONS))
            _read(session, reads.sums_query(cells, cover, listed), sums)
        else:
            # Bins for the overall calibration only; the lists from their totals.
            overall = reads.of_group(cells, "overall", "")
            _read(session, reads.sums_query(cells, cover, overall), sums)
            totals: Any = ScoreTotal.__table__
            listed = totals.c.dimension.in_(SUMMARY_DIMENSIONS)
            _read(session, reads.sums_query(totals, cover, listed), sums)
    if dimension != "overall" and (dimension, key) not in sums:
        _require_group_exists(session, dimension, key)
    names = {"overall": {"": "All sources"}}
    for dim in GROUP_DIMENSIONS:
        keys = [k for d, k in sums if d == dim]
        if keys:
            names[dim] = _names(session, dim, keys)
    if dimension != "overall" and (dimension, key) not in sums:
        names.setdefault(dimension, {}).update(_names(session, dimension, [key]))

    def build(d: str, k: str) -> GroupScore:
        name = names.get(d, {}).get(k, k)
        return _group_score(d, k, name, sums.get((d, k), _GroupSums()), filters.include_hedged)

    group = build(dimension, key)
    if dimension != "overall":
        return Scorecard(filters=filters, group=group)
    return Scorecard(
        filters=filters,
        group=group,
        authors=_ranked(build(d, k) for d, k in sums if d == "author"),
        outlets=_ranked(build(d, k) for d, k in sums if d == "outlet"),
        speakers=_ranked(build(d, k) for d, k in sums if d == "speaker"),
    )


def _require_group_exists(session: Session, dimension: str, key: str) -> None:
    exists: Any
    if dimension == "author":
        exists = session.scalar(select(Source.id).where(Source.author_slug == key).limit(1))
        what = "author"
    elif dimension == "speaker":
        exists = session.scalar(select(Speaker.id).where(Speaker.slug == key))
        what = "speaker"
    elif dimension == "outlet":
        exists = session.scalar(select(Source.id).where(Source.outlet_slug == key).limit(1))
        what = "outlet"
    elif dimension == "tag":
        exists = session.scalar(select(ClaimTag.claim_id).where(ClaimTag.tag == key).limit(1))
        what = "tag"
    else:
        exists = session.get(Source, int(key))
        what = "source"
    if exists is None:
        raise NotFound(f"there is no {what} {key!r}")


_CacheKey = tuple[str, Filters, bool]  # freshness token, filters, summary or not


def _groups_in(card: Scorecard) -> int:
    return 1 + len(card.authors) + len(card.outlets) + len(card.speakers)


_cache: Cache[_CacheKey, Scorecard] = Cache(CACHE_SIZE, CACHE_GROUPS, _groups_in)


def compute(
    session: Session,
    filters: Filters,
    fresh: Freshness | None = None,
    summary: bool = False,
) -> Scorecard:
    """THE scorecard for these filters: the page, the CSV, the API and `tracker score` all show
    what this returns. Builds the sums on first use (the caller commits). A `summary` lists
    speakers and outlets only (authors are scored as the speakers of their own claims), read
    from their totals: the same numbers, without calibration bins or Murphy decomposition per
    group, for a tenth of the rows."""
    if fresh is None:
        fresh = freshness(session, utcnow())
    if not fresh.built:
        ensure_built(session)
        fresh = freshness(session, utcnow())
    key = (fresh.token, filters, summary)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    result = _compute(session, filters, summary)
    _cache.put(key, result)
    return result


GROUP_FIELDS = (
    "dimension",
    "key",
    "name",
    "rank",
    "too_few_to_judge",
    "n_scored",
    "n_true",
    "n_unscored",
    "n_forecasts",
    "brier",
    "log_score",
    "skill_vs_chance",
    "observed_rate",
    "reliability",
    "resolution",
    "uncertainty",
    "hedge_rate",
    "n_hedged",
    "hedged_n_scored",
    "hedged_n_true",
    "hedged_observed_rate",
    "hedged_mean_probability",
    "hedged_brier",
    "baseline",
    "peer",
    "n_peer",
)


def group_record(group: GroupScore) -> dict[str, Any]:
    """A group's numbers as one flat record (the CSV's row, the API's fields)."""
    score = group.score
    murphy = score.murphy
    return {
        "dimension": group.dimension,
        "key": group.key,
        "name": group.name,
        "rank": group.rank,
        "too_few_to_judge": group.too_few_to_judge,
        "n_scored": score.n,
        "n_true": score.n_true,
        "n_unscored": group.n_unscored,
        "n_forecasts": group.n_forecasts,
        "brier": score.brier,
        "log_score": score.log_score,
        "skill_vs_chance": score.skill_vs_chance,
        "observed_rate": score.observed_rate,
        "reliability": murphy.reliability if murphy else None,
        "resolution": murphy.resolution if murphy else None,
        "uncertainty": murphy.uncertainty if murphy else None,
        "hedge_rate": group.hedge_rate,
        "n_hedged": group.n_hedged,
        "hedged_n_scored": group.hedged.n_scored,
        "hedged_n_true": group.hedged.n_true,
        "hedged_observed_rate": group.hedged.observed_rate,
        "hedged_mean_probability": group.hedged.mean_probability,
        "hedged_brier": group.hedged.brier,
        "baseline": group.comparative.baseline,
        "peer": group.comparative.peer,
        "n_peer": group.comparative.n_peer,
    }
