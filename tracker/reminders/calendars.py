"""Deadlines as iCalendar feeds: the public one, and each reviewer's private feed of the claims
assigned to them, reached by a secret URL token of which only the SHA-256 is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from urllib.parse import urlsplit

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tracker.errors import NotFound
from tracker.models import Assignment, Claim, ReminderSettings, User

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


def _claims_query(now: dt.datetime) -> object:
    return (
        select(Claim)
        .where(
            Claim.status.in_(("open", "disputed")),
            Claim.deadline_at.is_not(None),
            Claim.deadline_at >= now - KEEP_PAST,
        )
        .order_by(Claim.deadline_at, Claim.id)
        .options(selectinload(Claim.source))
        .limit(MAX_EVENTS)
    )


def public_feed(session: Session, now: dt.datetime, base_url: str) -> bytes:
    claims = session.scalars(_claims_query(now)).all()  # type: ignore[call-overload]
    return _calendar(claims, now, base_url, "Claim tracker: deadlines", resolve=False)


def private_feed(session: Session, token: str, now: dt.datetime, base_url: str) -> bytes:
    user = find_user_by_token(session, token)
    if user is None:
        raise NotFound("there is no calendar at this address")
    query = _claims_query(now).where(  # type: ignore[attr-defined]
        Claim.id.in_(select(Assignment.claim_id).where(Assignment.user_id == user.id))
    )
    claims = session.scalars(query).all()
    return _calendar(
        claims, now, base_url, f"Claim tracker: deadlines for {user.display_name}", resolve=True
    )


def _calendar(
    claims: Sequence[Claim], now: dt.datetime, base_url: str, name: str, *, resolve: bool
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
    for claim in claims:
        assert claim.deadline_at is not None
        url = f"{base_url}/claims/{claim.id}" + ("/resolve" if resolve else "")
        title = claim.question or claim.quote
        event = Event()
        # Stable across feeds and fetches, so clients update an event instead of adding one.
        event.add("uid", f"claim-{claim.id}-deadline@{host}")
        event.add("dtstamp", claim.updated_at.astimezone(dt.UTC))
        event.add("dtstart", claim.deadline_at.astimezone(dt.UTC))
        event.add("dtend", claim.deadline_at.astimezone(dt.UTC) + dt.timedelta(minutes=30))
        event.add("summary", f"Deadline: {' '.join(title.split())[:200]}")
        description = f"“{claim.quote}”\n\n{claim.source.title}"
        if claim.resolution_criteria:
            description += f"\n\nResolution criteria: {claim.resolution_criteria}"
        event.add("description", description + f"\n\n{url}")
        event.add("url", url)
        event.add("status", "CONFIRMED")
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    del now
    data: bytes = calendar.to_ical()
    return data
