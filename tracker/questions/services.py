"""Questions and speakers: making them, finding them, and linking claims to them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.errors import Invalid, NotFound
from tracker.models import (
    CLAIM_STANCES,
    QUESTION_KINDS,
    SPEAKER_KINDS,
    Claim,
    Question,
    Source,
    Speaker,
)
from tracker.search import index as search_index
from tracker.text import SPEAKER_SLUG_CHARS, former_slugs, speaker_slug

MAX_NAME_CHARS = 200


def check_speaker_kind(kind: str) -> str:
    if kind not in SPEAKER_KINDS:
        raise Invalid(
            f"speaker_kind must be one of {', '.join(SPEAKER_KINDS)}",
            {"speaker_kind": "unknown kind"},
        )
    return kind


def check_stance(stance: str) -> str:
    if stance not in CLAIM_STANCES:
        raise Invalid(
            "stance must be 'for' (the claim says the question's event happens, or the "
            "statement is true) or 'against' (it says the opposite)",
            {"stance": "unknown stance"},
        )
    return stance


def find_speaker(session: Session, slug: str) -> Speaker | None:
    return session.scalar(select(Speaker).where(Speaker.slug == slug))


def get_speaker(session: Session, slug: str) -> Speaker:
    speaker = find_speaker(session, slug)
    if speaker is None:
        raise NotFound(f"there is no speaker {slug!r}")
    return speaker


def speaker_named(session: Session, name: str, kind: str = "person") -> Speaker:
    """The speaker with this name's slug, made if the record has none yet. An existing speaker
    keeps its name and kind: two spellings of one slug are one speaker."""
    clean = " ".join(name.split())
    if not clean:
        raise Invalid("a speaker needs a name", {"speaker": "required"})
    if "\x00" in clean or len(clean) > MAX_NAME_CHARS:
        raise Invalid(
            f"a speaker's name is at most {MAX_NAME_CHARS} characters, with no NUL",
            {"speaker": "too long or NUL"},
        )
    check_speaker_kind(kind)
    slug = speaker_slug(clean)
    speaker = find_speaker(session, slug)
    for former in former_slugs(clean, SPEAKER_SLUG_CHARS) if speaker is None else ():
        # recorded when punctuation outside ASCII did not part words: it keeps its address
        speaker = find_speaker(session, former)
        if speaker is not None:
            break
    if speaker is None:
        speaker = Speaker(name=clean, slug=slug, kind=kind)
        session.add(speaker)
        session.flush()
        search_index.refresh(session, speakers=[speaker.id])
    return speaker


def default_speaker(session: Session, source: Source) -> Speaker | None:
    """Whose claim a quote of a source is unless it names someone: the author, else the outlet."""
    if source.author:
        return speaker_named(session, source.author, "person")
    if source.outlet:
        return speaker_named(session, source.outlet, "organization")
    return None


def claim_speaker(
    session: Session, source: Source, name: str | None, kind: str | None
) -> Speaker | None:
    """A new claim's speaker: the one named for an attributed quote, else the source's."""
    if name is not None:
        return speaker_named(session, name, kind or "person")
    return default_speaker(session, source)


def check_link(
    session: Session, kind: str, question_id: int | None, stance: str, speaker_kind: str | None
) -> Question | None:
    """Check what a new claim is to be linked to, before anything is written: the question it
    names (None: it gets a question of its own), its stance and its speaker's kind."""
    check_stance(stance)
    if speaker_kind is not None:
        check_speaker_kind(speaker_kind)
    if question_id is not None:
        return question_for_claim(session, question_id, kind)
    if stance != "for":
        raise Invalid(
            "a claim with a question of its own says what its question asks: stance 'against' "
            "needs a question_id",
            {"stance": "only with question_id"},
        )
    return None


def get_question(session: Session, question_id: int) -> Question:
    question = session.get(Question, question_id)
    if question is None:
        raise NotFound(f"there is no question {question_id}")
    return question


def new_question(
    session: Session,
    *,
    kind: str,
    text: str,
    resolution_criteria: str | None,
    deadline_at: dt.datetime | None,
    actor_id: int | None,
) -> Question:
    """A question of its own for a claim; the caller has checked the wording and deadline."""
    if kind not in QUESTION_KINDS:
        raise Invalid(f"kind must be one of {', '.join(QUESTION_KINDS)}", {"kind": "unknown"})
    question = Question(
        kind=kind,
        text=text,
        resolution_criteria=resolution_criteria,
        deadline_at=deadline_at,
        created_by_id=actor_id,
    )
    session.add(question)
    session.flush()
    search_index.refresh(session, questions=[question.id])
    return question


def question_for_claim(session: Session, question_id: int, kind: str) -> Question:
    """The question a new claim is linked to: it must exist and be of the claim's kind."""
    question = session.get(Question, question_id)
    if question is None:
        raise Invalid(f"there is no question {question_id}", {"question_id": "not found"})
    if question.kind != kind:
        raise Invalid(
            f"question {question_id} is a {question.kind} question; a {kind} claim cannot be "
            "linked to it",
            {"question_id": "another kind"},
        )
    return question


def claim_count(session: Session, question_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(Claim).where(Claim.question_id == question_id)
        )
        or 0
    )
