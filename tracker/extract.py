"""Proposing the claims an archived text makes: forecasts with the wording that carries their
confidence, a probability and a deadline, and past-tense facts. The editor accepts, edits or
rejects each proposal; nothing here records anything.

Sentences come from syntok (rule-based segmentation that knows "U.S." and "Dr." do not end
sentences; it matched pysbd on the labelled articles and on tricky abbreviations, at about twice
the speed: bench/extract.py); past-tense verbs from lemminflect's English inflection tables;
estimative wording and its probability from `tracker.wep`. The tense and modality rules on top
are this module's own, measured against the labelled articles in the tests (bench/extract.py).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import lemminflect
import syntok.segmenter
from dateutil.relativedelta import relativedelta

from tracker import wep

FORECAST = "forecast"
FACT = "fact"


@dataclass(frozen=True)
class Deadline:
    at: dt.datetime
    origin: str  # explicit or inferred
    reason: str


@dataclass(frozen=True)
class Candidate:
    """One proposed claim. `quote` is text[quote_start:quote_end] of the archived text.

    For a forecast, `probability` is the chance that the sentence as worded comes true;
    `negated` says the wording denies the event ("won't", "not"), so a question asking whether
    the event happens takes 1 - probability."""

    kind: str
    quote: str
    quote_start: int
    quote_end: int
    reason: str
    phrase: str | None = None
    probability: float | None = None
    probability_origin: str | None = None
    probability_reason: str | None = None
    hedged: bool = False
    negated: bool = False
    condition: str | None = None
    deadline: Deadline | None = None

    @property
    def sentence(self) -> str:
        return self.quote

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        deadline = data.pop("deadline")
        data["sentence"] = self.quote
        data["deadline"] = deadline["at"] if deadline else None
        data["deadline_origin"] = deadline["origin"] if deadline else None
        data["deadline_reason"] = deadline["reason"] if deadline else None
        return data


# Sentences -------------------------------------------------------------------------------------

_LINE = re.compile(r"[^\n]+")


def split_sentences(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence, by syntok's segmenter (which keeps "U.S." and "Dr."
    inside their sentences), cut again at line breaks: an archived text never runs a sentence
    across paragraphs, and a title line has no full stop."""
    for paragraph in syntok.segmenter.analyze(text):
        for sentence in paragraph:
            tokens = list(sentence)
            if not tokens:
                continue
            start = tokens[0].offset
            end = tokens[-1].offset + len(tokens[-1].value)
            for line in _LINE.finditer(text, start, end):
                piece = line.group(0).strip()
                if piece:
                    at = line.start() + line.group(0).index(piece)
                    yield at, at + len(piece)


# Words -----------------------------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)*")
_MODALS = {"will", "would", "shall", "should", "can", "could", "may", "might", "must", "to"}
_DETERMINERS = {"a", "an", "the", "this", "its", "his", "her", "their", "our", "my"}
_PRESENT_BE = {"is", "are", "am", "be", "being", "been", "get", "gets"}
_PAST_AUX = {"was", "were", "had", "did", "wasn't", "weren't", "hadn't", "didn't"}
_PERFECT = {"has", "have", "hasn't", "haven't"}
_NOT_VERBS = {"could", "might", "ought", "left"}


@lru_cache(maxsize=20_000)
def _past_form(word: str) -> tuple[bool, bool]:
    """(is a past-tense form, is a past participle) of some English verb, per lemminflect."""
    lemmas = lemminflect.getAllLemmas(word, upos="VERB").get("VERB", ())
    past = participle = False
    for lemma in lemmas:
        if word in lemminflect.getInflection(lemma, tag="VBD"):
            past = True
        if word in lemminflect.getInflection(lemma, tag="VBN"):
            participle = True
    return past, participle


def _past_verb(words: list[str], original: list[str]) -> str | None:
    """The first verb in past tense (or present perfect) that is not a modifier, if any."""
    for index, word in enumerate(words):
        previous = words[index - 1] if index else ""
        if word in _PAST_AUX:
            return original[index]
        if word in _MODALS or word in _NOT_VERBS:
            continue  # "would" is will's past form, but speaks of the hypothetical
        if index and original[index][0].isupper():
            continue  # a name ("United", "Ahmed") is not a verb
        past, participle = _past_form(word)
        if not (past or participle):
            continue
        if previous in _MODALS or previous in _DETERMINERS or previous in _PRESENT_BE:
            continue  # "will have", "a failed plot", "is required"
        if index > 1 and words[index - 2] in _PRESENT_BE:
            continue  # "is still fenced off"
        if past or previous in _PERFECT:
            return original[index]
    return None


# Forecast cues ---------------------------------------------------------------------------------

_STATED = re.compile(
    r"(?P<phrase>(?:an?\s+)?(?P<num>\d{1,3}(?:\.\d+)?)\s*(?:%|percent|per\s+cent)\s+"
    r"(?:chance|probability|likelihood|risk|odds)"
    r"|(?:chance|probability|likelihood|odds|risk)(?:\s+(?:of|that)\s+[^.;%\d]{1,80}?)?"
    r"\s+(?:of|at|is|stands\s+at|to\s+be)\s+(?:about\s+|around\s+|roughly\s+|only\s+)?"
    r"(?P<num2>\d{1,3}(?:\.\d+)?)\s*(?:%|percent|per\s+cent)"
    r"|(?P<num3>\d{1,3}(?:\.\d+)?)\s*(?:%|percent|per\s+cent)\s+(?:likely|certain|sure))",
    re.IGNORECASE,
)
# Present-tense declaratives that announce a consequence ("slams the door on diplomacy").
_DECLARATIVE = re.compile(
    r"\b(?:slams|slam|closes|close|shuts|shut)\s+the\s+door\b"
    r"|\b(?:opens|open)\s+the\s+door\s+to\b"
    r"|\b(?:paves|pave)\s+the\s+way\b"
    r"|\b(?:sets|set)\s+the\s+stage\b"
    r"|\b(?:spells|spell)\s+(?:the\s+end|doom|trouble|disaster)\b"
    r"|\b(?:all\s+but\s+)?(?:guarantees|ensures|dooms)\b"
    r"|\b(?:is|are)\s+(?:bound|poised|on\s+track|on\s+course|expected|due)\s+to\b",
    re.IGNORECASE,
)
_PAST_CONTEXT = re.compile(
    r"^\s*(?:not\s+|also\s+|already\s+|well\s+)?(?:have|has|had)\s+\w+", re.IGNORECASE
)
_PAST_BEFORE = re.compile(r"\b(?:have|has|had|was|were)\s+(?:\w+\s+)?$", re.IGNORECASE)
_NOUN_WILL = re.compile(
    r"\b(?:the|political|free|good|ill|popular|own|his|her|their|its|our|a)\s+$", re.IGNORECASE
)
_MONTH_MAY = re.compile(r"^May\s+(?:\d|of\s|19|20)|^May,")
_NEGATION = re.compile(
    r"\b(?:not|never|no\s+longer|neither|nor)\b|n['\u2019]t\b|^\W*(?:no|none)\b", re.IGNORECASE
)
_NEGATING_WORD = re.compile(r"n['\u2019]t\b|\bnot\b|\bnever\b", re.IGNORECASE)
_COPULA = re.compile(r"\b(?:is|are|was|were|seems|looks|appears|remains)\s+(?:very\s+)?$")
_CONDITIONAL_ONLY = {"can", "would"}
_EPISTEMIC = re.compile(
    r"^\s+(?:well\s+)?be\s+(?:right|wrong|true|false|correct|mistaken|the\s+case)\b", re.I
)


def reading_is_hedge(wording: wep.Wording) -> bool:
    return wording.reading.hedged


_WOULD = re.compile(r"\bwould\b", re.IGNORECASE)


def _cues(clause: str, conditional: bool) -> Iterator[wep.Wording]:
    """Estimative wordings of the clause that speak of the future."""
    wordings = list(wep.find_wordings(clause))
    if conditional:
        wordings += [
            wep.Wording(m.start(), m.end(), wep.read_phrase(m.group(0)))
            for m in _WOULD.finditer(clause)
        ]
        wordings.sort(key=lambda w: w.start)
    for wording in wordings:
        word = wording.reading.phrase.lower()
        before = clause[: wording.start]
        after = clause[wording.end :]
        if word in _CONDITIONAL_ONLY and not conditional:
            continue
        if word in {"always", "never", "certain", "possible"} and not re.search(
            r"\b(?:is|are|almost|nearly|virtually)\s+$", before
        ):
            continue  # habitual "never", determiner "certain", "as soon as possible"
        if word == "will" and _NOUN_WILL.search(before):
            continue
        if word == "may" and _MONTH_MAY.match(clause[wording.start :]):
            continue
        if reading_is_hedge(wording) and _EPISTEMIC.match(after):
            continue  # "they could be right": a judgement about now, not a forecast
        if _PAST_CONTEXT.match(after) or _PAST_BEFORE.search(before):
            continue  # "might have been", "have likely been saved": about the past
        yield wording


_CONDITION_FIRST = re.compile(
    r"^(?P<lead>\W*(?:but|and|so|yet|still|now)?,?\s*)"
    r"(?P<word>if|unless|should|provided\s+that|as\s+long\s+as)\s+"
    r"(?P<condition>[^,;]+?),\s*(?:then\s+)?(?P<main>.+)$",
    re.IGNORECASE | re.DOTALL,
)
_CONDITION_LAST = re.compile(
    r"^(?P<main>.+?),?\s+(?P<word>if|unless|provided\s+that|as\s+long\s+as)\s+"
    r"(?P<condition>[^,;]+?)[.!]?$",
    re.IGNORECASE | re.DOTALL,
)
_NOT_CONDITIONAL = re.compile(r"\b(?:ask|asks|asked|wonder|wonders|know|see|whether|even)\s*$")


def _split_condition(sentence: str) -> tuple[str | None, int, int]:
    """(condition, start, end of the main clause) of "if ..., then ..." and "... if ..."."""
    first = _CONDITION_FIRST.match(sentence)
    if first:
        condition = first.group("condition").strip()
        if first.group("word").lower() == "unless":
            condition = "unless " + condition
        return condition, first.start("main"), len(sentence)
    last = _CONDITION_LAST.match(sentence)
    if last and not _NOT_CONDITIONAL.search(last.group("main")):
        condition = last.group("condition").strip()
        if last.group("word").lower() == "unless":
            condition = "unless " + condition
        return condition, 0, last.end("main")
    return None, 0, len(sentence)


# Deadlines -------------------------------------------------------------------------------------

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
_ISO_DATE = re.compile(_LEAD + r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b", re.I)
_MONTH_YEAR = re.compile(_LEAD + r"\b" + _MONTH + r"\s+(?:of\s+)?(?P<year>\d{4})\b", re.I)
_MONTH_DAY = re.compile(
    _LEAD + r"\b" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b(?!\s*,?\s*\d{4})", re.I
)
_END_OF_YEAR = re.compile(
    r"\b(?:by\s+|before\s+)?(?:the\s+)?(?:end\s+of\s+(?:the|this)\s+year|year['\u2019]s\s+end"
    r"|year-end|end-of-year|later\s+this\s+year)\b",
    re.IGNORECASE,
)
_YEAR = re.compile(
    r"\b(?P<lead>by|before|in|during|until|through|within|for)\s+(?:the\s+end\s+of\s+)?"
    r"(?:(?:early|mid|late)[-\s]+)?(?P<year>(?:19|20)\d{2})\b(?!-)",
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
    r"(?P<count>\d{1,3}|" + "|".join(_NUMBERS) + r")\s+(?P<unit>day|week|month|year)s?\b",
    re.IGNORECASE,
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
    none, one year after publication (inferred)."""

    def explicit(day: dt.date, words: str, how: str = "") -> Deadline:
        reason = f"\u201c{words.strip()}\u201d in the text" + (f", {how}" if how else "")
        return Deadline(_end_of_day(day), "explicit", reason + base_note)

    for match in _FULL_DATE.finditer(sentence):
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
            return explicit(_before(lead, date), match.group(0))
    for match in _ISO_DATE.finditer(sentence):
        date = _safe_date(int(match["year"]), int(match["month"]), int(match["day"]))
        if date is not None and date >= published:
            return explicit(_before(match["lead"], date), match.group(0))
    for match in _MONTH_YEAR.finditer(sentence):
        month = _MONTHS[match["month"].lower().rstrip(".")]
        year = int(match["year"])
        if (year, month) < (published.year, published.month):
            continue
        if (match["lead"] or "").lower() == "before":
            return explicit(dt.date(year, month, 1) - dt.timedelta(days=1), match.group(0))
        return explicit(_last_day(year, month), match.group(0), "read as the end of that month")
    for match in _MONTH_DAY.finditer(sentence):
        month = _MONTHS[match["month"].lower().rstrip(".")]
        if month == 5 and match["month"] == "may":
            continue  # the modal verb, not the month
        date = _safe_date(published.year, month, int(match["day"]))
        if date is None:
            continue
        if date < published:
            date = _safe_date(published.year + 1, month, int(match["day"])) or date
        return explicit(_before(match["lead"], date), match.group(0), "the next such date")
    match_end = _END_OF_YEAR.search(sentence)
    if match_end:
        return explicit(dt.date(published.year, 12, 31), match_end.group(0))
    for match in _SEASON_YEAR.finditer(sentence):
        unit, year = match["unit"].lower(), int(match["year"])
        if year < published.year:
            continue
        if (match["lead"] or "").lower() == "before":
            day_before = _season_start(unit, year) - dt.timedelta(days=1)
            return explicit(day_before, match.group(0), "the day before that season begins")
        return explicit(_season_end(unit, year), match.group(0), "read as the end of that season")
    for match in _YEAR.finditer(sentence):
        year = int(match["year"])
        if year < published.year:
            continue
        if match["lead"].lower() == "before":
            return explicit(dt.date(year - 1, 12, 31), match.group(0))
        return explicit(dt.date(year, 12, 31), match.group(0), f"read as the end of {year}")
    match_period = _PERIOD.search(sentence)
    if match_period:
        which = match_period["which"].lower()
        unit = match_period["unit"].lower()
        step = 0 if which == "this" else 1
        if unit == "week":
            sunday = published + dt.timedelta(days=6 - published.weekday() + 7 * step)
            return explicit(sunday, match_period.group(0), "read as the end of that week")
        if unit == "month":
            first = published.replace(day=1) + relativedelta(months=step)
            return explicit(
                _last_day(first.year, first.month),
                match_period.group(0),
                "read as the end of that month",
            )
        if unit == "year":
            return explicit(
                dt.date(published.year + step, 12, 31),
                match_period.group(0),
                "read as the end of that year",
            )
        if unit == "decade":
            return explicit(
                dt.date(published.year // 10 * 10 + 9 + 10 * step, 12, 31),
                match_period.group(0),
                "read as the end of that decade",
            )
        end = _season_end(unit, published.year)
        if step or end < published:
            end = _season_end(unit, published.year + 1)
        return explicit(end, match_period.group(0), "read as the end of that season")
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
            return explicit(
                start - dt.timedelta(days=1), match_season.group(0), "the day before it begins"
            )
        return explicit(
            _season_end(unit, year),
            match_season.group(0),
            "read as the end of the next such season",
        )
    match_span = _SPAN.search(sentence)
    if match_span:
        raw = match_span["count"].lower()
        count = int(raw) if raw.isdigit() else _NUMBERS[raw]
        unit = match_span["unit"].lower()
        length = {
            "day": relativedelta(days=count),
            "week": relativedelta(weeks=count),
            "month": relativedelta(months=count),
            "year": relativedelta(years=count),
        }[unit]
        day = published + length
        return explicit(day, match_span.group(0), "counted from publication")
    for pattern, delta, how in _VAGUE:
        vague = pattern.search(sentence)
        if vague:
            return Deadline(
                _end_of_day(published + delta),
                "inferred",
                f"\u201c{vague.group(0)}\u201d {how} after publication" + base_note,
            )
    return Deadline(
        _end_of_day(published + relativedelta(years=1)),
        "inferred",
        "no time given: one year after publication" + base_note,
    )


# Facts -----------------------------------------------------------------------------------------

_YEAR_NUMBER = re.compile(r"\b(?:1[89]|20)\d{2}\b")
_DATE_WORDS = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|"
    r"january|february|march|april|june|july|august|september|october|november|december|"
    r"last\s+(?:week|month|year|summer|spring|autumn|fall|winter|night)|"
    r"(?:this|last)\s+week['\u2019]s|earlier\s+this\s+(?:week|month|year)|ago|recent(?:ly)?)\b",
    re.IGNORECASE,
)
_COUNT = re.compile(
    r"\d|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
    r"thirty|forty|fifty|hundred|hundreds|thousand|thousands|million|millions|billion|billions|"
    r"dozen|dozens|half|third|quarter|percent)\b",
    re.IGNORECASE,
)
_EVENT = re.compile(
    r"\b(?:attacks?|killings?|plots?|bombings?|strikes?|wars?|elections?|votes?|referendums?|"
    r"summits?|invasions?|coups?|assassinations?|protests?|agreements?|treaty|treaties|ruling|"
    r"verdicts?|crash|earthquakes?|floods?|fires?|droughts?|shootings?|raids?|sieges?|"
    r"ceasefires?|sanctions|resignations?|mergers?|acquisitions?|outbreaks?|pandemic|hearings?|"
    r"trials?|storms?|hurricanes?|explosions?|sale|closure|launch|recall|bankruptcy|strike)\b",
    re.IGNORECASE,
)
_PAST_MARKER = re.compile(
    r"\b(?:recent|last|ago|earlier|yesterday|(?:this|last)\s+week['\u2019]s|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    re.IGNORECASE,
)


def _fact_reason(sentence: str, words: list[str], original: list[str], year: int) -> str | None:
    """Why the sentence states a checkable fact about the past, or None."""
    verb = _past_verb(words, original)
    years = [int(y) for y in _YEAR_NUMBER.findall(sentence)]
    past_years = [y for y in years if y <= year]
    without_years = _YEAR_NUMBER.sub(" ", sentence)
    if verb is not None:
        if past_years or _DATE_WORDS.search(without_years):
            return f"past tense (\u201c{verb}\u201d) with a date"
        if _COUNT.search(without_years):
            return f"past tense (\u201c{verb}\u201d) with a number"
        event = _EVENT.search(sentence)
        if event:
            return f"past tense (\u201c{verb}\u201d) about an event (\u201c{event.group(0)}\u201d)"
        return None
    event = _EVENT.search(sentence)
    if event and (any(y < year for y in past_years) or _PAST_MARKER.search(sentence)):
        return f"names a past event (\u201c{event.group(0)}\u201d)"
    return None


# The extractor ---------------------------------------------------------------------------------


def _forecast(
    sentence: str, start: int, published: dt.date, base_note: str
) -> tuple[str, dict[str, Any]] | None:
    """The forecast fields of one sentence, or None when it forecasts nothing."""
    if sentence.rstrip().endswith("?"):
        return None  # a question asks, it does not forecast
    condition, main_start, main_end = _split_condition(sentence)
    main = sentence[main_start:main_end]
    stated = _STATED.search(main)
    fields: dict[str, Any] = {"condition": condition}
    if stated:
        number = float(stated["num"] or stated["num2"] or stated["num3"])
        probability = min(max(number / 100, 0.01), 0.99)
        after = main[stated.end() :]
        fields.update(
            phrase=stated["phrase"].strip(),
            probability=round(probability, 4),
            probability_origin="stated",
            probability_reason="stated in the source"
            + (
                "; clipped into (0, 1) so that it can be scored"
                if probability != number / 100
                else ""
            ),
            hedged=False,
            negated=bool(_NEGATION.search(after)),
        )
        reason = "a stated probability"
    else:
        cues = list(_cues(main, condition is not None))
        cue = cues[0] if cues else None
        if (
            cue is not None
            and len(cues) > 1
            and not main[cue.end : cues[1].start].strip()
            and (cue.reading.category == "assertive") != (cues[1].reading.category == "assertive")
        ):
            # "will probably", "probably won't": the adverb says how sure, the verb when.
            second = cues[1]
            sure = second.reading if cue.reading.category == "assertive" else cue.reading
            cue = wep.Wording(
                cue.start,
                second.end,
                wep.Reading(
                    main[cue.start : second.end],
                    sure.probability,
                    sure.hedged,
                    sure.category,
                    sure.reference,
                ),
            )
        declarative = _DECLARATIVE.search(main) if cue is None else None
        if cue is None and declarative is None:
            return None
        if cue is not None:
            reading = cue.reading
            phrase = reading.phrase
            copula = _COPULA.search(main[: cue.start])
            if copula and reading.category not in ("assertive",):
                phrase = main[copula.start() : cue.end]
            after = main[cue.end :]
            # "won't" and "will not" deny the event; "probably not" and "unlikely" carry a
            # number for the event itself, so they are not negations here.
            negated = (
                bool(_NEGATING_WORD.search(phrase))
                and reading.category not in ("probably not", "almost certainly not")
            ) or bool(_NEGATION.search(after.split(",")[0]))
        else:
            assert declarative is not None
            reading = wep.read_phrase(declarative.group(0))
            phrase = declarative.group(0)
            negated = bool(_NEGATION.search(main[: declarative.start()][-12:]))
        hedged = reading.hedged or (condition is not None and phrase.lower() == "can")
        fields.update(
            phrase=phrase,
            probability=reading.probability,
            probability_origin="phrase",
            probability_reason=f"{reading.category}: {reading.reference}",
            hedged=hedged,
            negated=negated,
        )
        reason = "estimative wording" if cue is not None else "a declarative that forecasts"
        if condition is not None:
            reason += " under a condition"
    fields["deadline"] = read_deadline(sentence, published, base_note)
    return reason, fields


Splitter = Callable[[str], Iterable[tuple[int, int]]]


def extract_candidates(
    text: str,
    published_at: dt.datetime | None = None,
    *,
    today: dt.date | None = None,
    splitter: Splitter = split_sentences,
) -> list[Candidate]:
    """The forecasts and facts the text states, in text order. `splitter` gives sentence
    offsets (syntok by default; bench/extract.py measures others)."""
    if published_at is not None:
        published = published_at.astimezone(dt.UTC).date()
        base_note = ""
    else:
        published = today or dt.datetime.now(dt.UTC).date()
        base_note = " (the publication date is unknown: counted from the import date)"
    candidates: list[Candidate] = []
    for start, end in splitter(text):
        sentence = text[start:end]
        if len(sentence) < 12 or not any(c.isalpha() for c in sentence):
            continue
        forecast = _forecast(sentence, start, published, base_note)
        if forecast is not None:
            reason, fields = forecast
            candidates.append(Candidate(FORECAST, sentence, start, end, reason, **fields))
            continue
        original = _WORD.findall(sentence)
        words = [w.lower().replace("\u2019", "'") for w in original]
        fact = _fact_reason(sentence, words, original, published.year)
        if fact is not None:
            candidates.append(Candidate(FACT, sentence, start, end, fact))
    return candidates
