"""Who reviews what: each open claim gets as many reviewers as the quorum needs, the least
loaded first, never the person who recorded it; admins move an assignment to someone else."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker import audit
from tracker.accounts.services import role_at_least
from tracker.errors import Conflict, Forbidden, Invalid
from tracker.models import Assignment, Claim, User
from tracker.reminders import services as reminders


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
    """Assign every open or disputed claim that has fewer reviewers than the quorum."""
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
        .where(Claim.status.in_(("open", "disputed")), func.coalesce(counts.c.n, 0) < quorum)
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
    """An admin moves one assignment to another reviewer."""
    if not actor.is_active or not role_at_least(actor.role, "admin"):
        raise Forbidden("only admins reassign reviewers")
    session.refresh(claim, with_for_update=True)  # one change of a claim at a time
    if to_user.id == claim.recorded_by_id:
        raise Invalid(
            "the person who recorded a claim cannot review it", {"to_user": "recorded it"}
        )
    if not to_user.is_active:
        raise Invalid("that account is disabled", {"to_user": "disabled"})
    current = next((a for a in claim.assignments if a.user_id == from_user.id), None)
    if current is None:
        raise Invalid(
            f"{from_user.display_name} is not assigned to this claim",
            {"from_user": "not assigned"},
        )
    if any(a.user_id == to_user.id for a in claim.assignments):
        raise Conflict(f"{to_user.display_name} is already assigned to this claim")
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
