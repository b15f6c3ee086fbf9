"""Days, months and parts of a year that a text names without a full date: "by June", "on
Friday", "tomorrow", "this weekend", "by the end of the month", "in the second half of next
year", "by Q1 2026". Each is read against the publication date as (day, the words, how they
were read), for `deadlines` to weigh beside the other time words of a sentence."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator

from dateutil.relativedelta import relativedelta

MONTHS = {name.lower(): index for index, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): index for index, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9

Reading = tuple[dt.date, str, str]  # the day, the words it is read from, how


def last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


_MONTH_NAMES = "|".join(
    name for name in sorted(MONTHS, key=len, reverse=True) if len(name) > 3 or name == "may"
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


def _next_weekday(published: dt.date, weekday: int, at_least: int = 0) -> dt.date:
    """The first such day of the week `at_least` days or more after publication."""
    ahead = (weekday - published.weekday()) % 7
    while ahead < at_least:
        ahead += 7
    return published + dt.timedelta(days=ahead)


def days(sentence: str, published: dt.date) -> Iterator[Reading]:
    """Days named by the week ("on Friday", "next Tuesday"), "today" and "tomorrow", and ends
    of weeks, months, quarters and decades ("this weekend", "by the end of the month")."""
    for match in _WEEKDAY.finditer(sentence):
        if not match["day"][0].isupper() or _REPORTED_BEFORE.search(sentence, 0, match.start()):
            continue
        weekday = _WEEKDAYS.index(match["day"].lower())
        lead = match["lead"].lower()
        day = _next_weekday(published, weekday, 1 if lead == "next" else 0)
        if lead == "before":
            day -= dt.timedelta(days=1)
        yield day, match.group(0), "the next such day"
    match_day = _DAY_WORD.search(sentence)
    if match_day and not _REPORTED_BEFORE.search(sentence, 0, match_day.start()):
        later = 1 if match_day["tomorrow"] else 0
        yield published + dt.timedelta(days=later), match_day.group(0), ""
    for match in _WEEK_END.finditer(sentence):
        if match["which"]:
            sunday = _next_weekday(published, 6, 7 if match["which"].lower() == "next" else 0)
            yield sunday, match.group(0), "read as the Sunday that ends it"
            continue
        step = 1 if match["whose"].lower() == "next" else 0
        unit = match["unit"].lower()
        if unit == "week":
            day = _next_weekday(published, 6, 7 * step)
        elif unit == "month":
            first = published.replace(day=1) + relativedelta(months=step)
            day = last_day(first.year, first.month)
        elif unit == "quarter":
            day = _quarter_end(published, (published.month - 1) // 3 + 1 + step)
        elif unit == "decade":
            day = dt.date(published.year // 10 * 10 + 9 + 10 * step, 12, 31)
        else:
            day = dt.date(published.year // 100 * 100 + 99 + 100 * step, 12, 31)
        yield day, match.group(0), ""


def months(sentence: str, published: dt.date) -> Iterator[Reading]:
    """Months named alone ("in June", "by the end of September"): the next such month, this
    year's unless it has passed ("by February" written in November is next year's; "in May"
    written in August is taken to look back). Nearest first, so that a month the sentence
    looks back on ("rose in January and will fall by June") gives way to a nearer one."""
    readings = []
    for match in _BARE_MONTH.finditer(sentence):
        if not match["month"][0].isupper():
            continue  # "in may", the modal verb, or a month not written as a name
        month = MONTHS[match["month"].lower().rstrip(".")]
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
        readings.append((last_day(year, month), match.group(0), "read as the end of that month"))
    yield from sorted(readings, key=lambda reading: reading[0])


def _quarter_end(published: dt.date, quarter: int, year: int | None = None) -> dt.date:
    """The last day of a quarter (5 is the next year's first), in `year` or else the next
    such quarter that has not ended before publication."""
    base = year if year is not None else published.year
    base, quarter = base + (quarter - 1) // 4, (quarter - 1) % 4 + 1
    end = last_day(base, 3 * quarter)
    if year is None and end < published:
        end = last_day(base + 1, 3 * quarter)
    return end


def quarters(sentence: str, published: dt.date) -> Iterator[Reading]:
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
            yield _quarter_end(published, current + step), match.group(0), ""
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
            yield end, match.group(0), "read as the end of that part of the year"
