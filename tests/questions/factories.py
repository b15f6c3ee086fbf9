"""Sources, claims and settled questions for the question tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from tracker.db import utcnow
from tracker.models import Claim, Question, Source
from tracker.questions import state
from tracker.record import services

DEADLINE = dt.datetime(2027, 3, 31, 23, 59, 59, tzinfo=dt.UTC)
PUBLISHED = dt.datetime(2026, 1, 10, tzinfo=dt.UTC)
_OPPOSITE = {"true": "false", "false": "true"}


def make_source(session: Session, text: str, n: int = 0, **fields: Any) -> Source:
    values: dict[str, Any] = {
        "title": f"Article {n}",
        "url": f"https://example.org/article-{n}",
        "outlet": f"Outlet {n}",
        "author": f"Author {n}",
        "published_at": PUBLISHED,
    }
    values.update(fields)
    return services.record_source(session, text=text, **values)


def make_forecast(
    session: Session, text: str, n: int = 0, probability: float = 0.7, **fields: Any
) -> Claim:
    """A source of its own holding `text`, and the forecast quoting all of it."""
    source = make_source(session, text, n, **fields.pop("source", {}))
    values: dict[str, Any] = {
        "kind": "forecast",
        "quote": text,
        "deadline": DEADLINE,
        "question": fields.pop("question", text.rstrip(".")),
        "probability": probability,
    }
    values.update(fields)
    return services.record_claim(session, source.id, **values)


def settle(session: Session, question_id: int, outcome: str) -> None:
    """The question resolved `outcome` (its against claims take the opposite), written
    directly: the read side is tested here, not the review rules."""
    question = session.get_one(Question, question_id)
    question.status, question.outcome, question.resolved_at = "resolved", outcome, utcnow()
    state.apply_state(session, question)


def reopen(session: Session, question_id: int) -> None:
    """The question open again, its result gone from it and from every claim on it."""
    question = session.get_one(Question, question_id)
    question.status, question.outcome, question.resolved_at = "open", None, None
    question.resolution_version += 1
    state.apply_state(session, question)
