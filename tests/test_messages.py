"""Messages say what is wrong with the field that is wrong, and counts agree with their nouns
("1 fact", "2 facts") on every page, command and reminder."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import csrf_token
from tracker.cli import main
from tracker.models import Claim, User
from tracker.reminders.notify import Item, Message
from tracker.review import assignments


def test_importing_something_that_is_no_address_says_so(
    client: FlaskClient, make_user: Callable[..., User], login: Callable[[User], FlaskClient]
) -> None:
    login(make_user("editor"))
    page = client.post(
        "/sources/new", data={"csrf_token": csrf_token(client, "/sources/new"), "url": "not a url"}
    )
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "must be a web address starting with https://" in html and "not none" not in html
    bad_date = client.post(
        "/sources/new",
        data={
            "csrf_token": csrf_token(client, "/sources/new"),
            "text": "Rates will fall.",
            "title": "T",
            "published": "March",
        },
    )
    # The form's field is "published"; the message names it, not the API's published_at.
    assert bad_date.status_code == 422
    assert "<strong>published</strong>: not a date" in bad_date.get_data(as_text=True)


def test_a_resolution_with_outcome_and_verdict_names_the_wrong_one(
    client: FlaskClient,
    session: Session,
    seeded: int,
    make_user: Callable[..., User],
    api_token: Callable[[User], str],
) -> None:
    headers = {"Authorization": f"Bearer {api_token(make_user('reviewer'))}"}
    for kind, wrong in (("forecast", "verdict"), ("fact", "outcome")):
        claim = session.scalars(select(Claim).where(Claim.kind == kind)).first()
        assert claim is not None
        answer = client.post(
            f"/api/v1/claims/{claim.id}/resolutions",
            json={"outcome": "true", "verdict": "true", "rationale": "Both given."},
            headers=headers,
        )
        assert answer.status_code == 422
        error = answer.get_json()["error"]
        assert list(error["fields"]) == [wrong], error
        assert f"not a{'n' if wrong == 'outcome' else ''} {wrong}" in error["message"]
        assert "unknown" not in error["message"] + str(error["fields"])


def test_reassigning_to_the_recorder_names_the_to_user_field(
    client: FlaskClient,
    session: Session,
    seeded: int,
    make_user: Callable[..., User],
    login: Callable[[User], FlaskClient],
) -> None:
    admin = make_user("admin")
    first = make_user("reviewer")
    make_user("reviewer")
    assignments.fill_assignments(session, 2)
    claim = session.scalars(select(Claim)).first()
    assert claim is not None
    claim.recorded_by_id = admin.id
    session.commit()
    login(admin)
    page = client.post(
        f"/claims/{claim.id}/reassign",
        data={
            "csrf_token": csrf_token(client, f"/claims/{claim.id}/resolve"),
            "from_user": str(first.id),
            "to_user": str(admin.id),
        },
    )
    assert page.status_code == 422
    assert "<strong>to_user</strong>: recorded it" in page.get_data(as_text=True)


def test_reassigning_to_a_number_past_every_id_says_there_is_no_such_user(
    client: FlaskClient,
    session: Session,
    seeded: int,
    make_user: Callable[..., User],
    login: Callable[[User], FlaskClient],
) -> None:
    admin = make_user("admin")
    first = make_user("reviewer")
    make_user("reviewer")
    assignments.fill_assignments(session, 2)
    session.commit()
    claim = session.scalars(select(Claim)).first()
    assert claim is not None
    login(admin)
    for to_user in ("99999999999999999999", "2147483648", "0", "-3"):
        page = client.post(
            f"/claims/{claim.id}/reassign",
            data={
                "csrf_token": csrf_token(client, f"/claims/{claim.id}/resolve"),
                "from_user": str(first.id),
                "to_user": to_user,
            },
        )
        assert page.status_code == 404, (to_user, page.status_code)
        assert f"there is no user {to_user}" in page.get_data(as_text=True)


def test_counts_agree_with_their_nouns(
    client: FlaskClient,
    runner: FlaskCliRunner,
    make_user: Callable[..., User],
    api_token: Callable[[User], str],
) -> None:
    headers = {"Authorization": f"Bearer {api_token(make_user('editor'))}"}
    source = client.post(
        "/api/v1/sources",
        json={"title": "T", "text": "Rates will fall by June. The bank cut them in 2019."},
        headers=headers,
    ).get_json()
    for body in (
        {"kind": "fact", "quote": "The bank cut them in 2019."},
        {
            "kind": "forecast",
            "quote": "Rates will fall by June.",
            "question": "Will rates fall by June 2030?",
            "deadline": "2030-06-30T23:59:59Z",
        },
    ):
        response = client.post(f"/api/v1/sources/{source['id']}/claims", json=body, headers=headers)
        assert response.status_code == 201, response.get_json()
    page = client.get(f"/sources/{source['id']}").get_data(as_text=True)
    assert "2 (1 forecast, 1 fact)" in page
    listed = runner.invoke(main, ["claims", "list", "--kind", "fact"])
    assert listed.output.rstrip().endswith("1 claim")
    item = Item((1,), 1, 1, "due", "Will it?", dt.datetime(2030, 1, 1, tzinfo=dt.UTC), "http://x/1")
    digest = Message("u", "email", "r@x.test", "R", (item,), is_digest=True)
    assert digest.subject == "1 question is waiting for your review"
    assert "1 prompt for you fell due" in digest.text
