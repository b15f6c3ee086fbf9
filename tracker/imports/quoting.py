"""Quoted speech across sentences: which stretches of a sentence are inside quotation marks, with
a quotation left open by an earlier sentence ("“We expect cases to rise. ... ,” she said."), and
the sentence that closes a quotation, which names its speaker for the sentences before it.

Double marks (U+201C, U+201D and ") and single marks (U+2018, U+2019, and a straight ' before a
capital, closed after punctuation) open and close quotations; a U+2019 between two letters is an
apostrophe ("it's"), and a paragraph that opens with a mark while a quotation is open goes on
with it (the printer's way of quoting over several paragraphs).
"""

from __future__ import annotations

from collections.abc import Sequence

_OPEN_SINGLE_AFTER = " \t\n([{\u2014\u2013-:"


def quoted(sentence: str, open_at_start: bool) -> tuple[list[tuple[int, int]], bool]:
    """The quoted stretches (start, end) of `sentence`, and whether a quotation is still open at
    its end. `open_at_start` says an earlier sentence left one open."""
    regions: list[tuple[int, int]] = []
    mark: str | None = "any" if open_at_start else None
    start = 0
    lead = len(sentence) - len(sentence.lstrip())
    for i, ch in enumerate(sentence):
        if ch in '\u201c\u201d"':
            if mark is None:
                if ch != "\u201d":
                    mark, start = "double", i
            elif i == lead and ch != "\u201d":
                continue  # a paragraph going on with the quotation
            elif mark in ("double", "any"):
                regions.append((start, i + 1))
                mark = None
        elif ch == "\u2018":
            if mark is None and (i == 0 or sentence[i - 1] in _OPEN_SINGLE_AFTER):
                mark, start = "single", i
        elif ch == "\u2019" and mark in ("single", "any"):
            after = sentence[i + 1 : i + 2]
            before = sentence[i - 1 : i]
            if not (after.isalpha() and before.isalpha()) and not after.isalnum():
                regions.append((start, i + 1))
                mark = None
        elif ch == "'":
            # Straight single marks, as some outlets print quotations: one opens before a
            # capital at a word's start, and closes after the quotation's last punctuation;
            # any other is an apostrophe ("don't", "players'").
            if (
                mark is None
                and (i == 0 or sentence[i - 1] in _OPEN_SINGLE_AFTER)
                and sentence[i + 1 : i + 2].isupper()
            ):
                mark, start = "straight", i
            elif mark in ("straight", "any") and i > 0 and sentence[i - 1] in ",.!?;:":
                regions.append((start, i + 1))
                mark = None
    still_open = mark is not None
    if still_open:
        regions.append((start, len(sentence)))
    return regions, still_open


def unquoted(sentence: str, regions: Sequence[tuple[int, int]], start: int, end: int) -> str:
    """sentence[start:end] with its quoted stretches blanked out."""
    chars = list(sentence[start:end])
    for a, b in regions:
        for i in range(max(a, start), min(b, end)):
            chars[i - start] = " "
    return "".join(chars)


def runs(sentences: Sequence[str]) -> tuple[list[bool], list[int | None]]:
    """For each sentence, whether it starts inside a quotation an earlier one left open, and the
    index of the later sentence that closes the quotation it ends inside of or goes on with
    (that sentence names who is speaking), else None."""
    found: list[int | None] = [None] * len(sentences)
    starts: list[bool] = []
    waiting: list[int] = []
    open_now = False
    for index, sentence in enumerate(sentences):
        started_open = open_now
        starts.append(started_open)
        _, open_now = quoted(sentence, open_now)
        if started_open and not open_now:
            for earlier in waiting:
                found[earlier] = index
            waiting = []
        if open_now:
            waiting.append(index)
        elif not started_open:
            waiting = []
    return starts, found
