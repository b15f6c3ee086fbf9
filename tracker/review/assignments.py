"""Who reviews a question: assignment by load, an admin's reassignment, and the assignment that
follows a judgement. The quorum is made of assigned reviewers: everyone who judges a question
is assigned to it, never a person who recorded a claim on it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker import audit
from tracker.errors import Conflict, Invalid
from tracker.models import Assignment, Question, Resolution, User
from tracker.reminders import services as reminders
from tracker.review import rules


def _reviewers(session: Session) -> Sequence[User]:
    return session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.id)).all()


def _open_load(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(Assignment.user_id, func.count())
        .join(Question, Question.id == Assignment.question_id)
        .where(Question.status.in_(("open", "disputed")), Question.merged_into_id.is_(None))
        .group_by(Assignment.user_id)
    ).all()
    return {user_id: count for user_id, count in rows}


def assign_reviewers(
    session: Session,
    question: Question,
    quorum: int,
    load: dict[int, int] | None = None,
    actor_id: int | None = None,
) -> list[Assignment]:
    """Top the question's reviewers up to the quorum: the least-loaded active reviewers, never
    a person who recorded a claim on it. Returns the new assignments (fewer if there are too
    few people)."""
    load = _open_load(session) if load is None else load
    taken = {a.user_id for a in question.assignments if a.user.is_active}
    needed = quorum - len(taken)
    if needed <= 0:
        return []
    recorded_by = rules.recorders(session, question)
    candidates = sorted(
        (u for u in _reviewers(session) if u.id not in taken and u.id not in recorded_by),
        key=lambda u: (load.get(u.id, 0), u.id),
    )
    made = []
    for user in candidates[:needed]:
        assignment = Assignment(question_id=question.id, user_id=user.id, assigned_by_id=actor_id)
        session.add(assignment)
        question.assignments.append(assignment)
        load[user.id] = load.get(user.id, 0) + 1
        made.append(assignment)
    if made:
        session.flush()
        audit.record(
            session,
            "question.assigned",
            "question",
            question.id,
            {"user_ids": [a.user_id for a in made]},
            actor_id,
        )
    return made


def fill_assignments(session: Session, quorum: int) -> int:
    """Assign every open question that has fewer active reviewers than the quorum (a disputed
    one waits for an admin, not for more reviewers)."""
    counts = (
        select(Assignment.question_id, func.count().label("n"))
        .join(User, User.id == Assignment.user_id)
        .where(User.is_active.is_(True))
        .group_by(Assignment.question_id)
        .subquery()
    )
    questions = session.scalars(
        select(Question)
        .outerjoin(counts, counts.c.question_id == Question.id)
        .where(
            Question.status == "open",
            Question.merged_into_id.is_(None),
            func.coalesce(counts.c.n, 0) < quorum,
        )
        .order_by(Question.deadline_at.is_(None), Question.deadline_at, Question.id)
    ).all()
    load = _open_load(session)
    made = 0
    for question in questions:
        made += len(assign_reviewers(session, question, quorum, load))
    return made


def reassign(
    session: Session, question: Question, from_user: User, to_user: User, actor: User
) -> Assignment:
    """An admin moves one assignment, of a reviewer who has not judged yet, to another."""
    rules.lock_question(session, question)
    judged = rules.current_judgements(session, question)
    rules.require(rules.why_not_reassign(question, actor, judged))
    if to_user.id in rules.recorders(session, question):
        raise Invalid(
            "the person who recorded a claim cannot review it", {"to_user": "recorded it"}
        )
    if not to_user.is_active:
        raise Invalid("that account is disabled", {"to_user": "disabled"})
    current = next((a for a in question.assignments if a.user_id == from_user.id), None)
    if current is None:
        raise Invalid(
            f"{from_user.display_name} is not assigned to this question",
            {"from_user": "not assigned"},
        )
    if any(j.reviewer_id == from_user.id for j in judged):
        raise Conflict(
            f"{from_user.display_name} has judged this question; the judgement stays and counts, "
            "so the assignment stays too",
            {"from_user": "has judged"},
        )
    if any(a.user_id == to_user.id for a in question.assignments):
        raise Conflict(
            f"{to_user.display_name} is already assigned to this question", {"to_user": "assigned"}
        )
    question.assignments.remove(current)
    session.delete(current)
    assignment = Assignment(question_id=question.id, user_id=to_user.id, assigned_by_id=actor.id)
    session.add(assignment)
    question.assignments.append(assignment)
    session.flush()
    reminders.replan(session, question)
    audit.record(
        session,
        "question.reassigned",
        "question",
        question.id,
        {"from": from_user.id, "to": to_user.id},
        actor.id,
    )
    return assignment


def successor_of(
    question: Question, judge: User, judged: Sequence[Resolution], quorum: int
) -> Assignment | None:
    """Whose place a judge who is not assigned to the question takes: when it already has its
    quorum of active reviewers, the one assigned last of those who have not judged."""
    if any(a.user_id == judge.id for a in question.assignments):
        return None
    active = [a for a in question.assignments if a.user.is_active]
    if len(active) < quorum:
        return None
    waiting = [a for a in rules.waiting_assignees(question, judged) if a.user.is_active]
    return waiting[-1] if waiting else None


def follow_judgement(
    session: Session, question: Question, judge: User, judged: Sequence[Resolution], quorum: int
) -> Assignment | None:
    """Assign a judge who was not assigned, in the place `successor_of` names (whose pending
    reminders the caller's replan cancels). Returns the new assignment, None if already one."""
    if any(a.user_id == judge.id for a in question.assignments):
        return None
    replaced = successor_of(question, judge, judged, quorum)
    if replaced is not None:
        question.assignments.remove(replaced)
        session.delete(replaced)
    assignment = Assignment(question_id=question.id, user_id=judge.id, assigned_by_id=judge.id)
    session.add(assignment)
    question.assignments.append(assignment)
    session.flush()
    audit.record(
        session,
        "question.assigned",
        "question",
        question.id,
        {
            "user_ids": [judge.id],
            "replaces": replaced.user_id if replaced is not None else None,
            "because": "judged",
        },
        judge.id,
    )
    return assignment
