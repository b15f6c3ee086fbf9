"""What the review rule tests share: a deadline in the past, a judgement body, and a snapshot of
everything a refused action must leave as it was."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.models import AuditEntry, Claim, User

MakeUser = Callable[..., User]
Login = Callable[..., FlaskClient]
DEADLINE = dt.datetime(2020, 6, 30, 23, 59, 59, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
TRUE = {
    "outcome": "true",
    "rationale": "The central bank cut its rate on 12 June.",
    "evidence": [{"url": "https://example.org/cut", "title": "Rate cut"}],
}


def fresh_claim(session: Session, claim_id: int) -> Claim:
    """The claim as committed now (the test's session forgets what it had loaded)."""
    session.commit()
    session.expire_all()
    claim = session.get(Claim, claim_id)
    assert claim is not None
    return claim


def snapshot(session: Session, claim_id: int) -> tuple[Any, ...]:
    """All a refusal must leave as it was: the claim and its question, the question's
    judgements, edits and assignments, and the length of the audit log."""
    claim = fresh_claim(session, claim_id)
    question = claim.linked_question
    state = (
        claim.status, claim.question, claim.resolution_criteria, claim.deadline_at,
        claim.probability, claim.probability_origin, claim.void_reason,
        claim.resolution_version, claim.outcome,
        question.status, question.text, question.resolution_criteria, question.deadline_at,
        question.snoozed_until, question.resolution_version, question.outcome,
        [r.id for r in question.resolutions], [e.id for e in claim.edits],
        [e.id for e in question.edits], sorted(a.user_id for a in question.assignments),
        len(session.scalars(select(AuditEntry.id)).all()),
    )  # fmt: skip
    session.commit()  # end the read: SQLite would keep its snapshot past the next request
    return state
