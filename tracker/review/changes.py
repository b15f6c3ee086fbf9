"""Changing a claim under review: re-opening it as a new resolution version, voiding it,
snoozing its reminders, and editing what is checked. Who may do which at which stage is in
rules.py; every change is audited, and no judgement is ever dropped."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from tracker import audit
from tracker.errors import Invalid
from tracker.models import Claim, ClaimEdit, User
from tracker.questions import services as questions
from tracker.record.services import check_deadline, check_probability, clean_text
from tracker.reminders import services as reminders
from tracker.review import rules
from tracker.review.resolutions import outcome_changed, outcome_listeners
from tracker.search import index as search_index

VOID_REASONS = ("not falsifiable", "duplicate", "retracted")


def reopen_claim(session: Session, claim: Claim, actor: User, reason: str) -> None:
    """Start a new resolution version (of a decided, void or disputed claim, or of an open one
    whose wording must change under judgements already in); the earlier ones stay visible."""
    rules.lock_claim(session, claim)
    judged = rules.current_judgements(session, claim)
    rules.require(rules.why_not_reopen(claim, actor, judged))
    text = clean_text(reason, "reason", 2000)
    if text is None:
        raise Invalid("say why the claim is re-opened", {"reason": "required"})
    old = claim.outcome
    previous = claim.status
    claim.status = "open"
    claim.outcome = None
    claim.verdict = None
    claim.resolved_at = None
    claim.void_reason = None
    claim.resolution_version += 1
    outcome_changed(session, claim, old, None)
    session.flush()
    reminders.replan(session, claim)
    audit.record(
        session,
        "claim.reopened",
        "claim",
        claim.id,
        {
            "from": previous,
            "version": claim.resolution_version,
            "reason": text,
            "earlier_judgements": [j.id for j in judged],
        },
        actor.id,
    )


def void_claim(session: Session, claim: Claim, actor: User, reason: str, detail: str = "") -> None:
    """Take a claim out of scoring for good reason (not falsifiable, duplicate, retracted).
    With judgements in, only an admin may, and the judgements stay with the version."""
    rules.lock_claim(session, claim)
    judged = rules.current_judgements(session, claim)
    rules.require(rules.why_not_void(claim, actor, judged))
    if reason not in VOID_REASONS:
        raise Invalid(
            f"the reason must be one of: {', '.join(VOID_REASONS)}", {"reason": "unknown reason"}
        )
    extra = clean_text(detail, "detail", 2000)
    claim.status = "void"
    claim.void_reason = f"{reason}: {extra}" if extra else reason
    claim.snoozed_until = None
    claim.snooze_reason = None
    session.flush()
    reminders.replan(session, claim)
    audit.record(
        session,
        "claim.voided",
        "claim",
        claim.id,
        {
            "reason": claim.void_reason,
            "version": claim.resolution_version,
            "judgements": [j.id for j in judged],
        },
        actor.id,
    )


def snooze_claim(
    session: Session, claim: Claim, actor: User, until: dt.datetime, reason: str, now: dt.datetime
) -> None:
    """Hold reminders until a date, for a stated reason (news expected, source pending)."""
    rules.lock_claim(session, claim)
    rules.require(rules.why_not_snooze(claim, actor, ()))
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
    editor; a reviewer may override the probability. Each change needs a reason, and nothing
    changes once a judgement of the version is in (an admin re-opens it first)."""
    rules.lock_claim(session, claim)
    judged = rules.current_judgements(session, claim)
    if question is not None or resolution_criteria is not None or deadline is not None:
        rules.require(rules.why_not_edit(claim, editor, judged))
    else:
        rules.require(rules.why_not_override(claim, editor, judged))
    text = clean_text(reason, "reason", 2000)
    if text is None:
        raise Invalid("say why the claim is changed", {"reason": "required"})
    changes: list[tuple[str, str | None, str | None]] = []
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
    questions.follow_only_claim(session, claim)
    if any(name == "question" for name, _, _ in changes):
        search_index.refresh(session, claims=[claim.id])
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
