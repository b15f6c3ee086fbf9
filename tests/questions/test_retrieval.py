"""Proposing questions for a claim from the database: the questions that share its rare words,
scored by the matcher, best first; the term index kept by every write equals a rebuild."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.questions.factories import make_forecast
from tracker.models import Question, QuestionTerm, QuestionTermCount
from tracker.questions import links, matching, retrieval

FED = "The Federal Reserve will cut interest rates at its September meeting."
ECB = "The European Central Bank will raise its deposit rate in June."
TOUR = "Tadej Pogacar will win the Tour de France this year."
NEW = "Economists expect the Federal Reserve to cut rates in September."


def _index(session: Session) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    terms = sorted(
        (t, q) for t, q in session.execute(select(QuestionTerm.term, QuestionTerm.question_id))
    )
    counts = sorted(
        (t, n)
        for t, n in session.execute(select(QuestionTermCount.term, QuestionTermCount.questions))
    )
    return terms, counts


def test_a_new_claim_is_proposed_the_question_of_its_event_first(session: Session) -> None:
    fed = make_forecast(session, FED, 1)
    ecb = make_forecast(session, ECB, 2)
    make_forecast(session, TOUR, 3)
    claim = matching.ClaimText(NEW, dt.date(2026, 1, 10))
    proposals = retrieval.propose(session, claim, kind="forecast")
    assert [p.question_id for p in proposals][:2] == [fed.question_id, ecb.question_id]
    assert proposals[0].score > proposals[1].score
    assert proposals[0].text == FED.rstrip(".")
    assert retrieval.propose(session, claim, kind="fact") == []
    # A recorded claim is not proposed its own question, nor one whose deadline had long
    # passed when it was published.
    new = make_forecast(session, NEW, 4)
    ids = [p.question_id for p in retrieval.propose_for_claim(session, new)]
    assert ids[:1] == [fed.question_id] and new.question_id not in ids
    late = matching.ClaimText(NEW, dt.date(2027, 6, 1))
    assert retrieval.propose(session, late, kind="forecast") == []
    assert retrieval.propose(session, matching.ClaimText("Nothing in common here.", None)) == []


def test_the_index_follows_every_write_and_equals_a_rebuild(session: Session) -> None:
    fed = make_forecast(session, FED, 1)
    ecb = make_forecast(session, ECB, 2)
    new = make_forecast(session, NEW, 3)
    links.link_claim(session, new, fed.question_id, "for", None)
    question = session.get_one(Question, ecb.question_id)
    question.text = "Will the ECB raise its deposit rate in June 2027?"
    session.flush()
    links.merge_questions(
        session, question, fed.question_id, "same meeting, as it turned out", None
    )
    kept = _index(session)
    assert ("ecb", ecb.question_id) not in kept[0]  # merged: found by nothing
    assert ("economist", fed.question_id) in kept[0]  # a linked quote's words find its question
    retrieval.rebuild(session.connection())
    assert _index(session) == kept
    counts = dict(kept[1])
    assert counts["feder"] == 1 and all(n > 0 for n in counts.values())
