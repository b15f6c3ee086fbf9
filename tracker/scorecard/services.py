"""The public scorecard: scores per author, speaker, outlet, tag, source and overall, over a date
range: Brier, log score and calibration, and the comparative baseline and peer scores.

Numbers come from `score_cells`, sums kept per group, period (all time, and the deadline's
year, quarter, month, third of a month and day) and hedged flag, with what calibration needs
per bin beside the totals; `on_outcome_changed` (in `sums`, re-exported here) updates them
whenever a forecast's state changes. Reading a scorecard reads a bounded number of rows per
group, never every claim, whatever the range.
A source's scorecard, one article's forecasts, adds up their `score_entries`.
`compute` is the one function the page, the CSV, the API and the command line take their
numbers from.

The date range selects forecasts by their deadline (UTC day): every forecast has one, and "how
did the forecasts due in 2020 turn out" is what a reader of a scorecard asks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from tracker.cache import Cache
from tracker.db import utcnow
from tracker.errors import NotFound
from tracker.models import (
    BIN_AT,
    CELL_FIELDS,
    POINT_SCALE,
    SUM_FIELDS,
    SUM_SCALE,
    ClaimTag,
    Source,
    Speaker,
    unpack_counts,
)
from tracker.scorecard import periods, reads, scoring
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
SUMMARY_DIMENSIONS = ("speaker", "outlet")  # ... and a summary of it
CACHE_SIZE = 256  # all-time scorecards a process keeps (`tracker.cache.Cache`) ...
# ... holding at most this many groups in all (measured at 100,000 forecasts, when date ranges
# were kept too: 60 of them held 600,000 objects, and the garbage collector's full passes took
# up to 0.3 s).
CACHE_GROUPS = 4096


# ---------------------------------------------------------------------------------------------
# Reading scorecards


# Named tuples, as scores are (see `scoring.CalibrationBin`): a scorecard makes hundreds.


class HedgedOutcome(NamedTuple):
    """How the hedged forecasts of a group turned out."""

    n_scored: int
    n_true: int
    observed_rate: float | None
    mean_probability: float | None
    brier: float | None


class Comparative(NamedTuple):
    """Mean baseline score over a group's scored forecasts, and mean peer score over those
    whose question has other scored forecasts (SPEC, "Questions and speakers"), in points."""

    baseline: float | None
    peer: float | None
    n_peer: int


class GroupScore(NamedTuple):
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


# Where each sum sits in a row read (after dimension, key and hedged flag): SUM_FIELDS, then,
# in rows with bins, each bin's columns (BIN_FIELDS).
_AT = {name: index for index, name in enumerate(CELL_FIELDS)}
_N, _N_TRUE, _SUM_P = _AT["n"], _AT["n_true"], _AT["sum_probability"]
_SQUARED, _LOG, _UNSCORED = _AT["sum_squared_error"], _AT["sum_log"], _AT["n_unscored"]
_BASELINE, _N_PEER, _PEER = _AT["sum_baseline"], _AT["n_peer"], _AT["sum_peer"]
_Row = tuple[int, ...]  # a group's sums, hedged or not, in CELL_FIELDS (or SUM_FIELDS) order


@dataclass
class _GroupSums:
    """A group's rows: the sums of its forecasts not hedged, and of its hedged ones."""

    plain: _Row | None = None
    hedged: _Row | None = None


def _added(a: _Row | None, b: _Row | None) -> _Row | None:
    if a is None or b is None:
        return a if b is None else b
    return tuple(x + y for x, y in zip(a, b, strict=True))


def _scored(row: _Row | None, calibrated: bool) -> scoring.Score:
    """The scores of a row's forecasts; calibrated when asked and the row holds its bins."""
    if row is None:
        return scoring.from_sums(0, 0, 0.0, 0.0, None)
    scale = SUM_SCALE
    bins = None
    if calibrated and len(row) == len(CELL_FIELDS):
        bins = []
        for index, at in enumerate(BIN_AT):
            if row[at]:
                count, came_true = unpack_counts(row[at])
                bins.append((index, count, row[at + 1] / scale, came_true))
    return scoring.from_sums(row[_N], row[_N_TRUE], row[_SQUARED] / scale, row[_LOG] / scale, bins)


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


# The names of groups, per state of the data (freshness token) and dimension: every range lists
# groups of the all-time scorecard, so their names are read once per state, not once per range
# (at 100,000 forecasts, 15 ms of a range's 110 ms on PostgreSQL, 7 ms of 100 ms on SQLite).
_known_names: Cache[tuple[str, str], dict[str, str]] = Cache(16)


def _names_of(session: Session, token: str, dimension: str, keys: list[str]) -> dict[str, str]:
    """`_names` of `keys`, those of this state of the data read once per process. The dict
    returned is shared: read it, never change it."""
    known = _known_names.get((token, dimension))
    if known is None:
        known = {}
        _known_names.put((token, dimension), known)
    missing = [k for k in keys if k not in known]
    if missing:
        known.update(_names(session, dimension, missing))
    return known


def _group_score(
    dimension: str, key: str, name: str, sums: _GroupSums, include_hedged: bool
) -> GroupScore:
    plain, hedged = sums.plain, sums.hedged
    headline = _added(plain, hedged) if include_hedged else plain
    headline_score = _scored(headline, calibrated=True)
    # The hedged forecasts are shown by their totals only: no calibration of their own.
    hedged_score = _scored(hedged, calibrated=False)
    n_unscored = sum(row[_UNSCORED] for row in (plain, hedged) if row is not None)
    n_hedged = hedged[_UNSCORED] + hedged[_N] if hedged is not None else 0
    n_peer = headline[_N_PEER] if headline is not None else 0
    return GroupScore(
        dimension=dimension,
        key=key,
        name=name,
        score=headline_score,
        n_unscored=n_unscored,
        n_forecasts=sum(row[_N] for row in (plain, hedged) if row is not None) + n_unscored,
        n_hedged=n_hedged,
        hedged=HedgedOutcome(
            n_scored=hedged_score.n,
            n_true=hedged_score.n_true,
            observed_rate=hedged_score.observed_rate,
            mean_probability=(
                hedged[_SUM_P] / SUM_SCALE / hedged_score.n
                if hedged is not None and hedged_score.n
                else None
            ),
            brier=hedged_score.brier,
        ),
        comparative=Comparative(
            baseline=(
                headline[_BASELINE] / POINT_SCALE / headline_score.n
                if headline is not None and headline_score.n
                else None
            ),
            peer=headline[_PEER] / POINT_SCALE / n_peer if headline and n_peer else None,
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
    return tuple(g._replace(rank=i) for i, g in enumerate(judged, 1)) + tuple(rest)


def _read(session: Session, query: Any, sums: dict[tuple[str, str], _GroupSums]) -> None:
    """Add the rows of a `reads.sums_query` (dimension, key, hedged, sums) to the groups'."""
    # Core rows (no ORM layer), a few thousand at most: one per group and hedged flag.
    for row in session.connection().execute(query):
        values = tuple(map(int, row[3:]))
        if not any(values):
            continue  # a group's forecasts all moved elsewhere, or none is due in the range
        group_sums = sums.get((row[0], row[1]))
        if group_sums is None:
            group_sums = sums[row[0], row[1]] = _GroupSums()
        if row[2]:
            group_sums.hedged = values
        else:
            group_sums.plain = values


def _read_groups(
    session: Session,
    cover: periods.Cover,
    where: Any,
    include_hedged: bool,
    dialect: str,
    sums: dict[tuple[str, str], _GroupSums],
) -> None:
    """The groups' rows with their calibration bins; the hedged forecasts' bins only when
    they count in the headline scores. Shown apart, they are shown by their totals: their
    rows are read without the bin columns, in half the rows a range reads (measured at
    1,000,000 forecasts on SQLite, with three columns per bin: 60 ms for a range became
    43 ms)."""
    if include_hedged:
        _read(session, reads.sums_query(cover, where, dialect), sums)
        return
    plain, hedged = and_(where, reads.of_hedged(False)), and_(where, reads.of_hedged(True))
    _read(session, reads.sums_query(cover, plain, dialect), sums)
    _read(session, reads.sums_query(cover, hedged, dialect, SUM_FIELDS), sums)


def _compute(session: Session, filters: Filters, summary: bool, token: str) -> Scorecard:
    dimension, key = filters.group
    sums: dict[tuple[str, str], _GroupSums] = {}
    if dimension == "source":
        _read(session, reads.source_query(int(key), filters), sums)
    elif cover := reads.cover_of(session, filters):
        if cover != {ALL_TIME: 1}:
            reads.make_room_for_a_range(session)
        hedged, dialect = filters.include_hedged, session.get_bind().dialect.name
        if dimension != "overall":
            where = reads.of_group(dimension, key)
            _read_groups(session, cover, where, hedged, dialect, sums)
        elif not summary:
            listed = reads.of_dimensions(("overall", *LISTED_DIMENSIONS))
            _read_groups(session, cover, listed, hedged, dialect, sums)
        else:
            # Bins for the overall calibration only; the lists from their totals.
            overall = reads.of_group("overall", "")
            _read_groups(session, cover, overall, hedged, dialect, sums)
            listed = reads.of_dimensions(SUMMARY_DIMENSIONS)
            _read(session, reads.sums_query(cover, listed, dialect, SUM_FIELDS), sums)
    if dimension != "overall" and (dimension, key) not in sums:
        _require_group_exists(session, dimension, key)
    names = {"overall": {"": "All sources"}}
    for dim in GROUP_DIMENSIONS:
        keys = [k for d, k in sums if d == dim]
        if dim == dimension and key not in keys:
            keys.append(key)
        if keys:
            names[dim] = _names_of(session, token, dim, keys)

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
    result = _compute(session, filters, summary, fresh.token)
    if filters.date_from is None and filters.date_to is None:
        # Only all-time scorecards are kept as objects: the page, the CSV and the API keep
        # what they made of a date range's (`web.conditional`), and a range seldom comes
        # again. Kept, each range's groups lengthened every full pass of the garbage
        # collector: at 1,000,000 forecasts, 60 ranges in a row set off 9 full passes of 464 ms
        # in all; not kept, 194 ms.
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
