"""Deciding questions: judgements with evidence, the quorum of assigned reviewers, disputes and
their settlement; a decided question decides every claim on it. Who may judge at which stage is
in rules.py; every judgement is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import audit
from tracker.errors import Invalid
from tracker.models import (
    OUTCOMES,
    STANCES,
    VERDICTS,
    Claim,
    Evidence,
    Question,
    Resolution,
    User,
)
from tracker.questions import state
from tracker.record.services import check_url, clean_text
from tracker.reminders import services as reminders
from tracker.review import assignments, rules

# Outcomes and verdicts that assert something happened or not must show where that is seen.
NEEDS_EVIDENCE = {"true", "false", "mostly-true", "mixed", "mostly-false"}


@dataclass(frozen=True)
class EvidenceItem:
    url: str
    title: str | None = None
    publisher: str | None = None
    published_at: dt.datetime | None = None
    stance: str = "supports"


@dataclass
class Decision:
    """What a judgement did: `pending` until the quorum agrees, then `final`, or `disputed`."""

    state: str
    resolution: Resolution
    question: Question
    agreeing: int = 0
    quorum: int = 0
    notes: list[str] = field(default_factory=list)


def _evidence(items: Sequence[EvidenceItem]) -> list[Evidence]:
    rows = []
    for index, item in enumerate(items):
        name = f"evidence[{index}]"
        url = check_url(item.url, f"{name}.url")
        if url is None:
            raise Invalid("every evidence row needs its url", {f"{name}.url": "required"})
        if item.stance not in STANCES:
            raise Invalid(
                f"stance must be one of {', '.join(STANCES)}", {f"{name}.stance": "unknown stance"}
            )
        if item.published_at is not None and item.published_at.tzinfo is None:
            raise Invalid("evidence dates need a time zone", {f"{name}.published_at": "no zone"})
        rows.append(
            Evidence(
                url=url,
                title=clean_text(item.title, f"{name}.title", 500),
                publisher=clean_text(item.publisher, f"{name}.publisher", 200),
                published_at=item.published_at,
                stance=item.stance,
            )
        )
    return rows


def _result(resolution: Resolution) -> str:
    return resolution.outcome or resolution.verdict or ""


def _check_result(
    session: Session, question: Question, outcome: str | None, verdict: str | None
) -> None:
    if question.kind == "forecast" and verdict is not None:
        raise Invalid(
            "a forecast is resolved with an outcome, not a verdict (verdicts are for facts)",
            {"verdict": "only for facts: give an outcome"},
        )
    if question.kind == "fact" and outcome is not None:
        raise Invalid(
            "a fact claim is resolved with a verdict, not an outcome (outcomes are for forecasts)",
            {"outcome": "only for forecasts: give a verdict"},
        )
    if question.kind == "forecast":
        if outcome not in OUTCOMES:
            raise Invalid(
                f"a forecast is resolved with an outcome: {', '.join(OUTCOMES)}",
                {"outcome": "required" if outcome is None else "unknown outcome"},
            )
        if outcome == "annulled" and not is_conditional(session, question):
            raise Invalid(
                "only a conditional forecast can be annulled", {"outcome": "not conditional"}
            )
        if outcome in ("true", "false") and is_unworded(session, question):
            raise Invalid(
                "this forecast has no question yet: an editor must write one, or void it",
                {"outcome": "no question to decide"},
            )
    elif verdict not in VERDICTS:
        raise Invalid(
            f"a fact claim is resolved with a verdict: {', '.join(VERDICTS)}",
            {"verdict": "required" if verdict is None else "unknown verdict"},
        )


def is_conditional(session: Session, question: Question) -> bool:
    """A claim on the question names a condition: `annulled` can decide it."""
    found = session.scalar(
        select(Claim.id)
        .where(Claim.question_id == question.id, Claim.condition.is_not(None))
        .limit(1)
    )
    return found is not None


def is_unworded(session: Session, question: Question) -> bool:
    """The question is only the quote of a claim that asked nothing: nobody has written what
    would make it true or false yet."""
    found = session.scalar(
        select(Claim.id)
        .where(
            Claim.question_id == question.id, Claim.question.is_(None), Claim.quote == question.text
        )
        .limit(1)
    )
    return found is not None


def resolve_question(
    session: Session,
    question: Question,
    reviewer: User,
    *,
    rationale: str,
    outcome: str | None = None,
    verdict: str | None = None,
    evidence: Sequence[EvidenceItem] = (),
    quorum: int,
    now: dt.datetime,
    settle: bool = False,
) -> Decision:
    """Record one reviewer's judgement of a question. Final when `quorum` distinct assigned
    reviewers agree, and then every claim on the question takes the result by its stance;
    disputed when they disagree; an admin's settlement decides a disputed question on its own.
    A reviewer who is not assigned is assigned by judging (see assignments.follow_judgement)."""
    rules.lock_question(session, question)
    judged = rules.current_judgements(session, question)
    recorded_by = rules.recorders(session, question)
    rules.require(
        rules.why_not_settle(question, reviewer, judged, recorded_by)
        if settle
        else rules.why_not_judge(question, reviewer, judged, recorded_by)
    )
    _check_result(session, question, outcome, verdict)
    text = clean_text(rationale, "rationale", 10_000)
    if text is None:
        raise Invalid("say why: the rationale is required", {"rationale": "required"})
    evidence_rows = _evidence(evidence)
    result = outcome or verdict or ""
    if result in NEEDS_EVIDENCE and not evidence_rows:
        raise Invalid(
            f"“{result}” needs at least one evidence link", {"evidence": "at least one link"}
        )
    version = question.resolution_version
    if not settle:
        assignments.follow_judgement(session, question, reviewer, judged, quorum)
    resolution = Resolution(
        question_id=question.id,
        version=version,
        reviewer_id=reviewer.id,
        outcome=outcome,
        verdict=verdict,
        rationale=text,
        is_settlement=settle,
        created_at=now,
        evidence=evidence_rows,
    )
    session.add(resolution)
    session.flush()
    judgements = session.scalars(
        select(Resolution).where(
            Resolution.question_id == question.id, Resolution.version == version
        )
    ).all()
    agreeing = sum(1 for j in judgements if _result(j) == result and not j.is_settlement)
    results = {_result(j) for j in judgements if not j.is_settlement}
    if settle:
        state = "final"
    elif len(results) > 1:
        state = "disputed"
    elif agreeing >= quorum:
        state = "final"
    else:
        state = "pending"
    if state == "final":
        question.status = "resolved"
        question.outcome = outcome
        question.verdict = verdict
        question.resolved_at = now
        question.snoozed_until = None
        question.snooze_reason = None
    elif state == "disputed":
        question.status = "disputed"
    claims_changed(session, question)
    # Prompts stop now, not at the next tick: all of them for a decided or disputed question,
    # the judge's own (and those of a reviewer whose place the judge took) while it is pending.
    reminders.replan(session, question, now)
    audit.record(
        session,
        "question.settled" if settle else "question.judged",
        "question",
        question.id,
        {
            "version": version,
            "resolution_id": resolution.id,
            "result": result,
            "state": state,
            "evidence": [e.url for e in evidence_rows],
        },
        reviewer.id,
    )
    return Decision(state, resolution, question, agreeing, quorum)


def resolve_claim(
    session: Session,
    claim: Claim,
    reviewer: User,
    *,
    rationale: str,
    outcome: str | None = None,
    verdict: str | None = None,
    evidence: Sequence[EvidenceItem] = (),
    quorum: int,
    now: dt.datetime,
    settle: bool = False,
) -> Decision:
    """Judge the question a claim is about. The outcome or verdict given is the question's,
    whatever the claim's stance; every claim on the question then follows by its own."""
    return resolve_question(
        session,
        claim.linked_question,
        reviewer,
        rationale=rationale,
        outcome=outcome,
        verdict=verdict,
        evidence=evidence,
        quorum=quorum,
        now=now,
        settle=settle,
    )


def claims_changed(session: Session, question: Question) -> list[int]:
    """Every claim on the question takes its state, and the scorecard's sums follow. Returns
    the ids of the claims that changed."""
    session.flush()
    return state.apply_state(session, question)
