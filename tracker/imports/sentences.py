"""Sentences and pages of an archived text: syntok's sentences, cut again at line breaks, and
where a page that reads a bounded stretch of the text ends, so that proposing claims for a text of
any length costs the same per page."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import syntok.segmenter

Splitter = Callable[[str], Iterable[tuple[int, int]]]

_LINE = re.compile(r"[^\n]+")


# Titles before a name that syntok takes for a sentence's end ("Rep. Eric Cantor said"):
# such a "sentence" goes on into the next.
_TITLE_END = re.compile(
    r"(?<![\w.])(?:Rep|Reps|Gov|Govs|Lt|Rev|Sgt|Cpl|Pvt|Cmdr|Adm|Maj|Brig|Amb|Atty|Supt|Insp|"
    r"Det|Msgr|Fr)\.$"
)

_NOT_A_NAME = re.compile(
    r"(?:The|Then|He|She|It|They|We|I|But|And|A|An|In|On|At|This|That|There|So|Yet|If)\b"
)


def _syntok_spans(text: str) -> Iterator[tuple[int, int]]:
    for paragraph in syntok.segmenter.analyze(text):
        pending: tuple[int, int] | None = None
        for sentence in paragraph:
            tokens = list(sentence)
            if not tokens:
                continue
            start = tokens[0].offset
            end = tokens[-1].offset + len(tokens[-1].value)
            if pending is not None:
                if _NOT_A_NAME.match(text, start):
                    yield pending  # "... for the Gov. Then he left."
                else:
                    start = pending[0]
            pending = (start, end) if _TITLE_END.search(text, start, end) else None
            if pending is None:
                yield start, end
        if pending is not None:
            yield pending


def split_sentences(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence, by syntok's segmenter (which keeps "U.S." and "Dr."
    inside their sentences; "Rep." and "Gov." are kept by `_TITLE_END`), cut again at line
    breaks: an archived text never runs a sentence across paragraphs, and a title line has no
    full stop."""
    for start, end in _syntok_spans(text):
        for line in _LINE.finditer(text, start, end):
            piece = line.group(0).strip()
            if piece:
                at = line.start() + line.group(0).index(piece)
                yield at, at + len(piece)


@dataclass(frozen=True)
class Place:
    """Where a page of proposals starts in the text: an offset, and whether it falls inside a
    sentence too long to propose (whose rest is passed over)."""

    offset: int = 0
    inside_long_sentence: bool = False


def _last_break(text: str, low: int, high: int) -> int | None:
    """Where the text after the last paragraph break (a blank line) within text[low:high]
    starts; failing that, after the last line break; None without either."""
    line_break = text.rfind("\n", low, high)
    at = line_break
    while at != -1:
        before = text.rfind("\n", low, at)
        if before == -1:
            break
        if not text[before + 1 : at].strip():
            return at + 1  # the splitter reads each paragraph on its own: an exact cut
        at = before
    return line_break + 1 if line_break != -1 else None


def page_sentences(
    text: str, place: Place, splitter: Splitter, page_chars: int
) -> tuple[list[tuple[int, int]], Place | None]:
    """The sentences (start, end) read on the page at `place`, and where the next page starts.

    A page ends after a paragraph break in the second half of its stretch (the splitter reads
    paragraphs apart, so paging changes nothing), else after a line break there (sentences
    never cross one), else before its last sentence, which the next page reads again whole.
    A sentence that fills the stretch is longer than any proposal: the next page starts inside
    it (so the splitter sees where it ends) and passes over its rest."""
    start = place.offset
    end = min(len(text), start + page_chars)
    cut_at_line = False
    if end < len(text):
        cut = _last_break(text, start + page_chars // 2, end)
        if cut is not None:
            end, cut_at_line = cut, True
    spans = [(start + a, start + b) for a, b in splitter(text[start:end])]
    inside: tuple[int, int] | None = None
    if place.inside_long_sentence and spans:
        inside, spans = spans[0], spans[1:]
    if end == len(text):
        return spans, None
    if cut_at_line:
        return spans, Place(end)
    if len(spans) > 1:
        return spans[:-1], Place(spans[-1][0])
    if spans and spans[0][0] > start:
        return [], Place(spans[0][0])
    long = spans[0] if spans else inside
    if long is None:  # nothing but blanks, within a long sentence or between sentences
        return [], Place(end, place.inside_long_sentence)
    # Inside the long sentence, near its end or halfway through the stretch: always onwards.
    return [], Place(max(start + 1, min(long[1] - 1, start + page_chars // 2)), True)
