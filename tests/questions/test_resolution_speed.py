"""Resolving a question that 1,000 claims are about takes under a second, the scorecard's sums
included: two UPDATE statements for the claims and one pass of the sums, not a round of queries
per claim."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from tests.scorecard.cells import every_cell
from tracker.models import Claim, ClaimTag, Question, User
from tracker.record import services
from tracker.review import changes, resolutions
from tracker.scorecard import recount
from tracker.scorecard import services as scorecard

pytestmark = pytest.mark.timed

N = 1000
ROUNDS = 3
DEADLINE = dt.datetime(2027, 3, 31, tzinfo=dt.UTC)
NOW = dt.datetime(2027, 4, 2, tzinfo=dt.UTC)


def test_a_question_with_a_thousand_claims_resolves_in_under_a_second(
    session: Session, make_user: Callable[..., User]
) -> None:
    rng = random.Random(13)
    source = services.record_source(session, title="Many", text="It will happen. " * 10)
    first = services.record_claim(
        session, source.id, kind="forecast", quote="It will happen.", deadline=DEADLINE,
        question="Will it happen by 31 March 2027?", probability=0.7,
    )  # fmt: skip
    now = dt.datetime.now(dt.UTC)
    session.execute(
        insert(Claim),
        [
            {"source_id": source.id, "question_id": first.question_id, "key": f"c{i}",
             "stance": "against" if i % 3 == 0 else "for", "kind": "forecast",
             "quote": "It will happen.", "quote_start": 16 * (i % 10),
             "quote_end": 16 * (i % 10) + 15,
             "question": "Will it happen by 31 March 2027?", "deadline_at": DEADLINE,
             "deadline_origin": "explicit", "probability": round(rng.uniform(0.05, 0.95), 3),
             "probability_origin": "stated", "hedged": i % 7 == 0, "status": "open",
             "resolution_version": 1, "created_at": now, "updated_at": now}
            for i in range(1, N)
        ],
    )  # fmt: skip
    ids = session.scalars(select(Claim.id).where(Claim.key.like("c%"))).all()
    session.execute(
        insert(ClaimTag), [{"claim_id": cid, "tag": f"tag-{cid % 5}"} for cid in ids[::2]]
    )
    session.commit()
    scorecard.compute(session, scorecard.Filters())  # the running sums, built once
    session.commit()
    question = session.get(Question, first.question_id)
    assert question is not None
    first_reviewer, second_reviewer, admin = make_user(), make_user(), make_user("admin")
    evidence = [resolutions.EvidenceItem(url="https://example.org/it-happened")]
    # The best of three rounds (judged, decided, re-opened): the figure is the product's work,
    # not the wait for a core that another process on a busy machine holds.
    timings = []
    for round_ in range(ROUNDS):
        if round_:
            changes.reopen_question(session, question, admin, "Checking the decision again.")
            session.commit()
        resolutions.resolve_question(
            session, question, first_reviewer, rationale="It happened.", outcome="true",
            evidence=evidence, quorum=2, now=NOW,
        )  # fmt: skip
        session.commit()

        started = time.perf_counter()
        decision = resolutions.resolve_question(
            session, question, second_reviewer, rationale="It happened.", outcome="true",
            evidence=evidence, quorum=2, now=NOW,
        )  # fmt: skip
        session.commit()
        timings.append(time.perf_counter() - started)
        assert decision.state == "final"
    seconds = min(timings)
    print(
        f"\nresolving a question with {N} claims: "
        + ", ".join(f"{t * 1000:.0f} ms" for t in timings)
    )
    assert seconds < 1.0, timings
    outcomes = dict(
        session.execute(
            select(Claim.outcome, func.count())
            .where(Claim.question_id == question.id)
            .group_by(Claim.outcome)
        ).all()
    )
    assert outcomes == {"true": N - N // 3, "false": N // 3}
    assert scorecard.compute(session, scorecard.Filters(include_hedged=True)).group.n_scored == N
    kept = every_cell(session)
    recount.rebuild(session)
    assert every_cell(session) == kept
    session.rollback()
