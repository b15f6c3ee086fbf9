"""What a fetched page holds: its text decoded by the right charset, its main text
(trafilatura), and the title, author, outlet and publication time it declares in JSON-LD,
OpenGraph and meta tags."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import trafilatura
from lxml import html as lxml_html

from tracker.text import load_json

HTML_TYPES = ("text/html", "application/xhtml+xml")
TEXT_TYPES = ("text/plain",)


_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)


def _known(encoding: str | None) -> str | None:
    if not encoding:
        return None
    try:
        "".encode(encoding)
    except LookupError:
        return None
    return encoding


def decode(body: bytes, media_type: str, header_charset: str | None) -> str:
    """The page's text: by its byte-order mark, the header's charset, the page's meta tag, UTF-8
    if it decodes, else windows-1252 (what browsers assume)."""
    for bom, bom_encoding in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if body.startswith(bom):
            return body.decode(bom_encoding, errors="replace")
    encoding = _known(header_charset)
    if encoding is None and media_type in HTML_TYPES:
        match = _META_CHARSET.search(body[:4096])
        encoding = _known(match.group(1).decode("ascii")) if match else None
    if encoding is not None:
        return body.decode(encoding, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


@dataclass(frozen=True)
class Article:
    """What a page holds: its main text and whatever metadata it declares."""

    text: str
    title: str | None = None
    author: str | None = None
    outlet: str | None = None
    published_at: dt.datetime | None = None


def _parse_time(value: Any) -> dt.datetime | None:
    """An aware UTC time from an ISO 8601 string; a bare date means midnight UTC."""
    if not isinstance(value, str) or not value.strip():
        return None
    raw = value.strip().replace("Z", "+00:00")
    try:
        parsed = dt.datetime.fromisoformat(raw)
    except ValueError:
        try:
            parsed = dt.datetime.combine(dt.date.fromisoformat(raw[:10]), dt.time())
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _json_ld_objects(tree: Any) -> Iterable[dict[str, Any]]:
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = load_json(script.text or "")
        except ValueError:  # not JSON, or nested too deep to walk
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if "@graph" in item:
                    stack.append(item["@graph"])
                yield item


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    return []


def _meta(tree: Any, *names: str) -> str | None:
    for name in names:
        for attribute in ("property", "name", "itemprop"):
            found = tree.xpath(f'//meta[@{attribute}="{name}"]/@content')
            if found and str(found[0]).strip():
                return str(found[0]).strip()
    return None


def extract_article(page: str, url: str | None = None) -> Article:
    """Main text by trafilatura; title, author, outlet and publication time from JSON-LD,
    OpenGraph and meta tags, in that order."""
    text = trafilatura.extract(
        page, url=url, output_format="txt", include_comments=False, include_tables=False
    )
    paragraphs = [line.strip() for line in (text or "").splitlines() if line.strip()]
    title = author = outlet = None
    published = None
    try:
        tree = lxml_html.fromstring(page)
    except (ValueError, lxml_html.etree.ParserError):
        tree = None
    if tree is not None:
        for item in _json_ld_objects(tree):
            kind = item.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if not any(isinstance(k, str) and k.endswith(("Article", "Posting")) for k in kinds):
                continue
            title = title or next(iter(_names(item.get("headline"))), None)
            author = author or ", ".join(_names(item.get("author"))) or None
            outlet = outlet or next(iter(_names(item.get("publisher"))), None)
            published = published or _parse_time(item.get("datePublished"))
        title = title or _meta(tree, "og:title", "twitter:title")
        outlet = outlet or _meta(tree, "og:site_name", "application-name")
        author = author or _meta(tree, "author", "article:author", "byl")
        published = published or _parse_time(
            _meta(tree, "article:published_time", "datePublished", "pubdate", "date")
        )
    metadata = trafilatura.extract_metadata(page, default_url=url)
    if metadata is not None:
        title = title or metadata.title
        author = author or metadata.author
        outlet = outlet or metadata.sitename
        published = published or _parse_time(metadata.date)
    if author and author.lower().startswith("by "):
        author = author[3:].strip()
    return Article("\n\n".join(paragraphs), title, author, outlet, published)
