"""Date ranges read from the sums per year, quarter, month, third of a month and day: on
generated records, every range gives what scoring the forecasts due in it from scratch gives,
after every kind of change."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from tests.scorecard.cells import every_cell
from tests.scorecard.scorecard_data import Forecast, record, resolve
from tracker import migrate
from tracker.models import SUM_FIELDS, Claim, ClaimTag, Source, User
from tracker.review import changes
from tracker.scorecard import periods, scoring
from tracker.scorecard import services as scorecard
from tracker.scorecard import sums as scoresums

UTC = dt.UTC
# Days at the edges of thirds of months, months, quarters and years, where a range switches
# between periods.
EDGES = [
    dt.date(2020, 5, 10),
    dt.date(2020, 5, 11),
    dt.date(2020, 5, 20),
    dt.date(2020, 5, 21),
    dt.date(2021, 3, 31),
    dt.date(2021, 4, 1),
    dt.date(2021, 9, 30),
    dt.date(2020, 2, 29),
    dt.date(2020, 3, 1),
    dt.date(2020, 12, 31),
    dt.date(2021, 1, 1),
    dt.date(2021, 1, 31),
    dt.date(2021, 2, 1),
    dt.date(2021, 6, 30),
    dt.date(2021, 12, 31),
    dt.date(2022, 1, 1),
]
FIRST, LAST = dt.date(2020, 1, 10), dt.date(2022, 12, 31)
BEFORE_QUARTERS = "7d41c0a9e3b5"  # the last revision keeping years, months and days only


def _day(rng: random.Random) -> dt.date:
    if rng.random() < 0.4:
        return rng.choice(EDGES) + dt.timedelta(days=rng.choice((-1, 0, 0, 1)))
    return FIRST + dt.timedelta(days=rng.randrange((LAST - FIRST).days + 1))


def _deadline(rng: random.Random) -> dt.datetime:
    """A deadline on a generated day, sometimes in the last minutes of its UTC day."""
    minute = rng.choice((0, 12 * 60, 23 * 60 + 59))
    return dt.datetime.combine(_day(rng), dt.time(), UTC) + dt.timedelta(minutes=minute)


def _range(rng: random.Random) -> tuple[dt.date | None, dt.date | None]:
    ends = [None if rng.random() < 0.15 else _day(rng) for _ in range(2)]
    if rng.random() < 0.1:  # beyond every deadline
        ends[rng.randrange(2)] = rng.choice((dt.date(1999, 5, 5), dt.date(2031, 1, 1)))
    first, last = ends
    if first is not None and last is not None and first > last:
        first, last = last, first
    return first, last


def _generated(rng: random.Random, n: int) -> list[Forecast]:
    return [
        Forecast(
            rng.choice((round(rng.uniform(0.01, 0.99), 3), 0.0004, 0.9996, 0.5, 0.9)),
            rng.choice(("true", "false", "false", None, "ambiguous")),
            author=rng.choice(("Ann Author", "Bo Writer", "Cy Pundit", None)),
            outlet=rng.choice(("The Daily", "The Weekly", None)),
            tags=tuple(rng.sample(("oil", "iran", "rates"), rng.randrange(3))),
            hedged=rng.random() < 0.25,
            deadline=_deadline(rng),
        )
        for _ in range(n)
    ]


@dataclass
class _Expected:
    pairs: list[tuple[float, bool]]
    hedged_pairs: list[tuple[float, bool]]
    n_unscored: int
    n_hedged_unscored: int


def _from_scratch(
    session: Session, filters: scorecard.Filters, dimension: str, key: str
) -> _Expected:
    """Score the forecasts of one group due in the range, straight from the claims."""
    expected = _Expected([], [], 0, 0)
    for claim in session.scalars(select(Claim).where(Claim.kind == "forecast")):
        assert claim.deadline_at is not None and claim.probability is not None
        day = claim.deadline_at.astimezone(UTC).date()
        if filters.date_from is not None and day < filters.date_from:
            continue
        if filters.date_to is not None and day > filters.date_to:
            continue
        source: Source = claim.source
        groups = {
            "overall": {""},
            "author": {source.author_slug},
            "outlet": {source.outlet_slug},
            "tag": set(claim.tag_names),
            "source": {str(source.id)},
        }
        if key not in groups[dimension]:
            continue
        if claim.status == "resolved" and claim.outcome in ("true", "false"):
            pair = (claim.probability, claim.outcome == "true")
            (expected.hedged_pairs if claim.hedged else expected.pairs).append(pair)
        else:
            expected.n_unscored += 1
            expected.n_hedged_unscored += int(claim.hedged)
    return expected


def _check_group(group: scorecard.GroupScore, expected: _Expected, include_hedged: bool) -> None:
    headline = expected.pairs + (expected.hedged_pairs if include_hedged else [])
    score = scoring.score(headline)
    hedged = scoring.score(expected.hedged_pairs)
    assert (group.score.n, group.score.n_true) == (score.n, score.n_true)
    assert group.n_unscored == expected.n_unscored
    assert group.n_forecasts == len(expected.pairs) + len(expected.hedged_pairs) + (
        expected.n_unscored
    )
    assert group.n_hedged == len(expected.hedged_pairs) + expected.n_hedged_unscored
    assert (group.hedged.n_scored, group.hedged.n_true) == (hedged.n, hedged.n_true)
    close = pytest.approx  # sums are kept in units of 1e-9, rounded once per forecast
    for got, want in ((group.score, score), (group.hedged, hedged)):
        if want.brier is None:
            assert got.brier is None
        else:
            assert got.brier == close(want.brier, abs=1e-9)
    assert group.score.log_score == (
        None if score.log_score is None else close(score.log_score, abs=1e-9)
    )
    assert [(c.bin, c.n, c.observed_rate) for c in group.score.calibration] == [
        (c.bin, c.n, c.observed_rate) for c in score.calibration
    ]
    for got_bin, want_bin in zip(group.score.calibration, score.calibration, strict=True):
        assert got_bin.mean_probability == close(want_bin.mean_probability, abs=1e-9)


def _check_ranges(session: Session, rng: random.Random, count: int) -> None:
    authors = {s.author_slug for s in session.scalars(select(Source))} - {None}
    tags = set(session.scalars(select(ClaimTag.tag).distinct()))
    sources = sorted(session.scalars(select(Source.id)))
    for _ in range(count):
        first, last = _range(rng)
        include_hedged = rng.random() < 0.3
        filters = scorecard.Filters(date_from=first, date_to=last, include_hedged=include_hedged)
        card = scorecard.compute(session, filters)
        _check_group(card.group, _from_scratch(session, filters, "overall", ""), include_hedged)
        listed = {g.key for g in card.authors}
        assert listed == {
            a
            for a in authors
            if _from_scratch(session, filters, "author", str(a)).n_unscored
            or _from_scratch(session, filters, "author", str(a)).pairs
            or _from_scratch(session, filters, "author", str(a)).hedged_pairs
        }
        for group in card.authors + card.outlets:
            expected = _from_scratch(session, filters, group.dimension, group.key)
            _check_group(group, expected, include_hedged)
        # A summary's lists, read from the groups' totals, say the same but for the bins.
        page = scorecard.compute(session, filters, summary=True)
        assert page.group == card.group
        assert page.authors == ()
        for got, want in ((page.outlets, card.outlets), (page.speakers, card.speakers)):
            for a, b in zip(got, want, strict=True):
                values, wanted = _uncalibrated(a), _uncalibrated(b)
                floats = [isinstance(v, float) for v in wanted]
                assert [v for v, f in zip(values, floats, strict=True) if not f] == [
                    v for v, f in zip(wanted, floats, strict=True) if not f
                ]
                # sums added up in another order may differ in the last bits
                assert [v for v, f in zip(values, floats, strict=True) if f] == pytest.approx(
                    [v for v, f in zip(wanted, floats, strict=True) if f], rel=1e-9, abs=1e-12
                )
            assert all(not g.score.calibration and g.score.murphy is None for g in got)
        tag = rng.choice(sorted(tags))
        one = scorecard.compute(session, scorecard.Filters(tag=tag, date_from=first, date_to=last))
        _check_group(one.group, _from_scratch(session, filters, "tag", tag), False)
        # A source's scorecard adds up its forecasts' entries rather than cells of its own.
        source_id = rng.choice(sources)
        by_source = scorecard.Filters(
            source_id=source_id, date_from=first, date_to=last, include_hedged=include_hedged
        )
        expected = _from_scratch(session, filters, "source", str(source_id))
        _check_group(scorecard.compute(session, by_source).group, expected, include_hedged)


def _uncalibrated(group: scorecard.GroupScore) -> list[object]:
    """A group's numbers but its calibration and Murphy decomposition, as a flat list."""
    return _leaves(group._replace(score=group.score._replace(calibration=(), murphy=None)))


def _leaves(value: object) -> list[object]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, (list, tuple)):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


def test_random_ranges_equal_scoring_from_scratch_through_every_change(
    session: Session, make_user: Callable[..., User]
) -> None:
    rng = random.Random(16)
    admin = make_user("admin")
    claims = record(session, _generated(rng, 45))
    _check_ranges(session, rng, 12)

    for claim in rng.sample(claims, 30):
        action = rng.choice(
            ("resolve", "reopen", "void", "deadline", "probability", "tags", "author")
        )
        if action == "resolve":
            resolve(session, claim, rng.choice(("true", "false", "ambiguous")))
        elif action == "reopen" and claim.status == "resolved":
            resolve(session, claim, None)
        elif action == "void" and claim.status == "open":
            claim.status, claim.outcome, claim.void_reason = "void", None, "duplicate"
            scorecard.on_outcome_changed(session, claim)
        elif action == "deadline" and claim.status == "open":
            changes.edit_claim(session, claim, admin, reason="moved", deadline=_deadline(rng))
        elif action == "probability":
            claim.probability = round(rng.uniform(0.01, 0.99), 3)
            scorecard.on_outcome_changed(session, claim)
        elif action == "tags":
            claim.tags = [ClaimTag(tag=t) for t in rng.sample(("oil", "gas", "rates"), 2)]
            scorecard.on_outcome_changed(session, claim)
        elif action == "author":
            claim.source.author_slug = rng.choice(("ann-author", "new-voice", None))
            scorecard.on_outcome_changed(session, claim)
        session.commit()
    _check_ranges(session, rng, 12)

    # The sums kept through every change are exactly those counted again from scratch.
    kept = every_cell(session)
    assert scorecard.rebuild(session) == len(claims)
    session.commit()
    assert every_cell(session) == kept
    _check_ranges(session, rng, 6)


def test_each_forecast_adds_the_same_units_in_python_and_in_the_database(
    session: Session,
) -> None:
    rng = random.Random(7)
    items = [
        Forecast(p, o, deadline=_deadline(rng))
        for p in (0.0001, 0.001, 0.0015, 0.1, 0.25, 0.3, 0.5, 0.7, 0.95, 0.999, 0.9999)
        for o in ("true", "false")
    ]
    claims = record(session, items)
    scorecard.compute(session, scorecard.Filters())
    kept = every_cell(session)
    scorecard.rebuild(session)
    session.commit()
    assert every_cell(session) == kept
    for claim in claims:
        assert claim.probability is not None
        units = scoresums.forecast_sums(claim.probability, claim.outcome)
        came_true = claim.outcome == "true"
        as_floats = dict(zip(SUM_FIELDS, units, strict=True))
        assert as_floats["sum_squared_error"] == round((claim.probability - came_true) ** 2 * 10**9)
        assert as_floats["sum_log"] == pytest.approx(
            scoring.log_term(claim.probability, came_true) * 10**9, abs=0.5
        )


def _month_days(year: int, month: int) -> tuple[dt.date, dt.date]:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return dt.date(year, month, 1), following - dt.timedelta(days=1)


def _days_of(period: str, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of a period, as its name says (read apart from `periods`)."""
    if period == periods.ALL_TIME:
        return first, last
    if len(period) == 4:
        return dt.date(int(period), 1, 1), dt.date(int(period), 12, 31)
    if len(period) == 6:  # a quarter, 2020Q1
        year, quarter = int(period[:4]), int(period[5])
        return _month_days(year, 3 * quarter - 2)[0], _month_days(year, 3 * quarter)[1]
    if len(period) == 7:
        return _month_days(int(period[:4]), int(period[5:]))
    if len(period) == 9:  # a third of a month, 2020-03:2 (days 1-10, 11-20, 21 to the end)
        start, end = _month_days(int(period[:4]), int(period[5:7]))
        third = int(period[8])
        return start.replace(day=10 * third - 9), end if third == 3 else start.replace(
            day=10 * third
        )
    day = dt.date.fromisoformat(period)
    return day, day


dates = st.dates(dt.date(1990, 1, 1), dt.date(2060, 12, 31))


@settings(max_examples=300, deadline=None)
@given(st.none() | dates, st.none() | dates, st.integers(1995, 2030), st.integers(0, 40))
def test_a_range_is_covered_exactly_by_few_periods(
    date_from: dt.date | None, date_to: dt.date | None, first_year: int, span: int
) -> None:
    last_year = first_year + span
    cover = periods.cover(date_from, date_to, first_year, last_year)
    start, end = dt.date(first_year, 1, 1), dt.date(last_year, 12, 31)
    weights: dict[dt.date, int] = {}
    for period, weight in cover.items():
        first, last = _days_of(period, start, end)
        day = first
        while day <= last:
            weights[day] = weights.get(day, 0) + weight
            day += dt.timedelta(days=1)
    inside = {day for day, weight in weights.items() if weight}
    for day in weights:
        assert weights[day] in (0, 1)
    wanted_first = max(date_from or start, start)
    wanted_last = min(date_to or end, end)
    expected = set()
    day = wanted_first
    while day <= wanted_last:
        expected.add(day)
        day += dt.timedelta(days=1)
    assert inside == expected
    # Bounded whatever the width: at each of two edges at most six days, two thirds of a
    # month, two months and two quarters; the years between (or those outside), never more.
    assert len(cover) <= 2 * (6 + 2 + 2 + 2) + span // 2 + 2


def test_a_forecast_counts_in_the_periods_that_hold_its_day() -> None:
    day = dt.date(2019, 12, 31)
    while day <= dt.date(2021, 1, 1):
        for period in periods.periods_of(day.isoformat()):
            first, last = _days_of(period, dt.date(1900, 1, 1), dt.date(2100, 12, 31))
            assert first <= day <= last, (period, day)
        day += dt.timedelta(days=1)


def test_migrating_down_and_up_again_counts_the_same_sums(
    session: Session, database_url: str
) -> None:
    rng = random.Random(9)
    record(session, _generated(rng, 40))
    scorecard.compute(session, scorecard.Filters())
    session.commit()
    kept = every_cell(session)
    assert {len(cell[0]) for cell in kept} == {3, 4, 6, 7, 9, 10}
    session.close()
    migrate.downgrade(database_url, BEFORE_QUARTERS)
    columns = {c["name"] for c in inspect(session.get_bind()).get_columns("score_cells")}
    assert "bin" in columns  # a row per bin, as then
    session.close()
    migrate.upgrade(database_url)  # the sums are counted again on first use
    scorecard.compute(session, scorecard.Filters())
    session.commit()
    assert every_cell(session) == kept
    _check_ranges(session, rng, 4)
