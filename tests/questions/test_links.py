"""Linking, splitting and merging: claims move with their stances, what a question leaves is
kept as merged, settled questions stay put, the scorecard's sums and the audit chain hold."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.questions.factories import make_forecast, reopen, settle
from tests.scorecard.cells import every_cell
from tracker import audit
from tracker.errors import Conflict, Invalid
from tracker.models import AuditEntry, Claim, Question, Speaker
from tracker.questions import links, retrieval
from tracker.questions import services as questions
from tracker.record import services
from tracker.scorecard import recount

FED = "The Federal Reserve will cut interest rates in September."
FED2 = "Economists expect the Fed to lower its policy rate at the September meeting."
ECB = "The European Central Bank will raise its deposit rate in June."


def _sums_match_a_rebuild(session: Session) -> None:
    kept = every_cell(session)
    recount.rebuild(session)
    assert every_cell(session) == kept


def test_linking_moves_a_claim_and_keeps_what_it_left_as_merged(session: Session) -> None:
    recount.rebuild(session)
    a = make_forecast(session, FED, 1)
    b = make_forecast(session, FED2, 2, probability=0.2)
    old = b.question_id
    links.link_claim(session, b, a.question_id, "against", actor_id=None)
    assert (b.question_id, b.stance) == (a.question_id, "against")
    left = session.get_one(Question, old)
    assert left.merged_into_id == a.question_id
    assert links.current_question(session, left).id == a.question_id
    # A merged question is found by nothing; the kept one by both claims' words.
    words = set(session.scalars(select(retrieval.QuestionTerm.term).where(
        retrieval.QuestionTerm.question_id == a.question_id)))  # fmt: skip
    assert {"lower", "feder"} <= words
    assert not session.scalars(
        select(retrieval.QuestionTerm).where(retrieval.QuestionTerm.question_id == old)
    ).all()
    # Linking it back revives the question it left: the change is undone.
    links.link_claim(session, b, old, "for", actor_id=None)
    assert (b.question_id, b.stance, left.merged_into_id) == (old, "for", None)
    _sums_match_a_rebuild(session)
    session.commit()
    assert audit.verify(session).ok
    actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-4:] == ["question.merged", "claim.linked", "question.revived", "claim.linked"]


def test_merge_moves_every_claim_with_its_stance_and_unmerge_brings_them_back(
    session: Session,
) -> None:
    recount.rebuild(session)
    a = make_forecast(session, FED, 1)
    b = make_forecast(session, FED2, 2)
    c = make_forecast(session, "Markets doubt the Fed will cut in September.", 3)
    links.link_claim(session, c, b.question_id, "against", actor_id=None)
    qa, qb = session.get_one(Question, a.question_id), session.get_one(Question, b.question_id)
    kept = links.merge_questions(session, qb, qa.id, "the same September decision", None)
    assert kept.id == qa.id and qb.merged_into_id == qa.id
    assert [(x.id, x.question_id, x.stance) for x in (a, b, c)] == [
        (a.id, qa.id, "for"), (b.id, qa.id, "for"), (c.id, qa.id, "against")
    ]  # fmt: skip
    entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None and entry.action == "question.merged"
    assert json.loads(entry.data)["claims"] == [[b.id, "for"], [c.id, "against"]]
    # Settling the kept question settles the moved claims by their stance.
    settle(session, qa.id, "true")
    assert [x.outcome for x in (a, b, c)] == ["true", "true", "false"]
    _sums_match_a_rebuild(session)
    # Settled: nothing moves until it is re-opened.
    with pytest.raises(Conflict, match="re-open it"):
        links.unmerge_question(session, qb, None)
    reopen(session, qa.id)
    links.unmerge_question(session, qb, None)
    assert qb.merged_into_id is None
    assert [(x.question_id, x.stance) for x in (a, b, c)] == [
        (qa.id, "for"), (qb.id, "for"), (qb.id, "against")
    ]  # fmt: skip
    _sums_match_a_rebuild(session)
    session.commit()
    assert audit.verify(session).ok


def test_settled_questions_and_kinds_are_refused_with_reasons(session: Session) -> None:
    a = make_forecast(session, FED, 1)
    b = make_forecast(session, FED2, 2)
    qa, qb = session.get_one(Question, a.question_id), session.get_one(Question, b.question_id)
    settle(session, qa.id, "false")
    with pytest.raises(
        Conflict, match=r"question \d+ has a resolution \(it is resolved\): re-open"
    ):
        links.merge_questions(session, qa, qb.id, "same", None)
    with pytest.raises(Conflict, match="has a resolution"):
        links.merge_questions(session, qb, qa.id, "same", None)
    with pytest.raises(Conflict, match="has a resolution"):
        links.link_claim(session, a, qb.id, "for", None)
    with pytest.raises(Conflict, match="has a resolution"):
        links.link_claim(session, b, qa.id, "for", None)
    with pytest.raises(Conflict, match="has a resolution"):
        links.split_claim(session, a, text=None, resolution_criteria=None, deadline_at=None,
                          actor_id=None)  # fmt: skip
    source = b.source
    fact = services.record_claim(session, source.id, kind="fact", quote="the Fed")
    with pytest.raises(Invalid, match="different kinds cannot be merged"):
        links.merge_questions(session, qb, fact.question_id, "same", None)
    with pytest.raises(Invalid, match="needs a reason"):
        links.merge_questions(session, qb, qa.id, "  ", None)
    with pytest.raises(Invalid, match="into itself"):
        links.merge_questions(session, qb, qb.id, "same", None)
    with pytest.raises(Invalid, match="stance"):
        links.link_claim(session, b, qb.id, "maybe", None)
    # Nothing moved.
    assert (a.question_id, b.question_id) == (qa.id, qb.id)


def test_split_gives_a_claim_a_question_of_its_own(session: Session) -> None:
    a = make_forecast(session, FED, 1)
    b = make_forecast(session, FED2, 2)
    links.link_claim(session, b, a.question_id, "for", None)
    links.split_claim(
        session, b, text="Will the Fed cut by 50 basis points in September?",
        resolution_criteria=None, deadline_at=None, actor_id=None,
    )  # fmt: skip
    own = session.get_one(Question, b.question_id)
    assert own.id != a.question_id and own.text.startswith("Will the Fed cut by 50")
    assert (b.stance, own.deadline_at, own.kind) == ("for", b.deadline_at, "forecast")
    assert questions.claim_count(session, a.question_id) == 1
    session.commit()
    assert audit.verify(session).ok


def test_speakers_merge_and_unmerge(session: Session) -> None:
    a = make_forecast(session, FED, 1, source={"author": "Jerome Powel"})
    b = make_forecast(session, FED2, 2, source={"author": "Jerome Powell"})
    wrong = session.get_one(Speaker, a.speaker_id)
    right = session.get_one(Speaker, b.speaker_id)
    kept = links.merge_speakers(session, wrong, right.slug, "misspelt", None)
    assert kept.id == right.id and a.speaker_id == right.id
    assert links.current_speaker(session, wrong).slug == "jerome-powell"
    with pytest.raises(Conflict, match="merged into 'jerome-powell' already"):
        links.merge_speakers(session, wrong, right.slug, "again", None)
    links.unmerge_speaker(session, wrong, None)
    assert (a.speaker_id, wrong.merged_into_id) == (wrong.id, None)
    session.commit()
    assert audit.verify(session).ok
    assert session.scalar(select(Claim.speaker_id).where(Claim.id == b.id)) == right.id
