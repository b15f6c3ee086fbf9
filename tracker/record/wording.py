"""What words meant: for each confidence phrase the record has used ("will", "likely",
"might" ...), the probability the wording table gives it beside how often the forecasts that
used it came true, with a 90% Wilson interval; overall or for one speaker, outlet, author, tag
or source, over a range of deadline days.

Counted are forecasts whose probability was read from their wording, as the record read it
(`probability_origin = phrase`) or as a reviewer corrected it (`reviewer`); a number stated in
the source is what was said, not what the words meant, and is left out. Hedged wording is
counted like any other: how "might" turned out is the point.

A forecast's question may ask the opposite of its wording ("Iran won't retaliate", recorded as
"Will Iran retaliate?" at 10%). The wording came true when such a question resolved false: a
forecast whose probability lies on the other side of 50% from its wording's number is counted
the other way round.

One aggregate query (GROUP BY phrase, side of 50%, outcome) reads the numbers; its rows are
bounded by the distinct phrases, not by the forecasts. Answers are kept per process by the
scorecard's freshness token, so they are computed once per change of the record.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from tracker.cache import Cache
from tracker.errors import BadRequest, NotFound
from tracker.models import Claim, ClaimTag, Source, Speaker
from tracker.record import wep
from tracker.scorecard import services as scorecard
from tracker.text import speaker_slug

MIN_SCORED = 10  # fewer scored forecasts than this: shown, marked too few to judge
LEVEL = 0.90  # the confidence level of the interval around each observed rate
_Z = NormalDist().inv_cdf(0.5 + LEVEL / 2)
COUNTED_ORIGINS = ("phrase", "reviewer")
GROUP_NAMES = ("speaker", "outlet", "author", "tag", "source_id")
CACHE_SIZE = 256
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def normal_phrase(phrase: str) -> str:
    """A phrase as it is counted: lower case, runs of whitespace as one space, typographic
    apostrophes as plain ones ("Won\u2019t", "won't " and "won't" are one phrase)."""
    return re.sub(r"\s+", " ", phrase.translate(_APOSTROPHES)).strip().lower()


def wilson_interval(n_true: int, n: int, level: float = LEVEL) -> tuple[float, float] | None:
    """The Wilson score interval of a proportion n_true / n at `level` (None when n is 0)."""
    if n <= 0:
        return None
    z = _Z if level == LEVEL else NormalDist().inv_cdf(0.5 + level / 2)
    rate = n_true / n
    z2 = z * z
    centre = (rate + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(rate * (1 - rate) / n + z2 / (4 * n * n))
    # At 0 or n successes the bound is 0 or 1 exactly; rounding must not move it inside.
    lower = 0.0 if n_true == 0 else max(0.0, centre - half)
    upper = 1.0 if n_true == n else min(1.0, centre + half)
    return lower, upper


@dataclass(frozen=True)
class WordingFilters:
    """Whose forecasts (one group at most) and which deadline days (both included)."""

    speaker: str | None = None
    outlet: str | None = None
    author: str | None = None
    tag: str | None = None
    source_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @property
    def group(self) -> tuple[str, str]:
        """(name, key) of the group asked for; ("overall", "") when none."""
        for name in GROUP_NAMES:
            value = getattr(self, name)
            if value is not None:
                return name, str(value)
        return "overall", ""

    def query_args(self, group: bool = True) -> dict[str, str]:
        """The filters as query parameters (what `parse_wording_filters` reads back)."""
        args: dict[str, str] = {}
        name, key = self.group
        if group and name != "overall":
            args[name] = key
        if self.date_from is not None:
            args["from"] = self.date_from.isoformat()
        if self.date_to is not None:
            args["to"] = self.date_to.isoformat()
        return args


def parse_wording_filters(args: Mapping[str, str]) -> WordingFilters:
    """Filters from query parameters (speaker, outlet, author, tag, source_id, from, to), read
    as the scorecard reads them; names may be given as shown or as slugs. Bad values raise
    BadRequest."""
    given = [n for n in GROUP_NAMES if (args.get(n) or "").strip()]
    if len(given) > 1:
        raise BadRequest(
            "give at most one of speaker, outlet, author, tag, source_id",
            {name: "only one group at a time" for name in given},
        )
    shared = {k: v for k, v in args.items() if k in ("outlet", "author", "tag", "source_id")}
    shared.update({k: v for k, v in args.items() if k in ("from", "to")})
    parsed = scorecard.parse_filters(shared)
    speaker = None
    raw_speaker = (args.get("speaker") or "").strip()
    if raw_speaker:
        if len(raw_speaker) > 200:
            raise BadRequest("speaker is at most 200 characters", {"speaker": "too long"})
        speaker = speaker_slug(raw_speaker)
    return WordingFilters(
        speaker=speaker,
        outlet=parsed.outlet,
        author=parsed.author,
        tag=parsed.tag,
        source_id=parsed.source_id,
        date_from=parsed.date_from,
        date_to=parsed.date_to,
    )


@dataclass(frozen=True)
class PhraseOutcome:
    """One phrase: what the wording table gives it and how its forecasts turned out."""

    phrase: str
    probability: float
    hedged: bool
    category: str
    n_forecasts: int
    n_scored: int
    n_true: int
    observed_rate: float | None
    interval: tuple[float, float] | None

    @property
    def too_few_to_judge(self) -> bool:
        return self.n_scored < MIN_SCORED


@dataclass(frozen=True)
class Wording:
    filters: WordingFilters
    name: str  # whose forecasts: "All sources", a speaker's name, an outlet ...
    items: tuple[PhraseOutcome, ...] = field(default_factory=tuple)

    @property
    def n_scored(self) -> int:
        return sum(item.n_scored for item in self.items)

    @property
    def n_forecasts(self) -> int:
        return sum(item.n_forecasts for item in self.items)


def _query(filters: WordingFilters) -> Any:
    side = case((Claim.probability > 0.5, 1), (Claim.probability < 0.5, -1), else_=0)
    result = case(
        (Claim.status == "resolved", Claim.outcome),
        else_=None,
    )
    query = (
        select(Claim.phrase, side, result, func.count())
        .where(
            Claim.kind == "forecast",
            Claim.phrase.is_not(None),
            Claim.probability_origin.in_(COUNTED_ORIGINS),
            Claim.status != "void",
        )
        .group_by(Claim.phrase, side, result)
    )
    name, key = filters.group
    if name == "speaker":
        query = query.join(Speaker, Speaker.id == Claim.speaker_id).where(Speaker.slug == key)
    elif name in ("outlet", "author"):
        column = Source.outlet_slug if name == "outlet" else Source.author_slug
        query = query.join(Source, Source.id == Claim.source_id).where(column == key)
    elif name == "tag":
        query = query.where(Claim.id.in_(select(ClaimTag.claim_id).where(ClaimTag.tag == key)))
    elif name == "source_id":
        query = query.where(Claim.source_id == int(key))
    if filters.date_from is not None:
        start = dt.datetime.combine(filters.date_from, dt.time(), dt.UTC)
        query = query.where(Claim.deadline_at >= start)
    if filters.date_to is not None:
        end = dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time(), dt.UTC)
        query = query.where(Claim.deadline_at < end)
    return query


def _group_name(session: Session, filters: WordingFilters) -> str:
    """The group's name for people; NotFound when the record has no such group."""
    name, key = filters.group
    found: Any
    if name == "overall":
        return "All sources"
    if name == "speaker":
        found = session.scalar(select(Speaker.name).where(Speaker.slug == key))
    elif name == "outlet":
        found = session.scalar(select(func.min(Source.outlet)).where(Source.outlet_slug == key))
    elif name == "author":
        found = session.scalar(select(func.min(Source.author)).where(Source.author_slug == key))
    elif name == "tag":
        found = session.scalar(select(ClaimTag.tag).where(ClaimTag.tag == key).limit(1))
    else:
        found = session.scalar(select(Source.title).where(Source.id == int(key)))
    if found is None:
        what = "source" if name == "source_id" else name
        raise NotFound(f"there is no {what} {key!r}")
    return str(found)


@dataclass
class _Counts:
    n_forecasts: int = 0
    n_scored: int = 0
    n_true: int = 0


def _compute(session: Session, filters: WordingFilters) -> Wording:
    name = _group_name(session, filters)
    counts: dict[str, _Counts] = {}
    readings: dict[str, wep.Reading] = {}
    for phrase, side, outcome, n in session.execute(_query(filters)):
        key = normal_phrase(phrase)
        if not key:
            continue
        if key not in readings:
            readings[key] = wep.read_phrase(key)
        reading = readings[key]
        totals = counts.setdefault(key, _Counts())
        totals.n_forecasts += int(n)
        if outcome not in ("true", "false"):
            continue
        wording_side = (reading.probability > 0.5) - (reading.probability < 0.5)
        opposite = side != 0 and wording_side != 0 and side != wording_side
        totals.n_scored += int(n)
        if (outcome == "true") != opposite:
            totals.n_true += int(n)
    items = []
    for key, totals in counts.items():
        reading = readings[key]
        items.append(
            PhraseOutcome(
                phrase=key,
                probability=reading.probability,
                hedged=reading.hedged,
                category=reading.category,
                n_forecasts=totals.n_forecasts,
                n_scored=totals.n_scored,
                n_true=totals.n_true,
                observed_rate=totals.n_true / totals.n_scored if totals.n_scored else None,
                interval=wilson_interval(totals.n_true, totals.n_scored),
            )
        )
    items.sort(key=lambda item: (-item.probability, -item.n_scored, item.phrase))
    return Wording(filters=filters, name=name, items=tuple(items))


# Answers by (freshness token, filters): a token names one state of the record, so an entry
# never goes stale; it just stops being asked for.
_cache: Cache[tuple[str, WordingFilters], Wording] = Cache(CACHE_SIZE)


def compute_wording(
    session: Session, filters: WordingFilters, fresh: scorecard.Freshness | None = None
) -> Wording:
    """What each phrase meant for these filters: the page and the API show what this returns.
    With `fresh` (the scorecard's freshness), an answer already computed for the same state of
    the record is returned as it was."""
    if fresh is None:
        return _compute(session, filters)
    key = (fresh.token, filters)
    cached = _cache.get(key)
    if cached is None:
        cached = _compute(session, filters)
        _cache.put(key, cached)
    return cached
