"""Deadlines from time words: "in the short term", "this year", "by 2027", "next month", "by
June", "in the second half of next year", "on Friday", an explicit date, read against the
publication date; with none, one year after publication and marked inferred. Words that may
look back as well as ahead (a month or a day named alone) count only when the sentence gives no
other. Date-only deadlines mean the end of that day, UTC."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta


@dataclass(frozen=True)
class Deadline:
    at: dt.datetime
    origin: str  # explicit or inferred
    reason: str


_MONTHS = {name.lower(): index for index, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): index for index, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
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
_MONTH_NAMES = "|".join(
    name for name in sorted(_MONTHS, key=len, reverse=True) if len(name) > 3 or name == "may"
)
# A month named alone after a word that places it in time: "in June", "by the end of
# September", "until early February", "as soon as March". Month names are capitalised in
# news text (the modal "may" is not): the name is checked for a capital.
_BARE_MONTH = re.compile(
    r"\b(?P<lead>by|before|in|during|until|till|through|as\s+soon\s+as|as\s+early\s+as|"
    r"no\s+later\s+than|no\s+earlier\s+than|next|at(?=\s+the\s+(?:end|beginning|start)))\s+"
    r"(?:(?:the\s+)?(?:end|beginning|start|middle)\s+of\s+|(?:early|mid|late)[-\s]+)?"
    r"(?P<month>" + _MONTH_NAMES + r"|(?:Jan|Feb|Mar|Apr|Aug|Sep|Sept|Oct|Nov|Dec)\.)"
    r"(?!\s*\d)(?!\w)",
    re.IGNORECASE,
)
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
# "on Friday", "by Tuesday night", "next Wednesday", "as early as Thursday": the next such
# day after publication.
_WEEKDAY = re.compile(
    r"\b(?P<lead>on|by|before|until|till|next|this|as\s+early\s+as|as\s+soon\s+as)\s+"
    r"(?P<day>" + "|".join(_WEEKDAYS) + r")\b",
    re.IGNORECASE,
)
# A day named after a verb of reporting is when it was said, not a deadline: "the company said
# on Tuesday", "told reporters in a briefing on Monday", "announced today".
_REPORTED_BEFORE = re.compile(
    r"\b(?:said|told|announced|reported|wrote|added|"
    r"stated|noted|warned|released|published|predicted|confirmed|revealed|"
    r"tweeted|posted|argued|estimated|projected|signalled|signaled|indicated)\b"
    r"[^.;:!?\d]{0,40}$",
    re.IGNORECASE,
)
_DAY_WORD = re.compile(
    r"\b(?:(?P<today>today|tonight|later\s+today|this\s+(?:morning|afternoon|evening))"
    r"|(?P<tomorrow>tomorrow)(?!['\u2019]s\s+(?:world|leaders|generation)))\b",
    re.IGNORECASE,
)
# "this weekend", "by the end of the week", "at the end of the month", "end of next month".
# "in the year ahead", "over the month ahead": one such span from publication.
_AHEAD = re.compile(
    r"\b(?:in|over|during|for)\s+the\s+(?P<unit>week|month|year)\s+ahead\b", re.IGNORECASE
)
_WEEK_END = re.compile(
    r"\b(?:(?P<which>this|next|the)\s+weekend|(?:by|at|before|until)\s+the\s+end\s+of\s+"
    r"(?P<whose>the|this|next)\s+(?P<unit>week|month|quarter|decade|century))\b",
    re.IGNORECASE,
)
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4,
             "4th": 4}  # fmt: skip
_YEAR_WORDS = (
    r"(?:(?:of\s+)?(?:the\s+|this\s+)?(?P<this>year|current\s+year)"
    r"|(?:of\s+)?(?P<next>next|the\s+upcoming|the\s+coming)\s+year"
    r"|(?:of\s+)?(?P<year>(?:19|20)\d{2}|2100))"
)
# "in the third quarter (of 2025)", "by Q1 2020", "in the first half of next year", "H2 2026",
# "in the current quarter", "next quarter".
_QUARTER = re.compile(
    r"\b(?:(?:in|by|during|for|before|until|through)\s+)?(?:the\s+)?"
    r"(?:(?P<ordinal>first|second|third|fourth|1st|2nd|3rd|4th)[-\s]+(?P<part>quarter|half)"
    r"|Q(?P<q>[1-4])|H(?P<h>[12])|(?P<which>current|next|coming)\s+(?P<wpart>quarter))"
    r"(?:\s*,?\s*" + _YEAR_WORDS + r")?\b",
    re.IGNORECASE,
)
_HALF_WORDS = {"first": 1, "1st": 1, "second": 2, "2nd": 2}
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


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


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
        return _last_day(year + 1, 2)
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
        yield explicit(_last_day(year, month), match.group(0), "read as the end of that month")
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
    yield from _quarters(sentence, published, explicit)
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
                _last_day(first.year, first.month),
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
    yield from _months(sentence, published, explicit)
    yield from _days(sentence, published, explicit)
    for pattern, delta, how in _VAGUE:
        vague = pattern.search(sentence)
        if vague:
            yield Deadline(
                _end_of_day(published + delta),
                "inferred",
                f"\u201c{vague.group(0)}\u201d {how} after publication" + base_note,
            )


Explicit = Callable[..., Deadline]


def _next_weekday(published: dt.date, weekday: int, at_least: int = 0) -> dt.date:
    """The first such day of the week `at_least` days or more after publication."""
    ahead = (weekday - published.weekday()) % 7
    while ahead < at_least:
        ahead += 7
    return published + dt.timedelta(days=ahead)


def _days(sentence: str, published: dt.date, explicit: Explicit) -> Iterator[Deadline]:
    """Days named by the week ("on Friday", "next Tuesday"), "today" and "tomorrow", and ends
    of weeks, months, quarters and decades ("this weekend", "by the end of the month")."""
    for match in _WEEKDAY.finditer(sentence):
        if not match["day"][0].isupper() or _REPORTED_BEFORE.search(sentence, 0, match.start()):
            continue
        weekday = _WEEKDAYS.index(match["day"].lower())
        lead = match["lead"].lower()
        day = _next_weekday(published, weekday, 1 if lead == "next" else 0)
        yield explicit(_before(lead, day), match.group(0), "the next such day")
    match_day = _DAY_WORD.search(sentence)
    if match_day and not _REPORTED_BEFORE.search(sentence, 0, match_day.start()):
        later = 1 if match_day["tomorrow"] else 0
        yield explicit(published + dt.timedelta(days=later), match_day.group(0))
    for match in _WEEK_END.finditer(sentence):
        if match["which"]:
            sunday = _next_weekday(published, 6, 7 if match["which"].lower() == "next" else 0)
            yield explicit(sunday, match.group(0), "read as the Sunday that ends it")
            continue
        step = 1 if match["whose"].lower() == "next" else 0
        unit = match["unit"].lower()
        if unit == "week":
            day = _next_weekday(published, 6, 7 * step)
        elif unit == "month":
            first = published.replace(day=1) + relativedelta(months=step)
            day = _last_day(first.year, first.month)
        elif unit == "quarter":
            day = _quarter_end(published, (published.month - 1) // 3 + 1 + step)
        elif unit == "decade":
            day = dt.date(published.year // 10 * 10 + 9 + 10 * step, 12, 31)
        else:
            day = dt.date(published.year // 100 * 100 + 99 + 100 * step, 12, 31)
        yield explicit(day, match.group(0))


def _months(sentence: str, published: dt.date, explicit: Explicit) -> Iterator[Deadline]:
    """Months named alone ("in June", "by the end of September"): the next such month, this
    year's unless it has passed ("by February" written in November is next year's; "in May"
    written in August is taken to look back). Nearest first, so that a month the sentence
    looks back on ("rose in January and will fall by June") gives way to a nearer one."""
    readings = []
    for match in _BARE_MONTH.finditer(sentence):
        if not match["month"][0].isupper():
            continue  # "in may", the modal verb, or a month not written as a name
        month = _MONTHS[match["month"].lower().rstrip(".")]
        lead = match["lead"].lower()
        if month < published.month and lead in ("in", "during"):
            continue  # "in May" written in August looks back more often than a year ahead
        year = published.year if month >= published.month else published.year + 1
        if lead == "next" and month == published.month:
            year += 1
        if lead == "before":
            first = dt.date(year, month, 1)
            if first <= published:
                first = dt.date(year + 1, month, 1)
            readings.append((first - dt.timedelta(days=1), match.group(0), "the day before it"))
            continue
        readings.append((_last_day(year, month), match.group(0), "read as the end of that month"))
    for day, words, how in sorted(readings, key=lambda reading: reading[0]):
        yield explicit(day, words, how)


def _quarter_end(published: dt.date, quarter: int, year: int | None = None) -> dt.date:
    """The last day of a quarter (5 is the next year's first), in `year` or else the next
    such quarter that has not ended before publication."""
    base = year if year is not None else published.year
    base, quarter = base + (quarter - 1) // 4, (quarter - 1) % 4 + 1
    end = _last_day(base, 3 * quarter)
    if year is None and end < published:
        end = _last_day(base + 1, 3 * quarter)
    return end


def _quarters(sentence: str, published: dt.date, explicit: Explicit) -> Iterator[Deadline]:
    """Quarters and halves of a year: "in the third quarter of 2025", "by Q1 2020", "in the
    first half of next year", "in the current quarter"."""
    for match in _QUARTER.finditer(sentence):
        year: int | None = None
        if match["year"]:
            year = int(match["year"])
        elif match["next"]:
            year = published.year + 1
        elif match["this"]:
            year = published.year
        if match["which"]:
            current = (published.month - 1) // 3 + 1
            step = 0 if match["which"].lower() == "current" else 1
            yield explicit(_quarter_end(published, current + step), match.group(0))
            continue
        if match["q"] or (match["part"] or "").lower() == "quarter":
            quarter = int(match["q"]) if match["q"] else _ORDINALS[match["ordinal"].lower()]
            end = _quarter_end(published, quarter, year)
        else:
            if match["h"]:
                half = int(match["h"])
            elif match["ordinal"].lower() in _HALF_WORDS:
                half = _HALF_WORDS[match["ordinal"].lower()]
            else:
                continue  # "the third half" is no part of a year
            end = _quarter_end(published, 2 * half, year)
        if end >= published:
            yield explicit(end, match.group(0), "read as the end of that part of the year")
