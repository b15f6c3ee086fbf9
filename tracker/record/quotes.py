"""Finding a quote in an archived text, forgiving how it was typed but storing it verbatim."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Characters people type differently from how publishers set them; each folds to one character,
# so positions in the folded text map back to the archived text.
_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u02bc": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
    }
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def _folded(text: str) -> tuple[str, list[int]]:
    """The text with quotes and dashes folded and whitespace runs collapsed to one space,
    and for each folded character the index of the archived character it came from."""
    out: list[str] = []
    positions: list[int] = []
    previous_space = False
    for index, char in enumerate(text.translate(_FOLD)):
        if char.isspace():
            if previous_space:
                continue
            char = " "
            previous_space = True
        else:
            previous_space = False
        out.append(char)
        positions.append(index)
    return "".join(out), positions


def _is_word_char(char: str) -> bool:
    return unicodedata.category(char)[0] in "LNM"


def _whole_words(text: str, span: Span) -> bool:
    """The span neither starts nor ends inside a word ("at" in "what" does not count)."""
    starts_inside = (
        span.start > 0 and _is_word_char(text[span.start]) and _is_word_char(text[span.start - 1])
    )
    ends_inside = (
        span.end < len(text) and _is_word_char(text[span.end - 1]) and _is_word_char(text[span.end])
    )
    return not starts_inside and not ends_inside


def find_quote(
    text: str, quote: str, start_hint: int | None = None, whole_words: bool = True
) -> Span | None:
    """Where `quote` stands in `text`: exactly if it can, else with quotes, dashes and spacing
    folded; with `whole_words`, only where it neither starts nor ends inside a word. With
    `start_hint`, only an occurrence starting there counts."""
    quote = quote.strip()
    if not quote:
        return None

    def fits(span: Span) -> bool:
        return (start_hint is None or span.start == start_hint) and (
            not whole_words or _whole_words(text, span)
        )

    at = text.find(quote) if start_hint is None else start_hint
    while 0 <= at <= len(text) - len(quote):
        if text.startswith(quote, at) and fits(Span(at, at + len(quote))):
            return Span(at, at + len(quote))
        if start_hint is not None:
            break
        at = text.find(quote, at + 1)
    folded_text, positions = _folded(text)
    folded_quote, _ = _folded(quote)
    at = folded_text.find(folded_quote)
    while at >= 0:
        span = Span(positions[at], positions[at + len(folded_quote) - 1] + 1)
        if fits(span):
            return span
        at = folded_text.find(folded_quote, at + 1)
    return None


def context(text: str, span: Span, chars: int = 400) -> tuple[str, str, str]:
    """The quote with up to `chars` characters of text either side, cut at word boundaries."""
    before_start = max(0, span.start - chars)
    after_end = min(len(text), span.end + chars)
    before = text[before_start : span.start]
    after = text[span.end : after_end]
    if before_start > 0 and " " in before:
        before = "\u2026" + before[before.index(" ") + 1 :]
    if after_end < len(text) and " " in after:
        after = after[: after.rindex(" ")] + "\u2026"
    return before, text[span.start : span.end], after
