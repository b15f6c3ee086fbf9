"""Deciding claims: judgements with evidence, the quorum of assigned reviewers, disputes and
their settlement. Who may judge at which stage is in rules.py; every judgement is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import audit
from tracker.errors import Invalid
from tracker.models import OUTCOMES, STANCES, VERDICTS, Claim, Evidence, Resolution, User
from tracker.record.services import check_url, clean_text
from tracker.reminders import services as reminders
from tracker.review import assignments, rules
from tracker.scorecard import services as scorecard

# Outcomes and verdicts that assert something happened or not must show where that is seen.
NEEDS_EVIDENCE = {"true", "false", "mostly-true", "mixed", "mostly-false"}

# Called with (session, claim, old_outcome, new_outcome) whenever a forecast's final outcome
# changes, so that kept aggregates (the scorecard) follow.
OutcomeListener = Callable[[Session, Claim, str | None, str | None], None]
outcome_listeners: list[OutcomeListener] = [scorecard.on_outcome_changed]


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
    claim: Claim
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
    """Record one reviewer's judgement. Final when `quorum` distinct assigned reviewers agree;
    disputed when they disagree; an admin's settlement decides a disputed claim on its own.
    A reviewer who is not assigned is assigned by judging (see assignments.follow_judgement)."""
    rules.lock_claim(session, claim)
    judged = rules.current_judgements(session, claim)
    rules.require(
        rules.why_not_settle(claim, reviewer, judged)
        if settle
        else rules.why_not_judge(claim, reviewer, judged)
    )
    if claim.kind == "forecast" and verdict is not None:
        raise Invalid(
            "a forecast is resolved with an outcome, not a verdict (verdicts are for facts)",
            {"verdict": "only for facts: give an outcome"},
        )
    if claim.kind == "fact" and outcome is not None:
        raise Invalid(
            "a fact claim is resolved with a verdict, not an outcome (outcomes are for forecasts)",
            {"outcome": "only for forecasts: give a verdict"},
        )
    if claim.kind == "forecast":
        if outcome not in OUTCOMES:
            raise Invalid(
                f"a forecast is resolved with an outcome: {', '.join(OUTCOMES)}",
                {"outcome": "required" if outcome is None else "unknown outcome"},
            )
        if outcome == "annulled" and not claim.condition:
            raise Invalid(
                "only a conditional forecast can be annulled", {"outcome": "not conditional"}
            )
        if claim.question is None and outcome in ("true", "false"):
            raise Invalid(
                "this forecast has no question yet: an editor must write one, or void it",
                {"outcome": "no question to decide"},
            )
    elif verdict not in VERDICTS:
        raise Invalid(
            f"a fact claim is resolved with a verdict: {', '.join(VERDICTS)}",
            {"verdict": "required" if verdict is None else "unknown verdict"},
        )
    text = clean_text(rationale, "rationale", 10_000)
    if text is None:
        raise Invalid("say why: the rationale is required", {"rationale": "required"})
    evidence_rows = _evidence(evidence)
    result = outcome or verdict or ""
    if result in NEEDS_EVIDENCE and not evidence_rows:
        raise Invalid(
            f"“{result}” needs at least one evidence link", {"evidence": "at least one link"}
        )
    version = claim.resolution_version
    if not settle:
        assignments.follow_judgement(session, claim, reviewer, judged, quorum)
    resolution = Resolution(
        claim_id=claim.id,
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
        select(Resolution).where(Resolution.claim_id == claim.id, Resolution.version == version)
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
        _finalize(session, claim, outcome, verdict, now)
    elif state == "disputed":
        claim.status = "disputed"
    session.flush()
    # Prompts stop now, not at the next tick: all of them for a decided or disputed claim, the
    # judge's own (and those of a reviewer whose place the judge took) while it is pending.
    reminders.replan(session, claim, now)
    audit.record(
        session,
        "claim.settled" if settle else "claim.judged",
        "claim",
        claim.id,
        {
            "version": version,
            "resolution_id": resolution.id,
            "result": result,
            "state": state,
            "evidence": [e.url for e in evidence_rows],
        },
        reviewer.id,
    )
    return Decision(state, resolution, claim, agreeing, quorum)


def _finalize(
    session: Session, claim: Claim, outcome: str | None, verdict: str | None, now: dt.datetime
) -> None:
    old = claim.outcome
    claim.status = "resolved"
    claim.outcome = outcome
    claim.verdict = verdict
    claim.resolved_at = now
    claim.snoozed_until = None
    claim.snooze_reason = None
    outcome_changed(session, claim, old, outcome)


def outcome_changed(session: Session, claim: Claim, old: str | None, new: str | None) -> None:
    """Tell the outcome listeners (the scorecard's sums) that a forecast's outcome changed."""
    if claim.kind == "forecast" and old != new:
        session.flush()
        for listener in outcome_listeners:
            listener(session, claim, old, new)
