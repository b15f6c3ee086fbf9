"""/search: the record's search page, and the box in every page's header that leads to it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, render_template, request

from tracker.errors import Invalid
from tracker.models import KINDS, SEARCH_KINDS, STATUSES
from tracker.search import services
from tracker.search.query import HELP, MAX_QUERY_CHARS, UnusableQuery, parse
from tracker.web import get_session, now

bp = Blueprint("search", __name__)
FILTERS = ("type", "status", "kind", "speaker", "outlet", "tag", "from", "to")
MAX_FILTER_CHARS = 200


def _date(value: str, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{field} must be a date like 2020-04-03", {field: "not a date"}) from None


def filters_from(args: dict[str, str]) -> services.Filters:
    """The search filters from query parameters; an empty value is no filter."""
    for name in FILTERS:
        value = args.get(name, "")
        if len(value) > MAX_FILTER_CHARS or "\x00" in value:
            raise Invalid(f"{name} is too long or holds a NUL", {name: "not a usable value"})
    return services.Filters(
        type=args.get("type") or None,
        status=args.get("status") or None,
        kind=args.get("kind") or None,
        speaker=(args.get("speaker") or "").strip() or None,
        outlet=(args.get("outlet") or "").strip() or None,
        tag=(args.get("tag") or "").strip() or None,
        date_from=_date(args.get("from", ""), "from"),
        date_to=_date(args.get("to", ""), "to"),
    ).check()


@bp.get("/search")
def search_page() -> tuple[str, int]:
    """The search page: results a page of 20 at a time, or what to type when a query cannot
    be searched for (no words, one letter, punctuation alone, too long)."""
    args = {k: v for k, v in request.args.items() if k in (*FILTERS, "q", "page")}
    q = args.get("q", "")
    context: dict[str, Any] = {"q": q, "args": args, "help": HELP, "page": None, "error": None,
                               "query": None, "kinds": SEARCH_KINDS, "claim_kinds": KINDS,
                               "statuses": STATUSES, "number": 1}  # fmt: skip
    status = 200
    try:
        number = int(args.get("page") or 1)
        if not 1 <= number <= services.MAX_OFFSET // services.PAGE_SIZE + 1:
            raise ValueError
    except ValueError:
        number = 1
        context["error"] = "that page number is not one this search has; here is the first"
    context["number"] = number
    try:
        filters = filters_from(args)
        if q.strip() or any(args.get(name) for name in FILTERS):
            query = parse(q)
            context["query"] = query
            context["page"] = services.search(
                get_session(), query, filters, now=now(),
                offset=(number - 1) * services.PAGE_SIZE,
            )  # fmt: skip
    except UnusableQuery as error:
        context["error"] = error.message
        # Nothing to search for yet is a page to start from; a NUL or an essay is refused.
        status = 400 if "\x00" in q or len(q) > MAX_QUERY_CHARS else 200
    except Invalid as error:
        context["error"] = error.message
        status = 400
    return render_template("search/search.html", **context), status
