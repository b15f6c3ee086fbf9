"""What people type into the search box, read into words, phrases, prefixes and exclusions,
and written out in each engine's own syntax. Nothing typed reaches FTS5 or to_tsquery as
syntax: every word is letters and digits only, quoted or placed by this module."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracker.errors import Invalid
from tracker.search.terms import is_stop_word, words

MAX_QUERY_CHARS = 500
MAX_PARTS = 12
MIN_PREFIX_CHARS = 2
# A quoted phrase (the closing quote may be missing), or a run of other non-space characters;
# either may start with a minus (leave out).
_TOKEN = re.compile(r'(?P<minus>-?)(?:"(?P<phrase>[^"]*)"?(?P<pstar>\*?)|(?P<bare>[^\s"]+))')
HELP = (
    'Type words, a name or a phrase: "strait of hormuz" in quotes for the exact words, '
    "-word to leave out what has it, retali* for every word that starts so."
)


class UnusableQuery(Invalid):
    """A query with nothing to look for: the message says what to type instead."""


@dataclass(frozen=True)
class Part:
    """One word or phrase of a query; `prefix`: its last word matches any word it begins."""

    words: tuple[str, ...]
    prefix: bool = False
    excluded: bool = False


@dataclass(frozen=True)
class Query:
    text: str
    parts: tuple[Part, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def included(self) -> tuple[Part, ...]:
        return tuple(p for p in self.parts if not p.excluded)

    @property
    def excluded(self) -> tuple[Part, ...]:
        return tuple(p for p in self.parts if p.excluded)

    def fts5(self) -> str:
        """The query as an FTS5 expression: each part a quoted string, ANDed, then NOTs."""
        expression = " AND ".join(_fts5_part(p) for p in self.included)
        for part in self.excluded:
            expression = f"({expression}) NOT {_fts5_part(part)}"
        return expression

    def tsquery(self, included_only: bool = False) -> str:
        """The query as to_tsquery input (for the `english` configuration)."""
        included = " & ".join(_ts_part(p) for p in self.included)
        if included_only:
            return included
        excluded = "".join(f" & !{_ts_part(p)}" for p in self.excluded)
        return included + excluded

    def ts_phrases(self) -> tuple[str, ...]:
        """Each included part of two words or more, alone, as to_tsquery input."""
        return tuple(_ts_part(p) for p in self.included if len(p.words) > 1)


def _fts5_part(part: Part) -> str:
    return '"' + " ".join(_phrase_words(part)) + '"' + (" *" if part.prefix else "")


def _phrase_words(part: Part) -> list[str]:
    """A part's words less the common words at its ends, which PostgreSQL's `english`
    configuration leaves out of a phrase too ("of the survey" is "survey"): FTS5 keeps them in
    its index and would read the lists of nearly every entry to match them."""
    items = list(part.words)
    while len(items) > 1 and is_stop_word(items[0]):
        items.pop(0)
    while len(items) > 1 and not part.prefix and is_stop_word(items[-1]):
        items.pop()
    return items


def _ts_part(part: Part) -> str:
    items = list(part.words)
    if part.prefix:
        items[-1] += ":*"
    if len(items) == 1:
        return items[0]
    return "(" + " <-> ".join(items) + ")"


def parse(text: str | None) -> Query:
    """Read a typed query. Raises UnusableQuery (a clear message) when nothing in it can be
    looked for: no words, one letter, punctuation alone, only common or excluded words, a NUL,
    or more than MAX_QUERY_CHARS characters or MAX_PARTS words."""
    raw = text or ""
    if "\x00" in raw:
        raise UnusableQuery("the search contains a NUL character", {"q": "NUL not allowed"})
    if len(raw) > MAX_QUERY_CHARS:
        raise UnusableQuery(
            f"the search is longer than {MAX_QUERY_CHARS} characters: search for a few words",
            {"q": f"at most {MAX_QUERY_CHARS} characters"},
        )
    if not raw.strip():
        raise UnusableQuery("type something to search for. " + HELP, {"q": "required"})
    parts: list[Part] = []
    notes: list[str] = []
    dropped_common: list[str] = []
    letters_only = True  # every token typed is a single letter or digit
    for match in _TOKEN.finditer(raw):
        excluded = match["minus"] == "-"
        token = match["phrase"] if match["phrase"] is not None else match["bare"] or ""
        prefix = bool(match["pstar"]) or token.endswith("*")
        found = tuple(words(token))
        if not found:
            continue
        letters_only = letters_only and all(len(w) < 2 for w in found)
        if prefix and len(found[-1]) < MIN_PREFIX_CHARS:
            notes.append(f"{token.strip()!r}: a word's beginning needs two letters or more")
            prefix = False
        if not prefix and all(is_stop_word(w) for w in found):
            dropped_common.append(" ".join(found))
            continue
        parts.append(Part(found, prefix, excluded))
    if dropped_common:
        notes.append("left out as too common to search for: " + ", ".join(dropped_common))
    included = [p for p in parts if not p.excluded]
    if letters_only and (parts or dropped_common):
        raise UnusableQuery(
            "type at least two letters or digits: one letter finds everything. " + HELP,
            {"q": "one letter"},
        )
    if not included:
        if parts:
            raise UnusableQuery(
                "say what to look for as well as what to leave out (-word leaves it out)",
                {"q": "only exclusions"},
            )
        if dropped_common:
            raise UnusableQuery(
                f"{', '.join(dropped_common)!s}: too common to search for; add a more particular "
                "word",
                {"q": "only common words"},
            )
        raise UnusableQuery(
            "type letters or digits: punctuation alone finds nothing. " + HELP,
            {"q": "no letters or digits"},
        )
    if len(parts) > MAX_PARTS:
        raise UnusableQuery(
            f"search for at most {MAX_PARTS} words or phrases at a time",
            {"q": f"more than {MAX_PARTS} words or phrases"},
        )
    return Query(raw, tuple(parts), tuple(notes))
