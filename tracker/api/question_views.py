"""The JSON API's questions and speakers under /api/v1: reading questions with their claims,
proposing questions for a claim, and editors' linking and merging."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.accounts.auth import csrf, require_user
from tracker.api import question_schemas as shapes
from tracker.api import schemas
from tracker.api.openapi import route
from tracker.api.views import _after_id, _page, _page_url, claim_json, iso, resolution_json
from tracker.errors import NotFound
from tracker.models import Claim, Question, Resolution, Speaker
from tracker.questions import links, matching, pages, retrieval
from tracker.questions import services as questions
from tracker.record import services as records
from tracker.web import begin_write, get_session, now

bp = Blueprint("api_questions", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token-authenticated, as the rest of the API


def _claims_of(question_ids: list[int]) -> dict[int, list[Claim]]:
    claims: dict[int, list[Claim]] = {qid: [] for qid in question_ids}
    if not question_ids:
        return claims
    for claim in get_session().scalars(
        select(Claim)
        .where(Claim.question_id.in_(question_ids))
        .order_by(Claim.id)
        .options(
            selectinload(Claim.source),
            selectinload(Claim.speaker),
            selectinload(Claim.resolutions).selectinload(Resolution.evidence),
        )
    ):
        claims[claim.question_id].append(claim)
    return claims


def question_json(question: Question, claims: list[Claim], current: dt.datetime) -> dict[str, Any]:
    outcome, verdict = pages.question_outcome(claims)
    resolutions = sorted(
        (r for c in claims for r in c.resolutions), key=lambda r: (r.version, r.created_at, r.id)
    )
    return {
        "id": question.id,
        "kind": question.kind,
        "text": question.text,
        "resolution_criteria": question.resolution_criteria,
        "deadline": iso(question.deadline_at),
        "status": pages.question_status(question, claims, current),
        "outcome": outcome,
        "verdict": verdict,
        "merged_into": question.merged_into_id,
        "created_at": iso(question.created_at),
        "html_url": _page_url("questions.question_page", "question_id", question.id),
        "claims": [claim_json(c, current) for c in claims],
        "resolutions": [resolution_json(r) for r in resolutions],
    }


@route(bp, "GET", "/questions", query=shapes.QuestionQuery, answers={200: shapes.QuestionPage})
def list_questions(query: shapes.QuestionQuery) -> dict[str, Any]:
    """List questions with their claims and resolutions, oldest first, filtered.

    A question matches `speaker` or `tag` when one of its claims does. Merged questions are
    left out (their claims are on the question they were merged into). Paged by cursor."""
    current = now()
    found = pages.list_questions(
        get_session(),
        now=current,
        after_id=_after_id(query.cursor),
        limit=query.limit,
        status=query.status,
        kind=query.kind,
        speaker=query.speaker,
        tag=query.tag,
    )
    claims = _claims_of([s.question.id for s in found])
    items = [question_json(s.question, claims[s.question.id], current) for s in found]
    return _page(items, query.limit, found[-1].question.id if found else None)


@route(bp, "GET", "/questions/<id:question_id>", answers={200: shapes.QuestionOut})
def get_question(question_id: int) -> dict[str, Any]:
    """One question with every claim on it and every judgement of it.

    A merged question answers with `merged_into` set and no claims."""
    question = questions.get_question(get_session(), question_id)
    return question_json(question, _claims_of([question.id])[question.id], now())


@route(
    bp,
    "GET",
    "/claims/<id:claim_id>/question-matches",
    query=shapes.MatchQuery,
    answers={200: shapes.QuestionMatches},
    tag="questions",
)
def list_question_matches(claim_id: int, query: shapes.MatchQuery) -> dict[str, Any]:
    """Questions the claim may be about, best first, with the matcher's score.

    The claim's own question is never proposed, nor a question of another kind or one whose
    deadline had passed a month before the claim's source was published."""
    session = get_session()
    claim = records.get_claim(session, claim_id)
    proposals = retrieval.propose_for_claim(session, claim, limit=query.limit)
    return {
        "items": [
            {
                "question_id": p.question_id,
                "score": round(p.score, 4),
                "text": p.text,
                "deadline": iso(p.deadline_at),
            }
            for p in proposals
        ],
        "threshold": matching.LINK_THRESHOLD,
    }


@route(
    bp,
    "PUT",
    "/claims/<id:claim_id>/question",
    body=shapes.ClaimQuestionIn,
    answers={200: schemas.ClaimOut},
    errors=(409,),
    role="editor",
    tag="questions",
)
def put_claim_question(claim_id: int, body: shapes.ClaimQuestionIn) -> dict[str, Any]:
    """Link a claim to a question (with its stance), or split it off to a new question.

    The question it leaves, if no claim is left on it, is kept as merged into the new one;
    linking a claim to a merged question revives it. 409 while the claim's question or the
    target has a resolution (re-open it first); 422 for a question of another kind."""
    session = begin_write()
    claim = records.get_claim(session, claim_id)
    actor = require_user().id
    if body.new is not None:
        links.split_claim(
            session,
            claim,
            text=body.new.text,
            resolution_criteria=body.new.resolution_criteria,
            deadline_at=body.new.deadline,
            actor_id=actor,
        )
    else:
        assert body.question_id is not None  # the body's validator says one of them is given
        links.link_claim(session, claim, body.question_id, body.stance, actor)
    session.commit()
    return claim_json(records.get_claim(session, claim_id), now())


@route(
    bp,
    "POST",
    "/questions/<id:question_id>/merge",
    body=shapes.MergeIn,
    answers={200: shapes.QuestionOut},
    errors=(409,),
    role="editor",
)
def merge_question(question_id: int, body: shapes.MergeIn) -> dict[str, Any]:
    """Merge a question into another: its claims move there with their stances.

    Answers the kept question. The merged one stays, with `merged_into` set (its page
    redirects); linking its claims back undoes the merge. 409 while either has a resolution;
    422 for questions of different kinds."""
    session = begin_write()
    question = questions.get_question(session, question_id)
    kept = links.merge_questions(session, question, body.into, body.reason, require_user().id)
    session.commit()
    return question_json(kept, _claims_of([kept.id])[kept.id], now())


def speaker_json(speaker: Speaker) -> dict[str, Any]:
    session = get_session()
    into = session.get(Speaker, speaker.merged_into_id) if speaker.merged_into_id else None
    return {
        "id": speaker.id,
        "name": speaker.name,
        "slug": speaker.slug,
        "kind": speaker.kind,
        "merged_into": into.slug if into else None,
        "html_url": url_for("questions.speaker_page", slug=speaker.slug, _external=True),
    }


def _speaker(slug: str) -> Speaker:
    speaker = questions.find_speaker(get_session(), slug)
    if speaker is None:
        raise NotFound(f"there is no speaker {slug!r}")
    return speaker


@route(bp, "GET", "/speakers/<slug>", answers={200: shapes.SpeakerOut})
def get_speaker(slug: str) -> dict[str, Any]:
    """One speaker: name, kind, and the speaker it was merged into, if any."""
    return speaker_json(_speaker(slug))


@route(
    bp,
    "POST",
    "/speakers/<slug>/merge",
    body=shapes.SpeakerMergeIn,
    answers={200: shapes.SpeakerOut},
    errors=(409,),
    role="editor",
)
def merge_speaker(slug: str, body: shapes.SpeakerMergeIn) -> dict[str, Any]:
    """Merge two spellings of one speaker: this one's claims become `into`'s.

    Answers the kept speaker; the merged one's page redirects there."""
    session = begin_write()
    kept = links.merge_speakers(session, _speaker(slug), body.into, body.reason, require_user().id)
    session.commit()
    return speaker_json(kept)
