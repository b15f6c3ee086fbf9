"""Words of estimative probability: the number a forecast's wording carries, and its reference.

The tables are those of ICD 203 (2015), Sherman Kent (1964) and the Mauboussin & Mauboussin
reader survey (HBR 2018). ICD 203 phrases take the midpoint of their range; other listed phrases
the survey median (Kent's centre where only Kent lists it); plain future assertions 0.90.
May/might/could/possibly, and "can" in a conditional, are hedged: they carry no assessable
probability in intelligence usage and are kept out of the headline score.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ICD = "ICD 203 (2015), midpoint of the range"
KENT = "Sherman Kent, Words of Estimative Probability (1964)"
SURVEY = "Mauboussin & Mauboussin reader survey, HBR 2018 (median)"
ASSERTIVE = "plain assertion (will / declarative): product default 0.90"
EXPECTATION = "expectation, prediction or necessity (expects, is projected to, is bound to): " + (
    "product default 0.90, as for a plain assertion"
)
HOPE = "hedged wording (hope, there is a chance): no survey figure, read as maybe's 0.50"
DOUBT = (
    "doubt (I doubt, few expect): no table lists it; read as unlikely, the ICD 203 midpoint "
    "of 20-45"
)
# Certainty words lie outside (0, 1); the product stores the nearest number it can score.
EXTREME = "; certainty clipped to 0.01 / 0.99 so that it can be scored"


@dataclass(frozen=True)
class Reading:
    """What a phrase says: the probability that what it qualifies happens."""

    phrase: str
    probability: float
    hedged: bool
    category: str
    reference: str


# (phrases, probability, hedged, category, reference); matched longest phrase first.
_TABLE: list[tuple[tuple[str, ...], float, bool, str, str]] = [
    (("almost no chance", "remote"), 0.03, False, "almost no chance", ICD),
    (("very unlikely", "highly improbable"), 0.125, False, "very unlikely", ICD),
    (("unlikely", "improbable"), 0.325, False, "unlikely", ICD),
    (("roughly even chance", "roughly even odds"), 0.50, False, "roughly even chance", ICD),
    (("likely", "probable"), 0.675, False, "likely", ICD),
    (("very likely", "highly probable"), 0.875, False, "very likely", ICD),
    (
        ("almost certain", "almost certainly", "nearly certain", "nearly certainly"),
        0.97,
        False,
        "almost certain",
        ICD,
    ),
    (("chances about even", "about even"), 0.50, False, "chances about even", KENT),
    (
        ("toss-up", "toss up", "coin flip", "coin-flip", "coin toss", "even odds"),
        0.50,
        False,
        "roughly even chance",
        ICD + " (a toss-up, a coin flip: even chances)",
    ),
    (("better than even", "more likely than not"), 0.675, False, "likely", ICD),
    (("probably not",), 0.30, False, "probably not", KENT),
    (("almost certainly not",), 0.07, False, "almost certainly not", KENT),
    (("certain",), 0.99, False, "certain", KENT + EXTREME),
    (("impossible",), 0.01, False, "impossible", KENT + EXTREME),
    (("always",), 0.99, False, "always", SURVEY + EXTREME),
    (("certainly",), 0.95, False, "certainly", SURVEY),
    (("probably",), 0.70, False, "probably", SURVEY),
    (("we believe",), 0.75, False, "we believe", SURVEY),
    (("possibly", "possible"), 0.45, True, "possibly", SURVEY),
    (("maybe", "perhaps"), 0.50, True, "maybe", SURVEY),
    (("never",), 0.01, False, "never", SURVEY + EXTREME),
    (("might",), 0.40, True, "might", SURVEY),
    (("may",), 0.40, True, "may", SURVEY),
    (("could",), 0.40, True, "could", SURVEY),
    (("can",), 0.40, True, "can", SURVEY + " (as for may/could: a capability, not a forecast)"),
    (("little chance", "little prospect", "slim chance"), 0.125, False, "very unlikely", ICD),
    (
        (
            "i doubt",
            "we doubt",
            "he doubts",
            "she doubts",
            "they doubt",
            "analysts doubt",
            "economists doubt",
            "experts doubt",
            "many doubt",
            "doubtful",
            "nobody expects",
            "no one expects",
            "few expect",
            "few expected",
        ),
        0.325,
        False,
        "unlikely",
        DOUBT,
    ),
    (("good chance", "good possibility", "odds are good"), 0.675, False, "likely", ICD),
    (
        ("hope", "hopes", "hoped", "hopeful", "cautiously optimistic", "there is a chance"),
        0.50,
        True,
        "hope",
        HOPE,
    ),
    (("there's a chance",), 0.50, True, "hope", HOPE),
    (
        ("won't", "will not", "wont", "shall not", "is not going to", "are not going to"),
        0.90,
        False,
        "assertive",
        ASSERTIVE,
    ),
    (
        ("will", "'ll", "shall", "is going to", "are going to", "is set to", "are set to"),
        0.90,
        False,
        "assertive",
        ASSERTIVE,
    ),
    (
        (
            "is expected to",
            "are expected to",
            "is projected to",
            "are projected to",
            "is predicted to",
            "are predicted to",
            "is forecast to",
            "are forecast to",
            "expects",
            "expect",
            "expected",
            "expecting",
            "anticipates",
            "anticipate",
            "predicts",
            "predict",
            "predicted",
            "predicting",
            "forecasts",
            "forecast",
            "forecasting",
            "projects",
            "projected",
            "projecting",
            "foresees",
            "is due to",
            "are due to",
            "is bound to",
            "are bound to",
            "on track to",
            "on course to",
            "poised to",
            "has to",
            "have to",
            "slated to",
            "scheduled to",
            "plans to",
            "plan to",
            "no way",
        ),
        0.90,
        False,
        "assertive",
        EXPECTATION,
    ),
]

_ENTRIES = sorted(
    ((phrase, row) for row in _TABLE for phrase in row[0]), key=lambda item: -len(item[0])
)
_PATTERNS = [
    (
        re.compile(r"(?<![\w'])" + re.escape(phrase) + r"(?![\w'])")
        if phrase[0] != "'"
        else re.compile(r"(?<=\w)" + re.escape(phrase) + r"(?!\w)"),
        row,
    )
    for phrase, row in _ENTRIES
]


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2019", "'").replace("\u2018", "'")).lower()


def find_wording(text: str) -> Reading | None:
    """The first estimative wording in `text` (by position; the longest phrase at a position)."""
    normal = _normal(text)
    best: tuple[int, int, Reading] | None = None
    for pattern, (_, probability, hedged, category, reference) in _PATTERNS:
        match = pattern.search(normal)
        if match is None:
            continue
        key = (match.start(), -(match.end() - match.start()))
        if best is None or key < (best[0], best[1]):
            original = text[match.start() : match.end()] if len(text) == len(normal) else None
            reading = Reading(original or match.group(0), probability, hedged, category, reference)
            best = (key[0], key[1], reading)
    return best[2] if best else None


def read_phrase(phrase: str) -> Reading:
    """The reading of an editor's phrase. A phrase with no listed wording ("slams the door")
    is a declarative assertion."""
    found = find_wording(phrase)
    # "will probably", "probably won't": the adverb carries the confidence, the verb the time.
    qualified = [w.reading for w in find_wordings(phrase) if w.reading.category != "assertive"]
    if found is not None and found.category == "assertive" and qualified:
        found = qualified[0]
    if found is None:
        return Reading(phrase.strip(), 0.90, False, "assertive", "declarative: " + ASSERTIVE)
    return Reading(phrase.strip(), found.probability, found.hedged, found.category, found.reference)


@dataclass(frozen=True)
class Wording:
    """One estimative wording found in a text, with its offsets in that text."""

    start: int
    end: int
    reading: Reading


def _alternative(phrase: str) -> str:
    body = r"\s+".join(re.escape(word) for word in phrase.split(" "))
    if phrase[0] == "'":
        return r"(?<=\w)" + body + r"(?!\w)"
    return r"(?<![\w'])" + body + r"(?![\w'])"


_BY_PHRASE = {phrase: row for phrase, row in _ENTRIES}
# One alternation, longest phrase first: at each position the regex engine takes the longest.
_ANY = re.compile(
    r"(?<![\w'])(?:"
    + "|".join(
        r"\s+".join(re.escape(word) for word in phrase.split(" "))
        for phrase, _ in _ENTRIES
        if phrase[0] != "'"
    )
    + r")(?![\w'])|"
    + "|".join(_alternative(phrase) for phrase, _ in _ENTRIES if phrase[0] == "'"),
    re.IGNORECASE,
)
# Folds typographic apostrophes one for one, so offsets in the folded text are offsets in the text.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def find_wordings(text: str) -> list[Wording]:
    """Every estimative wording in `text`, left to right, each with its offsets in `text`."""
    found = []
    for match in _ANY.finditer(text.translate(_APOSTROPHES)):
        key = re.sub(r"\s+", " ", match.group(0)).lower()
        _, probability, hedged, category, reference = _BY_PHRASE[key]
        phrase = text[match.start() : match.end()]
        found.append(
            Wording(
                match.start(),
                match.end(),
                Reading(phrase, probability, hedged, category, reference),
            )
        )
    return found
