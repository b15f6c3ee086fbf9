"""Public pages of the record: sources with their claims highlighted, claim pages with the quote
in context and ClaimReview JSON-LD for facts, and every claim as CSV."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, TextIO

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask import session as flask_session

from tracker import audit
from tracker.accounts import auth
from tracker.models import Claim, ClaimEdit, QuestionEdit, User, claim_status
from tracker.questions import matching, retrieval
from tracker.record import exports, services, wording
from tracker.record.quotes import Span, context
from tracker.scorecard import services as scorecard
from tracker.text import utc_iso
from tracker.web import (
    CSV_MIMETYPE,
    conditional,
    csv_text,
    get_session,
    is_current,
    kept_export,
    now,
    validators,
)

bp = Blueprint("record", __name__)


@dataclass(frozen=True)
class Segment:
    """A run of the archived text and the claims whose quotes cover it (innermost first)."""

    text: str
    claims: tuple[Claim, ...]


def segments(text_value: str, claims: list[Claim]) -> list[Segment]:
    """Cut the text at every quote boundary so overlapping quotes can all be highlighted.

    One sweep over the boundaries, keeping the quotes open at each (innermost first): the
    work follows the claims and the segments, never their product."""
    starts: dict[int, list[int]] = defaultdict(list)
    ends: dict[int, list[int]] = defaultdict(list)
    for index, claim in enumerate(claims):
        starts[claim.quote_start].append(index)
        ends[claim.quote_end].append(index)
    cuts = sorted({0, len(text_value)} | starts.keys() | ends.keys())
    open_quotes: list[tuple[int, int]] = []  # (length, index), the shortest first
    result = []
    for start, end in itertools.pairwise(cuts):
        for index in ends.get(start, ()):
            open_quotes.remove((claims[index].quote_end - claims[index].quote_start, index))
        for index in starts.get(start, ()):
            bisect.insort(open_quotes, (claims[index].quote_end - claims[index].quote_start, index))
        covering = tuple(claims[index] for _, index in open_quotes)
        result.append(Segment(text_value[start:end], covering))
    return result


@bp.get("/sources/<id:source_id>")
def source_page(source_id: int) -> str:
    session = get_session()
    source = services.get_source(session, source_id)
    current = now()
    return render_template(
        "record/source.html",
        source=source,
        segments=segments(source.text, list(source.claims)),
        status_of=lambda c: claim_status(c, current),
    )


@bp.get("/claims/<id:claim_id>")
def claim_page(claim_id: int) -> str:
    session = get_session()
    claim = services.get_claim(session, claim_id)
    before, quote, after = context(claim.source.text, Span(claim.quote_start, claim.quote_end))
    # The claim's own changes and those of its question, which decides it.
    history = sorted(
        [
            *audit.list_for(session, "claim", claim.id),
            *audit.list_for(session, "question", claim.question_id),
        ],
        key=lambda e: e.id,
    )
    edits: list[QuestionEdit | ClaimEdit] = [*claim.linked_question.edits, *claim.edits]
    edits.sort(key=lambda e: e.edited_at)
    actor_ids = {e.actor_id for e in history if e.actor_id is not None}
    actors = {u.id: u.display_name for u in session.query(User).filter(User.id.in_(actor_ids))}
    return render_template(
        "record/claim.html",
        history=[
            (e, actors.get(e.actor_id or 0, "the system"), audit.describe(e)) for e in history
        ],
        claim=claim,
        edits=edits,
        source=claim.source,
        before=before,
        quote=quote,
        after=after,
        status=claim_status(claim, now()),
        claim_review=claim_review(claim),
        proposals=_proposals(claim),
        threshold=matching.LINK_THRESHOLD,
    )


def _proposals(claim: Claim) -> list[retrieval.Proposal] | None:
    """Questions this claim may be about, for editors to link it to (None for others)."""
    user = auth.current()
    if user is None or user.role not in ("editor", "admin"):
        return None
    return retrieval.propose_for_claim(get_session(), claim)


# ClaimReview's numbers for fact verdicts (SPEC "Lifecycle"); unverifiable has a name only.
VERDICT_RATINGS: dict[str, tuple[int | None, str]] = {
    "true": (5, "True"),
    "mostly-true": (4, "Mostly true"),
    "mixed": (3, "Mixed"),
    "mostly-false": (2, "Mostly false"),
    "false": (1, "False"),
    "unverifiable": (None, "Unverifiable"),
}


def _iso(value: dt.datetime | None) -> str | None:
    return utc_iso(value) if value else None


def claim_review(claim: Claim) -> dict[str, Any] | None:
    """schema.org ClaimReview of a fact with a final verdict (for search engines and
    fact-check aggregators); None for anything else."""
    if claim.kind != "fact" or claim.status != "resolved" or claim.verdict is None:
        return None
    value, name = VERDICT_RATINGS[claim.verdict]
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": name}
    if value is not None:
        rating.update(ratingValue=value, bestRating=5, worstRating=1)
    source = claim.source
    appearance: dict[str, Any] = {"@type": "CreativeWork", "headline": source.title}
    if source.url:
        appearance["url"] = source.url
    if source.published_at:
        appearance["datePublished"] = _iso(source.published_at)
    if source.outlet:
        appearance["publisher"] = {"@type": "Organization", "name": source.outlet}
    item: dict[str, Any] = {"@type": "Claim", "appearance": appearance}
    if source.author:
        item["author"] = {"@type": "Person", "name": source.author}
    elif source.outlet:
        item["author"] = {"@type": "Organization", "name": source.outlet}
    if source.published_at:
        item["datePublished"] = _iso(source.published_at)
    publisher = current_app.config["PUBLISHER_NAME"]
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url_for("record.claim_page", claim_id=claim.id, _external=True),
        "claimReviewed": claim.quote,
        "datePublished": _iso(claim.resolved_at or claim.updated_at),
        "author": {
            "@type": "Organization",
            "name": publisher,
            "url": current_app.config["BASE_URL"],
        },
        "reviewRating": rating,
        "itemReviewed": item,
    }


CLAIM_COLUMNS = (
    "id",
    "kind",
    "status",
    "key",
    "quote",
    "question",
    "resolution_criteria",
    "condition",
    "deadline",
    "probability",
    "probability_origin",
    "phrase",
    "hedged",
    "outcome",
    "verdict",
    "resolved_at",
    "tags",
    "source_id",
    "source_title",
    "source_url",
    "author",
    "outlet",
    "published_at",
    "url",
)


def _claim_row(claim: SimpleNamespace, status: str, claim_url: str) -> list[Any]:
    values = [
        claim.id,
        claim.kind,
        status,
        claim.key,
        claim.quote,
        claim.question,
        claim.resolution_criteria,
        claim.condition,
        _iso(claim.deadline_at) or "",
        claim.probability,
        claim.probability_origin,
        claim.phrase,
        claim.hedged if claim.kind == "forecast" else None,
        claim.outcome,
        claim.verdict,
        _iso(claim.resolved_at) or "",
        " ".join(claim.tag_names),
        claim.source_id,
        claim.source_title,
        claim.source_url,
        claim.author,
        claim.outlet,
        _iso(claim.published_at) or "",
        claim_url.format(claim.id),
    ]
    return values  # csv_text makes every cell safe for spreadsheets


@bp.get("/claims.csv")
def claims_csv() -> Response:
    """Every claim matching the API's filters (status, kind, author, outlet, tag, source_id),
    in id order. Written once per state of the data and kept (web.kept_export), so a crowd
    asking at once costs one pass over the claims; a client holding the current version (ETag,
    Last-Modified) gets 304 without anything being read."""
    current = now()
    source_id = request.args.get("source_id") or None
    filters: dict[str, Any] = {
        "status": request.args.get("status") or None,
        "kind": request.args.get("kind") or None,
        "author": request.args.get("author") or None,
        "outlet": request.args.get("outlet") or None,
        "tag": request.args.get("tag") or None,
        "source_id": scorecard.parse_filters({"source_id": source_id or ""}).source_id,
    }
    services.claims_query(now=current, **filters)  # bad filters fail before anything is read
    memo = current_app.extensions["tracker.freshness"]
    max_age = float(current_app.config["SCORECARD_FRESHNESS_SECONDS"])
    fresh = scorecard.current_freshness(get_session(), memo, max_age, current)
    headers = validators(fresh)
    if is_current(fresh, headers):
        return Response(status=304, headers=headers)
    factory = current_app.extensions["tracker.sessions"]
    claim_url = url_for("record.claim_page", claim_id=0, _external=True)[:-1] + "{}"

    def write(out: TextIO) -> None:
        out.write(csv_text([list(CLAIM_COLUMNS)]))
        after_id = 0
        with factory() as session:
            while True:
                batch = exports.export_batch(
                    session, now=current, after_id=after_id, limit=1000, **filters
                )
                session.rollback()  # no snapshot is held longer than a batch
                if not batch:
                    return
                out.write(csv_text(_claim_row(c, _status(c, current), claim_url) for c in batch))
                after_id = batch[-1].id

    key = f"claims.csv|{fresh.token}|{sorted(filters.items())}|{claim_url}"
    return kept_export(
        key,
        write,
        CSV_MIMETYPE,
        {**headers, "Content-Disposition": 'attachment; filename="claims.csv"'},
    )


def _status(claim: SimpleNamespace, current: dt.datetime) -> str:
    return claim_status(claim, current)  # type: ignore[arg-type]  # a row has what it reads


@dataclass(frozen=True)
class Mark:
    """One phrase on the wording chart, in the chart's units (0 to 1 on both axes)."""

    number: int
    item: wording.PhraseOutcome
    x: float  # the mapped probability, nudged apart from phrases that share it


CHART_NUDGE = 0.012  # phrases sharing a probability are drawn this far apart on x


def chart_marks(items: tuple[wording.PhraseOutcome, ...]) -> list[Mark]:
    """The scored phrases as chart marks, numbered as the table numbers them; phrases with
    the same mapped probability ("will", "is going to") are spread side by side."""
    scored = [(n, item) for n, item in enumerate(items, 1) if item.n_scored]
    marks = []
    for _probability, group in itertools.groupby(scored, key=lambda pair: pair[1].probability):
        members = list(group)
        for index, (number, item) in enumerate(members):
            offset = (index - (len(members) - 1) / 2) * CHART_NUDGE
            x = min(1.0, max(0.0, item.probability + offset))
            marks.append(Mark(number, item, x))
    return marks


@bp.get("/wording")
def wording_page() -> Response:
    """What the words meant: each phrase's mapped probability beside how often it came true."""
    filters = wording.parse_wording_filters(request.args)
    memo = current_app.extensions["tracker.freshness"]
    max_age = float(current_app.config["SCORECARD_FRESHNESS_SECONDS"])
    session = get_session()
    fresh = scorecard.current_freshness(session, memo, max_age, now())
    result = wording.compute_wording(session, filters, fresh)  # an unknown group: 404 first

    def build() -> str:
        return render_template(
            "record/wording.html",
            result=result,
            filters=filters,
            marks=chart_marks(result.items),
            min_scored=wording.MIN_SCORED,
            level=wording.LEVEL,
            filter_args=filters.query_args(),
        )

    if auth.current_user_id() is not None or flask_session.get("_flashes"):
        # Drawn for one person (their name, their form token): never kept or shared.
        response = Response(build(), mimetype="text/html")
        response.headers["Cache-Control"] = "private, no-cache"
        return response
    return conditional(fresh, "text/html", build, filters.query_args())
