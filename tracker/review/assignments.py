"""Who reviews a claim: assignment by load, an admin's reassignment, and the assignment that
follows a judgement. The quorum is made of assigned reviewers: everyone who judges a claim is
assigned to it, never the person who recorded it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker import audit
from tracker.errors import Conflict, Invalid
from tracker.models import Assignment, Claim, Resolution, User
from tracker.reminders import services as reminders
from tracker.review import rules


def _reviewers(session: Session) -> Sequence[User]:
    return session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.id)).all()


def _open_load(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(Assignment.user_id, func.count())
        .join(Claim, Claim.id == Assignment.claim_id)
        .where(Claim.status.in_(("open", "disputed")))
        .group_by(Assignment.user_id)
    ).all()
    return {user_id: count for user_id, count in rows}


def assign_reviewers(
    session: Session,
    claim: Claim,
    quorum: int,
    load: dict[int, int] | None = None,
    actor_id: int | None = None,
) -> list[Assignment]:
    """Top the claim's reviewers up to the quorum: the least-loaded active reviewers, never the
    person who recorded it. Returns the new assignments (fewer if there are too few people)."""
    load = _open_load(session) if load is None else load
    taken = {a.user_id for a in claim.assignments if a.user.is_active}
    needed = quorum - len(taken)
    if needed <= 0:
        return []
    candidates = sorted(
        (u for u in _reviewers(session) if u.id not in taken and u.id != claim.recorded_by_id),
        key=lambda u: (load.get(u.id, 0), u.id),
    )
    made = []
    for user in candidates[:needed]:
        assignment = Assignment(claim_id=claim.id, user_id=user.id, assigned_by_id=actor_id)
        session.add(assignment)
        claim.assignments.append(assignment)
        load[user.id] = load.get(user.id, 0) + 1
        made.append(assignment)
    if made:
        session.flush()
        audit.record(
            session,
            "claim.assigned",
            "claim",
            claim.id,
            {"user_ids": [a.user_id for a in made]},
            actor_id,
        )
    return made


def fill_assignments(session: Session, quorum: int) -> int:
    """Assign every open claim that has fewer active reviewers than the quorum (a disputed one
    waits for an admin, not for more reviewers)."""
    counts = (
        select(Assignment.claim_id, func.count().label("n"))
        .join(User, User.id == Assignment.user_id)
        .where(User.is_active.is_(True))
        .group_by(Assignment.claim_id)
        .subquery()
    )
    claims = session.scalars(
        select(Claim)
        .outerjoin(counts, counts.c.claim_id == Claim.id)
        .where(Claim.status == "open", func.coalesce(counts.c.n, 0) < quorum)
        .order_by(Claim.deadline_at.is_(None), Claim.deadline_at, Claim.id)
    ).all()
    load = _open_load(session)
    made = 0
    for claim in claims:
        made += len(assign_reviewers(session, claim, quorum, load))
    return made


def reassign(
    session: Session, claim: Claim, from_user: User, to_user: User, actor: User
) -> Assignment:
    """An admin moves one assignment, of a reviewer who has not judged yet, to another."""
    rules.lock_claim(session, claim)
    judged = rules.current_judgements(session, claim)
    rules.require(rules.why_not_reassign(claim, actor, judged))
    if to_user.id == claim.recorded_by_id:
        raise Invalid(
            "the person who recorded a claim cannot review it", {"to_user": "recorded it"}
        )
    if not to_user.is_active:
        raise Invalid("that account is disabled", {"to_user": "disabled"})
    current = next((a for a in claim.assignments if a.user_id == from_user.id), None)
    if current is None:
        raise Invalid(
            f"{from_user.display_name} is not assigned to this claim", {"from_user": "not assigned"}
        )
    if any(j.reviewer_id == from_user.id for j in judged):
        raise Conflict(
            f"{from_user.display_name} has judged this claim; the judgement stays and counts, "
            "so the assignment stays too",
            {"from_user": "has judged"},
        )
    if any(a.user_id == to_user.id for a in claim.assignments):
        raise Conflict(
            f"{to_user.display_name} is already assigned to this claim", {"to_user": "assigned"}
        )
    claim.assignments.remove(current)
    session.delete(current)
    assignment = Assignment(claim_id=claim.id, user_id=to_user.id, assigned_by_id=actor.id)
    session.add(assignment)
    claim.assignments.append(assignment)
    session.flush()
    reminders.replan(session, claim)
    audit.record(
        session,
        "claim.reassigned",
        "claim",
        claim.id,
        {"from": from_user.id, "to": to_user.id},
        actor.id,
    )
    return assignment


def successor_of(
    claim: Claim, judge: User, judged: Sequence[Resolution], quorum: int
) -> Assignment | None:
    """Whose place a judge who is not assigned to the claim takes: when the claim already has
    its quorum of active reviewers, the one assigned last of those who have not judged."""
    if any(a.user_id == judge.id for a in claim.assignments):
        return None
    active = [a for a in claim.assignments if a.user.is_active]
    if len(active) < quorum:
        return None
    waiting = [a for a in rules.waiting_assignees(claim, judged) if a.user.is_active]
    return waiting[-1] if waiting else None


def follow_judgement(
    session: Session, claim: Claim, judge: User, judged: Sequence[Resolution], quorum: int
) -> Assignment | None:
    """Assign a judge who was not assigned, in the place `successor_of` names (whose pending
    reminders the caller's replan cancels). Returns the new assignment, None if already one."""
    if any(a.user_id == judge.id for a in claim.assignments):
        return None
    replaced = successor_of(claim, judge, judged, quorum)
    if replaced is not None:
        claim.assignments.remove(replaced)
        session.delete(replaced)
    assignment = Assignment(claim_id=claim.id, user_id=judge.id, assigned_by_id=judge.id)
    session.add(assignment)
    claim.assignments.append(assignment)
    session.flush()
    audit.record(
        session,
        "claim.assigned",
        "claim",
        claim.id,
        {
            "user_ids": [judge.id],
            "replaces": replaced.user_id if replaced is not None else None,
            "because": "judged",
        },
        judge.id,
    )
    return assignment
