"""Deadlines from time words: "in the short term", "this year", "by 2027", "next month", "by
June", "in the second half of next year", "on Friday", an explicit date, read against the
publication date; with none, one year after publication and marked inferred. Words that may
look back as well as ahead (a month or a day named alone) count only when the sentence gives no
other. Date-only deadlines mean the end of that day, UTC."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain

from dateutil.relativedelta import relativedelta

from tracker.imports import named_times


@dataclass(frozen=True)
class Deadline:
    at: dt.datetime
    origin: str  # explicit or inferred
    reason: str


_MONTHS = named_times.MONTHS
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_LEAD = r"(?P<lead>by|before|on|until|till|through|no\s+later\s+than|in|during|within|at)?\s*"
_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "eighteen": 18,
    "twenty": 20,
    "thirty": 30,
    "ninety": 90,
}
_FULL_DATE = re.compile(
    _LEAD + r"\b" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:,\s*|\s+)(?P<year>\d{4})\b"
    r"|" + r"(?P<lead2>by|before|on|until|no\s+later\s+than)?\s*\b(?P<day2>\d{1,2})\s+"
    r"(?P<month2>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\s+(?P<year2>\d{4})\b",
    re.IGNORECASE,
)
_MONTH_HINT = re.compile(r"\b(?:" + "|".join(_MONTHS) + r")\b", re.IGNORECASE)
_ISO_HINT = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATE = re.compile(_LEAD + r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b", re.I)
_MONTH_YEAR = re.compile(_LEAD + r"\b" + _MONTH + r"\s+(?:of\s+)?(?P<year>\d{4})\b", re.I)
_MONTH_DAY = re.compile(
    _LEAD + r"\b" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b(?!\s*,?\s*\d{4})", re.I
)
_END_OF_YEAR = re.compile(
    r"\b(?:by\s+|before\s+)?(?:the\s+)?(?:end\s+of\s+(?:the|this)\s+year|year['\u2019]s\s+end"
    r"|year-end|year\s+end|end-of-year|later\s+this\s+year)\b",
    re.IGNORECASE,
)
_YEAR = re.compile(
    r"\b(?P<lead>by|before|in|during|until|through|within|for|at|as\s+early\s+as|"
    r"as\s+soon\s+as|no\s+later\s+than)\s+(?:the\s+(?:end|close)\s+of\s+)?"
    r"(?:(?:early|mid|late)[-\s]+)?(?P<year>(?:19|20)\d{2}|2100)\b(?!-)",
    re.IGNORECASE,
)
_PERIOD = re.compile(
    r"\b(?P<which>next|this|coming)\s+(?P<unit>week|month|year|decade|spring|summer|autumn|fall|winter)\b"
    r"(?!['\u2019]s)",
    re.IGNORECASE,
)
_SEASON_YEAR = re.compile(
    r"\b(?:(?P<lead>by|before|until|till|in|during)\s+)?(?:the\s+)?"
    r"(?P<unit>spring|summer|autumn|fall|winter)\s+(?:of\s+)?(?P<year>(?:19|20)\d{2})\b",
    re.IGNORECASE,
)
_BY_SEASON = re.compile(
    r"\b(?P<lead>by|before|until|till)\s+(?:the\s+)?(?P<unit>spring|summer|autumn|fall|winter)\b",
    re.IGNORECASE,
)
_SPAN = re.compile(
    r"\b(?:within|in|inside|over|during)\s+(?:the\s+)?(?:next\s+|coming\s+|following\s+)?"
    r"(?:about\s+|around\s+|roughly\s+|some\s+|approximately\s+|less\s+than\s+)?"
    r"(?P<count>\d{1,3}|a\s+couple\s+of|a\s+few|" + "|".join(_NUMBERS) + r")\s+"
    r"(?P<unit>day|week|month|year|decade)s?\b",
    re.IGNORECASE,
)
_FEW = {"a couple of": 2, "a few": 3}  # "within a few weeks": read as three
# "in the year ahead", "over the month ahead": one such span from publication.
_AHEAD = re.compile(
    r"\b(?:in|over|during|for)\s+the\s+(?P<unit>week|month|year)\s+ahead\b", re.IGNORECASE
)
_VAGUE: list[tuple[re.Pattern[str], relativedelta, str]] = [
    (
        re.compile(r"\b(?:short|near)[-\s]+term\b", re.I),
        relativedelta(months=3),
        "read as three months",
    ),
    (
        re.compile(r"\b(?:coming|next\s+few)\s+days\b", re.I),
        relativedelta(weeks=2),
        "read as two weeks",
    ),
    (
        re.compile(r"\b(?:days|day)\s+ahead\b", re.I),
        relativedelta(weeks=2),
        "read as two weeks",
    ),
    (
        re.compile(r"\bweeks\s+ahead\b", re.I),
        relativedelta(weeks=6),
        "read as six weeks",
    ),
    (
        re.compile(r"\bmonths\s+ahead\b", re.I),
        relativedelta(months=6),
        "read as six months",
    ),
    (
        re.compile(r"\b(?:coming|next\s+few)\s+weeks\b", re.I),
        relativedelta(weeks=6),
        "read as six weeks",
    ),
    (
        re.compile(r"\b(?:coming|next\s+few)\s+months\b", re.I),
        relativedelta(months=6),
        "read as six months",
    ),
    (
        re.compile(r"\b(?:coming|next\s+few)\s+years\b", re.I),
        relativedelta(years=3),
        "read as three years",
    ),
    (
        re.compile(r"\b(?:soon|shortly|imminent(?:ly)?|any\s+day\s+now)\b", re.I),
        relativedelta(months=3),
        "read as three months",
    ),
    (
        re.compile(r"\b(?:medium|mid)[-\s]+term\b", re.I),
        relativedelta(years=2),
        "read as two years",
    ),
    (
        re.compile(r"\b(?:long[-\s]+term|in\s+the\s+long\s+run|eventually)\b", re.I),
        relativedelta(years=5),
        "read as five years",
    ),
]
_SEASON_END = {"spring": (5, 31), "summer": (8, 31), "autumn": (11, 30), "fall": (11, 30)}
_SEASON_START = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}


def _end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=dt.UTC)


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _before(lead: str | None, day: dt.date) -> dt.date:
    return day - dt.timedelta(days=1) if (lead or "").lower() == "before" else day


def _season_start(name: str, year: int) -> dt.date:
    return dt.date(year, _SEASON_START[name], 1)


def _season_end(name: str, year: int) -> dt.date:
    if name == "winter":
        return named_times.last_day(year + 1, 2)
    month, day = _SEASON_END[name]
    return dt.date(year, month, day)


def read_deadline(sentence: str, published: dt.date, base_note: str = "") -> Deadline:
    """The deadline the sentence's time words give, read against the publication date; with
    none (or only ones already past), one year after publication (inferred)."""
    for deadline in _readings(sentence, published, base_note):
        if deadline.at.date() >= published:
            return deadline
    return Deadline(
        _end_of_day(published + relativedelta(years=1)),
        "inferred",
        "no time given: one year after publication" + base_note,
    )


def _readings(sentence: str, published: dt.date, base_note: str) -> Iterator[Deadline]:
    """Every deadline the time words could give, most precise first."""

    def explicit(day: dt.date, words: str, how: str = "") -> Deadline:
        reason = f"\u201c{words.strip()}\u201d in the text" + (f", {how}" if how else "")
        return Deadline(_end_of_day(day), "explicit", reason + base_note)

    # The patterns with a month or an ISO date try every position of the sentence: most
    # sentences name neither, and these cheap tests spare them.
    months = _MONTH_HINT.search(sentence) is not None
    for match in _FULL_DATE.finditer(sentence) if months else ():
        if match.group("month"):
            lead, month, day, year = (
                match.group("lead"),
                match.group("month"),
                match.group("day"),
                match.group("year"),
            )
        else:
            lead, month, day, year = (
                match.group("lead2"),
                match.group("month2"),
                match.group("day2"),
                match.group("year2"),
            )
        date = _safe_date(int(year), _MONTHS[month.lower().rstrip(".")], int(day))
        if date is not None and date >= published:
            yield explicit(_before(lead, date), match.group(0))
    for match in _ISO_DATE.finditer(sentence) if _ISO_HINT.search(sentence) else ():
        date = _safe_date(int(match["year"]), int(match["month"]), int(match["day"]))
        if date is not None and date >= published:
            yield explicit(_before(match["lead"], date), match.group(0))
    for match in _MONTH_YEAR.finditer(sentence) if months else ():
        month = _MONTHS[match["month"].lower().rstrip(".")]
        year = int(match["year"])
        if (year, month) < (published.year, published.month):
            continue
        if (match["lead"] or "").lower() == "before":
            yield explicit(dt.date(year, month, 1) - dt.timedelta(days=1), match.group(0))
        yield explicit(
            named_times.last_day(year, month), match.group(0), "read as the end of that month"
        )
    for match in _MONTH_DAY.finditer(sentence) if months else ():
        month = _MONTHS[match["month"].lower().rstrip(".")]
        if month == 5 and match["month"] == "may":
            continue  # the modal verb, not the month
        date = _safe_date(published.year, month, int(match["day"]))
        if date is None:
            continue
        if date < published:
            date = _safe_date(published.year + 1, month, int(match["day"])) or date
        yield explicit(_before(match["lead"], date), match.group(0), "the next such date")
    match_end = _END_OF_YEAR.search(sentence)
    if match_end:
        yield explicit(dt.date(published.year, 12, 31), match_end.group(0))
    for match in _SEASON_YEAR.finditer(sentence):
        unit, year = match["unit"].lower(), int(match["year"])
        if year < published.year:
            continue
        if (match["lead"] or "").lower() == "before":
            day_before = _season_start(unit, year) - dt.timedelta(days=1)
            yield explicit(day_before, match.group(0), "the day before that season begins")
        yield explicit(_season_end(unit, year), match.group(0), "read as the end of that season")
    for day, words, how in named_times.quarters(sentence, published):
        yield explicit(day, words, how)
    for match in _YEAR.finditer(sentence):
        year = int(match["year"])
        if year < published.year:
            continue
        if match["lead"].lower() == "before":
            yield explicit(dt.date(year - 1, 12, 31), match.group(0))
        yield explicit(dt.date(year, 12, 31), match.group(0), f"read as the end of {year}")
    match_period = _PERIOD.search(sentence)
    if match_period:
        which = match_period["which"].lower()
        unit = match_period["unit"].lower()
        step = 0 if which == "this" else 1
        if unit == "week":
            sunday = published + dt.timedelta(days=6 - published.weekday() + 7 * step)
            yield explicit(sunday, match_period.group(0), "read as the end of that week")
        if unit == "month":
            first = published.replace(day=1) + relativedelta(months=step)
            yield explicit(
                named_times.last_day(first.year, first.month),
                match_period.group(0),
                "read as the end of that month",
            )
        if unit == "year":
            yield explicit(
                dt.date(published.year + step, 12, 31),
                match_period.group(0),
                "read as the end of that year",
            )
        if unit == "decade":
            yield explicit(
                dt.date(published.year // 10 * 10 + 9 + 10 * step, 12, 31),
                match_period.group(0),
                "read as the end of that decade",
            )
        end = _season_end(unit, published.year)
        if step or end < published:
            end = _season_end(unit, published.year + 1)
        yield explicit(end, match_period.group(0), "read as the end of that season")
    match_season = _BY_SEASON.search(sentence)
    if match_season:
        unit = match_season["unit"].lower()
        year = (
            published.year if _season_end(unit, published.year) >= published else published.year + 1
        )
        if match_season["lead"].lower() == "before":
            start = _season_start(unit, year)
            if start <= published:
                start = _season_start(unit, year + 1)
            yield explicit(
                start - dt.timedelta(days=1), match_season.group(0), "the day before it begins"
            )
        yield explicit(
            _season_end(unit, year),
            match_season.group(0),
            "read as the end of the next such season",
        )
    match_span = _SPAN.search(sentence)
    if match_span:
        raw = " ".join(match_span["count"].lower().split())
        count = int(raw) if raw.isdigit() else _NUMBERS.get(raw) or _FEW[raw]
        unit = match_span["unit"].lower()
        length = {
            "day": relativedelta(days=count),
            "week": relativedelta(weeks=count),
            "month": relativedelta(months=count),
            "year": relativedelta(years=count),
            "decade": relativedelta(years=10 * count),
        }[unit]
        day = published + length
        yield explicit(day, match_span.group(0), "counted from publication")
    match_ahead = _AHEAD.search(sentence)
    if match_ahead:
        unit = match_ahead["unit"].lower()
        span = {"week": relativedelta(weeks=1), "month": relativedelta(months=1)}.get(
            unit, relativedelta(years=1)
        )
        yield explicit(published + span, match_ahead.group(0), "counted from publication")
    # Last the words that may look back as well as ahead ("up from 40% in January", "said on
    # Tuesday"): a sentence's other time words come first.
    for day, words, how in chain(
        named_times.months(sentence, published), named_times.days(sentence, published)
    ):
        yield explicit(day, words, how)
    for pattern, delta, how in _VAGUE:
        vague = pattern.search(sentence)
        if vague:
            yield Deadline(
                _end_of_day(published + delta),
                "inferred",
                f"\u201c{vague.group(0)}\u201d {how} after publication" + base_note,
            )
