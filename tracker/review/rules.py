"""Who may do what to a claim, and at which stage: the review rules in one place, so that the
services enforce them for forms and API alike and the resolve page offers only what a person
may do (README, "Reviewing").

A claim's stage is its status and whether reviewers have judged its current resolution
version. Once a judgement of the version exists, what is being judged (question, criteria,
deadline, probability) is frozen for everyone; only an admin's re-open changes it, as a new
version that keeps the earlier judgements visible."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.accounts.services import role_at_least
from tracker.errors import Conflict, Forbidden, TrackerError
from tracker.models import Assignment, Claim, Resolution, User

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


def current_judgements(session: Session, claim: Claim) -> Sequence[Resolution]:
    """The judgements of the claim's current resolution version, oldest first."""
    return session.scalars(
        select(Resolution)
        .where(Resolution.claim_id == claim.id, Resolution.version == claim.resolution_version)
        .order_by(Resolution.id)
    ).all()


def lock_claim(session: Session, claim: Claim) -> None:
    """Hold the claim's row to the end of the transaction and read it afresh, so that two people
    acting on one claim at once take turns and the second sees what the first did (PostgreSQL
    row lock; on SQLite the views take the write lock before they read)."""
    session.refresh(claim, with_for_update={"of": Claim})
    session.expire(claim, ["assignments", "resolutions", "edits"])


def _role(user: User, role: str, message: str) -> TrackerError | None:
    if not user.is_active or not role_at_least(user.role, role):
        return NeedsRole(message)
    return None


def _recorder(claim: Claim, user: User) -> TrackerError | None:
    if claim.recorded_by_id is not None and claim.recorded_by_id == user.id:
        return Forbidden("the person who recorded a claim cannot resolve it")
    return None


def _closed(claim: Claim, what: str) -> TrackerError | None:
    if claim.status in ("resolved", "void"):
        return Conflict(
            f"this claim is {claim.status}: it is not {what} until an admin re-opens it",
            {"status": claim.status},
        )
    return None


def _judged_by(judged: Sequence[Resolution]) -> set[int]:
    return {j.reviewer_id for j in judged}


def _frozen(claim: Claim, judged: Sequence[Resolution]) -> TrackerError | None:
    if not judged and claim.status != "disputed":
        return None
    count = len(judged)
    return Conflict(
        f"reviewers have judged this claim as it stands ({count} judgement"
        f"{'' if count == 1 else 's'} of version {claim.resolution_version}), so what they "
        "judged does not change under them: an admin can re-open it as a new version, and "
        "their judgements stay visible",
        {"status": "judged"},
    )


def why_not_judge(claim: Claim, user: User, judged: Sequence[Resolution]) -> TrackerError | None:
    """A reviewer's judgement towards the quorum: once per version, on an open claim."""
    if error := _role(user, "reviewer", "only reviewers resolve claims") or _recorder(claim, user):
        return error
    if claim.status in ("resolved", "void"):
        return Conflict(
            f"this claim is already {claim.status}; an admin must re-open it first",
            {"status": claim.status},
        )
    if claim.status == "disputed":
        return Conflict(
            "the reviewers disagree on this claim: an admin's settlement decides it now"
            + (" (settle it)" if role_at_least(user.role, "admin") else ""),
            {"status": "disputed"},
        )
    if user.id in _judged_by(judged):
        return Conflict(
            "you have already judged this claim; your judgement stays as recorded",
            {"reviewer": "already judged"},
        )
    return None


def why_not_settle(claim: Claim, user: User, judged: Sequence[Resolution]) -> TrackerError | None:
    """An admin's settlement decides a disputed claim on its own."""
    if error := _role(user, "admin", "only admins settle disputes") or _recorder(claim, user):
        return error
    if claim.status != "disputed":
        return Conflict("only a disputed claim can be settled", {"status": claim.status})
    if user.id in _judged_by(judged):
        return Conflict(
            "you have judged this claim yourself; another admin must settle it",
            {"reviewer": "already judged"},
        )
    return None


def why_not_edit(claim: Claim, user: User, judged: Sequence[Resolution]) -> TrackerError | None:
    """Question, criteria and deadline: editors, before any judgement of the version."""
    return (
        _role(user, "editor", "only editors change a claim's question, criteria or deadline")
        or _closed(claim, "edited")
        or _frozen(claim, judged)
    )


def why_not_override(claim: Claim, user: User, judged: Sequence[Resolution]) -> TrackerError | None:
    """A forecast's probability: reviewers, with a reason, before any judgement of the version."""
    return (
        _role(user, "reviewer", "only reviewers override a probability")
        or _closed(claim, "edited")
        or _frozen(claim, judged)
    )


def why_not_void(claim: Claim, user: User, judged: Sequence[Resolution]) -> TrackerError | None:
    """Reviewers void an open claim nobody has judged; once judgements are in, only an admin."""
    if error := _role(user, "reviewer", "only reviewers void claims"):
        return error
    if claim.status in ("resolved", "void"):
        return Conflict(
            f"this claim is already {claim.status}; an admin must re-open it first",
            {"status": claim.status},
        )
    if (judged or claim.status == "disputed") and not role_at_least(user.role, "admin"):
        return Forbidden(
            "reviewers have judged this claim: only an admin can void it now (their judgements "
            "stay visible)",
            {"status": "judged"},
        )
    return None


def why_not_snooze(claim: Claim, user: User, judged: Sequence[Resolution]) -> TrackerError | None:
    """Snoozing holds the reminders of an open claim."""
    del judged
    if error := _role(user, "reviewer", "only reviewers snooze claims"):
        return error
    if claim.status == "disputed":
        return Conflict(
            "a disputed claim waits for an admin's settlement: it has no reminders to hold",
            {"status": "disputed"},
        )
    if claim.status != "open":
        return Conflict(f"a {claim.status} claim has nothing to snooze", {"status": claim.status})
    return None


def why_not_reopen(claim: Claim, user: User, judged: Sequence[Resolution]) -> TrackerError | None:
    """Admins re-open a decided, void or disputed claim, or an open one with judgements in."""
    if error := _role(user, "admin", "only admins re-open claims"):
        return error
    if claim.status == "open" and not judged:
        return Conflict(
            "nobody has judged this version yet: there is nothing to re-open, change it directly",
            {"status": "open"},
        )
    return None


def why_not_reassign(claim: Claim, user: User, judged: Sequence[Resolution]) -> TrackerError | None:
    """Admins move an open claim's assignment from a reviewer who has not judged it yet."""
    if error := _role(user, "admin", "only admins reassign reviewers"):
        return error
    if claim.status != "open":
        return Conflict(
            f"a {claim.status} claim takes no new reviewers"
            + (": an admin settles it" if claim.status == "disputed" else ""),
            {"status": claim.status},
        )
    if not waiting_assignees(claim, judged):
        return Conflict(
            "every reviewer assigned to this claim has judged it; their judgements stay",
            {"from_user": "has judged"},
        )
    return None


def waiting_assignees(claim: Claim, judged: Sequence[Resolution]) -> list[Assignment]:
    """The claim's assignments whose reviewer has not judged the current version."""
    judges = _judged_by(judged)
    return [a for a in claim.assignments if a.user_id not in judges]


def require(error: TrackerError | None) -> None:
    if error is not None:
        raise error


@dataclass(frozen=True)
class Standing:
    """What one person may do to one claim now: for each action None (allowed) or the error
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
        """(action, why not) for each refusal that depends on the claim's stage, but those of
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


def standing(claim: Claim, user: User, judged: Sequence[Resolution]) -> Standing:
    return Standing(
        judge=why_not_judge(claim, user, judged),
        settle=why_not_settle(claim, user, judged),
        edit=why_not_edit(claim, user, judged),
        override=why_not_override(claim, user, judged)
        if claim.kind == "forecast"
        else NeedsRole("a fact claim has no probability"),
        void=why_not_void(claim, user, judged),
        snooze=why_not_snooze(claim, user, judged),
        reopen=why_not_reopen(claim, user, judged),
        reassign=why_not_reassign(claim, user, judged),
    )
