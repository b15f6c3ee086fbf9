"""The public scorecard: the front page, one page per author, outlet and tag, its CSV export and
the Atom feed of resolutions. Every number comes from `scorecard.compute`.

Answers carry an ETag and Last-Modified from `scorecard.freshness` (one cheap query); a client
that has the current version gets 304 without anything being computed or rendered, and a
rendered page is kept per process under its ETag, so it is rendered once per change.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from feedgen.feed import FeedGenerator
from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as flask_session
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from tracker.accounts import auth
from tracker.errors import BadRequest, NotFound
from tracker.models import Claim, Speaker, claim_status
from tracker.scorecard import feeds
from tracker.scorecard import services as scorecard
from tracker.web import CSV_MIMETYPE, conditional, csv_text, get_session, now

bp = Blueprint("scorecard", __name__)

FEED_ENTRIES = 50
PAGE_SIZE = 100  # resolved forecasts listed per group page
MAX_PAGE = 100_000  # ten million forecasts; beyond, the offset would not even fit the database


def current_freshness() -> scorecard.Freshness:
    """The data's freshness, read at most once per SCORECARD_FRESHNESS_SECONDS."""
    memo = current_app.extensions["tracker.freshness"]
    max_age = float(current_app.config["SCORECARD_FRESHNESS_SECONDS"])
    return scorecard.current_freshness(get_session(), memo, max_age, now())


def _page(
    template: str,
    filters: scorecard.Filters,
    page: int | None = None,
    summary: bool = False,
    **context: Any,
) -> Response:
    fresh = current_freshness()
    query = filters.query_args()
    if page is not None:
        query["page"] = str(page)
        context["page"] = page

    def build() -> str:
        session = get_session()
        card = scorecard.compute(session, filters, fresh, summary)
        current = now()
        return render_template(
            template,
            card=card,
            filters=filters,
            filter_args=filters.query_args(),
            range_args=filters.query_args(group=False),
            status_of=lambda c: claim_status(c, current),
            min_scored=scorecard.MIN_SCORED,
            **{name: make() if callable(make) else make for name, make in context.items()},
        )

    if _personal():
        response = Response(build(), mimetype="text/html")
        response.headers["Cache-Control"] = "private, no-cache"
        return response
    return conditional(fresh, "text/html", build, query)


def _personal() -> bool:
    """A page drawn for one person (logged in, or with a message waiting for them) carries
    their name and form token: it is rendered for them alone, never kept or shared."""
    return auth.current_user_id() is not None or bool(flask_session.get("_flashes"))


@bp.get("/")
def index() -> Response:
    filters = scorecard.parse_filters(request.args)
    return _page(
        "scorecard/scorecard.html",
        filters,
        # Speakers and outlets ranked, without calibration per group: read from their totals.
        summary=True,
        due=lambda: scorecard.list_due(get_session(), now()),
        upcoming=lambda: scorecard.list_upcoming(get_session(), now(), limit=10),
        recent=lambda: scorecard.list_recent_resolutions(get_session(), limit=20),
        recorded=lambda: scorecard.list_recently_recorded(get_session(), limit=10),
        scored=None,
    )


def _group_page(dimension: str, slug: str) -> Response:
    filters = scorecard.parse_filters(request.args, **{dimension: slug})
    page = _page_number()

    @functools.cache
    def scored() -> Sequence[Claim]:
        return scorecard.list_scored_claims(
            get_session(), filters, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
        )

    return _page(
        "scorecard/group.html",
        filters,
        page,
        dimension=dimension,
        page_size=PAGE_SIZE,
        # An author's claims are followed as the speaker of the same name, when there is one.
        follow=lambda: _follow(dimension, slug),
        scored=scored,
        claim_scores=lambda: scorecard.claim_scores(get_session(), [c.id for c in scored()]),
    )


def _page_number() -> int:
    raw = request.args.get("page") or "1"
    try:
        page = int(raw)
    except ValueError:
        raise BadRequest("page must be a whole number", {"page": "not a number"}) from None
    if not 1 <= page <= MAX_PAGE:
        raise BadRequest(
            f"page must be between 1 and {MAX_PAGE:,}", {"page": f"must be 1 to {MAX_PAGE}"}
        )
    return page


@bp.get("/authors/<slug>")
def author_page(slug: str) -> Response | WerkzeugResponse:
    """An author's page moved to their speaker's page, where their claims are scored."""
    if get_session().scalar(select(Speaker.id).where(Speaker.slug == slug)) is not None:
        values: dict[str, Any] = {**request.args.to_dict(), "slug": slug}
        return redirect(url_for("questions.speaker_page", **values), 301)
    return _group_page("author", slug)


@bp.get("/outlets/<slug>")
def outlet_page(slug: str) -> Response:
    return _group_page("outlet", slug)


@bp.get("/tags/<slug>")
def tag_page(slug: str) -> Response:
    return _group_page("tag", slug)


@bp.get("/scorecard.csv")
def scorecard_csv() -> Response:
    filters = scorecard.parse_filters(request.args)
    fresh = current_freshness()

    def build() -> str:
        card = scorecard.compute(get_session(), filters, fresh)
        groups = [card.group, *card.authors, *card.outlets, *card.speakers]
        rows: list[list[Any]] = [list(scorecard.GROUP_FIELDS)]
        for group in groups:
            record = scorecard.group_record(group)
            rows.append([record[f] for f in scorecard.GROUP_FIELDS])
        return csv_text(rows)

    response = conditional(fresh, CSV_MIMETYPE, build, filters.query_args())
    response.headers["Content-Disposition"] = 'attachment; filename="scorecard.csv"'
    return response


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

    return conditional(fresh, "application/atom+xml", build, {})


def _follow(dimension: str, slug: str) -> tuple[str, str] | None:
    """(kind, key) of the feed a group page links to, if the group has one."""
    if dimension in ("outlet", "tag"):
        return dimension, slug
    try:
        feeds.get_subject(get_session(), "speaker", slug)
    except NotFound:
        return None
    return "speaker", slug


@bp.app_template_global()
def feed_url(kind: str, key: str | int) -> str:
    """The address of the Atom feed that follows a speaker, outlet, tag or question, for
    pages' <link rel="alternate"> (see the feed_link macro)."""
    if kind == "question":
        return url_for("scorecard.question_feed", question_id=int(key))
    return url_for(f"scorecard.{kind}_feed", slug=str(key))


def _subject_page(subject: feeds.Subject) -> str:
    if subject.kind in ("outlet", "tag"):
        return url_for(f"scorecard.{subject.kind}_page", slug=subject.key, _external=True)
    root = url_for("scorecard.index", _external=True)
    return f"{root}{subject.kind}s/{quote(subject.key, safe='')}"


_FEED_TITLES = {
    "speaker": "{name}: claims and how they turned out",
    "outlet": "{name}: claims and how they turned out",
    "tag": "Claims tagged {name} and how they turned out",
    "question": "{name}: claims and resolution",
}


def _entry_text(claim: Claim, what: str) -> tuple[str, str]:
    """An entry's title and summary."""
    subject = claim.question or claim.quote
    source = claim.source
    speaker = claim.speaker.name if claim.speaker else None
    by = ", ".join(dict.fromkeys(x for x in (speaker, source.outlet) if x)) or "unknown source"
    summary = f"\u201c{claim.quote}\u201d ({by})."
    if claim.probability is not None:
        summary += f" A {claim.kind} given {claim.probability:.0%}"
        if claim.deadline_at is not None:
            summary += f", due {claim.deadline_at:%Y-%m-%d}"
        summary += "."
    if what == "resolved":
        result = claim.outcome or claim.verdict or "resolved"
        return f"{result}: {subject}", f"{summary} Resolved {result}."
    return f"Recorded: {subject}", summary


def _follow_feed(kind: str, key: str) -> Response:
    """A subject's feed: new claims and resolutions, newest first (see scorecard.feeds)."""
    subject = feeds.get_subject(get_session(), kind, key)  # unknown: 404 before any 304
    fresh = current_freshness()

    def build() -> bytes:
        events = feeds.list_events(get_session(), subject)
        publisher = current_app.config["PUBLISHER_NAME"]
        self_url = url_for(request.endpoint or "", _external=True, **(request.view_args or {}))
        generator = FeedGenerator()
        generator.id(self_url)
        generator.title(f"{publisher}: " + _FEED_TITLES[kind].format(name=subject.name))
        generator.subtitle("Claims as they are recorded and resolved, newest first.")
        generator.author({"name": publisher})
        generator.link(href=self_url, rel="self")
        generator.link(href=_subject_page(subject), rel="alternate")
        generator.language("en")
        generator.updated(events[0].at if events else fresh.last_modified)
        for event in events:
            claim = event.claim
            link = url_for("record.claim_page", claim_id=claim.id, _external=True)
            entry = generator.add_entry(order="append")
            if event.what == "resolved":
                entry.id(f"{link}#resolution-{claim.resolution_version}")
            else:
                entry.id(f"{link}#recorded")
            title, summary = _entry_text(claim, event.what)
            entry.title(title)
            entry.link(href=link, rel="alternate")
            entry.updated(event.at)
            entry.published(event.at)
            entry.summary(summary)
        body: bytes = generator.atom_str(pretty=True)
        return body

    return conditional(fresh, "application/atom+xml", build, {})


@bp.get("/speakers/<slug>/feed.atom")
def speaker_feed(slug: str) -> Response:
    return _follow_feed("speaker", slug)


@bp.get("/outlets/<slug>/feed.atom")
def outlet_feed(slug: str) -> Response:
    return _follow_feed("outlet", slug)


@bp.get("/tags/<slug>/feed.atom")
def tag_feed(slug: str) -> Response:
    return _follow_feed("tag", slug)


@bp.get("/questions/<id:question_id>/feed.atom")
def question_feed(question_id: int) -> Response:
    return _follow_feed("question", str(question_id))
