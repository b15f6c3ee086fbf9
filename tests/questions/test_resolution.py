"""Resolving a question resolves every claim on it: a claim `for` the question takes the result,
a claim `against` it the opposite; re-opening and voiding follow, and the scorecard's running sums
stay what a full recount gives."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import csrf_token
from tests.scorecard.cells import every_cell
from tracker import audit
from tracker.models import Claim, Question, Source, User
from tracker.questions.state import opposite
from tracker.record import services
from tracker.review import changes, resolutions
from tracker.scorecard import recount
from tracker.scorecard import services as scorecard

MakeUser = Callable[..., User]
TEXT = (
    "The central bank will cut rates by March 2027, the columnist writes. "
    "Analysts at Northbank expect a cut before April 2027. "
    "Northbank's rival says the bank will hold rates through March 2027. "
    "Inflation fell to 2 percent in 2026. "
    "Inflation is still above 3 percent, the minister said. "
    "Prices fell last year."
)
DEADLINE = dt.datetime(2027, 3, 31, tzinfo=dt.UTC)
NOW = dt.datetime(2027, 4, 2, tzinfo=dt.UTC)
EVIDENCE = [resolutions.EvidenceItem(url="https://example.org/decision")]


def _source(session: Session) -> Source:
    return services.record_source(
        session, title="Rates", text=TEXT, author="Ann Writer", outlet="The Example",
        published_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
    )  # fmt: skip


def _forecasts(session: Session) -> tuple[Claim, Claim, Claim]:
    """Three forecasts of one event: the first makes the question, the second says the same,
    the third the opposite (its own probability is for what it says)."""
    source = _source(session)
    first = services.record_claim(
        session, source.id, kind="forecast",
        quote="The central bank will cut rates by March 2027", deadline=DEADLINE,
        question="Will the central bank cut rates by 31 March 2027?", probability=0.8,
    )  # fmt: skip
    same = services.record_claim(
        session, source.id, kind="forecast", quote="expect a cut before April 2027",
        deadline=DEADLINE, question_id=first.question_id, stance="for", probability=0.7,
        speaker="Analysts at Northbank", speaker_kind="organization",
    )  # fmt: skip
    opposite_claim = services.record_claim(
        session, source.id, kind="forecast",
        quote="the bank will hold rates through March 2027", deadline=DEADLINE,
        question_id=first.question_id, stance="against", probability=0.6,
    )  # fmt: skip
    session.commit()
    return first, same, opposite_claim


def _facts(session: Session) -> tuple[Claim, Claim]:
    source = _source(session)
    first = services.record_claim(
        session, source.id, kind="fact", quote="Inflation fell to 2 percent in 2026",
        question="Did inflation fall to 2 percent in 2026?",
    )  # fmt: skip
    against = services.record_claim(
        session, source.id, kind="fact", quote="Inflation is still above 3 percent",
        question_id=first.question_id, stance="against",
    )  # fmt: skip
    session.commit()
    return first, against


def _judge(session: Session, question: Question, user: User, **result: Any) -> str:
    decision = resolutions.resolve_question(
        session, question, user, rationale="As announced.", evidence=EVIDENCE, quorum=2,
        now=NOW, **result,
    )  # fmt: skip
    session.commit()
    return decision.state


def _sums_match_a_recount(session: Session) -> None:
    kept = every_cell(session)
    recount.rebuild(session)
    session.flush()
    assert every_cell(session) == kept
    session.rollback()


def _states(session: Session, *claims: Claim) -> list[tuple[Any, ...]]:
    session.expire_all()
    return [
        (c.status, c.outcome, c.verdict, c.resolution_version, c.resolved_at, c.void_reason)
        for c in claims
    ]


def test_a_resolved_forecast_question_resolves_each_claim_by_its_stance(
    session: Session, make_user: MakeUser
) -> None:
    first, same, against = _forecasts(session)
    scorecard.compute(session, scorecard.Filters())  # the sums are kept from here on
    session.commit()
    question = first.linked_question
    reviewer, other, admin = make_user(), make_user(), make_user("admin")
    assert _judge(session, question, reviewer, outcome="true") == "pending"
    assert [s[0] for s in _states(session, first, same, against)] == ["open"] * 3
    assert _judge(session, question, other, outcome="true") == "final"
    assert _states(session, first, same, against) == [
        ("resolved", "true", None, 1, NOW, None),
        ("resolved", "true", None, 1, NOW, None),
        ("resolved", "false", None, 1, NOW, None),
    ]
    # Scored on what each said: 0.8 and 0.7 that it would, 0.6 that it would not.
    overall = scorecard.compute(session, scorecard.Filters()).group
    assert overall.n_scored == 3
    assert overall.score.brier == pytest.approx(((0.2**2) + (0.3**2) + (0.6**2)) / 3)
    _sums_match_a_recount(session)

    changes.reopen_question(session, question, admin, "The bank's statement was corrected.")
    session.commit()
    assert _states(session, first, same, against) == [("open", None, None, 2, None, None)] * 3
    assert scorecard.compute(session, scorecard.Filters()).group.n_scored == 0
    _sums_match_a_recount(session)

    assert _judge(session, question, reviewer, outcome="false") == "pending"
    assert _judge(session, question, other, outcome="false") == "final"
    assert [s[1] for s in _states(session, first, same, against)] == ["false", "false", "true"]
    _sums_match_a_recount(session)
    changes.reopen_question(session, question, admin, "Void it instead.")
    changes.void_question(session, question, admin, "duplicate", "recorded twice")
    session.commit()
    assert (
        _states(session, first, same, against)
        == [("void", None, None, 3, None, "duplicate: recorded twice")] * 3
    )
    assert scorecard.compute(session, scorecard.Filters()).group.n_scored == 0
    _sums_match_a_recount(session)
    assert audit.verify(session).ok


@pytest.mark.parametrize(
    ("verdict", "against"),
    [("true", "false"), ("mostly-true", "mostly-false"), ("mostly-false", "mostly-true"),
     ("false", "true"), ("mixed", "mixed"), ("unverifiable", "unverifiable")],
)  # fmt: skip
def test_a_fact_question_gives_a_claim_against_it_the_opposite_verdict(
    session: Session, make_user: MakeUser, verdict: str, against: str
) -> None:
    first, against_claim = _facts(session)
    for user in (make_user(), make_user()):
        _judge(session, first.linked_question, user, verdict=verdict)
    assert [(s[0], s[2]) for s in _states(session, first, against_claim)] == [
        ("resolved", verdict), ("resolved", against),
    ]  # fmt: skip
    assert opposite(verdict) == against


def test_ambiguous_and_annulled_stay_as_they_are(session: Session, make_user: MakeUser) -> None:
    first, same, against = _forecasts(session)
    for user in (make_user(), make_user()):
        _judge(session, first.linked_question, user, outcome="ambiguous")
    assert [s[1] for s in _states(session, first, same, against)] == ["ambiguous"] * 3


def test_a_claim_linked_to_a_decided_question_takes_its_result(
    session: Session, make_user: MakeUser
) -> None:
    first, _, _ = _forecasts(session)
    scorecard.compute(session, scorecard.Filters())
    for user in (make_user(), make_user()):
        _judge(session, first.linked_question, user, outcome="true")
    late = services.record_claim(
        session, first.source_id, kind="forecast", quote="Prices fell last year",
        deadline=DEADLINE, question_id=first.question_id, stance="against", probability=0.3,
    )  # fmt: skip
    session.commit()
    assert (late.status, late.outcome, late.resolved_at) == ("resolved", "false", NOW)
    _sums_match_a_recount(session)


def test_the_api_resolves_a_question_and_a_claims_path_resolves_its_question(
    client: FlaskClient, session: Session, make_user: MakeUser,
    api_token: Callable[[User], str],
) -> None:  # fmt: skip
    first, same, against = _forecasts(session)
    body = {"outcome": "true", "rationale": "Cut on 12 March.",
            "evidence": [{"url": "https://example.org/cut"}]}  # fmt: skip
    answer = client.post(
        f"/api/v1/questions/{first.question_id}/resolutions", json=body,
        headers={"Authorization": f"Bearer {api_token(make_user())}"},
    )  # fmt: skip
    assert answer.status_code == 201, answer.get_json()
    data = answer.get_json()
    assert data["state"] == "pending" and data["question"]["claims"] == 3
    assert data["question"]["id"] == first.question_id
    # The claim's path judges the same question: the quorum is reached.
    answer = client.post(
        f"/api/v1/claims/{against.id}/resolutions", json=body,
        headers={"Authorization": f"Bearer {api_token(make_user())}"},
    )  # fmt: skip
    assert answer.status_code == 201 and answer.get_json()["state"] == "final"
    assert answer.get_json()["claim"]["outcome"] == "false"
    for claim, outcome in ((first, "true"), (same, "true"), (against, "false")):
        shown = client.get(f"/api/v1/claims/{claim.id}").get_json()
        assert (shown["status"], shown["outcome"]) == ("resolved", outcome)
        assert [r["outcome"] for r in shown["resolutions"]] == ["true", "true"]
    listed = client.get(f"/api/v1/claims?source_id={first.source_id}").get_json()["data"]
    assert [len(c["resolutions"]) for c in listed] == [2, 2, 2]
    again = client.post(
        f"/api/v1/questions/{first.question_id}/resolutions", json=body,
        headers={"Authorization": f"Bearer {api_token(make_user())}"},
    )  # fmt: skip
    assert again.status_code == 409
    missing = client.post(
        "/api/v1/questions/999999/resolutions", json=body,
        headers={"Authorization": f"Bearer {api_token(make_user())}"},
    )  # fmt: skip
    assert missing.status_code == 404


def test_the_resolve_page_is_the_questions_and_lists_its_claims(
    app: Any, session: Session, make_user: MakeUser, login: Callable[..., FlaskClient]
) -> None:
    first, _, against = _forecasts(session)
    client = login(make_user(), app.test_client())
    answer = client.get(f"/claims/{against.id}/resolve")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/questions/{first.question_id}/resolve")
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "3 claims about it" in page and "against</span>" in page
    assert "the bank will hold rates through March 2027" in page
    queue = client.get("/review?tab=upcoming").get_data(as_text=True)
    assert "Will the central bank cut rates by 31 March 2027?" in queue and "3 claims" in queue
    snooze = client.post(
        f"/questions/{first.question_id}/snooze",
        data={"until": "2027-05-01", "reason": "The minutes come out in May.",
              "csrf_token": csrf_token(client, f"/questions/{first.question_id}/resolve")},
    )  # fmt: skip
    assert snooze.status_code == 302
    session.expire_all()
    assert first.linked_question.snoozed_until is not None
