"""The review rules that must not be sidestepped: what is judged is frozen while judgements are
in flight, judging assigns the judge, and reminders go only to those who still owe a judgement.
Each rule is checked through the resolve page's forms and, where it exists, the JSON API."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from tests.conftest import csrf_token
from tests.reminders.factories import RecordingNotifier
from tests.review.factories import DAY, DEADLINE, TRUE, Login, MakeUser, fresh_claim, snapshot
from tracker.models import Assignment, Claim, User
from tracker.reminders.scheduler import Scheduler
from tracker.reminders.timing import FixedClock, Settings


@dataclass
class Recorded:
    """A forecast an editor recorded through the API, as in the README: two reviewers are
    assigned (`first`, `second`), a third (`other`) is not."""

    claim_id: int
    editor: User
    first: User
    second: User
    other: User


@pytest.fixture
def recorded(
    client: FlaskClient, session: Session, make_user: MakeUser, api_token: Callable[[User], str]
) -> Recorded:
    editor = make_user("editor", name="Edna Editor")
    first, second = make_user(name="Rana Reviewer"), make_user(name="Sam Reviewer")
    headers = {"Authorization": f"Bearer {api_token(editor)}"}
    source = client.post(
        "/api/v1/sources",
        json={"title": "Outlook", "outlet": "The Example", "text": "Rates will fall by June."},
        headers=headers,
    )
    assert source.status_code == 201, source.get_json()
    claim = client.post(
        f"/api/v1/sources/{source.get_json()['id']}/claims",
        json={
            "kind": "forecast",
            "quote": "Rates will fall by June.",
            "deadline": DEADLINE.isoformat(),
            "question": "Will the central bank cut its policy rate by 30 June 2020?",
        },
        headers=headers,
    )
    assert claim.status_code == 201, claim.get_json()
    other = make_user(name="Uma Unassigned")
    return Recorded(claim.get_json()["id"], editor, first, second, other)


def _api(client: FlaskClient, token: Callable[[User], str], user: User, claim_id: int) -> Any:
    return client.post(
        f"/api/v1/claims/{claim_id}/resolutions",
        json=TRUE,
        headers={"Authorization": f"Bearer {token(user)}"},
    )


def _form(app: Flask, login: Login, user: User, path: str, **fields: str) -> Any:
    """POST a resolve-page form as `user` (a client of their own, logged in)."""
    client = login(user, app.test_client())
    fields["csrf_token"] = csrf_token(client, "/review")
    return client.post(path, data=fields)


def _assigned(session: Session, claim_id: int) -> list[int]:
    session.commit()
    return list(
        session.scalars(
            select(Assignment.user_id)
            .join(Claim, Claim.question_id == Assignment.question_id)
            .where(Claim.id == claim_id)
            .order_by(Assignment.id)
        )
    )


def test_regression_an_editor_cannot_change_or_void_a_claim_a_reviewer_has_judged(
    app: Flask, client: FlaskClient, session: Session, recorded: Recorded, login: Login,
    api_token: Callable[[User], str],
) -> None:  # fmt: skip
    claim_id = recorded.claim_id
    assert _api(client, api_token, recorded.first, claim_id).status_code == 201
    edit = _form(
        app, login, recorded.editor, f"/claims/{claim_id}/edit",
        probability="99", reason="The author said he was sure.",
    )  # fmt: skip
    assert edit.status_code == 409
    assert "re-open" in edit.get_data(as_text=True)
    void = _form(app, login, recorded.editor, f"/claims/{claim_id}/void", reason="duplicate")
    assert void.status_code == 403
    assert "only an admin" in void.get_data(as_text=True)
    # The page no longer offers what would fail, and says why.
    page = login(recorded.editor, app.test_client()).get(
        f"/claims/{claim_id}/resolve", follow_redirects=True
    )
    html = page.get_data(as_text=True)
    assert 'name="probability"' not in html and '/void"' not in html
    assert "Not possible now" in html and "only an admin can void it now" in html
    claim = fresh_claim(session, claim_id)
    assert claim.probability == 0.9 and claim.probability_origin == "phrase"
    assert claim.status == "open" and claim.edits == []
    # The judgement in flight is not lost: the second reviewer completes the quorum.
    second = _api(client, api_token, recorded.second, claim_id)
    assert second.status_code == 201 and second.get_json()["state"] == "final"


def test_regression_an_unassigned_reviewer_who_judges_takes_an_assignment(
    client: FlaskClient, session: Session, recorded: Recorded, api_token: Callable[[User], str]
) -> None:
    claim_id = recorded.claim_id
    assert _assigned(session, claim_id) == [recorded.first.id, recorded.second.id]
    assert _api(client, api_token, recorded.first, claim_id).status_code == 201
    answer = _api(client, api_token, recorded.other, claim_id)
    assert answer.status_code == 201 and answer.get_json()["state"] == "final"
    # The quorum is the assigned reviewers: the judge took the place of the one who had not
    # judged, so no more than the quorum are assigned and every judge is one of them.
    assert _assigned(session, claim_id) == [recorded.first.id, recorded.other.id]


def _scheduler(app: Flask, clock: FixedClock, notifier: RecordingNotifier) -> Scheduler:
    return Scheduler(
        app.extensions["tracker.engine"],
        {"email": notifier},
        Settings(base_url="http://tracker.test"),
        clock,
        rng=random.Random(5),
    )


def test_regression_reminders_skip_a_reviewer_who_has_judged(
    app: Flask, client: FlaskClient, session: Session, recorded: Recorded,
    api_token: Callable[[User], str],
) -> None:  # fmt: skip
    assert _api(client, api_token, recorded.first, recorded.claim_id).status_code == 201
    notifier = RecordingNotifier()
    clock = FixedClock(DEADLINE + dt.timedelta(minutes=1))
    ticker = _scheduler(app, clock, notifier)
    ticker.tick()
    clock.advance(3 * DAY)
    ticker.tick()
    prompted = [(m.recipient_email, item.kind) for m in notifier.calls for item in m.items]
    assert prompted == [(recorded.second.email, "due"), (recorded.second.email, "overdue")]


def test_an_admin_reopens_a_claim_under_judgement_to_change_it_and_the_judgement_stays(
    app: Flask, client: FlaskClient, session: Session, recorded: Recorded, login: Login,
    make_user: MakeUser, api_token: Callable[[User], str],
) -> None:  # fmt: skip
    claim_id = recorded.claim_id
    admin = make_user("admin")
    assert _api(client, api_token, recorded.first, claim_id).status_code == 201
    reopened = _form(app, login, admin, f"/claims/{claim_id}/reopen", reason="Criteria unclear.")
    assert reopened.status_code == 302
    edit = _form(
        app, login, recorded.editor, f"/claims/{claim_id}/edit",
        question="Will the central bank cut its policy rate by 31 July 2020?",
        reason="The article meant the summer.",
    )  # fmt: skip
    assert edit.status_code == 302
    claim = fresh_claim(session, claim_id)
    assert claim.resolution_version == 2 and claim.status == "open"
    assert [(r.version, r.reviewer_id) for r in claim.resolutions] == [(1, recorded.first.id)]
    page = client.get(f"/claims/{claim_id}").get_data(as_text=True)
    assert "Version 1 (superseded)" in page and "Criteria unclear." in page
    # Version 2 needs both reviewers again, the first included.
    assert _api(client, api_token, recorded.first, claim_id).get_json()["state"] == "pending"


def test_an_admin_voids_a_claim_under_judgement_and_the_judgements_stay_visible(
    app: Flask, client: FlaskClient, session: Session, recorded: Recorded, login: Login,
    make_user: MakeUser, api_token: Callable[[User], str],
) -> None:  # fmt: skip
    from tracker.models import AuditEntry

    claim_id = recorded.claim_id
    admin = make_user("admin")
    judged = _api(client, api_token, recorded.first, claim_id).get_json()["resolution"]["id"]
    void = _form(app, login, admin, f"/claims/{claim_id}/void", reason="retracted")
    assert void.status_code == 302
    data = client.get(f"/api/v1/claims/{claim_id}").get_json()
    assert data["status"] == "void" and [r["id"] for r in data["resolutions"]] == [judged]
    assert "Rana Reviewer judged <strong>true</strong>" in client.get(
        f"/claims/{claim_id}"
    ).get_data(as_text=True)
    session.commit()
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "question.voided")).one()
    assert json.loads(entry.data)["judgements"] == [judged]


def test_a_reviewer_who_has_judged_keeps_the_assignment(
    app: Flask, client: FlaskClient, session: Session, recorded: Recorded, login: Login,
    make_user: MakeUser, api_token: Callable[[User], str],
) -> None:  # fmt: skip
    claim_id = recorded.claim_id
    admin = make_user("admin")
    assert _api(client, api_token, recorded.first, claim_id).status_code == 201
    before = snapshot(session, claim_id)
    moved = _form(
        app, login, admin, f"/claims/{claim_id}/reassign",
        from_user=str(recorded.first.id), to_user=str(recorded.other.id),
    )  # fmt: skip
    assert moved.status_code == 409 and "has judged this question" in moved.get_data(as_text=True)
    assert snapshot(session, claim_id) == before
    # The page offers to move only the assignment of the reviewer who has not judged.
    page = login(admin, app.test_client()).get(f"/claims/{claim_id}/resolve", follow_redirects=True)
    html = page.get_data(as_text=True)
    options = html[
        html.index('id="from-user"') : html.index("</select>", html.index('id="from-user"'))
    ]
    assert "Sam Reviewer" in options and "Rana Reviewer" not in options


def test_the_page_tells_an_unassigned_reviewer_whose_place_they_take(
    app: Flask, recorded: Recorded, login: Login
) -> None:
    page = login(recorded.other, app.test_client()).get(
        f"/claims/{recorded.claim_id}/resolve", follow_redirects=True
    )
    html = page.get_data(as_text=True)
    assert "You are not assigned to this question" in html
    assert "in place of Sam Reviewer, who has not judged it yet" in html


def test_a_disputed_claim_takes_only_a_settlement(
    client: FlaskClient, session: Session, recorded: Recorded, make_user: MakeUser,
    api_token: Callable[[User], str],
) -> None:  # fmt: skip
    claim_id = recorded.claim_id
    headers = {"Authorization": f"Bearer {api_token(recorded.second)}"}
    assert _api(client, api_token, recorded.first, claim_id).status_code == 201
    url = f"/api/v1/claims/{claim_id}/resolutions"
    disagree = {**TRUE, "outcome": "false"}
    assert client.post(url, json=disagree, headers=headers).get_json()["state"] == "disputed"
    admin = {"Authorization": f"Bearer {api_token(make_user('admin'))}"}
    third = client.post(url, json=TRUE, headers=admin)
    assert third.status_code == 409 and "settle" in third.get_json()["error"]["message"]
    settled = client.post(url, json={**TRUE, "settle": True}, headers=admin)
    assert settled.status_code == 201 and settled.get_json()["state"] == "final"


def test_an_edit_racing_a_judgement_waits_for_it_and_is_refused(
    app: Flask, session: Session, backend: str, recorded: Recorded
) -> None:
    """Two people at once: the judgement holds the claim until it commits, so the editor's
    check sees it. (SQLite writers take turns already: the views begin with the write lock.)"""
    import threading

    from tracker.errors import TrackerError
    from tracker.review import changes, resolutions

    if backend != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serializes writers by BEGIN IMMEDIATE")
    factory = app.extensions["tracker.sessions"]
    judging = factory()
    claim = judging.get(Claim, recorded.claim_id)
    reviewer = judging.get(User, recorded.first.id)
    assert claim is not None and reviewer is not None
    resolutions.resolve_claim(
        judging, claim, reviewer, rationale="Cut on 12 June.", outcome="true", quorum=2,
        now=DEADLINE, evidence=[resolutions.EvidenceItem(url="https://example.org/cut")],
    )  # fmt: skip
    outcome: list[object] = []
    # Read here: the thread must not load them through the test's session, which this thread
    # goes on using while it waits.
    claim_id, editor_id = recorded.claim_id, recorded.editor.id

    def edit() -> None:
        with factory() as editing:
            target = editing.get(Claim, claim_id)
            editor = editing.get(User, editor_id)
            assert target is not None and editor is not None
            try:
                changes.edit_claim(editing, target, editor, reason="sure", probability=0.99)
                editing.commit()
                outcome.append("changed")
            except TrackerError as error:
                outcome.append(error)

    def editor_waits() -> bool:
        session.rollback()
        return bool(
            session.scalar(
                select(func.count())
                .select_from(text("pg_stat_activity"))
                .where(text("wait_event_type = 'Lock' AND datname = current_database()"))
            )
        )

    editor = threading.Thread(target=edit)
    editor.start()
    while editor.is_alive() and not editor_waits():
        editor.join(0.01)
    judging.commit()
    judging.close()
    editor.join(30)
    assert len(outcome) == 1 and isinstance(outcome[0], TrackerError), outcome
    assert "re-open" in outcome[0].message
    assert fresh_claim(session, recorded.claim_id).probability == 0.9


def test_a_disputed_claim_leaves_the_queue_of_reviewers_who_have_not_judged_it(
    session: Session, make_user: MakeUser
) -> None:
    from tracker.record import services
    from tracker.review import queue, resolutions

    first, second, third = make_user(), make_user(), make_user()
    source = services.record_source(session, title="Outlook", text="Rates will fall by June.")
    claim = services.record_claim(
        session, source.id, kind="forecast", quote="Rates will fall by June.", deadline=DEADLINE,
        question="Will the central bank cut its policy rate by 30 June 2020?",
    )  # fmt: skip
    for user in (first, second, third):  # more reviewers than a quorum of two
        session.add(Assignment(question_id=claim.question_id, user_id=user.id))
    session.commit()
    for user, outcome in ((first, "true"), (second, "false")):
        resolutions.resolve_claim(
            session, claim, user, rationale="As reported.", outcome=outcome, quorum=2,
            now=DEADLINE, evidence=[resolutions.EvidenceItem(url="https://example.org/cut")],
        )  # fmt: skip
    session.commit()
    assert claim.status == "disputed"
    assert queue.list_tab(session, "mine", DEADLINE, third.id) == []
    assert [c.id for c in queue.list_tab(session, "disputed", DEADLINE, None)] == [claim.id]
