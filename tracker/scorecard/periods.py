"""The periods a forecast is counted in, and which of them add up to a date range.

A forecast due on 2020-03-15 counts in six periods, each inside the one before: all time
'all', the year '2020', the quarter '2020Q1', the month '2020-03', the third of the month
'2020-03:2' (days 1-10, 11-20 and 21 to the end) and the day '2020-03-15'. A range of deadline
days is read as the whole periods inside it, finer ones only at its edges; where it takes
fewer periods, a period is read whole less the parts of it outside the range (the sums are
whole numbers, so taking away is exact). A range thus reads at most some twenty periods per
group however wide it is (about twelve on average), and a period holding no forecast costs
nothing.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools

ALL_TIME = "all"
# The finer periods and how their names are written; the length of a name says its kind.
YEAR, QUARTER, MONTH, THIRD, DAY = "year", "quarter", "month", "third", "day"
NAME_LENGTHS = {YEAR: 4, QUARTER: 6, MONTH: 7, THIRD: 9, DAY: 10}

Cover = dict[str, int]  # period -> +1 (add its cells) or -1 (take them away)
_ONE_DAY = dt.timedelta(days=1)


def _third(day: int) -> int:
    return min((day - 1) // 10, 2) + 1


def periods_of(day: str) -> tuple[str, str, str, str, str, str]:
    """The periods a forecast due on `day` (YYYY-MM-DD) counts in, coarsest first."""
    quarter = (int(day[5:7]) + 2) // 3
    return (
        ALL_TIME,
        day[:4],
        f"{day[:4]}Q{quarter}",
        day[:7],
        f"{day[:7]}:{_third(int(day[8:]))}",
        day,
    )


@functools.lru_cache(maxsize=4096)
def _parts(period: str, first: dt.date, last: dt.date) -> tuple[tuple[str, dt.date, dt.date], ...]:
    """The periods directly inside `period` (which runs from `first` to `last`)."""
    if period == ALL_TIME:
        return tuple(
            (str(y).zfill(4), dt.date(y, 1, 1), dt.date(y, 12, 31))
            for y in range(first.year, last.year + 1)
        )
    year = first.year
    if len(period) == NAME_LENGTHS[YEAR]:
        return tuple(
            (f"{period}Q{q}", dt.date(year, 3 * q - 2, 1), _month_end(year, 3 * q))
            for q in range(1, 5)
        )
    if len(period) == NAME_LENGTHS[QUARTER]:
        return tuple(
            (f"{period[:4]}-{m:02d}", dt.date(year, m, 1), _month_end(year, m))
            for m in range(first.month, last.month + 1)
        )
    if len(period) == NAME_LENGTHS[MONTH]:
        return (
            (f"{period}:1", first, first.replace(day=10)),
            (f"{period}:2", first.replace(day=11), first.replace(day=20)),
            (f"{period}:3", first.replace(day=21), last),
        )
    if len(period) == NAME_LENGTHS[THIRD]:
        days = (first + dt.timedelta(days=i) for i in range((last - first).days + 1))
        return tuple((day.isoformat(), day, day) for day in days)
    return ()


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _add(cover: Cover, part: Cover, sign: int = 1) -> None:
    for period, weight in part.items():
        total = cover.get(period, 0) + sign * weight
        if total:
            cover[period] = total
        else:
            cover.pop(period, None)


def _within(period: str, start: dt.date, end: dt.date, first: dt.date, last: dt.date) -> Cover:
    """Periods giving the days `first`..`last` of `period` (which runs `start`..`end`): its
    parts inside, or the whole period less the parts outside, whichever names fewer."""
    first, last = max(first, start), min(last, end)
    if first > last:
        return {}
    if first == start and last == end:
        return {period: 1}
    return dict(_within_part(period, start, end, first, last))


# Both ways of reading a period are weighed at every level, so the same parts come up again
# and again: kept once worked out (a few thousand edges a year at most).
@functools.lru_cache(maxsize=65536)
def _within_part(
    period: str, start: dt.date, end: dt.date, first: dt.date, last: dt.date
) -> tuple[tuple[str, int], ...]:
    parts = _parts(period, start, end)
    inside: Cover = {}
    for name, a, b in parts:
        _add(inside, _within(name, a, b, first, last))
    less: Cover = {period: 1}
    for name, a, b in parts:
        _add(less, _within(name, a, b, start, first - _ONE_DAY), -1)
        _add(less, _within(name, a, b, last + _ONE_DAY, end), -1)
    return tuple((less if len(less) < len(inside) else inside).items())


def cover(
    date_from: dt.date | None, date_to: dt.date | None, first_year: int, last_year: int
) -> Cover:
    """Periods whose cells, added (+1) and taken away (-1), give exactly the forecasts due from
    `date_from` to `date_to` (inclusive; None is open-ended), when every forecast is due in
    the years `first_year`..`last_year`. Empty when no such forecast can exist."""
    start, end = dt.date(first_year, 1, 1), dt.date(last_year, 12, 31)
    first = max(date_from, start) if date_from is not None else start
    last = min(date_to, end) if date_to is not None else end
    return _within(ALL_TIME, start, end, first, last)
