"""GET /api/v1/search: the record's search as JSON, in the OpenAPI document like every route."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any, Literal

from flask import Blueprint, request, url_for
from pydantic import Field

from tracker.accounts.auth import csrf
from tracker.api.openapi import route
from tracker.api.schemas import Answer, Kind, Query, Status
from tracker.errors import BadRequest
from tracker.search import services
from tracker.search.query import MAX_QUERY_CHARS, parse
from tracker.web import get_session, now

bp = Blueprint("api_search", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
SearchType = Literal["claim", "question", "source", "speaker"]


class SearchQuery(Query):
    q: str | None = Field(
        None,
        max_length=MAX_QUERY_CHARS,
        description='Words, a name or a phrase: "exact words" in quotes, -word to leave out, '
        "retali* for words that begin so. Words are matched by their stem (retaliates finds "
        "retaliation); very common words (the, will) are left out.",
    )
    type: SearchType | None = Field(None, description="Only results of this type.")
    status: Status | None = Field(
        None, description="Claims of this status, and what has such a claim."
    )
    kind: Kind | None = Field(None, description="Claims of this kind, and what has such a claim.")
    speaker: str | None = Field(None, max_length=200, description="Speaker name or slug.")
    outlet: str | None = Field(None, max_length=200, description="Outlet name or slug.")
    tag: str | None = Field(None, max_length=100)
    date_from: dt.date | None = Field(
        None, alias="from", description="Published on or after this day (YYYY-MM-DD)."
    )
    date_to: dt.date | None = Field(
        None, alias="to", description="Published on or before this day (YYYY-MM-DD)."
    )
    limit: int = Field(
        services.PAGE_SIZE,
        ge=1,
        le=services.MAX_PAGE_SIZE,
        description=f"Results per page (1 to {services.MAX_PAGE_SIZE}).",
    )
    cursor: str | None = Field(
        None,
        max_length=40,
        description="Where to go on from: copy it from the `next` link of the page before.",
    )


class SearchItem(Answer):
    type: SearchType
    id: int
    title: str = Field(description="The quote, question, source title or speaker's name.")
    snippet: str = Field(
        description="HTML: the text around the first match, escaped, each match in <mark>."
    )
    url: str = Field(description="The page of the claim, question, source or speaker.")
    rank: float = Field(description="Higher is a better match; comparable within one search.")


class SearchPage(Answer):
    items: list[SearchItem]
    next: str | None = Field(description="The next page, or null on the last one.")


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        offset = int(base64.urlsafe_b64decode(cursor.encode() + b"==").decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadRequest("cursor is not one this API gave out", {"cursor": "invalid"}) from None
    if not 0 < offset <= services.MAX_OFFSET:
        raise BadRequest("cursor is not one this API gave out", {"cursor": "invalid"})
    return offset


@route(bp, "GET", "/search", query=SearchQuery, answers={200: SearchPage}, tag="search")
def search(query: SearchQuery) -> dict[str, Any]:
    """Search quotes, questions, sources (titles and archived texts), speakers and outlets.

    Ranked best first, with a snippet of each result (HTML, matches in `<mark>`). A query
    with nothing to look for (no words, one letter, punctuation, only common words, only
    exclusions) is 422 with a message that says what to type. Filters keep the claims that
    match them all, and the questions, sources and speakers that have such a claim (a source
    matches `outlet`, `from` and `to` by itself). Paged by cursor, 1,000 results deep."""
    parsed = parse(query.q)
    filters = services.Filters(
        type=query.type, status=query.status, kind=query.kind, speaker=query.speaker,
        outlet=query.outlet, tag=query.tag, date_from=query.date_from, date_to=query.date_to,
    )  # fmt: skip
    offset = _offset(query.cursor)
    page = services.search(
        get_session(), parsed, filters, now=now(), offset=offset, limit=query.limit
    )
    root = url_for("scorecard.index", _external=True).rstrip("/")
    items = [
        {"type": h.type, "id": h.id, "title": h.title, "snippet": str(h.snippet),
         "url": root + h.path, "rank": h.rank}
        for h in page.hits
    ]  # fmt: skip
    next_url = None
    if page.has_more and offset + query.limit <= services.MAX_OFFSET:
        args = request.args.to_dict()
        cursor = str(offset + query.limit).encode()
        args["cursor"] = base64.urlsafe_b64encode(cursor).decode().rstrip("=")
        next_url = url_for("api_search.search", _external=True, **args)
    return {"items": items, "next": next_url}
