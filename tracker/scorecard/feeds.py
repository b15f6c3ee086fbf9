"""What a follower of one speaker, outlet, tag or question is told: the claims recorded and
the claims resolved, newest first. Each event is one Atom entry with a stable id: a claim's
recording, or one resolution version of it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from tracker.errors import NotFound
from tracker.models import Claim, ClaimTag, Question, Source, Speaker

FEED_KINDS = ("speaker", "outlet", "tag", "question")
MAX_ENTRIES = 50  # a feed holds the newest events only; readers poll it


@dataclass(frozen=True)
class Subject:
    """What a feed follows: its kind, its key in the address, and its name for people."""

    kind: str
    key: str
    name: str
    speaker_id: int | None = None
    question_id: int | None = None


@dataclass(frozen=True)
class Event:
    """A claim recorded, or resolved (in its current resolution version)."""

    what: Literal["recorded", "resolved"]
    at: dt.datetime
    claim: Claim


def get_subject(session: Session, kind: str, key: str) -> Subject:
    """The speaker (by slug), outlet (slug), tag or question (id) a feed follows; NotFound
    when the record has none."""
    found: Any = None
    if kind == "speaker":
        speaker = session.scalar(select(Speaker).where(Speaker.slug == key))
        if speaker is not None:
            return Subject(kind, key, speaker.name, speaker_id=speaker.id)
    elif kind == "outlet":
        found = session.scalar(select(func.min(Source.outlet)).where(Source.outlet_slug == key))
    elif kind == "tag":
        found = session.scalar(select(ClaimTag.tag).where(ClaimTag.tag == key).limit(1))
    elif kind == "question" and key.isdigit():
        question = session.get(Question, int(key))
        if question is not None:
            return Subject(kind, key, question.text, question_id=question.id)
    if found is None:
        raise NotFound(f"there is no {kind} {key!r}")
    return Subject(kind, key, str(found))


def _of(subject: Subject) -> Any:
    """The condition on claims that picks the subject's."""
    if subject.kind == "speaker":
        return Claim.speaker_id == subject.speaker_id
    if subject.kind == "question":
        return Claim.question_id == subject.question_id
    if subject.kind == "outlet":
        return Claim.source_id.in_(select(Source.id).where(Source.outlet_slug == subject.key))
    return Claim.id.in_(select(ClaimTag.claim_id).where(ClaimTag.tag == subject.key))


def list_events(session: Session, subject: Subject, limit: int = MAX_ENTRIES) -> list[Event]:
    """The subject's newest `limit` events (recordings and resolutions), newest first; at
    equal times a resolution before a recording, a later claim before an earlier one."""
    condition = _of(subject)
    recorded = session.scalars(
        select(Claim)
        .where(condition)
        .order_by(Claim.created_at.desc(), Claim.id.desc())
        .options(selectinload(Claim.source), selectinload(Claim.speaker))
        .limit(limit)
    ).all()
    resolved = session.scalars(
        select(Claim)
        .where(condition, Claim.status == "resolved", Claim.resolved_at.is_not(None))
        .order_by(Claim.resolved_at.desc(), Claim.id.desc())
        .options(selectinload(Claim.source), selectinload(Claim.speaker))
        .limit(limit)
    ).all()
    events = [Event("recorded", c.created_at, c) for c in recorded]
    events += [Event("resolved", c.resolved_at, c) for c in resolved if c.resolved_at]
    events.sort(key=lambda e: (e.at, e.what == "resolved", e.claim.id), reverse=True)
    return events[:limit]
