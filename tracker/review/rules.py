"""Who may do what to a question under review, and at which stage: the review rules in one
place, so that the services enforce them for forms and API alike and the resolve page offers
only what a person may do (README, "Reviewing"). Reviewers resolve questions; every claim on a
question takes the result.

A question's stage is its status and whether reviewers have judged its current resolution
version. Once a judgement of the version exists, what is being judged (question, criteria,
deadline, the claims' probabilities) is frozen for everyone; only an admin's re-open changes
it, as a new version that keeps the earlier judgements visible."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.accounts.services import role_at_least
from tracker.errors import Conflict, Forbidden, TrackerError
from tracker.models import Assignment, Claim, Question, Resolution, User

ACTIONS = {
    "judge": "Record a judgement",
    "settle": "Settle the dispute",
    "edit": "Change the question, criteria or deadline",
    "override": "Override the probability",
    "void": "Void",
    "snooze": "Snooze reminders",
    "reopen": "Re-open as a new version",
    "reassign": "Reassign a reviewer",
}


class NeedsRole(Forbidden):
    """Refused by the person's role at every stage (the page does not offer it at all)."""


def current_judgements(session: Session, question: Question) -> Sequence[Resolution]:
    """The judgements of the question's current resolution version, oldest first."""
    return session.scalars(
        select(Resolution)
        .where(
            Resolution.question_id == question.id,
            Resolution.version == question.resolution_version,
        )
        .order_by(Resolution.id)
    ).all()


def recorders(session: Session, question: Question) -> frozenset[int]:
    """Who recorded a claim on the question: none of them may be one of its quorum."""
    found = session.scalars(
        select(Claim.recorded_by_id)
        .where(Claim.question_id == question.id, Claim.recorded_by_id.is_not(None))
        .distinct()
    )
    return frozenset(user_id for user_id in found if user_id is not None)


def lock_question(session: Session, question: Question) -> None:
    """Hold the question's row to the end of the transaction and read it afresh, so that two
    people acting on one question at once take turns and the second sees what the first did
    (PostgreSQL row lock; on SQLite the views take the write lock before they read)."""
    session.refresh(question, with_for_update={"of": Question})
    session.expire(question, ["assignments", "resolutions", "edits"])


def _role(user: User, role: str, message: str) -> TrackerError | None:
    if not user.is_active or not role_at_least(user.role, role):
        return NeedsRole(message)
    return None


def _recorder(recorded_by: frozenset[int], user: User) -> TrackerError | None:
    if user.id in recorded_by:
        return Forbidden("the person who recorded a claim cannot resolve it")
    return None


def _closed(question: Question, what: str) -> TrackerError | None:
    if question.status in ("resolved", "void"):
        return Conflict(
            f"this question is {question.status}: it is not {what} until an admin re-opens it",
            {"status": question.status},
        )
    return None


def _judged_by(judged: Sequence[Resolution]) -> set[int]:
    return {j.reviewer_id for j in judged}


def _frozen(question: Question, judged: Sequence[Resolution]) -> TrackerError | None:
    if not judged and question.status != "disputed":
        return None
    count = len(judged)
    return Conflict(
        f"reviewers have judged this question as it stands ({count} judgement"
        f"{'' if count == 1 else 's'} of version {question.resolution_version}), so what they "
        "judged does not change under them: an admin can re-open it as a new version, and "
        "their judgements stay visible",
        {"status": "judged"},
    )


def why_not_judge(
    question: Question, user: User, judged: Sequence[Resolution], recorded_by: frozenset[int]
) -> TrackerError | None:
    """A reviewer's judgement towards the quorum: once per version, on an open question."""
    if error := _role(user, "reviewer", "only reviewers resolve claims") or _recorder(
        recorded_by, user
    ):
        return error
    if question.status in ("resolved", "void"):
        return Conflict(
            f"this question is already {question.status}; an admin must re-open it first",
            {"status": question.status},
        )
    if question.status == "disputed":
        return Conflict(
            "the reviewers disagree on this question: an admin's settlement decides it now"
            + (" (settle it)" if role_at_least(user.role, "admin") else ""),
            {"status": "disputed"},
        )
    if user.id in _judged_by(judged):
        return Conflict(
            "you have already judged this question; your judgement stays as recorded",
            {"reviewer": "already judged"},
        )
    return None


def why_not_settle(
    question: Question, user: User, judged: Sequence[Resolution], recorded_by: frozenset[int]
) -> TrackerError | None:
    """An admin's settlement decides a disputed question on its own."""
    if error := _role(user, "admin", "only admins settle disputes") or _recorder(recorded_by, user):
        return error
    if question.status != "disputed":
        return Conflict("only a disputed question can be settled", {"status": question.status})
    if user.id in _judged_by(judged):
        return Conflict(
            "you have judged this question yourself; another admin must settle it",
            {"reviewer": "already judged"},
        )
    return None


def why_not_edit(
    question: Question, user: User, judged: Sequence[Resolution]
) -> TrackerError | None:
    """Question, criteria and deadline: editors, before any judgement of the version."""
    return (
        _role(user, "editor", "only editors change a question, its criteria or deadline")
        or _closed(question, "edited")
        or _frozen(question, judged)
    )


def why_not_override(
    question: Question, user: User, judged: Sequence[Resolution]
) -> TrackerError | None:
    """A forecast's probability: reviewers, with a reason, before any judgement of the version."""
    return (
        _role(user, "reviewer", "only reviewers override a probability")
        or _closed(question, "edited")
        or _frozen(question, judged)
    )


def why_not_void(
    question: Question, user: User, judged: Sequence[Resolution]
) -> TrackerError | None:
    """Reviewers void an open question nobody has judged; once judgements are in, only an admin."""
    if error := _role(user, "reviewer", "only reviewers void claims"):
        return error
    if question.status in ("resolved", "void"):
        return Conflict(
            f"this question is already {question.status}; an admin must re-open it first",
            {"status": question.status},
        )
    if (judged or question.status == "disputed") and not role_at_least(user.role, "admin"):
        return Forbidden(
            "reviewers have judged this question: only an admin can void it now (their judgements "
            "stay visible)",
            {"status": "judged"},
        )
    return None


def why_not_snooze(
    question: Question, user: User, judged: Sequence[Resolution]
) -> TrackerError | None:
    """Snoozing holds the reminders of an open question."""
    del judged
    if error := _role(user, "reviewer", "only reviewers snooze claims"):
        return error
    if question.status == "disputed":
        return Conflict(
            "a disputed question waits for an admin's settlement: it has no reminders to hold",
            {"status": "disputed"},
        )
    if question.status != "open":
        return Conflict(
            f"a {question.status} question has nothing to snooze",
            {"status": question.status},
        )
    return None


def why_not_reopen(
    question: Question, user: User, judged: Sequence[Resolution]
) -> TrackerError | None:
    """Admins re-open a decided, void or disputed question, or an open one with judgements in."""
    if error := _role(user, "admin", "only admins re-open claims"):
        return error
    if question.status == "open" and not judged:
        return Conflict(
            "nobody has judged this version yet: there is nothing to re-open, change it directly",
            {"status": "open"},
        )
    return None


def why_not_reassign(
    question: Question, user: User, judged: Sequence[Resolution]
) -> TrackerError | None:
    """Admins move an open question's assignment from a reviewer who has not judged it yet."""
    if error := _role(user, "admin", "only admins reassign reviewers"):
        return error
    if question.status != "open":
        return Conflict(
            f"a {question.status} question takes no new reviewers"
            + (": an admin settles it" if question.status == "disputed" else ""),
            {"status": question.status},
        )
    if not waiting_assignees(question, judged):
        return Conflict(
            "every reviewer assigned to this question has judged it; their judgements stay",
            {"from_user": "has judged"},
        )
    return None


def waiting_assignees(question: Question, judged: Sequence[Resolution]) -> list[Assignment]:
    """The question's assignments whose reviewer has not judged the current version."""
    judges = _judged_by(judged)
    return [a for a in question.assignments if a.user_id not in judges]


def require(error: TrackerError | None) -> None:
    if error is not None:
        raise error


@dataclass(frozen=True)
class Standing:
    """What one person may do to one question now: for each action None (allowed) or the error
    that refuses it, with its message."""

    judge: TrackerError | None
    settle: TrackerError | None
    edit: TrackerError | None
    override: TrackerError | None
    void: TrackerError | None
    snooze: TrackerError | None
    reopen: TrackerError | None
    reassign: TrackerError | None

    def explained(self, *shown: str) -> list[tuple[str, str]]:
        """(action, why not) for each refusal that depends on the question's stage, but those of
        the actions in `shown` (the page says those elsewhere) and repeats of one reason;
        refusals of the role alone are left out."""
        seen = {e.message for e in (getattr(self, a) for a in shown) if e is not None}
        reasons = []
        for action in ACTIONS:
            error = getattr(self, action)
            if action in shown or error is None or isinstance(error, NeedsRole):
                continue
            if error.message in seen:
                continue
            seen.add(error.message)
            reasons.append((ACTIONS[action], error.message))
        return reasons


def standing(
    question: Question, user: User, judged: Sequence[Resolution], recorded_by: frozenset[int]
) -> Standing:
    return Standing(
        judge=why_not_judge(question, user, judged, recorded_by),
        settle=why_not_settle(question, user, judged, recorded_by),
        edit=why_not_edit(question, user, judged),
        override=why_not_override(question, user, judged)
        if question.kind == "forecast"
        else NeedsRole("a fact claim has no probability"),
        void=why_not_void(question, user, judged),
        snooze=why_not_snooze(question, user, judged),
        reopen=why_not_reopen(question, user, judged),
        reassign=why_not_reassign(question, user, judged),
    )
