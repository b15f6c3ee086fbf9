"""The public scorecard: the front page, one page per author, outlet and tag, the CSV exports and
the Atom feed of resolutions. Every number comes from `scorecard.compute`.

Answers carry an ETag and Last-Modified from `scorecard.freshness` (one cheap query); a client
that has the current version gets 304 without anything being computed or rendered, and a
rendered page is kept per process under its ETag, so it is rendered once per change.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from feedgen.feed import FeedGenerator
from flask import (
    Blueprint,
    Response,
    current_app,
    render_template,
    request,
    url_for,
)
from flask import session as flask_session

from tracker.accounts import auth
from tracker.errors import BadRequest
from tracker.models import Claim
from tracker.record import services
from tracker.scorecard import services as scorecard
from tracker.web import conditional, get_session, now

bp = Blueprint("scorecard", __name__)

FEED_ENTRIES = 50
PAGE_SIZE = 100  # resolved forecasts listed per group page
CSV_MIMETYPE = "text/csv; charset=utf-8"


def current_freshness() -> scorecard.Freshness:
    """The data's freshness, read at most once per SCORECARD_FRESHNESS_SECONDS."""
    memo = current_app.extensions["tracker.freshness"]
    max_age = float(current_app.config["SCORECARD_FRESHNESS_SECONDS"])
    return scorecard.current_freshness(get_session(), memo, max_age, now())


def _page(template: str, filters: scorecard.Filters, **context: Any) -> Response:
    fresh = current_freshness()

    def build() -> str:
        session = get_session()
        card = scorecard.compute(session, filters, fresh)
        current = now()
        return render_template(
            template,
            card=card,
            filters=filters,
            filter_args=filters.query_args(),
            range_args=filters.query_args(group=False),
            status_of=lambda c: services.claim_status(c, current),
            min_scored=scorecard.MIN_SCORED,
            **{name: make() if callable(make) else make for name, make in context.items()},
        )

    if _personal():
        response = Response(build(), mimetype="text/html")
        response.headers["Cache-Control"] = "private, no-cache"
        return response
    return conditional(fresh, "text/html", build)


def _personal() -> bool:
    """A page drawn for one person (logged in, or with a message waiting for them) carries
    their name and form token: it is rendered for them alone, never kept or shared."""
    return auth.current_user_id() is not None or bool(flask_session.get("_flashes"))


@bp.get("/")
def index() -> Response:
    filters = scorecard.parse_filters(request.args)
    return _page(
        "scorecard.html",
        filters,
        due=lambda: services.list_due(get_session(), now()),
        upcoming=lambda: services.list_upcoming(get_session(), now(), limit=10),
        recent=lambda: scorecard.list_recent_resolutions(get_session(), limit=20),
        recorded=lambda: scorecard.list_recently_recorded(get_session(), limit=10),
        scored=None,
    )


def _group_page(dimension: str, slug: str) -> Response:
    filters = scorecard.parse_filters(request.args, **{dimension: slug})
    page = _page_number()
    return _page(
        "group.html",
        filters,
        dimension=dimension,
        page=page,
        page_size=PAGE_SIZE,
        scored=lambda: scorecard.list_scored_claims(
            get_session(), filters, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
        ),
    )


def _page_number() -> int:
    raw = request.args.get("page") or "1"
    try:
        page = int(raw)
    except ValueError:
        raise BadRequest("page must be a whole number", {"page": "not a number"}) from None
    if page < 1:
        raise BadRequest("page must be at least 1", {"page": "must be >= 1"})
    return page


@bp.get("/authors/<slug>")
def author_page(slug: str) -> Response:
    return _group_page("author", slug)


@bp.get("/outlets/<slug>")
def outlet_page(slug: str) -> Response:
    return _group_page("outlet", slug)


@bp.get("/tags/<slug>")
def tag_page(slug: str) -> Response:
    return _group_page("tag", slug)


def _csv_text(rows: Iterator[list[Any]] | list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(rows)
    return out.getvalue()


def spreadsheet_safe(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula (=, +, -, @ first) gets a leading
    apostrophe; numbers pass as they are."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@bp.get("/scorecard.csv")
def scorecard_csv() -> Response:
    filters = scorecard.parse_filters(request.args)
    fresh = current_freshness()

    def build() -> str:
        card = scorecard.compute(get_session(), filters, fresh)
        groups = [card.group, *card.authors, *card.outlets]
        rows: list[list[Any]] = [list(scorecard.GROUP_FIELDS)]
        for group in groups:
            record = scorecard.group_record(group)
            rows.append([_csv_value(spreadsheet_safe(record[f])) for f in scorecard.GROUP_FIELDS])
        return _csv_text(rows)

    response = conditional(fresh, CSV_MIMETYPE, build)
    response.headers["Content-Disposition"] = 'attachment; filename="scorecard.csv"'
    return response


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return value


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


def _iso(value: Any) -> str:
    return value.isoformat().replace("+00:00", "Z") if value is not None else ""


def _claim_row(claim: Claim, status: str, claim_url: str) -> list[Any]:
    source = claim.source
    values = [
        claim.id,
        claim.kind,
        status,
        claim.key,
        claim.quote,
        claim.question,
        claim.resolution_criteria,
        claim.condition,
        _iso(claim.deadline_at),
        claim.probability,
        claim.probability_origin,
        claim.phrase,
        claim.hedged if claim.kind == "forecast" else None,
        claim.outcome,
        claim.verdict,
        _iso(claim.resolved_at),
        " ".join(claim.tag_names),
        source.id,
        source.title,
        source.url,
        source.author,
        source.outlet,
        _iso(source.published_at),
        claim_url.format(claim.id),
    ]
    return [_csv_value(spreadsheet_safe(v)) for v in values]


@bp.get("/claims.csv")
def claims_csv() -> Response:
    """Every claim matching the API's filters (status, kind, author, outlet, tag, source_id),
    streamed in id order. The stream reads through its own session, closed when the stream
    ends or the client goes away, so no transaction outlives the download."""
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
    services.claims_query(now=current, **filters)  # bad filters fail before streaming starts

    factory = current_app.extensions["tracker.sessions"]
    claim_url = url_for("record.claim_page", claim_id=0, _external=True)[:-1] + "{}"

    def generate() -> Iterator[str]:
        yield _csv_text([list(CLAIM_COLUMNS)])
        after_id = 0
        with factory() as session:
            while True:
                batch = services.list_claims(
                    session, now=current, after_id=after_id, limit=1000, **filters
                )
                rows = [_claim_row(c, services.claim_status(c, current), claim_url) for c in batch]
                session.expunge_all()
                session.rollback()  # no snapshot or lock is held while the client reads
                if not batch:
                    return
                yield _csv_text(rows)
                after_id = batch[-1].id

    return Response(
        generate(),
        mimetype=CSV_MIMETYPE,
        headers={"Content-Disposition": 'attachment; filename="claims.csv"'},
    )


@bp.get("/feed.atom")
def feed() -> Response:
    """Resolutions, newest first."""
    fresh = current_freshness()

    def build() -> bytes:
        session = get_session()
        claims = scorecard.list_recent_resolutions(session, limit=FEED_ENTRIES)
        publisher = current_app.config["PUBLISHER_NAME"]
        generator = FeedGenerator()
        generator.id(url_for("scorecard.feed", _external=True))
        generator.title(f"{publisher}: resolutions")
        generator.subtitle("Forecasts and factual claims as reviewers resolved them, newest first.")
        generator.author({"name": publisher})
        generator.link(href=url_for("scorecard.feed", _external=True), rel="self")
        generator.link(href=url_for("scorecard.index", _external=True), rel="alternate")
        generator.language("en")
        generator.updated(claims[0].resolved_at if claims else fresh.last_modified)
        for claim in claims:
            entry = generator.add_entry(order="append")
            link = url_for("record.claim_page", claim_id=claim.id, _external=True)
            entry.id(f"{link}#resolution-{claim.resolution_version}")
            result = claim.outcome or claim.verdict or "resolved"
            subject = claim.question or claim.quote
            entry.title(f"{result}: {subject}")
            entry.link(href=link, rel="alternate")
            entry.updated(claim.resolved_at)
            entry.published(claim.resolved_at)
            source = claim.source
            by = ", ".join(x for x in (source.author, source.outlet) if x) or "unknown source"
            summary = f"\u201c{claim.quote}\u201d ({by}): {claim.kind} resolved {result}."
            if claim.probability is not None:
                summary += f" It was given {claim.probability:.0%}."
            entry.summary(summary)
        body: bytes = generator.atom_str(pretty=True)
        return body

    return conditional(fresh, "application/atom+xml", build)
