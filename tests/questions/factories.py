"""Sources, claims and settled questions for the question tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db import utcnow
from tracker.models import Claim, Source
from tracker.record import services
from tracker.scorecard import sums

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
    """The question resolved `outcome` as its claims carry it (against claims the opposite),
    written directly: the read side is tested here, not the review rules."""
    for claim in session.scalars(select(Claim).where(Claim.question_id == question_id)):
        claim.status = "resolved"
        claim.outcome = outcome if claim.stance == "for" else _OPPOSITE.get(outcome, outcome)
        claim.resolved_at = utcnow()
        sums.on_outcome_changed(session, claim)
    session.flush()
