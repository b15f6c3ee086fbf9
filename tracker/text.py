"""Text helpers every part shares: slugs for names in URLs, and the hash archived texts carry."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata


def slugify(value: str, max_length: int = 100) -> str:
    """Lowercase ASCII words joined by hyphens ("Muqtada al-Sadr" -> "muqtada-al-sadr")."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
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
