"""The JSON API under /api/v1: public reads of sources, claims and the scorecard."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from types import SimpleNamespace
from typing import Any, cast

import orjson
from flask import Blueprint, current_app, g, request, url_for

from tracker.accounts.auth import csrf, require_user
from tracker.api import question_schemas, reads, schemas
from tracker.api.openapi import route
from tracker.errors import BadRequest, NotFound
from tracker.imports import candidates as proposals
from tracker.imports import sources
from tracker.imports.sentences import Place
from tracker.models import Claim, Evidence, Resolution, Source, claim_status
from tracker.questions import retrieval
from tracker.record import services
from tracker.review import assignments, resolutions
from tracker.scorecard import scoring
from tracker.scorecard import services as scorecard
from tracker.text import utc_iso
from tracker.web import begin_write, conditional, get_fetcher, get_session, now

bp = Blueprint("api", __name__, url_prefix="/api/v1")
Created = tuple[dict[str, Any], int, dict[str, str]]  # answer, 201, Location
csrf.exempt(bp)  # token-authenticated: no cookies, so no cross-site forgery


def _page_url(endpoint: str, name: str, value: int) -> str:
    """url_for(endpoint, name=value, _external=True), built once per request and endpoint:
    a page of 200 claims would otherwise spend a fifth of its time building links."""
    cache: dict[str, str] = g.setdefault("page_url_prefix", {})
    if endpoint not in cache:
        values: dict[str, Any] = {name: 1}
        cache[endpoint] = url_for(endpoint, _external=True, **values).removesuffix("/1")
    return f"{cache[endpoint]}/{value}"


def iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return utc_iso(value)


def source_json(source: Source, with_text: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": source.id,
        "url": source.url,
        "title": source.title,
        "outlet": source.outlet,
        "outlet_slug": source.outlet_slug,
        "author": source.author,
        "author_slug": source.author_slug,
        "published_at": iso(source.published_at),
        "fetched_at": iso(source.fetched_at),
        "text_sha256": source.text_sha256,
        "raw_sha256": source.raw_sha256,
        "raw_content_type": source.raw_content_type,
        "raw_url": url_for("api.get_source_raw", source_id=source.id, _external=True)
        if source.raw_sha256
        else None,
        "created_at": iso(source.created_at),
        "html_url": _page_url("record.source_page", "source_id", source.id),
    }
    if with_text:
        data["text"] = source.text
    return data


def evidence_json(evidence: Evidence | SimpleNamespace) -> dict[str, Any]:
    return {
        "url": evidence.url,
        "title": evidence.title,
        "publisher": evidence.publisher,
        "published_at": iso(evidence.published_at),
        "stance": evidence.stance,
        "archived_sha256": evidence.archived_sha256,
    }


def resolution_json(resolution: Resolution | SimpleNamespace) -> dict[str, Any]:
    return {
        "id": resolution.id,
        "version": resolution.version,
        "reviewer": resolution.reviewer.display_name,
        "outcome": resolution.outcome,
        "verdict": resolution.verdict,
        "rationale": resolution.rationale,
        "is_settlement": resolution.is_settlement,
        "created_at": iso(resolution.created_at),
        "evidence": [evidence_json(e) for e in resolution.evidence],
    }


def claim_json(claim: Claim | SimpleNamespace, current: dt.datetime) -> dict[str, Any]:
    """A claim (an ORM object, or a record from tracker.reads) as the API answers it."""
    return {
        "id": claim.id,
        "source_id": claim.source_id,
        "key": claim.key,
        "kind": claim.kind,
        "quote": claim.quote,
        "quote_start": claim.quote_start,
        "quote_end": claim.quote_end,
        "question": claim.question,
        "resolution_criteria": claim.resolution_criteria,
        "deadline": iso(claim.deadline_at),
        "deadline_origin": claim.deadline_origin,
        "deadline_reason": claim.deadline_reason,
        "probability": claim.probability,
        "probability_origin": claim.probability_origin,
        "probability_reason": claim.probability_reason,
        "phrase": claim.phrase,
        "hedged": claim.hedged,
        "condition": claim.condition,
        # A record has the attributes claim_status reads (status, deadline_at).
        "status": claim_status(cast(Claim, claim), current),
        "void_reason": claim.void_reason,
        "outcome": claim.outcome,
        "verdict": claim.verdict,
        "resolution_version": claim.resolution_version,
        "resolved_at": iso(claim.resolved_at),
        "tags": claim.tag_names,
        "author": claim.source.author,
        "outlet": claim.source.outlet,
        "question_id": claim.question_id,
        "stance": claim.stance,
        "speaker": claim.speaker.name if claim.speaker else None,
        "speaker_slug": claim.speaker.slug if claim.speaker else None,
        "created_at": iso(claim.created_at),
        "updated_at": iso(claim.updated_at),
        "html_url": _page_url("record.claim_page", "claim_id", claim.id),
        "resolutions": [resolution_json(r) for r in claim.resolutions],
    }


def _after_id(cursor: str | None) -> int:
    """The id a `cursor` from a `next` link points after (0: from the start)."""
    if not cursor:
        return 0
    try:
        after_id = int(base64.urlsafe_b64decode(cursor.encode() + b"==").decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadRequest("cursor is not one this API gave out", {"cursor": "invalid"}) from None
    if not 0 <= after_id < 2**63:
        raise BadRequest("cursor is not one this API gave out", {"cursor": "invalid"})
    return after_id


def _page(items: list[dict[str, Any]], limit: int, last_id: int | None) -> dict[str, Any]:
    next_url = None
    if len(items) == limit and last_id is not None:
        cursor = base64.urlsafe_b64encode(str(last_id).encode()).decode().rstrip("=")
        args = request.args.to_dict()
        args["cursor"] = cursor
        next_url = url_for(request.endpoint or "", _external=True, **args)
    return {"data": items, "next": next_url}


@route(bp, "GET", "/sources", query=schemas.SourceQuery, answers={200: schemas.SourcePage})
def list_sources(query: schemas.SourceQuery) -> dict[str, Any]:
    """List archived sources, oldest first.

    Paged by cursor: follow `next` until it is null."""
    sources = services.list_sources(
        get_session(), after_id=_after_id(query.cursor), limit=query.limit
    )
    return _page(
        [source_json(s) for s in sources], query.limit, sources[-1].id if sources else None
    )


@route(bp, "GET", "/sources/<id:source_id>", answers={200: schemas.SourceDetail})
def get_source(source_id: int) -> dict[str, Any]:
    """One source with its archived text and the claims recorded from it.

    `claims` holds the first 200 claims in the order they were recorded; when there are more,
    `claims_next` is the page of /claims that goes on from there (else null)."""
    session = get_session()
    source = services.get_source(session, source_id)
    data = source_json(source, with_text=True)
    current = now()
    limit = schemas.MAX_LIMIT
    claims = reads.list_claim_records(
        session, now=current, after_id=0, limit=limit, source_id=source_id
    )
    data["claims"] = [claim_json(c, current) for c in claims]
    data["claims_next"] = None
    if len(claims) == limit:
        cursor = base64.urlsafe_b64encode(str(claims[-1].id).encode()).decode().rstrip("=")
        data["claims_next"] = url_for(
            "api.list_claims", source_id=source_id, limit=limit, cursor=cursor, _external=True
        )
    return data


@route(bp, "GET", "/claims", query=schemas.ClaimQuery, answers={200: schemas.ClaimPage})
def list_claims(query: schemas.ClaimQuery) -> dict[str, Any]:
    """List claims with their resolutions, oldest first, filtered.

    Paged by cursor (keyset on id: the last page costs what the first does)."""
    current = now()
    claims = reads.list_claim_records(
        get_session(),
        now=current,
        after_id=_after_id(query.cursor),
        limit=query.limit,
        status=query.status,
        kind=query.kind,
        source_id=query.source_id,
        key=query.key,
        author=query.author,
        outlet=query.outlet,
        tag=query.tag,
    )
    return _page(
        [claim_json(c, current) for c in claims], query.limit, claims[-1].id if claims else None
    )


@route(bp, "GET", "/claims/<id:claim_id>", answers={200: schemas.ClaimOut})
def get_claim(claim_id: int) -> dict[str, Any]:
    """One claim with its quote, status and every resolution version."""
    return claim_json(services.get_claim(get_session(), claim_id), now())


def _created(data: dict[str, Any], location: str) -> Created:
    return data, 201, {"Location": location}


@route(
    bp,
    "POST",
    "/sources",
    body=schemas.SourceIn,
    answers={201: schemas.SourceWithText},
    errors=(409, 502, 504),
    role="editor",
)
def create_source(body: schemas.SourceIn) -> Created:
    """Archive a source: its text, or (without `text`) the page fetched from `url`.

    The text is kept as sent (or as extracted) and hashed; quotes of claims must be found in
    it. Fetching refuses private addresses, pages over 5 MB and anything but HTML or text, and
    gives up (504) when the whole page has not arrived within 30 seconds. A text archived
    before is 409 naming its source, and so is an address archived before unless
    `new_version` is true."""
    session = get_session()
    # Without `text` the page at `url` is fetched (behind the address guard) and archived.
    source = sources.import_source(
        session,
        url=body.url,
        text=body.text,
        title=body.title,
        outlet=body.outlet,
        author=body.author,
        published_at=body.published_at,
        fetcher=get_fetcher(),
        actor_id=require_user().id,
        new_version=body.new_version,
    )
    session.commit()
    return _created(
        source_json(source, with_text=True), url_for("api.get_source", source_id=source.id)
    )


@route(
    bp,
    "POST",
    "/sources/<id:source_id>/claims",
    body=schemas.ClaimIn,
    answers={201: question_schemas.ClaimCreated},
    errors=(409,),
    role="editor",
    tag="claims",
)
def create_claim(source_id: int, body: schemas.ClaimIn) -> Created:
    """Record a claim quoted word for word from a source.

    The answer proposes the recorded questions it may be about (`question_matches`); without
    `question_id` it has a question of its own until an editor links it.

    422 if the quote is not in the source's archived text as whole words (or is shorter than
    3 characters), or if the deadline is not after the source's publication; 409 if the same
    quote is recorded already with the same question (the answer names that claim)."""
    session = get_session()
    claim = services.record_claim(
        session, source_id, actor_id=require_user().id, **body.model_dump()
    )
    assignments.assign_reviewers(
        session, claim.linked_question, int(current_app.config["RESOLUTION_QUORUM"])
    )
    session.commit()
    data = claim_json(claim, now())
    data["question_matches"] = [
        {"question_id": p.question_id, "score": round(p.score, 4), "text": p.text,
         "deadline": iso(p.deadline_at)}
        for p in retrieval.propose_for_claim(session, claim)
    ]  # fmt: skip
    return _created(data, url_for("api.get_claim", claim_id=claim.id))


@route(
    bp,
    "POST",
    "/claims/<id:claim_id>/resolutions",
    body=schemas.ResolutionIn,
    answers={201: schemas.ResolutionAnswer},
    errors=(403, 409),
    role="reviewer",
)
def create_resolution(claim_id: int, body: schemas.ResolutionIn) -> Created:
    """Resolve the question a claim is about: an outcome (forecasts) or verdict (facts) of the
    question, a rationale and evidence. As POST /questions/{question_id}/resolutions.

    The question is final when the quorum of assigned reviewers agrees, and then every claim on
    it takes the result (a claim `against` the question the opposite); disagreement puts it on
    the disputed queue for an admin to settle (`settle`, admins only). A reviewer who is not
    assigned is assigned by judging, in place of an assigned reviewer who has not judged yet.
    403 for a person who recorded a claim on the question; 409 when it is resolved, void or
    disputed (only a settlement decides it), or when you have judged this version already."""
    session = begin_write()
    claim = services.get_claim(session, claim_id)
    decision = resolutions.resolve_question(
        session,
        claim.linked_question,
        require_user(),
        rationale=body.rationale,
        outcome=body.outcome,
        verdict=body.verdict,
        evidence=[resolutions.EvidenceItem(**e.model_dump()) for e in body.evidence],
        quorum=int(current_app.config["RESOLUTION_QUORUM"]),
        now=now(),
        settle=body.settle,
    )
    session.commit()
    session.refresh(claim)
    return _created(
        {
            "state": decision.state,
            "agreeing": decision.agreeing,
            "quorum": decision.quorum,
            "resolution": resolution_json(decision.resolution),
            "claim": claim_json(claim, now()),
        },
        url_for("api.get_claim", claim_id=claim.id),
    )


def candidate_json(proposed: proposals.ProposedClaim) -> dict[str, Any]:
    data = proposed.candidate.as_dict()
    data["deadline"] = iso(data["deadline"])
    data["recorded_claim_id"] = proposed.recorded_claim_id
    return data


def _place(cursor: str | None) -> Place:
    """Where a `cursor` from a candidates `next` link points (the text's start without one)."""
    if not cursor:
        return Place()
    try:
        raw = base64.urlsafe_b64decode(cursor.encode() + b"==").decode()
        offset = int(raw.removesuffix("~"))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadRequest("cursor is not one this API gave out", {"cursor": "invalid"}) from None
    if not 0 <= offset < 2**31:
        raise BadRequest("cursor is not one this API gave out", {"cursor": "invalid"})
    return Place(offset, inside_long_sentence=raw.endswith("~"))


def _place_cursor(place: Place) -> str:
    raw = f"{place.offset}{'~' if place.inside_long_sentence else ''}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@route(
    bp,
    "GET",
    "/sources/<id:source_id>/candidates",
    query=schemas.CandidateQuery,
    answers={200: schemas.CandidatePage},
    tag="sources",
)
def list_candidates(source_id: int, query: schemas.CandidateQuery) -> dict[str, Any]:
    """The forecasts and facts the extractor proposes for a source, in text order.

    Paged by the source's text: a page holds the proposals of about 20,000 characters (most
    articles fit in one), and may hold none. Follow `next` until it is null."""
    page = proposals.page_candidates(
        get_session(), source_id, _place(query.cursor), today=now().date()
    )
    next_url = None
    if page.next is not None:
        next_url = url_for(
            "api.list_candidates",
            source_id=source_id,
            cursor=_place_cursor(page.next),
            _external=True,
        )
    return {
        "source_id": source_id,
        "data": [candidate_json(p) for p in page.items],
        "next": next_url,
    }


@route(bp, "GET", "/sources/<id:source_id>/raw", answers={200: None}, tag="sources")
def get_source_raw(source_id: int) -> Any:
    """The page exactly as fetched, as a download: never rendered on this site's origin."""
    source = services.get_source(get_session(), source_id)
    if source.raw_body is None or source.raw_sha256 is None:
        raise NotFound(f"source {source_id} was given as text, not fetched: it has no raw page")
    extension = "html" if "html" in (source.raw_content_type or "") else "txt"
    response = current_app.response_class(source.raw_body, mimetype="application/octet-stream")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="source-{source_id}.{extension}"'
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    response.headers["X-Archived-Content-Type"] = source.raw_content_type or ""
    response.headers["X-Archived-SHA256"] = source.raw_sha256
    return response


def group_json(group: scorecard.GroupScore) -> dict[str, Any]:
    data = scorecard.group_record(group)
    # Unpacked rather than read by name: a date range's answer writes some 4,500 bins.
    data["calibration"] = [
        {
            "bin": index,
            "lower": scoring.BIN_BOUNDS[index][0],
            "upper": scoring.BIN_BOUNDS[index][1],
            "n": n,
            "mean_probability": mean_probability,
            "observed_rate": observed_rate,
        }
        for index, n, mean_probability, observed_rate in group.score.calibration
    ]
    return data


@route(
    bp, "GET", "/scorecard", query=schemas.ScorecardQuery, answers={200: None}, errors=(400, 404)
)
def get_scorecard(query: schemas.ScorecardQuery) -> Any:
    """Brier, log score, skill, calibration and Murphy decomposition, and the comparative
    baseline and peer scores, overall or for one group.

    Query: author | speaker | outlet | tag | source_id (one group at most), from and to
    (deadline days, inclusive), include_hedged. Overall, the answer lists `authors`, `outlets`
    and `speakers`. `baseline` is the mean of 100 * log2(q / 0.5) over the scored forecasts, q
    the probability a forecast gave to what happened (0 is a coin's score, higher is better);
    `peer` the mean, over the `n_peer` forecasts whose question has other scored forecasts, of
    a forecast's baseline less their question's mean (above 0 beat the others on the same
    questions). The page, /scorecard.csv and this answer share one computation.
    Numbers here are in full precision, as computed (a Brier score may read
    0.009999999999999995): round them for display. The page shows 3 decimals, and the CSV
    export 4 significant digits."""
    filters = scorecard.parse_filters(request.args)
    memo = current_app.extensions["tracker.freshness"]
    max_age = float(current_app.config["SCORECARD_FRESHNESS_SECONDS"])
    fresh = scorecard.current_freshness(get_session(), memo, max_age, now())

    def build() -> bytes:
        card = scorecard.compute(get_session(), filters, fresh)
        data: dict[str, Any] = {
            "filters": {
                "author": filters.author,
                "speaker": filters.speaker,
                "outlet": filters.outlet,
                "tag": filters.tag,
                "source_id": filters.source_id,
                "from": filters.date_from.isoformat() if filters.date_from else None,
                "to": filters.date_to.isoformat() if filters.date_to else None,
                "include_hedged": filters.include_hedged,
                "date_field": "deadline",
            },
            "min_scored": scorecard.MIN_SCORED,
            "group": group_json(card.group),
        }
        if filters.group[0] == "overall":
            data["authors"] = [group_json(g) for g in card.authors]
            data["outlets"] = [group_json(g) for g in card.outlets]
            data["speakers"] = [group_json(g) for g in card.speakers]
        # orjson: a full scorecard is some 800 kB, which the json module took 25 ms to write
        # at a million forecasts, and orjson 2 ms. (No score is ever NaN or infinite.)
        return orjson.dumps(data)

    return conditional(fresh, "application/json", build, filters.query_args())
