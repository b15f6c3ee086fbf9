"""Changing a question under review: re-opening it as a new resolution version, voiding it,
snoozing its reminders, and editing what is checked; and a reviewer's override of one claim's
probability. Who may do which at which stage is in rules.py; every change is audited, and no
judgement is ever dropped. The `*_claim` forms act on the question a claim is about."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import audit
from tracker.errors import Invalid
from tracker.models import Claim, ClaimEdit, Question, QuestionEdit, Source, User
from tracker.record.services import check_deadline, check_probability, clean_text
from tracker.reminders import services as reminders
from tracker.review import rules
from tracker.review.resolutions import claims_changed
from tracker.scorecard import services as scorecard
from tracker.search import index as search_index

VOID_REASONS = ("not falsifiable", "duplicate", "retracted")


def reopen_question(session: Session, question: Question, actor: User, reason: str) -> None:
    """Start a new resolution version (of a decided, void or disputed question, or of an open
    one whose wording must change under judgements already in); the earlier ones stay visible,
    and every claim on it is open again."""
    rules.lock_question(session, question)
    judged = rules.current_judgements(session, question)
    rules.require(rules.why_not_reopen(question, actor, judged))
    text = clean_text(reason, "reason", 2000)
    if text is None:
        raise Invalid("say why the question is re-opened", {"reason": "required"})
    previous = question.status
    question.status = "open"
    question.outcome = None
    question.verdict = None
    question.resolved_at = None
    question.void_reason = None
    question.resolution_version += 1
    claims_changed(session, question)
    reminders.replan(session, question)
    audit.record(
        session,
        "question.reopened",
        "question",
        question.id,
        {
            "from": previous,
            "version": question.resolution_version,
            "reason": text,
            "earlier_judgements": [j.id for j in judged],
        },
        actor.id,
    )


def void_question(
    session: Session, question: Question, actor: User, reason: str, detail: str = ""
) -> None:
    """Take a question, and every claim on it, out of scoring for good reason (not falsifiable,
    duplicate, retracted). With judgements in, only an admin may, and they stay with the
    version."""
    rules.lock_question(session, question)
    judged = rules.current_judgements(session, question)
    rules.require(rules.why_not_void(question, actor, judged))
    if reason not in VOID_REASONS:
        raise Invalid(
            f"the reason must be one of: {', '.join(VOID_REASONS)}", {"reason": "unknown reason"}
        )
    extra = clean_text(detail, "detail", 2000)
    question.status = "void"
    question.void_reason = f"{reason}: {extra}" if extra else reason
    question.snoozed_until = None
    question.snooze_reason = None
    claims_changed(session, question)
    reminders.replan(session, question)
    audit.record(
        session,
        "question.voided",
        "question",
        question.id,
        {
            "reason": question.void_reason,
            "version": question.resolution_version,
            "judgements": [j.id for j in judged],
        },
        actor.id,
    )


def snooze_question(
    session: Session,
    question: Question,
    actor: User,
    until: dt.datetime,
    reason: str,
    now: dt.datetime,
) -> None:
    """Hold reminders until a date, for a stated reason (news expected, source pending)."""
    rules.lock_question(session, question)
    rules.require(rules.why_not_snooze(question, actor, ()))
    if until.tzinfo is None:
        raise Invalid("the date needs a time zone", {"until": "no zone"})
    if until <= now:
        raise Invalid("snooze to a date in the future", {"until": "in the past"})
    if until > now + dt.timedelta(days=3660):
        raise Invalid("snooze for at most ten years", {"until": "too far ahead"})
    text = clean_text(reason, "reason", 2000)
    if text is None:
        raise Invalid("say why the question is snoozed", {"reason": "required"})
    question.snoozed_until = until
    question.snooze_reason = text
    session.flush()
    reminders.replan(session, question, now)
    audit.record(
        session,
        "question.snoozed",
        "question",
        question.id,
        {"until": until.isoformat(), "reason": text},
        actor.id,
    )


def edit_question(
    session: Session,
    question: Question,
    editor: User,
    *,
    reason: str,
    text: str | None = None,
    resolution_criteria: str | None = None,
    deadline: dt.datetime | None = None,
) -> list[QuestionEdit]:
    """Change what is checked, keeping the old value: editors, with a reason, before any
    judgement of the version (an admin re-opens it first). A question only one claim is about
    keeps saying what that claim says: the claim's question, criteria and deadline follow."""
    rules.lock_question(session, question)
    judged = rules.current_judgements(session, question)
    rules.require(rules.why_not_edit(question, editor, judged))
    why = clean_text(reason, "reason", 2000)
    if why is None:
        raise Invalid("say why the question is changed", {"reason": "required"})
    claims = session.scalars(
        select(Claim).where(Claim.question_id == question.id).order_by(Claim.id).limit(2)
    ).all()
    only = claims[0] if len(claims) == 1 else None
    changes: list[tuple[str, str | None, str | None]] = []
    new_text = clean_text(text, "question", 2000)
    if new_text is not None and new_text != question.text:
        changes.append(("text", question.text, new_text))
        question.text = new_text
    new_criteria = clean_text(resolution_criteria, "resolution_criteria", 5000)
    if new_criteria is not None and new_criteria != question.resolution_criteria:
        changes.append(("resolution_criteria", question.resolution_criteria, new_criteria))
        question.resolution_criteria = new_criteria
    if deadline is not None:
        if deadline.tzinfo is None:
            raise Invalid("the deadline needs a time zone", {"deadline": "no zone"})
        latest = session.scalar(
            select(Source)
            .join(Claim, Claim.source_id == Source.id)
            .where(Claim.question_id == question.id, Source.published_at.is_not(None))
            .order_by(Source.published_at.desc())
            .limit(1)
        )
        if latest is not None:
            check_deadline(latest, deadline)
        if question.kind == "forecast" and deadline != question.deadline_at:
            old = question.deadline_at.isoformat() if question.deadline_at else None
            changes.append(("deadline_at", old, deadline.isoformat()))
            question.deadline_at = deadline
    if not changes:
        raise Invalid("nothing was changed", {})
    edits = [
        QuestionEdit(
            question_id=question.id, field=name, old_value=old, new_value=new, reason=why,
            editor_id=editor.id,
        )
        for name, old, new in changes
    ]  # fmt: skip
    session.add_all(edits)
    if only is not None:
        _follow(session, only, question, {name for name, _, _ in changes}, why)
    session.flush()
    search_index.refresh(
        session,
        questions=[question.id],
        claims=session.scalars(select(Claim.id).where(Claim.question_id == question.id)),
    )
    reminders.replan(session, question)
    audit.record(
        session,
        "question.edited",
        "question",
        question.id,
        {"changes": [{"field": n, "old": o, "new": v} for n, o, v in changes], "reason": why},
        editor.id,
    )
    return edits


def _follow(
    session: Session, claim: Claim, question: Question, fields: set[str], reason: str
) -> None:
    """The one claim on a question says what the question now asks."""
    if "text" in fields:
        claim.question = question.text
    if "resolution_criteria" in fields:
        claim.resolution_criteria = question.resolution_criteria
    if "deadline_at" in fields:
        claim.deadline_at = question.deadline_at
        claim.deadline_origin = "explicit"
        claim.deadline_reason = reason
        # A new deadline moves the forecast's day in the scorecard's sums.
        session.flush()
        scorecard.on_outcome_changed(session, claim)


def override_probability(
    session: Session, claim: Claim, reviewer: User, *, reason: str, probability: float
) -> ClaimEdit:
    """A reviewer's override of a forecast's probability, with a reason, before any judgement
    of its question's version; the old value is kept."""
    question = claim.linked_question
    rules.lock_question(session, question)
    judged = rules.current_judgements(session, question)
    rules.require(rules.why_not_override(question, reviewer, judged))
    why = clean_text(reason, "reason", 2000)
    if why is None:
        raise Invalid("say why the claim is changed", {"reason": "required"})
    if claim.kind != "forecast":
        raise Invalid("a fact claim has no probability", {"probability": "only forecasts"})
    probability = check_probability(probability)
    if probability == claim.probability:
        raise Invalid("nothing was changed", {})
    edit = ClaimEdit(
        claim_id=claim.id, field="probability", old_value=str(claim.probability),
        new_value=str(probability), reason=why, editor_id=reviewer.id,
    )  # fmt: skip
    claim.probability = probability
    claim.probability_origin = "reviewer"
    claim.probability_reason = why
    session.add(edit)
    session.flush()
    # A new probability moves the forecast's place in the scorecard's sums.
    scorecard.on_outcome_changed(session, claim)
    audit.record(
        session,
        "claim.edited",
        "claim",
        claim.id,
        {"changes": [{"field": "probability", "old": edit.old_value, "new": edit.new_value}],
         "reason": why},
        reviewer.id,
    )  # fmt: skip
    return edit


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
) -> list[QuestionEdit | ClaimEdit]:
    """Change what a claim's question checks (editors) and the claim's own probability
    (reviewers), each keeping the old value; see `edit_question` and `override_probability`."""
    edits: list[QuestionEdit | ClaimEdit] = []
    if question is not None or resolution_criteria is not None or deadline is not None:
        edits.extend(
            edit_question(
                session, claim.linked_question, editor, reason=reason, text=question,
                resolution_criteria=resolution_criteria, deadline=deadline,
            )
        )  # fmt: skip
    if probability is not None and (not edits or probability != claim.probability):
        edits.append(
            override_probability(session, claim, editor, reason=reason, probability=probability)
        )
    if not edits:
        rules.require(
            rules.why_not_override(
                claim.linked_question,
                editor,
                rules.current_judgements(session, claim.linked_question),
            )
        )
        raise Invalid("nothing was changed", {})
    return edits


def reopen_claim(session: Session, claim: Claim, actor: User, reason: str) -> None:
    reopen_question(session, claim.linked_question, actor, reason)


def void_claim(session: Session, claim: Claim, actor: User, reason: str, detail: str = "") -> None:
    void_question(session, claim.linked_question, actor, reason, detail)


def snooze_claim(
    session: Session, claim: Claim, actor: User, until: dt.datetime, reason: str, now: dt.datetime
) -> None:
    snooze_question(session, claim.linked_question, actor, until, reason, now)
