"""Forecasts recorded and resolved for scorecard tests."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.models import Claim
from tracker.record import services
from tracker.scorecard import services as scorecard

_counter = itertools.count(1)


@dataclass(frozen=True)
class Forecast:
    probability: float
    outcome: str | None  # None: left open
    author: str | None = "Ann Author"
    outlet: str | None = "The Daily"
    tags: tuple[str, ...] = ()
    hedged: bool = False
    deadline: dt.datetime = dt.datetime(2021, 6, 1, tzinfo=dt.UTC)
    kind: str = "forecast"


def record(session: Session, forecasts: list[Forecast]) -> list[Claim]:
    """One source per forecast; resolved ones resolved the way the review services do."""
    claims = []
    for item in forecasts:
        n = next(_counter)
        text = f"Item {n}: the thing will happen by June."
        source = services.record_source(
            session,
            title=f"Article {n}",
            text=text,
            url=f"https://news.example/{n}",
            outlet=item.outlet,
            author=item.author,
            published_at=dt.datetime(2020, 1, 3, tzinfo=dt.UTC),
        )
        if item.kind == "fact":
            claim = services.record_claim(session, source.id, kind="fact", quote=text)
        else:
            claim = services.record_claim(
                session,
                source.id,
                kind="forecast",
                quote="the thing will happen by June",
                question=f"Will thing {n} happen?",
                deadline=item.deadline,
                probability=item.probability,
                phrase="might" if item.hedged else None,
                tags=item.tags,
            )
        if item.outcome is not None:
            resolve(session, claim, item.outcome)
        claims.append(claim)
    session.commit()
    return claims


def resolve(
    session: Session, claim: Claim, outcome: str | None, *, verdict: str | None = None
) -> None:
    """Set a final result as the resolution services do, and tell the scorecard."""
    claim.status = "resolved" if (outcome or verdict) else "open"
    claim.outcome = outcome
    claim.verdict = verdict
    claim.resolved_at = (
        dt.datetime(2021, 6, 2, tzinfo=dt.UTC) + dt.timedelta(minutes=claim.id)
        if outcome or verdict
        else None
    )
    scorecard.on_outcome_changed(session, claim)


OPPOSITE = {"true": "false", "false": "true"}


def resolve_question(session: Session, question_id: int, outcome: str | None) -> None:
    """Give every claim on a question the question's result, as resolving the question does:
    `against` claims the opposite; None re-opens them all; 'void' voids them all."""
    claims = session.scalars(select(Claim).where(Claim.question_id == question_id)).all()
    for claim in claims:
        if outcome == "void":
            claim.status, claim.outcome, claim.void_reason = "void", None, "duplicate"
        elif outcome is None:
            claim.status, claim.outcome, claim.void_reason = "open", None, None
        else:
            flipped = OPPOSITE.get(outcome, outcome) if claim.stance == "against" else outcome
            claim.status, claim.outcome, claim.void_reason = "resolved", flipped, None
        claim.resolved_at = dt.datetime(2021, 6, 2, tzinfo=dt.UTC) if claim.outcome else None
    scorecard.on_question_changed(session, question_id)
