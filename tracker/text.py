"""Text helpers every part shares: slugs for names in URLs, the hash archived texts carry, and
JSON read from outside with its nesting bounded."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import re
import unicodedata
from typing import Any

# Deeper JSON is refused before it is parsed: Python's parser (and every walk over what it
# returns) recurses once per level, and a thousand levels exhaust the stack.
MAX_JSON_DEPTH = 64

_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEPS = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


# Unicode categories (punctuation, symbols, separators) whose characters part words in a slug.
_SEPARATING = frozenset("PSZ")
SPEAKER_SLUG_CHARS = 200
# Modifier letters written as apostrophes (the okina, the modifier letter apostrophe).
_APOSTROPHE_LETTERS = frozenset("\u02bb\u02bc")


class TooDeep(ValueError):
    """JSON nested deeper than MAX_JSON_DEPTH: refused before parsing."""


def slugify(value: str, max_length: int = 100) -> str:
    """Lowercase ASCII words joined by hyphens ("Muqtada al-Sadr" -> "muqtada-al-sadr").

    Accents are dropped ("Müller" -> "muller"). Punctuation, symbols and spaces outside ASCII
    part words as ASCII ones do, so a name typed with a straight apostrophe and printed with a
    curly one is one slug ("Ann O'Neil" and "Ann O\u2019Neil" -> "ann-o-neil"; "Trump\u2013Biden"
    -> "trump-biden"); letters of other scripts are dropped."""
    ascii_text = "".join(map(_in_ascii, unicodedata.normalize("NFKD", value)))
    return _hyphenated(ascii_text, max_length)


def _in_ascii(c: str) -> str:
    """A character of a decomposed name as its slug reads it: ASCII as it is; punctuation,
    symbols, spaces and apostrophe letters as a space; accents and other scripts dropped."""
    if c.isascii():
        return c
    if c in _APOSTROPHE_LETTERS or unicodedata.category(c)[0] in _SEPARATING:
        return " "
    return ""


def former_slugs(name: str, max_length: int = 100) -> list[str]:
    """The slugs other than today's that `name` may have been recorded under when punctuation
    outside ASCII did not part words but was dropped: as spelt ("Ann O\u2019Neil" ->
    "ann-oneil") and, for a name typed with straight apostrophes, as printed with curly ones
    ("Ann O'Neil" -> "ann-oneil"). Authors, outlets, speakers and tags recorded then keep their
    addresses, and either spelling finds them."""
    today = slugify(name, max_length)
    found: list[str] = []
    for spelling in (name, name.replace("'", "")):
        ascii_text = unicodedata.normalize("NFKD", spelling).encode("ascii", "ignore").decode()
        slug = _hyphenated(ascii_text, max_length)
        if slug and slug != today and slug not in found:
            found.append(slug)
    return found


def _hyphenated(ascii_text: str, max_length: int) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def sha256_text(text: str) -> str:
    """The hex SHA-256 of a text's UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def plural(count: int, noun: str, plural_noun: str | None = None) -> str:
    """`count` and the noun in the number it takes: "1 fact", "2 facts", "0 facts"."""
    return f"{count} {noun if count == 1 else plural_noun or noun + 's'}"


def utc_iso(value: dt.datetime) -> str:
    """An instant as ISO 8601 in UTC ending in Z, as the API and the command line write it."""
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def json_depth(data: str | bytes) -> int:
    """How deep the arrays and objects of a JSON text nest (0 for a bare value), counted
    without parsing it: brackets inside strings do not count."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if raw.count(b"[") + raw.count(b"{") == 0:
        return 0
    brackets = _JSON_STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    return max(itertools.accumulate(map(_STEPS.__getitem__, brackets)), default=0)


def load_json(data: str | bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """json.loads for text from outside: TooDeep (a ValueError, like any JSON that does not
    parse) when it nests deeper than `max_depth`."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if raw.count(b"[") + raw.count(b"{") > max_depth and json_depth(raw) > max_depth:
        raise TooDeep(f"the JSON nests deeper than {max_depth} levels")
    return json.loads(data)


def speaker_slug(name: str) -> str:
    """The address of a speaker's page. A name with no letters or digits in ASCII (a name in
    another script) keeps a slug of its own made from its characters' code points."""
    slug = slugify(name, SPEAKER_SLUG_CHARS)
    if slug:
        return slug
    return "speaker-" + "-".join(f"{ord(c):x}" for c in name if not c.isspace())[:180]
