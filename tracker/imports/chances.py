"""Chances a text states as numbers: a percentage ("a 30% chance"), "N in M" and "N-M"
("a one-in-three chance", "a 66-100 chance"), betting odds (fractional 11/2, decimal "4 euros
are paid for each bet", American +240) and the share of a surveyed group ("24/36 economists",
"54 of 71 economists surveyed", "three quarters of economists", "Thirteen said" when the survey's
size is known).

Each is read as the probability of what the sentence says, with its kind: `speaker` (the
speaker's or a model's own chance), `survey_share` (the share of a polled group, not anyone's own
confidence) or `market` (odds and betting prices, converted to the implied probability without
the bookmaker's margin). A vote share, a growth rate or a threshold is not a chance. Numbers in
words are `number_words.py`'s, the ways odds are written `odds.py`'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracker.imports import odds
from tracker.imports.number_words import FRACTIONS, NUM, PERCENT, WORDNUM, number

SPEAKER = "speaker"
SURVEY = "survey_share"
MARKET = "market"

_GROUP = (
    r"(?:economists|analysts|strategists|respondents|experts|forecasters|investors|executives|"
    r"traders|voters|people|participants|members|scientists|doctors|managers|firms|companies|"
    r"banks|CEOs|those|fund\s+managers|of\s+them)"
)
_POLLED = r"(?:surveyed|polled|questioned|asked|interviewed|taking\s+part)"
_LEAD = (
    r"(?:(?:nearly|almost|about|around|roughly|some|just|only|as\s+many\s+as|over|"
    r"more\s+than)\s+)?"
)
_CHANCE_WORD = r"(?:chance|chances|probability|possibility|likelihood|odds|risk|shot)"


_ANY_NUMBER = re.compile(
    rf"\d|\b(?:{WORDNUM}|half|thirds?|quarters?|hundred|evens|even\s+money)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Chance:
    """A stated chance: text[start:end] states `value` of `kind`."""

    start: int
    end: int
    value: float
    kind: str
    count: int | None = None  # a survey share's count of the group, for "the remainder"
    # A share read from what a group says or thinks ("84% believe ..."): a forecast only when
    # what they say is about the future.
    needs_cue: bool = False


_SHARE_OF_TOTAL = re.compile(
    rf"\b{_LEAD}(?P<n>{NUM})(?:\s+{_GROUP})?(?:\s+out\s+of|\s+of|[\s-]in|\s*/)[\s-](?:the\s+)?"
    rf"(?P<m>\d+|{WORDNUM})\b(?P<exact>\s+{_GROUP}\s+\((?P<p>\d+(?:\.\d+)?)\s*%\))?"
    rf"(?P<tail>\s+(?:{_GROUP}|{_POLLED})(?:\s+{_POLLED})?)?",
    re.IGNORECASE,
)
_SLASH_SHARE = re.compile(rf"\b(?P<n>\d+)/(?P<m>\d+)\s+{_GROUP}", re.IGNORECASE)
_PERCENT_OF_GROUP = re.compile(
    rf"\b{_LEAD}(?P<n>\d+(?:\.\d+)?|{WORDNUM}){PERCENT}\s+of\s+(?:the\s+)?(?:\d+\s+)?"
    rf"(?:{_GROUP}|{_POLLED}|those\s+{_POLLED})(?:\s+{_POLLED})?",
    re.IGNORECASE,
)
_FRACTION_OF_GROUP = re.compile(
    r"\b(?P<f>" + "|".join(re.escape(f) for f in FRACTIONS) + rf")\s+of\s+(?:the\s+)?{_GROUP}"
    rf"(?:\s+{_POLLED})?",
    re.IGNORECASE,
)
# A bare count of the survey's group: "Thirteen said", "only 15 see", "four said".
_COUNT_OF_SURVEY = re.compile(
    rf"(?:^|(?<=[,;:]\s)|(?<=\band\s)|(?<=\bwhile\s)|(?<=\bincluding\s)){_LEAD}"
    # "17 (16%) said May": the share the text gives beside the count
    rf"(?P<n>\d+|{WORDNUM})(?:\s+\((?P<p>\d+(?:\.\d+)?)\s*%\))?\s+(?:(?:of\s+them|{_GROUP})\s+)?"
    r"(?=(?:said|say|says|see|expect|expected|believe|predict|predicted|forecast|think|"
    r"are\s+predicting|are\s+expecting|were)\b)",
    re.IGNORECASE,
)
# A share that says, thinks or expects is a share of people: "Only 6% thought ...", "almost half
# anticipate ...", "a third of them said ...".
_BELIEF = (
    r"(?:said|say|says|saying|stated|thought|think|thinks|thinking|expect|expected|expects|"
    r"expecting|"
    r"believe|believed|believing|see|saw|seeing|predicting|"
    r"predict|predicted|forecast|anticipate|anticipated|foresee|envisage|reckon|agreed|agree|"
    r"felt|feel|feels|"
    r"were\s+(?:confident|optimistic|pessimistic)|are\s+(?:confident|optimistic|pessimistic))"
)
_SHARE_THAT_SAYS = re.compile(
    rf"(?:^|(?<=[,;:]\s)|(?<=\band\s)|(?<=\bwhile\s)|(?<=\bbut\s)|(?<=\bwhereas\s)|"
    rf"(?<=\bwhen\s)|(?<=\bwith\s)|(?<=\bas\s)|(?<=\bnow\s)|(?<=\bthat\s)|(?<=[\u2014\u2013]))"
    # "A further 36 per cent predicted"
    rf"(?:an?\s+(?:further|additional)\s+|another\s+)?"
    rf"(?:(?:only|just|nearly|almost|about|around|roughly|some|over|more\s+than|fewer\s+than|"
    rf"less\s+than)\s+)?(?:(?P<n>\d+(?:\.\d+)?|{WORDNUM}){PERCENT}|(?P<f>"
    + "|".join(re.escape(f) for f in FRACTIONS)
    + rf"))(?:\s+of\s+them)?(?:\s*[\u2014\u2013]\s*|\s+)(?:also\s+|now\s+|still\s+)?"
    rf"(?={_BELIEF}\b)",
    re.IGNORECASE,
)
# "Eighty-seven percent of Democrats expect ...": any group whose share says or expects.
_PERCENT_OF_ANY = re.compile(
    rf"\b{_LEAD}(?P<n>\d+(?:\.\d+)?|{WORDNUM}){PERCENT}\s+of\s+(?:the\s+|all\s+|those\s+)?"
    rf"(?:[\w-]+\s+){{0,2}}?[A-Za-z-]+s(?:\s+(?:{_POLLED}|in\s+the\s+\w+))?\s+(?:also\s+|now\s+)?"
    rf"(?={_BELIEF}\b)",
    re.IGNORECASE,
)
_EXPECTING = re.compile(
    r"(?:expect|expects|expected|expecting|predict|predicted|predicting|forecast|see|seeing|saw|"
    r"foresee|anticipate|anticipated|envisage)\b",
    re.IGNORECASE,
)
_REMAINDER = re.compile(r"\b(?:the\s+)?(?:remainder|rest|remaining\s+\w+)\b", re.IGNORECASE)
# Words after a percentage that make it a chance: "a 30% chance", "60% likely", "2% of the time".
_CHANCE_AFTER_WORDS = (
    r"\s+(?:betting\s+)?(?:chance|chances|probability|possibility|likelihood|odds|risk|"
    r"favourite|favorite|likely|certain|sure)|\s+of\s+the\s+time\b"
)
_CHANCE_AFTER = re.compile(_CHANCE_AFTER_WORDS, re.IGNORECASE)
# ... and words before it: "the probability is 40%", "rated 30%" (nothing that ends a clause
# between them).
_CHANCE_BEFORE_NEAR = re.compile(
    rf"\b(?:{_CHANCE_WORD}|favourite|favorite|betting|rated)\b[^.;]*$", re.IGNORECASE
)
# Between a chance word and a figure: a clause of the event that ends in its verb of movement
# ("that inflation falls below", "of prices rising to") makes the figure the event's, unless a
# verb then links the chance to the figure ("the chance that rates fall this year is 40%"); the
# chance's own movement ("chances of winning jumped to 66%") does not.
_EVENT_BETWEEN = re.compile(
    r"\b(?:that|whether|if|of|for)\b[^.;]*?\b(?:fall|falls|falling|rise|rises|rising|reach|reaches|"
    r"reaching|hit|hits|hitting|exceed|exceeds|exceeding|top|tops|topping|drop|drops|dropping|"
    r"climb|climbs|climbing|grow|grows|growing|increase|increases|increasing|decline|declines|"
    r"declining|stay|stays|staying|remain|remains|remaining|end|ends|ending|average|averages|"
    r"averaging)\s+(?:\w+\s+){0,2}?(?:below|above|under|over|to|past|beyond|by|at|around|near)?"
    r"\s*$",
    re.IGNORECASE,
)
_LINK_END = re.compile(
    r"\b(?:is|are|was|were|be|been|at|stands?\s+at|put\s+at|as)\s+(?:now\s+|about\s+|around\s+|"
    r"roughly\s+|only\s+|just\s+|nearly\s+|almost\s+|over\s+|under\s+|some\s+)?[\u201c\"']?$",
    re.IGNORECASE,
)
_PERCENT_CHANCE = re.compile(
    rf"(?:\b(?:an?|the|only|just|about|around|roughly)\s+)*(?P<n>\d+(?:\.\d+)?){PERCENT}"
    rf"(?P<also>\s+(?:and|or|to)\s+(?P<n2>\d+(?:\.\d+)?){PERCENT})?"
    rf"(?P<after>{_CHANCE_AFTER_WORDS})?",
    re.IGNORECASE,
)
# A range of chances, stored as its midpoint: "a 10 to 20 percent chance", "30%-40% likely",
# "between 30 and 40 percent".
_RANGE_CHANCE = re.compile(
    rf"(?:\b(?:an?|the|only|just|about|around|roughly)\s+)*(?P<between>between\s+)?"
    rf"(?P<lo>\d+(?:\.\d+)?)(?:{PERCENT})?(?P<sep>\s*[-\u2013]\s*|\s+to\s+|\s+and\s+)"
    rf"(?P<hi>\d+(?:\.\d+)?){PERCENT}(?P<after>{_CHANCE_AFTER_WORDS})?",
    re.IGNORECASE,
)
_PERCENT_SIGN = re.compile(r"%|percent|per\s+cent", re.IGNORECASE)
_RATIO_CHANCE = re.compile(
    r"\b(?:an?\s+)?(?P<n>\d+|one|two|three|four|five)(?P<times>\s+times?)?"
    r"(?:\s*-\s*|[-\s]in[-\s]|\s+out\s+of\s+)"
    r"(?P<m>\d{1,3}(?:,\d{3})+|\d+|two|three|four|five|six|seven|eight|nine|ten|hundred)"
    rf"(?P<after>\s+{_CHANCE_WORD})?",
    re.IGNORECASE,
)
# "a 50-50 chance", "a fifty-fifty shot": even chances.
_EVEN = re.compile(
    rf"\b(?:an?\s+)?(?:50[-/]50|fifty[-\s]fifty)(?=\s+{_CHANCE_WORD}\b)", re.IGNORECASE
)
# "nearly 7 in 10 believe", "three out of four say": a share of the group a text surveys.
_RATIO_THAT_SAYS = re.compile(
    rf"(?:^|(?<=[,;:]\s)|(?<=\bthat\s)|(?<=\band\s)|(?<=\bwhile\s)|(?<=\bbut\s)){_LEAD}"
    rf"(?P<n>\d+|{WORDNUM})(?:[\s-]in[\s-]|\s+out\s+of\s+)(?P<m>\d+|{WORDNUM})\s+"
    rf"(?:also\s+|now\s+|still\s+)?(?={_BELIEF}\b)",
    re.IGNORECASE,
)
# Cheap tests that a sentence may hold a fraction or a ratio, before the costlier patterns.
_FRACTION_WORD = re.compile(r"\b(?:half|thirds?|quarters?|fifths?)\b", re.IGNORECASE)
_RATIO_WORD = re.compile(r"[\s-]in[\s-]|\sout\s+of\s", re.IGNORECASE)
# "More than three-fifths of U.S. adults predict ...": a fraction of any group that expects.
_FRACTION_OF_ANY = re.compile(
    rf"\b{_LEAD}(?P<f>"
    + "|".join(re.escape(f) for f in FRACTIONS)
    + rf")\s+of\s+(?:the\s+|all\s+|those\s+)?(?:[\w.-]+\s+){{0,2}}?[A-Za-z-]+s"
    rf"(?:\s+{_POLLED})?\s+(?:also\s+|now\s+)?(?={_BELIEF}\b)",
    re.IGNORECASE,
)
_BOUND = re.compile(
    rf"\b(?:greater|more|higher|less|lower)\s+than\s+(?P<n>\d+(?:\.\d+)?){PERCENT}"
    rf"|\bno\s+more\s+than\s+(?P<m>\d+(?:\.\d+)?){PERCENT}",
    re.IGNORECASE,
)
# "the chance of a recession is one in three", "put the odds of a deal at one in four".
_CHANCE_BEFORE = re.compile(
    rf"\b{_CHANCE_WORD}\b[^.;:]{{0,150}}?\b(?:is|are|was|were|be|at|stands?\s+at|put\s+at|as)"
    r"(?:\s+(?:very\s+)?(?:low|high|small|slim|remote|tiny),)?"
    r"\s+(?:about\s+|around\s+|roughly\s+|approximately\s+|only\s+|just\s+)?$",
    re.IGNORECASE,
)
_NOT_CHANCE_AFTER = re.compile(
    r"\s*(?:of\s+(?:the\s+)?(?:votes?|seats?|GDP|respondents|people|voters|economists)|"
    r"threshold|growth|rate|inflation|stake|year|increase|rise|fall|drop|jump|higher|lower|"
    r"discount|tariff|pay|salary)",
    re.IGNORECASE,
)


# "put the probability of the economy being in recession in the next 12 months at 44%".
_PUT_AT = re.compile(
    rf"\b(?:put|puts|putting|pegged|pegs|placed|places|set|sets|see|sees|saw|rate|rates)\s+"
    rf"(?:the\s+|their\s+|its\s+)?{_CHANCE_WORD}\b[^.;]{{0,140}}?\bat\s+"
    r"(?:about\s+|around\s+|roughly\s+|just\s+|only\s+)?$",
    re.IGNORECASE,
)


def _as_chance(sentence: str, start: int, end: int, said_after: bool, market: bool) -> bool:
    """Whether the percentage at sentence[start:end] is said as a chance: with a chance word
    after it (`said_after`) or before it ("the probability is 40%", "put the odds of a deal at
    25%", "most seats at 58%" in a text that quotes odds), and then not as a rate or a change
    ("20% higher", "5% growth")."""
    if said_after:
        return True
    before = sentence[max(0, start - 60) : start]
    near = _CHANCE_BEFORE_NEAR.search(before)
    if near is None and re.search(r"\b(?:is|are)\s+$", before):
        # "The probability of a normal rainfall during the June-September period is 41
        # percent": a longer stretch, when the chance is what the figure is
        near = _CHANCE_BEFORE_NEAR.search(sentence[max(0, start - 100) : start])
    if near and _EVENT_BETWEEN.search(near.group(0)) and not _LINK_END.search(near.group(0)):
        # "the chance that inflation falls below 2%": the figure is the event's, not a chance
        near = None
    chance = (
        near
        or _PUT_AT.search(sentence[max(0, start - 160) : start])
        or (market and re.search(r"\b(?:at|as)\s+$", before))
    )
    return bool(chance) and not _NOT_CHANCE_AFTER.match(sentence[end : end + 40])


def _probability(value: float) -> float | None:
    """A value strictly inside (0, 1) kept to four places (to six significant digits when it
    lies closer to 0 or 1 than that: "one in 63,000", "99.998 percent"), else None (certainty
    is no chance)."""
    if not 0 < value < 1:
        return None
    rounded = round(value, 4)
    if 0 < rounded < 1:
        return rounded
    return float(f"{value:.6g}") if value < 0.5 else 1 - float(f"{1 - value:.6g}")


@dataclass
class Survey:
    """What the text has said so far about a survey: its size, for a bare count of it, and the
    counts of its group given by the sentences just before ("24/36 see ... 8/36 see ...,
    remainder see no change": the remainder is what is left of both)."""

    total: int | None = None
    counted: list[int] = field(default_factory=list)


def find_chances(sentence: str, survey: Survey, market: bool) -> list[Chance]:
    """The chances stated in a sentence, left to right, none overlapping. `survey` carries a
    survey's size from sentence to sentence; `market` says the text speaks of betting."""
    if not _ANY_NUMBER.search(sentence):
        survey.counted = []
        return []  # every chance is stated with a number, in digits or words
    found: list[Chance] = []
    taken: list[tuple[int, int]] = []
    market = market or bool(odds.MARKET_WORDS.search(sentence))
    # Odds written as prices (5/1, +450, 2.50) are a market's wherever "odds" or a favourite is
    # spoken of; a percentage is a market's only with the market named ("odds" alone may be
    # economists' own).
    priced = market or bool(odds.PRICE_WORDS.search(sentence))

    def add(
        start: int,
        end: int,
        value: float | None,
        kind: str,
        count: int | None = None,
        needs_cue: bool = False,
    ) -> None:
        if value is None or any(start < e and s < end for s, e in taken):
            return
        taken.append((start, end))
        found.append(Chance(start, end, value, kind, count, needs_cue))

    for match in _SHARE_OF_TOTAL.finditer(sentence):
        n, m = number(match["n"]), number(match["m"])
        group = match["tail"] or re.search(_GROUP, match.group(0), re.IGNORECASE)
        if n is None or not m or n > m or not group:
            continue
        survey.total = int(m)
        if match["exact"]:  # "six-in-ten voters (61%)": the exact share the text gives
            add(match.start(), match.end(), _probability(float(match["p"]) / 100), SURVEY)
        add(match.start(), match.end(), _probability(n / m), SURVEY, int(n))
    for match in _SLASH_SHARE.finditer(sentence):
        n, m = float(match["n"]), float(match["m"])
        if m and n <= m:
            survey.total = int(m)
            add(match.start(), match.end(), _probability(n / m), SURVEY, int(n))
    for match in _PERCENT_OF_GROUP.finditer(sentence):
        n = number(match["n"])
        if n is not None:
            add(match.start(), match.end(), _probability(n / 100), SURVEY)
    for match in _FRACTION_OF_GROUP.finditer(sentence):
        add(match.start(), match.end(), _probability(FRACTIONS[match["f"].lower()]), SURVEY)
    for match in _PERCENT_OF_ANY.finditer(sentence):
        n = number(match["n"])
        if n is not None:
            expecting = bool(_EXPECTING.match(sentence, match.end()))
            add(match.start(), match.end(), _probability(n / 100), SURVEY, needs_cue=not expecting)
    fraction = _FRACTION_WORD.search(sentence) is not None
    ratio = _RATIO_WORD.search(sentence) is not None
    for match in _FRACTION_OF_ANY.finditer(sentence) if fraction else ():
        expecting = bool(_EXPECTING.match(sentence, match.end()))
        add(
            match.start(),
            match.end(),
            _probability(FRACTIONS[match["f"].lower()]),
            SURVEY,
            needs_cue=not expecting,
        )
    for match in _RATIO_THAT_SAYS.finditer(sentence) if ratio else ():
        n, m = number(match["n"]), number(match["m"])
        if n is not None and m and n < m:
            expecting = bool(_EXPECTING.match(sentence, match.end()))
            add(match.start(), match.end(), _probability(n / m), SURVEY, needs_cue=not expecting)
    for match in _SHARE_THAT_SAYS.finditer(sentence):
        if match["f"]:
            value: float | None = _probability(FRACTIONS[match["f"].lower()])
        else:
            n = number(match["n"])
            value = None if n is None else _probability(n / 100)
        expecting = bool(_EXPECTING.match(sentence, match.end()))
        add(match.start(), match.end(), value, SURVEY, needs_cue=not expecting)
    earlier = survey.counted
    survey.counted = []
    if survey.total:
        counted = [c.count for c in found if c.kind == SURVEY and c.count is not None]
        for match in _COUNT_OF_SURVEY.finditer(sentence):
            n = number(match["n"])
            if n is not None and 0 < n < survey.total:
                share = float(match["p"]) / 100 if match["p"] else n / survey.total
                end = match.end("p") + 2 if match["p"] else match.end("n")
                add(match.start("n"), end, _probability(share), SURVEY)
                counted.append(int(n))
        if counted and sum(earlier + counted) <= survey.total:
            counted = earlier + counted  # the same question's answers, sentence after sentence
        survey.counted = counted
        remainder = _REMAINDER.search(sentence)
        if remainder and counted and sum(counted) < survey.total:
            share = (survey.total - sum(counted)) / survey.total
            add(remainder.start(), remainder.end(), _probability(share), SURVEY)
    for match in _EVEN.finditer(sentence):
        add(match.start(), match.end(), 0.5, MARKET if market else SPEAKER)
    for match in _BOUND.finditer(sentence):
        # "greater than 50%" is a chance only where the sentence speaks of one
        said_after = bool(_CHANCE_AFTER.match(sentence, match.end()))
        if not _as_chance(sentence, match.start(), match.end(), said_after, market):
            continue
        value = float(match["n"] or match["m"]) / 100
        add(match.start(), match.end(), _probability(value), MARKET if market else SPEAKER)
    ranges = _RANGE_CHANCE.finditer(sentence) if _PERCENT_SIGN.search(sentence) else iter(())
    for match in ranges:
        lo, hi = float(match["lo"]), float(match["hi"])
        if "and" in match["sep"] and not match["between"]:
            continue  # "a 46.3% and 45.7% chance": two chances, read below
        if not lo < hi <= 100 or not _as_chance(
            sentence, match.start(), match.end(), bool(match["after"]), market
        ):
            continue
        add(
            match.start(), match.end(), _probability((lo + hi) / 200), MARKET if market else SPEAKER
        )
    for match in _PERCENT_CHANCE.finditer(sentence):
        if not _as_chance(sentence, match.start(), match.end(), bool(match["after"]), market):
            continue
        kind = MARKET if market else SPEAKER
        if match["also"]:
            # "a 46.3% and 45.7% chance": two chances, one for each of two subjects.
            add(match.start(), match.start("also"), _probability(float(match["n"]) / 100), kind)
            add(match.start("n2"), match.end(), _probability(float(match["n2"]) / 100), kind)
        else:
            add(match.start(), match.end(), _probability(float(match["n"]) / 100), kind)
    for match in _RATIO_CHANCE.finditer(sentence):
        if (
            not match["after"]
            and not match["times"]
            and not (
                re.search(r"[\s-](?:in|out\s+of)[\s-]", match.group(0))
                and _CHANCE_BEFORE.search(sentence[max(0, match.start() - 170) : match.start()])
            )
        ):
            continue
        part, whole = number(match["n"]), number(match["m"])
        if part is not None and whole and part < whole:
            kind = MARKET if market else SPEAKER
            add(match.start(), match.end(), _probability(part / whole), kind)
    for pattern in (odds.FRACTIONAL_ODDS, odds.HYPHEN_ODDS, odds.TO_ODDS):
        for match in pattern.finditer(sentence):
            a, b = float(match["a"]), float(match["b"])
            side = odds.AGAINST_OR_ON.match(sentence, match.end())
            if a and b and a != b and side:
                # "2-1 against" is a chance of 1/3 for the event, "2-1 on" of 2/3
                value = b / (a + b) if side["side"].lower() == "against" else a / (a + b)
                add(match.start(), side.end(), _probability(value), MARKET)
                continue
            implied = odds.IMPLIED.match(sentence, match.end())
            context = (
                implied
                or odds.AS_ODDS.match(sentence, match.end())
                or (pattern is odds.TO_ODDS and (market or "-to-" in match.group(0)) and a >= b)
            )
            if a and b and context:
                if implied:  # the text's own conversion, margin taken out
                    value = float(implied["n"] or implied["m"]) / 100
                    add(match.start(), implied.end(), _probability(value), MARKET)
                add(match.start(), match.end(), _probability(b / (a + b)), MARKET)
    for pattern in (odds.AMERICAN_ODDS, odds.BARE_DECIMAL):
        for match in pattern.finditer(sentence):
            if not odds.AS_ODDS.match(sentence, match.end()):
                continue
            n = float(match["n"])
            if pattern is odds.BARE_DECIMAL:
                value = 1 / n if n > 1 else None
            elif n >= 100:
                value = 100 / (n + 100) if match["sign"] == "+" else n / (n + 100)
            else:
                value = None
            add(match.start(), match.end(), _probability(value) if value else None, MARKET)
    if priced:
        for match in odds.HYPHEN_ODDS.finditer(sentence):
            # "The Lakers' odds of winning the title are 5-1"
            if odds.ODDS_ARE.search(sentence, 0, match.start()):
                a, b = float(match["a"]), float(match["b"])
                if a and b:
                    add(match.start(), match.end(), _probability(b / (a + b)), MARKET)
        for match in odds.EVENS.finditer(sentence):
            add(match.start(), match.end(), 0.5, MARKET)
        for match in odds.FRACTIONAL_ODDS.finditer(sentence):
            a, b = float(match["a"]), float(match["b"])
            if a and b:
                add(match.start(), match.end(), _probability(b / (a + b)), MARKET)
        for match in odds.AMERICAN_ODDS.finditer(sentence):
            n = float(match["n"])
            value = 100 / (n + 100) if match["sign"] == "+" else n / (n + 100)
            add(match.start(), match.end(), _probability(value), MARKET)
        for pattern in (odds.DECIMAL_PAYOUT, odds.PAID, odds.DECIMAL_ODDS):
            for match in pattern.finditer(sentence):
                n = float(match["n"])
                if n > 1:
                    add(match.start(), match.end(), _probability(1 / n), MARKET)
    return sorted(_implied_once(sentence, found), key=lambda c: c.start)


def _implied_once(sentence: str, found: list[Chance]) -> list[Chance]:
    """A price and the text's own conversion of it ("odds of 14/1 and a 6.7% implied
    probability") are one chance: the conversion, with the margin taken out."""
    kept = []
    for chance in found:
        implied = odds.IMPLIED.match(sentence, chance.end) if chance.kind == MARKET else None
        if implied and any(
            other is not chance and chance.end <= other.start < implied.end() for other in found
        ):
            continue
        kept.append(chance)
    return kept
