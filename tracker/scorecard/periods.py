"""The periods a forecast is counted in, and which of them add up to a date range.

A forecast due on 2020-03-15 counts in 'all', '2020', '2020-03' and '2020-03-15'. A range of
deadline days is read as whole years and months inside it and days only at its edges; where it
takes fewer periods, as a whole month, year or all time less the parts outside the range (the
sums are whole numbers, so taking away is exact). A range thus reads at most about fifty
periods per group however wide it is, and a period holding no forecast costs nothing.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable

ALL_TIME = "all"

Cover = dict[str, int]  # period -> +1 (add its cells) or -1 (take them away)


def periods_of(day: str) -> tuple[str, str, str, str]:
    """The periods a forecast due on `day` (YYYY-MM-DD) counts in, coarsest first."""
    return (ALL_TIME, day[:4], day[:7], day)


def _days(first: dt.date, last: dt.date) -> Iterable[dt.date]:
    for offset in range((last - first).days + 1):
        yield first + dt.timedelta(days=offset)


def _month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def _year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _add(cover: Cover, part: Cover, sign: int = 1) -> None:
    for period, weight in part.items():
        total = cover.get(period, 0) + sign * weight
        if total:
            cover[period] = total
        else:
            cover.pop(period, None)


def _whole_or_less(whole: str, inside: Cover, outside: Iterable[Cover]) -> Cover:
    """`inside`, or `whole` less the `outside` parts, whichever names fewer periods."""
    less: Cover = {whole: 1}
    for part in outside:
        _add(less, part, -1)
    return less if len(less) < len(inside) else inside


def _in_month(first: dt.date, last: dt.date) -> Cover:
    """Days `first`..`last` of one month."""
    start, end = _month_bounds(first)
    month = first.isoformat()[:7]
    if first == start and last == end:
        return {month: 1}
    inside = {day.isoformat(): 1 for day in _days(first, last)}
    outside = []
    if first > start:
        outside.append({d.isoformat(): 1 for d in _days(start, first - dt.timedelta(days=1))})
    if last < end:
        outside.append({d.isoformat(): 1 for d in _days(last + dt.timedelta(days=1), end)})
    return _whole_or_less(month, inside, outside)


def _months(first: dt.date, last: dt.date) -> Cover:
    """Days `first`..`last` of one year, month by month."""
    cover: Cover = {}
    day = first
    while day <= last:
        end = min(_month_bounds(day)[1], last)
        _add(cover, _in_month(day, end))
        day = end + dt.timedelta(days=1)
    return cover


def _in_year(first: dt.date, last: dt.date) -> Cover:
    """Days `first`..`last` of one year."""
    start, end = _year_bounds(first.year)
    if first == start and last == end:
        return {str(first.year).zfill(4): 1}
    outside = []
    if first > start:
        outside.append(_months(start, first - dt.timedelta(days=1)))
    if last < end:
        outside.append(_months(last + dt.timedelta(days=1), end))
    return _whole_or_less(first.isoformat()[:4], _months(first, last), outside)


def _years(first: dt.date, last: dt.date) -> Cover:
    cover: Cover = {}
    for year in range(first.year, last.year + 1):
        start, end = _year_bounds(year)
        _add(cover, _in_year(max(first, start), min(last, end)))
    return cover


def cover(
    date_from: dt.date | None, date_to: dt.date | None, first_year: int, last_year: int
) -> Cover:
    """Periods whose cells, added (+1) and taken away (-1), give exactly the forecasts due from
    `date_from` to `date_to` (inclusive; None is open-ended), when every forecast is due in
    the years `first_year`..`last_year`. Empty when no such forecast can exist."""
    start, end = _year_bounds(first_year)[0], _year_bounds(last_year)[1]
    first = max(date_from, start) if date_from is not None else start
    last = min(date_to, end) if date_to is not None else end
    if first > last:
        return {}
    outside = []
    if first > start:
        outside.append(_years(start, first - dt.timedelta(days=1)))
    if last < end:
        outside.append(_years(last + dt.timedelta(days=1), end))
    return _whole_or_less(ALL_TIME, _years(first, last), outside)
