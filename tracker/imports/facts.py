"""Facts a sentence states about the past: a past-tense verb (from lemminflect's English
inflection tables) with a date, a number or a named event, or a named past event with a date.
The rules are measured against the labelled articles in the tests (bench/extract.py)."""

from __future__ import annotations

import re
from functools import lru_cache

# Words -----------------------------------------------------------------------------------------

WORD = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)*")
_MODALS = {"will", "would", "shall", "should", "can", "could", "may", "might", "must", "to"}
_DETERMINERS = {"a", "an", "the", "this", "its", "his", "her", "their", "our", "my"}
_PRESENT_BE = {"is", "are", "am", "be", "being", "been", "get", "gets"}
_PAST_AUX = {"was", "were", "had", "did", "wasn't", "weren't", "hadn't", "didn't"}
_PERFECT = {"has", "have", "hasn't", "haven't"}
_NOT_VERBS = {"could", "might", "ought", "left"}


@lru_cache(maxsize=20_000)
def _past_form(word: str) -> tuple[bool, bool]:
    """(is a past-tense form, is a past participle) of some English verb, per lemminflect."""
    # Imported at the first word read: its import (numpy's) is a tenth of a second that every
    # command and worker would pay at start.
    import lemminflect

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


def fact_reason(
    sentence: str, words: list[str], original: list[str], year: int, strict: bool = False
) -> str | None:
    """Why the sentence states a checkable fact about the past, or None. `strict` (for a
    sentence that also forecasts) asks for a date or a named past event."""
    verb = _past_verb(words, original)
    years = [int(y) for y in _YEAR_NUMBER.findall(sentence)]
    past_years = [y for y in years if y <= year]
    without_years = _YEAR_NUMBER.sub(" ", sentence)
    if verb is not None:
        dated = [y for y in past_years if y < year] if strict else past_years
        if dated or _DATE_WORDS.search(without_years):
            return f"past tense (\u201c{verb}\u201d) with a date"
        if not strict:
            if _COUNT.search(without_years):
                return f"past tense (\u201c{verb}\u201d) with a number"
            event = _EVENT.search(sentence)
            if event:
                return (
                    f"past tense (\u201c{verb}\u201d) about an event (\u201c{event.group(0)}\u201d)"
                )
            return None
    event = _EVENT.search(sentence)
    if event and (any(y < year for y in past_years) or _PAST_MARKER.search(sentence)):
        return f"names a past event (\u201c{event.group(0)}\u201d)"
    return None
