"""Deciding claims: judgements with evidence, quorum and disputes, re-opening, voiding,
snoozing and editing what is checked (who reviews what: assignments.py). Every change goes into
the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import audit
from tracker.accounts.services import role_at_least
from tracker.errors import Conflict, Forbidden, Invalid
from tracker.models import (
    OUTCOMES,
    STANCES,
    VERDICTS,
    Claim,
    ClaimEdit,
    Evidence,
    Resolution,
    User,
)
from tracker.record.services import check_deadline, check_probability, check_url, clean_text
from tracker.reminders import services as reminders
from tracker.scorecard import services as scorecard

VOID_REASONS = ("not falsifiable", "duplicate", "retracted")
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


def lock_claim(session: Session, claim: Claim) -> None:
    """Hold the claim's row until the transaction ends and read it afresh: of two changes of
    one claim at once (two reviewers judging it), the second waits for the first and sees it.
    SQLite's writers take turns anyway; PostgreSQL needs the row lock."""
    session.refresh(claim, with_for_update=True)


def _require(user: User, role: str, message: str) -> None:
    if not user.is_active or not role_at_least(user.role, role):
        raise Forbidden(message)


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
    """Record one reviewer's judgement. Final when `quorum` distinct reviewers agree; disputed
    when they disagree; an admin's settlement decides a disputed claim on its own."""
    _require(reviewer, "reviewer", "only reviewers resolve claims")
    lock_claim(session, claim)
    if claim.recorded_by_id == reviewer.id:
        raise Forbidden("the person who recorded a claim cannot resolve it")
    if claim.status in ("resolved", "void"):
        raise Conflict(
            f"this claim is already {claim.status}; an admin must re-open it first",
            {"status": claim.status},
        )
    if settle:
        _require(reviewer, "admin", "only admins settle disputes")
        if claim.status != "disputed":
            raise Conflict("only a disputed claim can be settled", {"status": claim.status})
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
    mine = session.scalar(
        select(Resolution.id).where(
            Resolution.claim_id == claim.id,
            Resolution.version == version,
            Resolution.reviewer_id == reviewer.id,
        )
    )
    if mine is not None:
        raise Conflict(
            "you have judged this claim yourself; another admin must settle it"
            if settle
            else "you have already judged this claim; your judgement stays as recorded",
            {"reviewer": "already judged"},
        )
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
    if state != "pending":
        # Prompts about a decided or disputed claim stop now, not at the next tick.
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
    _outcome_changed(session, claim, old, outcome)


def _outcome_changed(session: Session, claim: Claim, old: str | None, new: str | None) -> None:
    if claim.kind == "forecast" and old != new:
        session.flush()
        for listener in outcome_listeners:
            listener(session, claim, old, new)


def reopen_claim(session: Session, claim: Claim, actor: User, reason: str) -> None:
    """Start a new resolution version; the earlier judgements stay visible."""
    _require(actor, "admin", "only admins re-open claims")
    lock_claim(session, claim)
    text = clean_text(reason, "reason", 2000)
    if text is None:
        raise Invalid("say why the claim is re-opened", {"reason": "required"})
    if claim.status not in ("resolved", "void", "disputed"):
        raise Conflict("only a resolved, void or disputed claim can be re-opened")
    old = claim.outcome
    previous = claim.status
    claim.status = "open"
    claim.outcome = None
    claim.verdict = None
    claim.resolved_at = None
    claim.void_reason = None
    claim.resolution_version += 1
    _outcome_changed(session, claim, old, None)
    session.flush()
    reminders.replan(session, claim)
    audit.record(
        session,
        "claim.reopened",
        "claim",
        claim.id,
        {"from": previous, "version": claim.resolution_version, "reason": text},
        actor.id,
    )


def void_claim(session: Session, claim: Claim, actor: User, reason: str, detail: str = "") -> None:
    """Take a claim out of scoring for good reason (not falsifiable, duplicate, retracted)."""
    _require(actor, "reviewer", "only reviewers void claims")
    lock_claim(session, claim)
    if reason not in VOID_REASONS:
        raise Invalid(
            f"the reason must be one of: {', '.join(VOID_REASONS)}", {"reason": "unknown reason"}
        )
    if claim.status in ("resolved", "void"):
        raise Conflict(f"this claim is already {claim.status}; an admin must re-open it first")
    extra = clean_text(detail, "detail", 2000)
    claim.status = "void"
    claim.void_reason = f"{reason}: {extra}" if extra else reason
    claim.snoozed_until = None
    claim.snooze_reason = None
    session.flush()
    reminders.replan(session, claim)
    audit.record(
        session, "claim.voided", "claim", claim.id, {"reason": claim.void_reason}, actor.id
    )


def snooze_claim(
    session: Session, claim: Claim, actor: User, until: dt.datetime, reason: str, now: dt.datetime
) -> None:
    """Hold reminders until a date, for a stated reason (news expected, source pending)."""
    _require(actor, "reviewer", "only reviewers snooze claims")
    lock_claim(session, claim)
    if claim.status not in ("open", "disputed"):
        raise Conflict(f"a {claim.status} claim has nothing to snooze")
    if until.tzinfo is None:
        raise Invalid("the date needs a time zone", {"until": "no zone"})
    if until <= now:
        raise Invalid("snooze to a date in the future", {"until": "in the past"})
    if until > now + dt.timedelta(days=3660):
        raise Invalid("snooze for at most ten years", {"until": "too far ahead"})
    text = clean_text(reason, "reason", 2000)
    if text is None:
        raise Invalid("say why the claim is snoozed", {"reason": "required"})
    claim.snoozed_until = until
    claim.snooze_reason = text
    session.flush()
    reminders.replan(session, claim, now)
    audit.record(
        session,
        "claim.snoozed",
        "claim",
        claim.id,
        {"until": until.isoformat(), "reason": text},
        actor.id,
    )


def edit_claim(
    session: Session,
    claim: Claim,
    editor: User,
    *,
    reason: str,
    question: str | None = None,
    resolution_criteria: str | None = None,
    deadline: dt.datetime | None = None,
    probability: float | None = None,
) -> list[ClaimEdit]:
    """Change what is checked, keeping the old text. Question, criteria and deadline need an
    editor; a reviewer may override the probability. Each change needs a reason."""
    lock_claim(session, claim)
    text = clean_text(reason, "reason", 2000)
    if text is None:
        raise Invalid("say why the claim is changed", {"reason": "required"})
    if claim.status in ("resolved", "void"):
        raise Conflict(f"a {claim.status} claim is not edited; an admin must re-open it first")
    changes: list[tuple[str, str | None, str | None]] = []
    if question is not None or resolution_criteria is not None or deadline is not None:
        _require(editor, "editor", "only editors change a claim's question, criteria or deadline")
    else:
        _require(editor, "reviewer", "only reviewers override a probability")
    new_question = clean_text(question, "question", 2000)
    if new_question is not None and new_question != claim.question:
        changes.append(("question", claim.question, new_question))
        claim.question = new_question
    new_criteria = clean_text(resolution_criteria, "resolution_criteria", 5000)
    if new_criteria is not None and new_criteria != claim.resolution_criteria:
        changes.append(("resolution_criteria", claim.resolution_criteria, new_criteria))
        claim.resolution_criteria = new_criteria
    if deadline is not None:
        if deadline.tzinfo is None:
            raise Invalid("the deadline needs a time zone", {"deadline": "no zone"})
        check_deadline(claim.source, deadline)
        if claim.kind == "forecast" and deadline != claim.deadline_at:
            old = claim.deadline_at.isoformat() if claim.deadline_at else None
            changes.append(("deadline_at", old, deadline.isoformat()))
            claim.deadline_at = deadline
            claim.deadline_origin = "explicit"
            claim.deadline_reason = text
    if probability is not None:
        if claim.kind != "forecast":
            raise Invalid("a fact claim has no probability", {"probability": "only forecasts"})
        probability = check_probability(probability)
        if probability != claim.probability:
            changes.append(("probability", str(claim.probability), str(probability)))
            claim.probability = probability
            claim.probability_origin = "reviewer"
            claim.probability_reason = text
    if not changes:
        raise Invalid("nothing was changed", {})
    edits = [
        ClaimEdit(
            claim_id=claim.id, field=name, old_value=old, new_value=new, reason=text,
            editor_id=editor.id,
        )
        for name, old, new in changes
    ]  # fmt: skip
    session.add_all(edits)
    session.flush()
    reminders.replan(session, claim)
    if claim.kind == "forecast":
        # A new probability or deadline moves the forecast's place in the scorecard's sums.
        for listener in outcome_listeners:
            listener(session, claim, claim.outcome, claim.outcome)
    audit.record(
        session,
        "claim.edited",
        "claim",
        claim.id,
        {"changes": [{"field": n, "old": o, "new": v} for n, o, v in changes], "reason": text},
        editor.id,
    )
    return edits
