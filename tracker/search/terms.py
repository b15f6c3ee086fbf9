"""Words as both search engines see them: folded (no diacritics, compatibility forms unified,
lower case) and split at every character that is not a letter or a digit. The index and the
queries go through the same functions, so SQLite's and PostgreSQL's tokenizers only ever see
plain words separated by spaces and cut them alike."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

# PostgreSQL's English stop words (share/tsearch_data/english.stop): its `english`
# configuration drops them from documents and queries; queries drop them on SQLite too, so
# both engines answer the same words.
STOP_WORDS = frozenset(
    (
        "i",
        "me",
        "my",
        "myself",
        "we",
        "our",
        "ours",
        "ourselves",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "he",
        "him",
        "his",
        "himself",
        "she",
        "her",
        "hers",
        "herself",
        "it",
        "its",
        "itself",
        "they",
        "them",
        "their",
        "theirs",
        "themselves",
        "what",
        "which",
        "who",
        "whom",
        "this",
        "that",
        "these",
        "those",
        "am",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "have",
        "has",
        "had",
        "having",
        "do",
        "does",
        "did",
        "doing",
        "a",
        "an",
        "the",
        "and",
        "but",
        "if",
        "or",
        "because",
        "as",
        "until",
        "while",
        "of",
        "at",
        "by",
        "for",
        "with",
        "about",
        "against",
        "between",
        "into",
        "through",
        "during",
        "before",
        "after",
        "above",
        "below",
        "to",
        "from",
        "up",
        "down",
        "in",
        "out",
        "on",
        "off",
        "over",
        "under",
        "again",
        "further",
        "then",
        "once",
        "here",
        "there",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "both",
        "each",
        "few",
        "more",
        "most",
        "other",
        "some",
        "such",
        "no",
        "nor",
        "not",
        "only",
        "own",
        "same",
        "so",
        "than",
        "too",
        "very",
        "s",
        "t",
        "can",
        "will",
        "just",
        "don",
        "should",
        "now",
    )
)
WORD = re.compile(r"[^\W_]+")
# A source's text is indexed in parts of about PART_CHARS characters, cut at a space, each part
# after the first beginning OVERLAP_CHARS or so before the previous one ends, so that a phrase
# cut by a boundary is whole in one of them. Short parts keep each entry's words small: a
# search checks and ranks the entries it finds one by one (PostgreSQL keeps a tsvector of this
# size in its row, uncompressed), and a text of any length stays within PostgreSQL's limits
# (positions up to 16,383, a tsvector under 1 MB).
PART_CHARS = 1_000
OVERLAP_CHARS = 80


def fold(value: str) -> str:
    """Lower case without diacritics or compatibility forms: "Élection" -> "election",
    "ﬁnal" -> "final". Characters without a decomposition stay as they are."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).lower()


def words(value: str) -> list[str]:
    """The folded words of a text, in order."""
    return WORD.findall(fold(value))


def plain(value: str) -> str:
    """A text as the engines index it: its folded words joined by single spaces."""
    return " ".join(words(value))


def is_stop_word(word: str) -> bool:
    return word in STOP_WORDS


def chunks(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of the parts a text is indexed in: at most PART_CHARS each, cut after a
    space where there is one, each after the first starting at a space in the last
    OVERLAP_CHARS of the one before (where there is one), together covering the whole text."""
    start = 0
    while start < len(text):
        end = min(start + PART_CHARS, len(text))
        if end < len(text):
            space = text.rfind(" ", start + PART_CHARS // 2, end)
            if space > start:
                end = space + 1
        yield start, end
        if end >= len(text):
            return
        back = text.find(" ", end - OVERLAP_CHARS, end - 1)
        start = back + 1 if back > start else end
