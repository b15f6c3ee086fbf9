"""Deadlines as iCalendar feeds: the public one, and each reviewer's private feed of the
questions assigned to them, reached by a secret URL token of which only the SHA-256 is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from urllib.parse import urlsplit

from icalendar import Calendar, Event
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from tracker.errors import NotFound
from tracker.models import Assignment, Claim, Question, ReminderSettings, User
from tracker.text import plural

# Past deadlines stay in the feed this long, so a calendar keeps the recent ones.
KEEP_PAST = dt.timedelta(days=90)
MAX_EVENTS = 5000


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User) -> str:
    """A new secret feed token for the user; the old one stops working. Shown once."""
    token = secrets.token_urlsafe(32)
    settings = session.get(ReminderSettings, user.id)
    if settings is None:
        settings = ReminderSettings(user_id=user.id)
        session.add(settings)
    settings.calendar_token_sha256 = _digest(token)
    session.flush()
    return token


def find_user_by_token(session: Session, token: str) -> User | None:
    if not token or len(token) > 200:
        return None
    return session.scalar(
        select(User)
        .join(ReminderSettings, ReminderSettings.user_id == User.id)
        .where(ReminderSettings.calendar_token_sha256 == _digest(token), User.is_active)
    )


def _questions_query(now: dt.datetime) -> Select[Question]:
    return (
        select(Question)
        .where(
            Question.status.in_(("open", "disputed")),
            Question.merged_into_id.is_(None),
            Question.deadline_at.is_not(None),
            Question.deadline_at >= now - KEEP_PAST,
        )
        .order_by(Question.deadline_at, Question.id)
        .limit(MAX_EVENTS)
    )


def public_feed(session: Session, now: dt.datetime, base_url: str) -> bytes:
    found = session.scalars(_questions_query(now)).all()
    return _calendar(session, found, base_url, "Claim tracker: deadlines", resolve=False)


def private_feed(session: Session, token: str, now: dt.datetime, base_url: str) -> bytes:
    user = find_user_by_token(session, token)
    if user is None:
        raise NotFound("there is no calendar at this address")
    query = _questions_query(now).where(
        Question.id.in_(select(Assignment.question_id).where(Assignment.user_id == user.id))
    )
    found = session.scalars(query).all()
    return _calendar(
        session, found, base_url, f"Claim tracker: deadlines for {user.display_name}",
        resolve=True,
    )  # fmt: skip


def _first_claims(session: Session, question_ids: list[int]) -> dict[int, tuple[Claim, int]]:
    """Each question's first claim (with its source) and how many claims it has."""
    found: dict[int, tuple[Claim, int]] = {}
    for start in range(0, len(question_ids), 500):
        chunk = question_ids[start : start + 500]
        firsts = (
            select(Claim.question_id, func.min(Claim.id).label("first"), func.count().label("n"))
            .where(Claim.question_id.in_(chunk))
            .group_by(Claim.question_id)
            .subquery()
        )
        for claim, count in session.execute(
            select(Claim, firsts.c.n)
            .join(firsts, firsts.c.first == Claim.id)
            .options(selectinload(Claim.source))
        ):
            found[claim.question_id] = (claim, count)
    return found


def _calendar(
    session: Session, questions: Sequence[Question], base_url: str, name: str, *, resolve: bool
) -> bytes:
    base_url = base_url.rstrip("/")
    host = urlsplit(base_url).hostname or "claim-tracker"
    calendar = Calendar()
    calendar.add("prodid", "-//Claim tracker//deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "UTC")
    firsts = _first_claims(session, [q.id for q in questions])
    for question in questions:
        assert question.deadline_at is not None
        first = firsts.get(question.id)
        if resolve:
            url = f"{base_url}/questions/{question.id}/resolve"
        elif first is not None:
            url = f"{base_url}/claims/{first[0].id}"
        else:
            url = f"{base_url}/review"
        event = Event()
        # Stable across feeds and fetches, so clients update an event instead of adding one.
        event.add("uid", f"question-{question.id}-deadline@{host}")
        event.add("dtstamp", question.updated_at.astimezone(dt.UTC))
        event.add("dtstart", question.deadline_at.astimezone(dt.UTC))
        event.add("dtend", question.deadline_at.astimezone(dt.UTC) + dt.timedelta(minutes=30))
        event.add("summary", f"Deadline: {' '.join(question.text.split())[:200]}")
        description = ""
        if first is not None:
            claim, count = first
            description = f"“{claim.quote}”\n\n{claim.source.title}"
            if count > 1:
                description += f" (and {plural(count - 1, 'other claim')})"
            description += "\n\n"
        if question.resolution_criteria:
            description += f"Resolution criteria: {question.resolution_criteria}\n\n"
        event.add("description", description + url)
        event.add("url", url)
        event.add("status", "CONFIRMED")
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data
