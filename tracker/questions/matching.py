"""How likely a claim is about the same event as a question: a logistic score over wording,
names, years, months and dates. Pure: texts and dates in, numbers out.

The features and weights were chosen by measurement on real published forecasts labelled by
event (tests/questions/data): `python -m bench.matching` refits the weights on the development
part and prints the held-out figures; tests/questions/test_matching.py asserts them.

Words are compared stemmed (Snowball's English stemmer, the one PostgreSQL's `english`
configuration uses) as unigrams and bigrams, with log-scaled counts and no corpus statistics,
so a question's score never depends on which other questions exist."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

# Texts of a question's linked claims compared with a new claim: the most recent few.
LINKED_TEXTS = 5
# A proposal scoring above this is marked as likely the same event: chosen on the development
# part so that 96% of claims about no recorded question stay below it.
LINK_THRESHOLD = 0.952

_WORD = re.compile(r"[^\W\d_](?:[^\W_]|['\u2019-](?=[^\W_]))*|\d+(?:[.,]\d+)*", re.UNICODE)
_STOP = frozenset(
    [
        "a",
        "about",
        "after",
        "again",
        "against",
        "all",
        "also",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "been",
        "before",
        "being",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "may",
        "me",
        "might",
        "more",
        "most",
        "must",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "said",
        "says",
        "say",
    ]
)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_CAPITALISED = re.compile(r"\b[A-Z][^\W\d_]+\b")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    stem: str = _STEMMER.stemWord(word)
    return stem


def terms(text: str) -> list[str]:
    """The text's words as compared: lowercased, stop words out, stemmed."""
    return [
        _stem(word)
        for word in (w.lower().replace("\u2019", "'") for w in _WORD.findall(text))
        if word not in _STOP
    ]


Vector = dict[str, float]


def vector(text: str) -> Vector:
    """Stemmed unigrams and bigrams of a text, counts scaled as 1 + ln(count)."""
    words = terms(text)
    counts = Counter(words)
    counts.update(f"{a} {b}" for a, b in itertools.pairwise(words))
    return {term: 1.0 + math.log(n) for term, n in counts.items()}


def cosine(a: Vector, b: Vector) -> float:
    if not a or not b:
        return 0.0
    if len(b) < len(a):
        a, b = b, a
    dot = sum(weight * b.get(term, 0.0) for term, weight in a.items())
    norm = math.sqrt(sum(w * w for w in a.values()) * sum(w * w for w in b.values()))
    return dot / norm


def _years(text: str) -> set[str]:
    return set(_YEAR.findall(text))


def _names(text: str) -> set[str]:
    return {w.lower() for w in _CAPITALISED.findall(text)} - _STOP


def _months(text: str) -> set[int]:
    # Capitalised only: "may" the verb is not May the month.
    return {_MONTHS[w.lower()] for w in _CAPITALISED.findall(text) if w.lower() in _MONTHS}


@dataclass(frozen=True)
class ClaimText:
    """What is known of a new claim: its quote, when it was published, and the deadline its
    own time words give (None when the deadline was inferred)."""

    quote: str
    published: dt.date | None
    deadline: dt.date | None = None


@dataclass(frozen=True)
class QuestionText:
    """An existing question: its text and criteria, its deadline, and the quotes of the claims
    already linked to it (the most recent first)."""

    text: str
    deadline: dt.date | None
    linked_quotes: Sequence[str] = ()


FEATURES = (
    "word similarity (best of question and linked quotes)",
    "word similarity to the question's own text",
    "published after the question's deadline",
    "years between publication and the question's deadline (at most 3)",
    "names a year the question does not",
    "share of the claim's capitalised names in the question",
    "names a month the question does not",
    "distance of the claim's own deadline from the question's (half-years, at most 3)",
)
# Logistic weights over FEATURES, fitted on the development part by `python -m bench.matching`.
WEIGHTS = (15.314, 8.713, -5.422, -1.267, -0.216, 3.085, 0.094, -0.339)
INTERCEPT = -5.385


def features(
    claim: ClaimText, question: QuestionText, claim_vector: Vector | None = None
) -> list[float]:
    """The FEATURES of one (claim, question) pair."""
    own = claim_vector if claim_vector is not None else vector(claim.quote)
    question_vector = vector(question.text)
    to_question = cosine(own, question_vector)
    best = to_question
    for quote in question.linked_quotes[:LINKED_TEXTS]:
        best = max(best, cosine(own, vector(quote)))
    published, deadline = claim.published, question.deadline
    after = 1.0 if published and deadline and published > deadline + dt.timedelta(days=3) else 0.0
    gap = min(abs((deadline - published).days) / 365.0, 3.0) if published and deadline else 0.5
    question_years = _years(question.text) | ({str(deadline.year)} if deadline else set())
    claim_years = _years(claim.quote)
    other_year = 1.0 if claim_years and not claim_years & question_years else 0.0
    claim_names = _names(claim.quote)
    shared_names = len(claim_names & _names(question.text)) / (len(claim_names) or 1)
    claim_months = _months(claim.quote)
    question_months = _months(question.text) | ({deadline.month} if deadline else set())
    other_month = 1.0 if claim_months and not claim_months & question_months else 0.0
    distance = 0.0
    if claim.deadline and deadline:
        distance = min(abs((claim.deadline - deadline).days) / 180.0, 3.0)
    return [
        best,
        to_question,
        after,
        gap,
        other_year,
        shared_names,
        other_month,
        distance,
    ]


def score(
    claim: ClaimText,
    question: QuestionText,
    claim_vector: Vector | None = None,
    weights: Sequence[float] = WEIGHTS,
    intercept: float = INTERCEPT,
) -> float:
    """How likely the claim is about the question's event, from 0 to 1."""
    values = features(claim, question, claim_vector)
    z = intercept + sum(w * x for w, x in zip(weights, values, strict=True))
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def rank(
    claim: ClaimText, questions: Iterable[tuple[int, QuestionText]], limit: int = 5
) -> list[tuple[int, float]]:
    """(question id, score) of the best `limit` questions, best first; ties by lower id."""
    own = vector(claim.quote)
    scored = [(question_id, score(claim, question, own)) for question_id, question in questions]
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:limit]
