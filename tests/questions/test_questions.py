"""Every claim is about a question and is somebody's: recording one gives it a question of its
own or links it to one already recorded, under its source's author, its outlet, or a named
speaker."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.errors import Invalid
from tracker.models import AuditEntry, Claim, Question, Source, Speaker
from tracker.questions import services as questions
from tracker.record import services

TEXT = (
    "The central bank will cut rates by March 2027, the columnist writes. "
    "Analysts at Northbank expect no cut before June 2027. "
    "The bank held rates in 2026."
)
DEADLINE = dt.datetime(2027, 3, 31, tzinfo=dt.UTC)


def _source(session: Session, **kwargs: Any) -> Source:
    fields: dict[str, Any] = {"title": "Rates", "url": "https://example.org/rates"}
    fields.update(kwargs)
    return services.record_source(session, text=TEXT, **fields)


def _forecast(session: Session, source: Source, **kwargs: Any) -> Claim:
    fields: dict[str, Any] = {
        "kind": "forecast",
        "quote": "The central bank will cut rates by March 2027",
        "deadline": DEADLINE,
        "question": "Will the central bank cut rates by 31 March 2027?",
        "resolution_criteria": "A cut announced by the bank by the deadline.",
    }
    fields.update(kwargs)
    return services.record_claim(session, source.id, **fields)


def _count(session: Session, model: type[Any]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_claim_gets_a_question_of_its_own_and_its_authors_name(session: Session) -> None:
    source = _source(session, author="Ann O\u2019Neil", outlet="The Example")
    claim = _forecast(session, source)
    question = session.get(Question, claim.question_id)
    assert question is not None
    assert (question.kind, question.text, question.deadline_at) == (
        "forecast",
        "Will the central bank cut rates by 31 March 2027?",
        DEADLINE,
    )
    assert question.resolution_criteria == "A cut announced by the bank by the deadline."
    assert claim.stance == "for"
    assert claim.speaker is not None
    assert (claim.speaker.name, claim.speaker.slug, claim.speaker.kind) == (
        "Ann O\u2019Neil",
        "ann-o-neil",
        "person",
    )
    entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None and entry.action == "claim.recorded"
    data = json.loads(entry.data)
    assert (data["question_id"], data["speaker_id"], data["stance"]) == (
        question.id,
        claim.speaker.id,
        "for",
    )


def test_without_an_author_the_outlet_speaks_and_a_fact_question_is_its_statement(
    session: Session,
) -> None:
    source = _source(session, outlet="The Example")
    claim = services.record_claim(
        session, source.id, kind="fact", quote="The bank held rates in 2026."
    )
    assert claim.speaker is not None
    assert (claim.speaker.slug, claim.speaker.kind) == ("the-example", "organization")
    question = session.get(Question, claim.question_id)
    assert question is not None
    assert (question.kind, question.text, question.deadline_at) == (
        "fact",
        "The bank held rates in 2026.",
        None,
    )
    anonymous = services.record_source(
        session, text="It will rain by 2027.", title="No byline", url="https://example.org/r"
    )
    unsigned = services.record_claim(
        session, anonymous.id, kind="forecast", quote="It will rain by 2027", deadline=DEADLINE
    )
    assert unsigned.speaker_id is None


def test_an_attributed_quote_is_its_named_speakers_and_names_are_matched_by_slug(
    session: Session,
) -> None:
    source = _source(session, author="Ann O'Neil")
    quoted = _forecast(
        session,
        source,
        quote="Analysts at Northbank expect no cut before June 2027",
        speaker="Northbank",
        speaker_kind="organization",
    )
    assert quoted.speaker is not None
    assert (quoted.speaker.name, quoted.speaker.kind) == ("Northbank", "organization")
    again = _forecast(session, source, speaker="  NORTHBANK ", key="second")
    assert again.speaker_id == quoted.speaker_id
    assert _count(session, Speaker) == 1  # the author has no claim here yet, so no speaker
    foreign = questions.speaker_named(session, "\u674e\u5a1c")
    assert foreign.slug.startswith("speaker-") and foreign.name == "\u674e\u5a1c"
    assert questions.speaker_named(session, "\u674e\u5a1c").id == foreign.id


def test_claims_from_many_sources_link_to_one_question(session: Session) -> None:
    first = _forecast(session, _source(session, author="Ann"))
    other = services.record_source(
        session,
        text="Rates will stay where they are through March 2027, says the economist.",
        title="Hold",
        url="https://example.org/hold",
        author="Bo Chen",
    )
    against = services.record_claim(
        session,
        other.id,
        kind="forecast",
        quote="Rates will stay where they are through March 2027",
        deadline=DEADLINE,
        question_id=first.question_id,
        stance="against",
    )
    assert against.question_id == first.question_id and against.stance == "against"
    assert questions.claim_count(session, first.question_id) == 2
    assert _count(session, Question) == 1
    assert {c.speaker.slug for c in (first, against) if c.speaker} == {"ann", "bo-chen"}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"stance": "maybe"}, "stance"),
        ({"stance": "against"}, "stance"),  # against what? a new question says what it asks
        ({"question_id": 999_999}, "question_id"),
        ({"speaker_kind": "robot", "speaker": "X"}, "speaker_kind"),
        ({"speaker": "x" * 201}, "speaker"),
        ({"speaker": "bad\x00name"}, "speaker"),
    ],
)
def test_bad_links_and_speakers_are_refused_and_record_nothing(
    session: Session, fields: dict[str, Any], field: str
) -> None:
    source = _source(session, author="Ann")
    before = (_count(session, Claim), _count(session, Question), _count(session, Speaker))
    with pytest.raises(Invalid) as refused:
        _forecast(session, source, **fields)
    assert field in refused.value.fields
    session.rollback()
    assert (_count(session, Claim), _count(session, Question), _count(session, Speaker)) == before


def test_a_claim_cannot_join_a_question_of_the_other_kind(session: Session) -> None:
    source = _source(session, author="Ann")
    fact = services.record_claim(
        session, source.id, kind="fact", quote="The bank held rates in 2026."
    )
    with pytest.raises(Invalid, match="fact question"):
        _forecast(session, source, question_id=fact.question_id)
