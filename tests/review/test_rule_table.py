"""Every review rule, by stage of the claim and by person, through the resolve page's forms and
the JSON API: the answer's code, nothing saved on a refusal, and the page offering exactly the
actions that are allowed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import csrf_token
from tests.review.factories import DAY, DEADLINE, TRUE, Login, MakeUser, snapshot
from tracker.models import Assignment, User
from tracker.record import services
from tracker.review import changes, resolutions

# What the resolve page's forms answer, by stage of the claim (columns) and person: R is a
# reviewer who has not judged (assigned while the claim is open), E the editor who recorded the
# claim, A an admin who is not assigned. 302 means done. The README's table says the same.
STAGES = ("fresh", "judged", "disputed", "resolved", "void")
EXPECTED = {
    "judge":   {"R": "302 302 409 409 409", "E": "403 403 403 403 403", "A": "302 302 409 409 409"},
    "settle":  {"R": "403 403 403 403 403", "E": "403 403 403 403 403", "A": "409 409 302 409 409"},
    "edit":    {"R": "403 403 403 403 403", "E": "302 409 409 409 409", "A": "302 409 409 409 409"},
    "override":{"R": "302 409 409 409 409", "E": "302 409 409 409 409", "A": "302 409 409 409 409"},
    "void":    {"R": "302 403 403 409 409", "E": "302 403 403 409 409", "A": "302 302 302 409 409"},
    "snooze":  {"R": "302 302 409 409 409", "E": "302 302 409 409 409", "A": "302 302 409 409 409"},
    "reopen":  {"R": "403 403 403 403 403", "E": "403 403 403 403 403", "A": "409 302 302 302 302"},
    "reassign":{"R": "403 403 403 403 403", "E": "403 403 403 403 403", "A": "302 302 409 409 409"},
}  # fmt: skip
# What on the page offers each action: present exactly when the action is allowed.
OFFERED = {
    "judge": "Record my judgement</button>",
    "settle": "Settle with my judgement</button>",
    "edit": 'name="question"',
    "override": 'name="probability"',
    "void": '/void"',
    "snooze": '/snooze"',
    "reopen": '/reopen"',
    "reassign": '/reassign"',
}


@dataclass
class Cast:
    editor: User
    first: User  # judges first (true)
    second: User  # judges second (false: a dispute, or true: resolved)
    reviewer: User  # "R"
    admin: User  # "A"


_sources = iter(range(1, 1_000_000))


def _stage(session: Session, cast: Cast, stage: str) -> int:
    """A fresh claim the editor recorded, brought to `stage` through the services."""
    # Each stage's source is a text of its own: the same text is archived only once.
    text = f"Rates will fall by June. ({next(_sources)})"
    source = services.record_source(session, title="Outlook", text=text)
    claim = services.record_claim(
        session, source.id, kind="forecast", quote="Rates will fall by June.", deadline=DEADLINE,
        question="Will the central bank cut its policy rate by 30 June 2020?",
        actor_id=cast.editor.id,
    )  # fmt: skip
    waiting = cast.reviewer if stage in ("fresh", "judged") else cast.second
    for user in (cast.first, waiting):
        session.add(Assignment(question_id=claim.question_id, user_id=user.id))
    session.flush()

    def judge(user: User, outcome: str) -> None:
        resolutions.resolve_claim(
            session, claim, user, rationale="As reported.", outcome=outcome, quorum=2,
            now=DEADLINE, evidence=[resolutions.EvidenceItem(url="https://example.org/cut")],
        )  # fmt: skip

    if stage != "fresh" and stage != "void":
        judge(cast.first, "true")
    if stage in ("disputed", "resolved"):
        judge(cast.second, "false" if stage == "disputed" else "true")
    if stage == "void":
        changes.void_claim(session, claim, cast.first, "duplicate")
    session.commit()
    assert claim.status == {"fresh": "open", "judged": "open"}.get(stage, stage)
    return claim.id


def _fields(action: str, cast: Cast) -> dict[str, str]:
    judgement = {
        "outcome": "true",
        "rationale": "Cut on 12 June.",
        "evidence-0-url": "https://example.org/cut",
    }
    soon = (dt.datetime.now(dt.UTC) + 30 * DAY).date().isoformat()
    return {
        "judge": judgement,
        "settle": {**judgement, "settle": "1"},
        "edit": {
            "question": "Will the central bank cut its policy rate by 31 July 2020?",
            "resolution_criteria": "A cut announced by the bank.",
            "deadline": "2020-07-31",
            "reason": "The article meant the summer.",
        },
        "override": {"probability": "70", "reason": "The author hedged in the next line."},
        "void": {"reason": "duplicate", "detail": "recorded twice"},
        "snooze": {"until": soon, "reason": "The bank meets next month."},
        "reopen": {"reason": "The criteria were unclear."},
        "reassign": {"from_user": str(cast.reviewer.id), "to_user": str(cast.admin.id)},
    }[action]


PATHS = {"judge": "resolve", "settle": "resolve", "edit": "edit", "override": "edit"}


@pytest.mark.parametrize("stage", STAGES)
def test_every_rule_holds_for_forms_api_and_page(
    app: Flask, client: FlaskClient, session: Session, make_user: MakeUser, login: Login,
    api_token: Callable[[User], str], stage: str,
) -> None:  # fmt: skip
    cast = Cast(
        editor=make_user("editor"), first=make_user(), second=make_user(),
        reviewer=make_user(), admin=make_user("admin"),
    )  # fmt: skip
    people = {"R": cast.reviewer, "E": cast.editor, "A": cast.admin}
    column = STAGES.index(stage)
    clients = {key: login(user, app.test_client()) for key, user in people.items()}
    tokens = {key: api_token(user) for key, user in people.items()}
    for key in people:
        # The page offers exactly what the person may do.
        claim_id = _stage(session, cast, stage)
        # A claim's resolve page is its question's.
        page = clients[key].get(f"/claims/{claim_id}/resolve", follow_redirects=True)
        page = page.get_data(as_text=True)
        for action, needle in OFFERED.items():
            allowed = EXPECTED[action][key].split()[column] == "302"
            assert (needle in page) == allowed, (stage, key, action)
        token = csrf_token(clients[key], f"/claims/{claim_id}/resolve")
        for action, rows in EXPECTED.items():
            expected = int(rows[key].split()[column])
            claim_id = _stage(session, cast, stage)
            fields = {**_fields(action, cast), "csrf_token": token}
            before = snapshot(session, claim_id)
            path = f"/claims/{claim_id}/{PATHS.get(action, action)}"
            answer = clients[key].post(path, data=fields)
            assert answer.status_code == expected, (stage, key, action, answer.status_code)
            if expected != 302:
                assert snapshot(session, claim_id) == before, (stage, key, action)
                assert "Nothing was saved" in answer.get_data(as_text=True) or expected == 403
            if action not in ("judge", "settle"):
                continue
            # The API answers the same, 201 for 302.
            claim_id = _stage(session, cast, stage)
            before = snapshot(session, claim_id)
            body = {**TRUE, "settle": action == "settle"}
            answer = client.post(
                f"/api/v1/claims/{claim_id}/resolutions", json=body,
                headers={"Authorization": f"Bearer {tokens[key]}"},
            )  # fmt: skip
            assert answer.status_code == (201 if expected == 302 else expected), (stage, key)
            if expected != 302:
                assert answer.get_json()["error"]["message"]
                assert snapshot(session, claim_id) == before, (stage, key, action, "api")
