"""Snippets: a short stretch of a found text with the words that matched marked, as escaped
HTML (`<mark>` around each match). Made here rather than by either database, so that both
give the same snippet and nothing in a record's text can become markup."""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import snowballstemmer
from markupsafe import Markup, escape

from tracker.search.query import Query
from tracker.search.terms import WORD, fold, is_stop_word

WIDTH = 240
LEAD = 80
_local = threading.local()
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _stemmers() -> tuple[object, object]:
    # Stemmer objects keep state while stemming: one pair per thread.
    if not hasattr(_local, "pair"):
        _local.pair = (snowballstemmer.stemmer("english"), snowballstemmer.stemmer("porter"))
    pair: tuple[object, object] = _local.pair
    return pair


@functools.lru_cache(maxsize=100_000)
def stems(word: str) -> frozenset[str]:
    """A folded word's stems as PostgreSQL (Snowball English) and SQLite (Porter) make them."""
    english, porter = _stemmers()
    return frozenset((english.stemWord(word), porter.stemWord(word)))  # type: ignore[attr-defined]


@dataclass(frozen=True)
class _Term:
    word: str
    stems: frozenset[str]
    prefix: bool

    def matches(self, word: str) -> bool:
        if self.prefix:
            return word.startswith(self.word) or any(
                s.startswith(t) for s in stems(word) for t in self.stems
            )
        return not stems(word).isdisjoint(self.stems)


@functools.lru_cache(maxsize=256)
def _prepared(query: Query) -> tuple[tuple[_Term, ...], re.Pattern[str] | None]:
    """A query's terms and where their words can start: made once for all a page's snippets."""
    terms = tuple(_terms(query))
    return terms, _candidates(terms) if terms else None


def _terms(query: Query) -> list[_Term]:
    terms = []
    for part in query.included:
        last = len(part.words) - 1
        for i, word in enumerate(part.words):
            if len(part.words) > 1 and is_stop_word(word):
                continue
            prefix = part.prefix and i == last
            terms.append(_Term(word, stems(word), prefix))
    return terms


@functools.lru_cache(maxsize=20_000)
def _fold_char(char: str) -> str:
    folded = fold(char)
    return folded[0] if folded else char


def _same_length_fold(text: str) -> str:
    """The text folded character for character (a ligature keeps its first letter), so that
    positions in it are positions in the text."""
    if text.isascii():
        return text.lower()
    return _NON_ASCII.sub(lambda m: _fold_char(m.group()), text).lower()


def _candidates(terms: Sequence[_Term]) -> re.Pattern[str]:
    """Where a matching word can start: each term's word or stems, less the last letter
    (stemming changes endings: happy -> happi), at the start of a word."""
    heads = set()
    for term in terms:
        forms = [term.word] if term.prefix else [term.word, *term.stems]
        shortest = min(forms, key=len)
        heads.add(shortest if term.prefix else shortest[: max(2, len(shortest) - 1)])
    pattern = "|".join(re.escape(h) for h in sorted(heads, key=len, reverse=True))
    return re.compile(rf"(?<![^\W_])(?:{pattern})")


def _matches(text: str, folded: str, terms: Sequence[_Term], pattern: re.Pattern[str],
             start: int = 0, end: int | None = None) -> Iterator[re.Match[str]]:  # fmt: skip
    """The words of text[start:end] that match a term, in order."""
    for candidate in pattern.finditer(folded, start, len(text) if end is None else end):
        word = WORD.match(text, candidate.start())
        if word is None or (end is not None and word.end() > end):
            continue
        if any(t.matches(fold(word.group())) for t in terms):
            yield word


def highlight(text: str, query: Query, width: int = WIDTH) -> Markup | None:
    """About `width` characters of `text` around its first word that matches the query, every
    match in them marked; None when no word of the text matches."""
    terms, pattern = _prepared(query)
    if pattern is None or not text:
        return None
    folded = _same_length_fold(text)
    first = next(_matches(text, folded, terms, pattern), None)
    if first is None:
        return None
    start = 0 if first.start() < LEAD else text.rfind(" ", 0, first.start() - LEAD) + 1
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", first.end(), end)
        end = space if space > first.end() else max(end, first.end())
    html = [Markup("…") if start > 0 else Markup("")]
    cursor = start
    for match in _matches(text, folded, terms, pattern, start, end):
        html.append(escape(text[cursor : match.start()]))
        html.append(Markup("<mark>%s</mark>") % match.group())
        cursor = match.end()
    html.append(escape(text[cursor:end]))
    if end < len(text):
        html.append(Markup("…"))
    return Markup("").join(html)


def excerpt(text: str, width: int = WIDTH) -> Markup:
    """The beginning of a text, escaped, when no word of it can be marked."""
    if len(text) <= width:
        return escape(text)
    end = text.rfind(" ", 0, width)
    return escape(text[: end if end > 0 else width]) + Markup("…")
