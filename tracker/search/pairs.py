"""Which entries PostgreSQL reads to check a phrase. Its GIN index keeps no positions, so
each entry with all of a phrase's words would be read to see whether they stand together;
a second GIN index holds the pairs of each entry's words one or two places apart (the SQL
function `search_pair_keys`, see the migration that made it), and only entries with all of a
phrase's pairs are read.

A phrase's pairs come from the phrase as `to_tsquery` writes it (its own stemming and common
words): a chain such as 'strait' <2> 'hormuz' or 'oil' <-> 'price' <-> 'rise', each word at
its place. Anything else (a prefix, which has no one word) gives no pair for that word."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict

# Pairs of words this far apart at most are kept (the migration's `gap`).
MAX_GAP = 2
_TOKEN = re.compile(r"\s*(?:'(?P<lexeme>(?:[^']|'')*)'(?P<suffix>:[*A-D]+)?|<(?P<gap>-|\d+)>)")


def _places(written: str) -> list[tuple[str | None, int]] | None:
    """The chain's words with their places (None for a word that is not one lexeme), or None
    when `written` is not a plain chain of words."""
    places: list[tuple[str | None, int]] = []
    at, gap, end = 1, None, 0
    for match in _TOKEN.finditer(written):
        if match.start() != end:
            return None
        end = match.end()
        if match["gap"] is not None:
            if gap is not None or not places:
                return None
            gap = 1 if match["gap"] == "-" else int(match["gap"])
            continue
        if places:
            if gap is None:
                return None
            at += gap
        gap = None
        lexeme = match["lexeme"].replace("''", "'").replace("\\\\", "\\")
        places.append((None if match["suffix"] else lexeme, at))
    if written[end:].strip() or gap is not None or len(places) < 2:
        return None
    return places


def phrase_vector(written: str) -> str | None:
    """The words of a phrase (as `to_tsquery` wrote it) that are one lexeme, at their places,
    as tsvector input, when two of them are close enough to be a pair; else None."""
    places = _places(written)
    if places is None:
        return None
    found = sorted(at for lexeme, at in places if lexeme is not None)
    if not any(0 < b - a <= MAX_GAP for a, b in itertools.pairwise(found)):
        return None
    positions: dict[str, list[int]] = defaultdict(list)
    for lexeme, at in places:
        if lexeme is not None:
            positions[lexeme].append(at)
    return " ".join(
        "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "':"
        + ",".join(str(at) for at in sorted(set(ats)))
        for lexeme, ats in sorted(positions.items())
    )  # fmt: skip
