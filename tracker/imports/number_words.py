"""Numbers as a text writes them: in words ("Thirteen", "forty-five", "a hundred"), as
fractions in words ("two thirds", "a quarter"), and the pieces of patterns for a number and a
percentage that the rules for stated chances and betting odds are written in."""

from __future__ import annotations

import re

_UNITS = [
    *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
    *("eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen"),
    *("eighteen", "nineteen"),
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_WORD_NUMBERS = {word: value for value, word in enumerate(_UNITS)}
_WORD_NUMBERS.update({word: 20 + 10 * i for i, word in enumerate(_TENS)})
_WORD_NUMBERS.update({"a hundred": 100, "one hundred": 100, "hundred": 100})
FRACTIONS = {
    "half": 0.5,
    "a third": 1 / 3,
    "one third": 1 / 3,
    "one-third": 1 / 3,
    "two thirds": 2 / 3,
    "two-thirds": 2 / 3,
    "a quarter": 0.25,
    "one quarter": 0.25,
    "one-quarter": 0.25,
    "three quarters": 0.75,
    "three-quarters": 0.75,
    "a fifth": 0.2,
    "one fifth": 0.2,
    "one-fifth": 0.2,
    "two fifths": 0.4,
    "two-fifths": 0.4,
    "three fifths": 0.6,
    "three-fifths": 0.6,
    "four fifths": 0.8,
    "four-fifths": 0.8,
}

WORDNUM = (
    r"(?:(?:" + "|".join(_TENS) + r")(?:[- ](?:" + "|".join(_UNITS[1:10]) + r"))?"
    r"|" + "|".join(sorted(_UNITS[1:], key=len, reverse=True)) + r"|(?:a|one)\s+hundred)"
)
NUM = r"(?:\d+(?:\.\d+)?|" + WORDNUM + r")"
PERCENT = r"(?:\s*|-)(?:%|percent\b|per\s+cent\b)"


def number(word: str) -> float | None:
    """The value of a number in digits or words ("13", "Thirteen", "forty-five")."""
    word = re.sub(r"\s+", " ", word.strip().lower().replace(",", ""))
    try:
        return float(word)
    except ValueError:
        pass
    if word in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[word])
    parts = re.split(r"[- ]", word)
    if len(parts) == 2 and parts[0] in _WORD_NUMBERS and parts[1] in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[parts[0]] + _WORD_NUMBERS[parts[1]])
    return None
