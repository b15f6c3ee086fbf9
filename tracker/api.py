"""The JSON API under /api/v1: public reads of sources, claims and the scorecard."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any

from flask import Blueprint, current_app, jsonify, request, url_for

from tracker import resolutions, schemas, scorecard, services
from tracker.app import get_session, now
from tracker.auth import csrf, require_token, require_user
from tracker.errors import BadRequest
from tracker.models import Claim, Evidence, Resolution, Source
from tracker.public import conditional, current_freshness

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token-authenticated: no cookies, so no cross-site forgery

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


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
        "created_at": iso(source.created_at),
        "html_url": url_for("web.source_page", source_id=source.id, _external=True),
    }
    if with_text:
        data["text"] = source.text
    return data


def evidence_json(evidence: Evidence) -> dict[str, Any]:
    return {
        "url": evidence.url,
        "title": evidence.title,
        "publisher": evidence.publisher,
        "published_at": iso(evidence.published_at),
        "stance": evidence.stance,
        "archived_sha256": evidence.archived_sha256,
    }


def resolution_json(resolution: Resolution) -> dict[str, Any]:
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


def claim_json(claim: Claim, current: dt.datetime) -> dict[str, Any]:
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
        "status": services.claim_status(claim, current),
        "void_reason": claim.void_reason,
        "outcome": claim.outcome,
        "verdict": claim.verdict,
        "resolution_version": claim.resolution_version,
        "resolved_at": iso(claim.resolved_at),
        "tags": claim.tag_names,
        "author": claim.source.author,
        "outlet": claim.source.outlet,
        "created_at": iso(claim.created_at),
        "updated_at": iso(claim.updated_at),
        "html_url": url_for("web.claim_page", claim_id=claim.id, _external=True),
        "resolutions": [resolution_json(r) for r in claim.resolutions],
    }


def _int_arg(
    name: str, default: int | None = None, low: int = 1, high: int | None = None
) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number", {name: "not a number"}) from None
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise BadRequest(f"{name} must be {bound}", {name: f"must be {bound}"})
    return value


def _paging() -> tuple[int, int]:
    """(after_id, limit) from the `cursor` and `limit` query parameters."""
    limit = _int_arg("limit", DEFAULT_LIMIT, 1, MAX_LIMIT) or DEFAULT_LIMIT
    cursor = request.args.get("cursor")
    if not cursor:
        return 0, limit
    try:
        after_id = int(base64.urlsafe_b64decode(cursor.encode() + b"==").decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadRequest("cursor is not one this API gave out", {"cursor": "invalid"}) from None
    if after_id < 0:
        raise BadRequest("cursor is not one this API gave out", {"cursor": "invalid"})
    return after_id, limit


def _page(items: list[dict[str, Any]], limit: int, last_id: int | None) -> Any:
    next_url = None
    if len(items) == limit and last_id is not None:
        cursor = base64.urlsafe_b64encode(str(last_id).encode()).decode().rstrip("=")
        args = request.args.to_dict()
        args["cursor"] = cursor
        next_url = url_for(request.endpoint or "", _external=True, **args)
    return jsonify({"data": items, "next": next_url})


@bp.get("/sources")
def list_sources() -> Any:
    after_id, limit = _paging()
    sources = services.list_sources(get_session(), after_id=after_id, limit=limit)
    return _page([source_json(s) for s in sources], limit, sources[-1].id if sources else None)


@bp.get("/sources/<int:source_id>")
def get_source(source_id: int) -> Any:
    source = services.get_source(get_session(), source_id)
    data = source_json(source, with_text=True)
    current = now()
    data["claims"] = [claim_json(c, current) for c in source.claims]
    return jsonify(data)


@bp.get("/claims")
def list_claims() -> Any:
    after_id, limit = _paging()
    current = now()
    claims = services.list_claims(
        get_session(),
        now=current,
        after_id=after_id,
        limit=limit,
        status=request.args.get("status") or None,
        kind=request.args.get("kind") or None,
        source_id=_int_arg("source_id"),
        key=request.args.get("key") or None,
        author=request.args.get("author") or None,
        outlet=request.args.get("outlet") or None,
        tag=request.args.get("tag") or None,
    )
    return _page([claim_json(c, current) for c in claims], limit, claims[-1].id if claims else None)


@bp.get("/claims/<int:claim_id>")
def get_claim(claim_id: int) -> Any:
    return jsonify(claim_json(services.get_claim(get_session(), claim_id), now()))


def _body() -> Any:
    if not request.is_json:
        raise BadRequest(
            "send a JSON body with Content-Type: application/json", {"body": "not JSON"}
        )
    data = request.get_json(silent=True)
    if data is None:
        raise BadRequest("the body is not valid JSON", {"body": "malformed JSON"})
    return data


def _created(data: dict[str, Any], location: str) -> Any:
    response = jsonify(data)
    response.status_code = 201
    response.headers["Location"] = location
    return response


@bp.post("/sources")
@require_token("editor")
def create_source() -> Any:
    body = schemas.parse(schemas.SourceIn, _body())
    if body.text is None:
        raise BadRequest(
            "send the text of the source; fetching by URL is not available here",
            {"text": "required"},
        )
    session = get_session()
    source = services.record_source(
        session,
        title=body.title,
        text=body.text,
        url=body.url,
        outlet=body.outlet,
        author=body.author,
        published_at=body.published_at,
        actor_id=require_user().id,
    )
    session.commit()
    return _created(
        source_json(source, with_text=True), url_for("api.get_source", source_id=source.id)
    )


@bp.post("/sources/<int:source_id>/claims")
@require_token("editor")
def create_claim(source_id: int) -> Any:
    body = schemas.parse(schemas.ClaimIn, _body())
    session = get_session()
    claim = services.record_claim(
        session, source_id, actor_id=require_user().id, **body.model_dump()
    )
    resolutions.assign_reviewers(session, claim, int(current_app.config["RESOLUTION_QUORUM"]))
    session.commit()
    return _created(claim_json(claim, now()), url_for("api.get_claim", claim_id=claim.id))


@bp.post("/claims/<int:claim_id>/resolutions")
@require_token("reviewer")
def create_resolution(claim_id: int) -> Any:
    body = schemas.parse(schemas.ResolutionIn, _body())
    session = get_session()
    claim = services.get_claim(session, claim_id)
    decision = resolutions.resolve_claim(
        session,
        claim,
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


def group_json(group: scorecard.GroupScore) -> dict[str, Any]:
    data = scorecard.group_record(group)
    data["calibration"] = [
        {
            "bin": c.bin,
            "lower": c.lower,
            "upper": c.upper,
            "n": c.n,
            "mean_probability": c.mean_probability,
            "observed_rate": c.observed_rate,
        }
        for c in group.score.calibration
    ]
    return data


@bp.get("/scorecard")
def get_scorecard() -> Any:
    """Scores as SPEC's "Scoring" section defines them; query: author | outlet | tag |
    source_id (one group at most), from, to (deadline days, inclusive), include_hedged."""
    filters = scorecard.parse_filters(request.args)
    fresh = current_freshness()

    def build() -> str:
        card = scorecard.compute(get_session(), filters, fresh)
        data: dict[str, Any] = {
            "filters": {
                "author": filters.author,
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
        return json.dumps(data, ensure_ascii=False, allow_nan=False)

    return conditional(fresh, "application/json", build)
