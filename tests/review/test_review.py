"""Resolving claims: assignment, quorum, disputes, settlement, re-opening, void, snooze, edits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import csrf_token
from tracker import audit
from tracker.errors import Conflict, Forbidden, Invalid
from tracker.models import Assignment, Claim, ClaimEdit, QuestionEdit, Resolution, User
from tracker.record import services
from tracker.review import assignments, changes, queue, resolutions

MakeUser = Callable[..., User]
NOW = dt.datetime(2020, 6, 1, tzinfo=dt.UTC)
EVIDENCE = [resolutions.EvidenceItem(url="https://example.org/report", title="Report")]


def _claim(session: Session, key: str) -> Claim:
    return services.list_claims(session, key=key)[0]


def _judge(session: Session, claim: Claim, user: User, result: str, **kwargs: Any) -> str:
    field = "outcome" if claim.kind == "forecast" else "verdict"
    kwargs.setdefault("evidence", EVIDENCE)
    decision = resolutions.resolve_claim(
        session, claim, user, rationale="Reported widely.", quorum=2, now=NOW,
        **{field: result}, **kwargs,
    )  # fmt: skip
    session.commit()
    return decision.state


def test_two_agreeing_reviewers_make_it_final(
    session: Session, seeded: int, make_user: MakeUser
) -> None:
    claim = _claim(session, "iran-retaliation")
    first, second = make_user(), make_user()
    assert _judge(session, claim, first, "true") == "pending"
    assert claim.status == "open"
    assert _judge(session, claim, second, "true") == "final"
    assert claim.status == "resolved" and claim.outcome == "true" and claim.resolved_at == NOW


def test_two_disagreeing_reviewers_make_it_disputed_and_an_admin_settles(
    session: Session, seeded: int, make_user: MakeUser
) -> None:
    claim = _claim(session, "hormuz-disruption")
    first, second, admin = make_user(), make_user(), make_user("admin")
    _judge(session, claim, first, "true")
    assert _judge(session, claim, second, "false") == "disputed"
    assert claim.status == "disputed"
    assert [q.id for q in queue.list_tab(session, "disputed", NOW, None)] == [claim.question_id]
    with pytest.raises(Forbidden):
        _judge(session, claim, first, "true", settle=True)
    assert _judge(session, claim, admin, "true", settle=True) == "final"
    assert claim.status == "resolved" and claim.outcome == "true"
    judgements = session.scalars(
        select(Resolution).where(Resolution.question_id == claim.question_id)
    ).all()
    assert [(j.outcome, j.is_settlement) for j in judgements] == [
        ("true", False), ("false", False), ("true", True),
    ]  # fmt: skip


def test_the_recorder_cannot_resolve(session: Session, make_user: MakeUser) -> None:
    editor, other = make_user("editor"), make_user()
    source = services.record_source(session, title="T", text="It will rain tomorrow.")
    claim = services.record_claim(
        session, source.id, kind="forecast", quote="It will rain tomorrow.",
        deadline=NOW, actor_id=editor.id,
    )  # fmt: skip
    made = assignments.assign_reviewers(session, claim.linked_question, 2)
    assert editor.id not in {a.user_id for a in made} and [a.user_id for a in made] == [other.id]
    session.commit()
    with pytest.raises(Forbidden, match="recorded"):
        _judge(session, claim, editor, "true")


def test_a_reviewer_judges_once_per_version(
    session: Session, seeded: int, make_user: MakeUser
) -> None:
    claim = _claim(session, "iraq-strife")
    reviewer = make_user()
    _judge(session, claim, reviewer, "false")
    with pytest.raises(Conflict, match="already judged"):
        _judge(session, claim, reviewer, "true")


def test_reopen_starts_a_new_version_and_keeps_the_old(
    session: Session, seeded: int, make_user: MakeUser, client: FlaskClient
) -> None:
    claim = _claim(session, "revenge-agenda")
    first, second, admin = make_user(name="Ana"), make_user(name="Ben"), make_user("admin")
    _judge(session, claim, first, "true")
    _judge(session, claim, second, "true")
    with pytest.raises(Conflict, match="re-open"):
        _judge(session, claim, admin, "false")
    with pytest.raises(Invalid):
        changes.reopen_claim(session, claim, admin, "  ")
    changes.reopen_claim(session, claim, admin, "A correction changed the record.")
    session.commit()
    assert claim.status == "open" and claim.resolution_version == 2 and claim.outcome is None
    assert _judge(session, claim, first, "false") == "pending"
    page = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "Version 2 (current)" in page and "Version 1 (superseded)" in page
    assert "A correction changed the record." in page and "Ana" in page and "Ben" in page


def test_evidence_rules(session: Session, seeded: int, make_user: MakeUser) -> None:
    forecast = _claim(session, "terror-campaign")
    fact = _claim(session, "drone-downed")
    reviewer = make_user()
    for result, claim in (("true", forecast), ("false", forecast), ("mixed", fact)):
        with pytest.raises(Invalid, match="evidence link"):
            _judge(session, claim, reviewer, result, evidence=[])
        session.rollback()
    assert _judge(session, fact, reviewer, "unverifiable", evidence=[]) == "pending"
    assert _judge(session, forecast, reviewer, "ambiguous", evidence=[]) == "pending"


def test_wrong_kind_of_result_is_refused(
    session: Session, seeded: int, make_user: MakeUser
) -> None:
    reviewer = make_user()
    with pytest.raises(Invalid, match="with a verdict"):
        _judge(session, _claim(session, "drone-downed"), reviewer, "true", outcome="true")
    with pytest.raises(Invalid, match="conditional"):
        _judge(session, _claim(session, "iran-retaliation"), reviewer, "annulled")
    with pytest.raises(Invalid, match="no question"):
        _judge(session, _claim(session, "husayn-heir"), reviewer, "true")


def test_assignment_balances_load_and_fills_the_quorum(
    session: Session, seeded: int, make_user: MakeUser
) -> None:
    reviewers = [make_user() for _ in range(3)]
    made = assignments.fill_assignments(session, 2)
    session.commit()
    assert made == 17 * 2
    loads = [
        session.scalar(select(func.count()).where(Assignment.user_id == r.id)) for r in reviewers
    ]
    assert max(loads) - min(loads) <= 1  # type: ignore[operator]
    assert assignments.fill_assignments(session, 2) == 0


def test_void_snooze_and_edit(session: Session, seeded: int, make_user: MakeUser) -> None:
    reviewer, editor = make_user(), make_user("editor")
    heir = _claim(session, "husayn-heir")
    changes.void_claim(session, heir, reviewer, "not falsifiable", "a matter of reverence")
    assert heir.status == "void" and heir.void_reason == "not falsifiable: a matter of reverence"
    with pytest.raises(Invalid):
        changes.void_claim(session, _claim(session, "iraq-strife"), reviewer, "boring")
    strife = _claim(session, "iraq-strife")
    with pytest.raises(Invalid, match="future"):
        changes.snooze_claim(session, strife, reviewer, NOW, "wait", NOW)
    changes.snooze_claim(session, strife, reviewer, NOW + dt.timedelta(days=7), "vote due", NOW)
    overdue = queue.list_tab(session, "overdue", NOW, None)
    assert strife.question_id not in {q.id for q in overdue}
    ugly = _claim(session, "near-term-ugly")
    with pytest.raises(Forbidden):
        changes.edit_claim(session, ugly, reviewer, reason="r", question="Q?")
    changes.edit_claim(
        session, ugly, editor, reason="make it decidable",
        question="Will 100 or more people die in US-Iran clashes?",
        deadline=dt.datetime(2020, 5, 1, tzinfo=dt.UTC),
    )  # fmt: skip
    changes.edit_claim(session, ugly, reviewer, reason="the author hedged", probability=0.7)
    session.commit()
    # What the question asks is the question's edit (its text was the quote); the probability
    # is the claim's own.
    question_edits = session.scalars(
        select(QuestionEdit)
        .where(QuestionEdit.question_id == ugly.question_id)
        .order_by(QuestionEdit.id)
    ).all()
    assert [(e.field, e.old_value) for e in question_edits] == [
        ("text", ugly.quote), ("deadline_at", "2020-04-03T23:59:59+00:00"),
    ]  # fmt: skip
    edits = session.scalars(
        select(ClaimEdit).where(ClaimEdit.claim_id == ugly.id).order_by(ClaimEdit.id)
    ).all()
    assert [(e.field, e.old_value) for e in edits] == [("probability", "0.9")]
    assert ugly.question == "Will 100 or more people die in US-Iran clashes?"
    assert ugly.deadline_at == dt.datetime(2020, 5, 1, tzinfo=dt.UTC)
    assert ugly.probability == 0.7 and ugly.probability_origin == "reviewer"
    assert audit.verify(session).ok


def test_queue_tabs(session: Session, seeded: int, make_user: MakeUser) -> None:
    me = make_user()
    assignments.fill_assignments(session, 2)
    session.commit()
    now = dt.datetime(2020, 4, 5, tzinfo=dt.UTC)
    counts = queue.counts(session, now, me.id)
    # Due within three days: the three 90-day forecasts (2020-04-03); facts wait for a check.
    assert counts["due"] == 3 and counts["facts"] == 7
    assert counts["overdue"] == 1 and counts["upcoming"] == 6
    assert counts["mine"] == 17
    overdue = queue.list_tab(session, "overdue", now, me.id)
    assert [q.id for q in overdue] == [_claim(session, "revenge-agenda").question_id]
    upcoming = queue.list_tab(session, "upcoming", now, me.id)
    assert [c.deadline_at for c in upcoming] == sorted(c.deadline_at for c in upcoming)  # type: ignore[type-var]
    # Every tab's count is what its pages list, before and after a snooze moves a question
    # from overdue to upcoming.
    assert _listed(session, now, me.id) == counts
    strife = _claim(session, "revenge-agenda")
    changes.snooze_claim(session, strife, me, now + dt.timedelta(days=7), "vote due", now)
    session.commit()
    after = queue.counts(session, now, me.id)
    assert after["overdue"] == 0 and after["upcoming"] == 7
    assert _listed(session, now, me.id) == after
    assert queue.counts(session, now, None) == {k: v for k, v in after.items() if k != "mine"}


def _listed(session: Session, now: dt.datetime, user_id: int) -> dict[str, int]:
    listed = {}
    for tab in queue.TABS:
        found, after = [], None
        while True:
            page = queue.list_tab(session, tab, now, user_id, after)
            found += page
            if len(page) < queue.PER_PAGE:
                break
            after = (page[-1].deadline_at or queue.NO_DEADLINE, page[-1].id)
        listed[tab] = len(found)
    return listed


def test_resolve_page_one_submit_each(
    app: Any, session: Session, seeded: int, make_user: MakeUser, login: Callable[..., FlaskClient]
) -> None:
    claim = _claim(session, "iran-retaliation")
    for n, reviewer in enumerate([make_user(), make_user()]):
        client = login(reviewer, app.test_client())
        form = {
            "csrf_token": csrf_token(client, f"/claims/{claim.id}/resolve"),
            "outcome": "true",
            "rationale": "Iran fired missiles at Al Asad air base on 2020-01-08.",
            "evidence-0-url": "https://example.org/al-asad",
            "evidence-0-title": "Missiles hit Al Asad",
            "evidence-0-published": "2020-01-08",
            "evidence-0-stance": "supports",
        }
        response = client.post(f"/claims/{claim.id}/resolve", data=form, follow_redirects=True)
        assert response.status_code == 200
        assert ("Final" if n else "1 of 2") in response.get_data(as_text=True)
    page = app.test_client().get(f"/claims/{claim.id}").get_data(as_text=True)
    assert '<span class="badge resolved">resolved</span>' in page and "Missiles hit Al Asad" in page


def test_resolve_page_keeps_what_was_typed_on_error(
    session: Session, seeded: int, make_user: MakeUser, login: Callable[..., FlaskClient],
    client: FlaskClient,
) -> None:  # fmt: skip
    claim = _claim(session, "iran-retaliation")
    login(make_user())
    response = client.post(
        f"/claims/{claim.id}/resolve",
        data={"csrf_token": csrf_token(client, "/review"), "outcome": "true",
              "rationale": "My long careful rationale.", "evidence-0-title": "No link given"},
    )  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "My long careful rationale." in page and "No link given" in page
    assert "every evidence row needs its url" in page
    assert session.scalar(select(func.count()).select_from(Resolution)) == 0


def test_api_resolution_states(
    client: FlaskClient, session: Session, seeded: int, make_user: MakeUser,
    api_token: Callable[[User], str],
) -> None:  # fmt: skip
    claim = _claim(session, "sadr-unified")
    body = {"outcome": "false", "rationale": "No joint action.",
            "evidence": [{"url": "https://example.org/sadr", "stance": "refutes"}]}  # fmt: skip
    states = []
    for reviewer in (make_user(), make_user()):
        response = client.post(
            f"/api/v1/claims/{claim.id}/resolutions", json=body,
            headers={"Authorization": f"Bearer {api_token(reviewer)}"},
        )  # fmt: skip
        assert response.status_code == 201
        states.append(response.get_json()["state"])
    assert states == ["pending", "final"]
    data = client.get(f"/api/v1/claims/{claim.id}").get_json()
    assert data["status"] == "resolved" and data["outcome"] == "false"
    assert [r["evidence"][0]["stance"] for r in data["resolutions"]] == ["refutes", "refutes"]


def test_a_final_resolution_cancels_pending_reminders_at_once(
    session: Session, seeded: int, make_user: MakeUser
) -> None:
    from tracker.models import Reminder
    from tracker.reminders import services as reminders

    first, second = make_user(), make_user()
    assignments.fill_assignments(session, 2)
    reminders.plan(session, NOW)
    session.commit()
    claim = _claim(session, "iran-retaliation")

    def pending() -> int:
        return len(
            session.scalars(
                select(Reminder).where(
                    Reminder.question_id == claim.question_id, Reminder.status == "pending"
                )
            ).all()
        )

    assert pending() > 0
    _judge(session, claim, first, "true")
    assert pending() > 0  # one judgement of two: the other reviewer still needs prompting
    _judge(session, claim, second, "true")
    assert pending() == 0
