"""The reviewers' queue of questions: what is due, overdue, disputed, assigned to someone, or
coming up; each with how many claims are about it and one of their quotes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, literal, or_, select
from sqlalchemy.orm import Session, selectinload

from tracker.db import UTCDateTime
from tracker.errors import Invalid
from tracker.models import Assignment, Claim, Question, Resolution, Source

TABS = ("mine", "due", "overdue", "facts", "disputed", "upcoming")
OVERDUE_AFTER = dt.timedelta(days=3)
PER_PAGE = 50


def _not_snoozed(now: dt.datetime) -> ColumnElement[bool]:
    return or_(Question.snoozed_until.is_(None), Question.snoozed_until <= now)


def _condition(tab: str, now: dt.datetime, user_id: int | None) -> ColumnElement[bool]:
    overdue_at = now - OVERDUE_AFTER
    # Range conditions on (status, deadline_at, snoozed_until): one index answers them.
    if tab == "due":
        return and_(
            Question.status == "open",
            Question.deadline_at > overdue_at,
            Question.deadline_at <= now,
            _not_snoozed(now),
        )
    if tab == "facts":
        # Fact questions wait for a check from the day they are recorded.
        return and_(Question.status == "open", Question.deadline_at.is_(None), _not_snoozed(now))
    if tab == "overdue":
        return and_(
            Question.status == "open", _not_snoozed(now), Question.deadline_at <= overdue_at
        )
    if tab == "disputed":
        return Question.status == "disputed"
    if tab == "upcoming":
        return and_(
            Question.status == "open",
            or_(Question.deadline_at > now, Question.snoozed_until > now),
        )
    if tab == "mine":
        if user_id is None:
            raise Invalid("log in to see what is assigned to you", {"tab": "needs a login"})
        judged = select(Resolution.id).where(
            Resolution.question_id == Question.id,
            Resolution.version == Question.resolution_version,
            Resolution.reviewer_id == user_id,
        )
        # Driven from the reviewer's assignments (see _select), not from every open question.
        # A disputed question waits for an admin's settlement, not for its reviewers.
        return and_(Assignment.user_id == user_id, Question.status == "open", ~judged.exists())
    raise Invalid(f"tab must be one of {', '.join(TABS)}", {"tab": "unknown tab"})


def _select(tab: str, now: dt.datetime, user_id: int | None, *columns: Any) -> Select[Any]:
    query = select(*columns)
    if tab == "mine":
        query = query.select_from(Assignment).join(Question, Question.id == Assignment.question_id)
    # A merged question has no claims left: nothing on it waits for a reviewer.
    return query.where(_condition(tab, now, user_id), Question.merged_into_id.is_(None))


def counts(session: Session, now: dt.datetime, user_id: int | None) -> dict[str, int]:
    """How many questions each tab holds: one pass over the open and disputed questions for the
    tabs that are conditions on a question, and one over the reviewer's assignments."""
    shared = [tab for tab in TABS if tab != "mine"]
    row = session.execute(
        select(
            *(func.count(Question.id).filter(_condition(tab, now, None)) for tab in shared)
        ).where(Question.status.in_(("open", "disputed")), Question.merged_into_id.is_(None))
    ).one()
    result = {tab: row[index] or 0 for index, tab in enumerate(shared)}
    if user_id is not None:
        mine = _select("mine", now, user_id, func.count(Question.id))
        result = {"mine": session.scalar(mine) or 0, **result}
    return result


# Questions without a deadline (facts) come after every dated one.
NO_DEADLINE = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


def _sort_key(tab: str) -> ColumnElement[dt.datetime]:
    if tab in ("due", "overdue", "upcoming"):
        return Question.deadline_at  # type: ignore[return-value]  # never NULL in these tabs
    return func.coalesce(Question.deadline_at, literal(NO_DEADLINE, UTCDateTime()))


@dataclass(frozen=True)
class Sample:
    """What the queue shows of a question's claims: how many, and the first one's quote."""

    claims: int
    claim_id: int | None
    quote: str | None
    outlet: str | None


def list_tab(
    session: Session,
    tab: str,
    now: dt.datetime,
    user_id: int | None,
    after: tuple[dt.datetime, int] | None = None,
) -> Sequence[Question]:
    """One page of a tab, the longest overdue first (upcoming: the soonest first), after the
    (deadline, id) of the last question of the page before: page 200 costs what page 1 costs."""
    key = _sort_key(tab)
    query = _select(tab, now, user_id, Question).order_by(key, Question.id)
    if after is not None:
        deadline, question_id = after
        query = query.where(or_(key > deadline, and_(key == deadline, Question.id > question_id)))
    return session.scalars(query.limit(PER_PAGE).options(selectinload(Question.assignments))).all()


def samples(session: Session, questions: Sequence[Question]) -> dict[int, Sample]:
    """For each question of a page: how many claims it has and its first claim's quote (two
    queries for the page)."""
    ids = [q.id for q in questions]
    if not ids:
        return {}
    firsts = (
        select(Claim.question_id, func.count().label("n"), func.min(Claim.id).label("first"))
        .where(Claim.question_id.in_(ids))
        .group_by(Claim.question_id)
        .subquery()
    )
    rows = session.execute(
        select(firsts.c.question_id, firsts.c.n, Claim.id, Claim.quote, Source.outlet)
        .join(Claim, Claim.id == firsts.c.first)
        .join(Source, Source.id == Claim.source_id)
    ).all()
    found = {row[0]: Sample(row[1], row[2], row[3], row[4]) for row in rows}
    return {i: found.get(i, Sample(0, None, None, None)) for i in ids}


def claims_of(session: Session, question_id: int, limit: int) -> Sequence[Claim]:
    """The first `limit` claims on a question, in the order they were recorded, with their
    sources and speakers."""
    return session.scalars(
        select(Claim)
        .where(Claim.question_id == question_id)
        .order_by(Claim.id)
        .limit(limit)
        .options(selectinload(Claim.source), selectinload(Claim.speaker))
    ).all()


def position(question: Question) -> str:
    """The `after` value that continues the queue after this question."""
    return f"{(question.deadline_at or NO_DEADLINE).isoformat()}|{question.id}"
