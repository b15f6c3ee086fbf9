"""The JSON API's resolution of questions: POST /api/v1/questions/{id}/resolutions. Resolving a
question resolves every claim on it (POST /claims/{id}/resolutions resolves a claim's
question the same way)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app

from tracker.accounts.auth import csrf, require_user
from tracker.api import schemas
from tracker.api.openapi import route
from tracker.api.views import Created, iso, resolution_json
from tracker.models import Question, question_status
from tracker.questions import services as questions
from tracker.review import resolutions
from tracker.web import begin_write, now

bp = Blueprint("api_resolutions", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token-authenticated: no cookies, so no cross-site forgery


def question_state_json(question: Question, claims: int) -> dict[str, Any]:
    return {
        "id": question.id,
        "kind": question.kind,
        "text": question.text,
        "resolution_criteria": question.resolution_criteria,
        "deadline": iso(question.deadline_at),
        "status": question_status(question, now()),
        "outcome": question.outcome,
        "verdict": question.verdict,
        "resolution_version": question.resolution_version,
        "resolved_at": iso(question.resolved_at),
        "void_reason": question.void_reason,
        "claims": claims,
    }


@route(
    bp,
    "POST",
    "/questions/<id:question_id>/resolutions",
    body=schemas.ResolutionIn,
    answers={201: schemas.QuestionResolutionAnswer},
    errors=(403, 409),
    role="reviewer",
    tag="questions",
)
def create_question_resolution(question_id: int, body: schemas.ResolutionIn) -> Created:
    """Resolve a question: an outcome (forecasts) or verdict (facts), a rationale and evidence.

    The question is final when the quorum of assigned reviewers agrees, and then every claim
    on it takes the result: a claim `for` the question as given, a claim `against` it the
    opposite (true and false swap, mostly-true and mostly-false swap; ambiguous, annulled,
    mixed and unverifiable stay). Disagreement puts it on the disputed queue for an admin to
    settle (`settle`, admins only). A reviewer who is not assigned is assigned by judging, in
    place of an assigned reviewer who has not judged yet. 403 for a person who recorded a
    claim on the question; 409 when it is resolved, void or disputed (only a settlement
    decides it), or when you have judged this version already."""
    session = begin_write()
    question = questions.get_question(session, question_id)
    decision = resolutions.resolve_question(
        session,
        question,
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
    session.refresh(question)
    answer = {
        "state": decision.state,
        "agreeing": decision.agreeing,
        "quorum": decision.quorum,
        "resolution": resolution_json(decision.resolution),
        "question": question_state_json(question, questions.claim_count(session, question.id)),
    }
    return answer, 201, {}
