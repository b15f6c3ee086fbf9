"""How a claim takes its question's review state. Reviewers decide the question once; each claim
on it holds a copy for queries, pages and scoring: a `for` claim as decided, an `against` claim
the opposite result (true and false swap, mostly-true and mostly-false swap; ambiguous,
annulled, mixed and unverifiable stay as they are)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from tracker.db import utcnow
from tracker.models import Claim, Question
from tracker.scorecard import sums

OPPOSITE = {
    "true": "false",
    "false": "true",
    "mostly-true": "mostly-false",
    "mostly-false": "mostly-true",
}
# The columns of a claim that copy its question's state.
COPIED = ("status", "outcome", "verdict", "resolution_version", "resolved_at", "void_reason")


def opposite(result: str | None) -> str | None:
    """What an `against` claim holds when its question's result is `result`."""
    if result is None:
        return None
    return OPPOSITE.get(result, result)


def claim_state(question: Question, stance: str) -> dict[str, Any]:
    """The copied columns of a claim with this stance on this question."""
    flip = stance == "against"
    return {
        "status": question.status,
        "outcome": opposite(question.outcome) if flip else question.outcome,
        "verdict": opposite(question.verdict) if flip else question.verdict,
        "resolution_version": question.resolution_version,
        "resolved_at": question.resolved_at,
        "void_reason": question.void_reason,
    }


def apply_state(session: Session, question: Question) -> list[int]:
    """Copy the question's state to every claim linked to it, by stance, and bring the
    scorecard's sums up to date with each claim that changed: two UPDATE statements and one
    pass of the sums, however many claims the question has. Returns the changed claims' ids."""
    session.flush()
    now = utcnow()
    changed: list[int] = []
    for stance in ("for", "against"):
        values = claim_state(question, stance)
        differs = or_(*(getattr(Claim, name).is_distinct_from(v) for name, v in values.items()))
        result = session.execute(
            update(Claim)
            .where(Claim.question_id == question.id, Claim.stance == stance, differs)
            .values(**values, updated_at=now)
            .returning(Claim.id)
            .execution_options(synchronize_session=False)
        )
        changed.extend(result.scalars().all())
    _forget(session, question.id)
    sums.on_claims_changed(session, changed)
    return changed


def _forget(session: Session, question_id: int) -> None:
    """Claims of the question already loaded in the session read their new state afresh."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Claim) and obj.question_id == question_id:
            session.expire(obj, [*COPIED, "updated_at"])


def apply_to_claim(session: Session, claim: Claim, question: Question) -> None:
    """Give one claim (newly linked to `question`) its question's state, and count it."""
    for name, value in claim_state(question, claim.stance).items():
        setattr(claim, name, value)
    session.flush()
    sums.on_outcome_changed(session, claim)
