"""Many writes at once through a real threaded server: each waits its turn (SQLite takes its
write lock up front) and none ends in a 500; a wait that runs out is a 503 with Retry-After."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from tests.conftest import csrf_token
from tracker.db import make_engine, make_sessionmaker
from tracker.models import Claim, Question, Resolution, Source, User
from tracker.review import assignments

THREADS = 12


@pytest.fixture
def server(app: Flask) -> Iterator[str]:
    """The app behind werkzeug's threaded server (a thread per request, as gunicorn's gthread
    workers run it), on a free local port."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join()


def _post_all(calls: list[tuple[str, dict[str, Any], str]]) -> list[requests.Response]:
    def post(call: tuple[str, dict[str, Any], str]) -> requests.Response:
        url, body, token = call
        return requests.post(
            url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=60
        )

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(post, calls))


def test_parallel_source_creations_all_succeed(
    server: str,
    session: Session,
    make_user: Callable[..., User],
    api_token: Callable[[User], str],
) -> None:
    tokens = [api_token(make_user("editor")) for _ in range(3)]
    calls = [
        (
            f"{server}/api/v1/sources",
            {"title": f"Outlook {n}", "outlet": "The Example", "text": f"Rates will fall {n}."},
            tokens[n % len(tokens)],
        )
        for n in range(36)
    ]
    answers = _post_all(calls)
    assert [a.status_code for a in answers] == [201] * 36, [
        a.text for a in answers if a.status_code != 201
    ][:1]
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Source)) == 36


def test_parallel_resolutions_all_succeed(
    server: str,
    session: Session,
    seeded: int,
    make_user: Callable[..., User],
    api_token: Callable[[User], str],
) -> None:
    reviewers = [make_user("reviewer"), make_user("reviewer")]
    assignments.fill_assignments(session, 2)
    session.commit()
    tokens = [api_token(user) for user in reviewers]
    claims = session.scalars(select(Claim).order_by(Claim.id)).all()
    calls = [
        (
            f"{server}/api/v1/claims/{claim.id}/resolutions",
            {"outcome": "ambiguous", "rationale": "The criteria cannot decide it."}
            if claim.kind == "forecast"
            else {"verdict": "unverifiable", "rationale": "No record either way."},
            token,
        )
        for claim in claims
        for token in tokens
    ]
    assert len(calls) >= 20
    answers = _post_all(calls)
    assert [a.status_code for a in answers] == [201] * len(calls), [
        a.text for a in answers if a.status_code != 201
    ][:1]
    session.rollback()  # a fresh look, not this session's snapshot from before
    assert session.scalar(select(func.count()).select_from(Resolution)) == len(calls)
    assert {c.status for c in session.scalars(select(Claim))} == {"resolved"}


def test_twins_sent_at_once_are_recorded_once(
    server: str,
    session: Session,
    seeded: int,
    make_user: Callable[..., User],
    api_token: Callable[[User], str],
) -> None:
    """The same source (with and without an address) and the same claim, 20 times at once:
    one is recorded, the others are told it is there already (409), none fails."""
    token = api_token(make_user("editor"))
    text = "Rates will fall by June, the governor said."
    bodies = [
        {"title": "Twin", "text": text, "url": "https://example.org/twin"},
        {"title": "Twin", "text": text + " (as pasted)"},
    ]
    for body in bodies:
        answers = _post_all([(f"{server}/api/v1/sources", body, token)] * 20)
        assert sorted(a.status_code for a in answers) == [201] + [409] * 19, [
            a.text for a in answers if a.status_code not in (201, 409)
        ][:1]
    claim = {
        "kind": "fact",
        "quote": "The U.S. killing of Qassim Soleimani",
        "question": "Did the U.S. kill Soleimani?",
    }
    answers = _post_all([(f"{server}/api/v1/sources/{seeded}/claims", claim, token)] * 20)
    assert sorted(a.status_code for a in answers) == [201] + [409] * 19, [
        a.text for a in answers if a.status_code not in (201, 409)
    ][:1]
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Source)) == 3


def test_a_write_that_waits_too_long_is_503_with_retry_after(
    app: Flask,
    backend: str,
    database_url: str,
    client: FlaskClient,
    session: Session,
    seeded: int,
    login: Callable[..., FlaskClient],
    make_user: Callable[..., User],
    api_token: Callable[[User], str],
) -> None:
    """Another writer holds what a request needs (SQLite: the database's write lock;
    PostgreSQL: the row of the claim's question, which reviewers resolve) longer than the lock
    timeout: the answer is 503 with Retry-After and a page that says nothing was saved, not a
    500."""
    reviewer = make_user("reviewer")
    token = api_token(reviewer)
    login(reviewer)
    form_token = csrf_token(client, "/review")
    claim_id = session.scalars(select(Claim.id).where(Claim.kind == "fact")).first()
    app.extensions["tracker.engine"].dispose()
    engine = make_engine(database_url, lock_timeout=0.05)
    app.extensions["tracker.engine"] = engine
    app.extensions["tracker.sessions"] = make_sessionmaker(engine)
    holder = make_engine(database_url).connect().execution_options(sqlite_begin="IMMEDIATE")
    holder.begin()  # SQLite: BEGIN IMMEDIATE, the database's write lock
    holder.execute(
        select(Question.id)
        .join(Claim, Claim.question_id == Question.id)
        .where(Claim.id == claim_id)
        .with_for_update(of=Question)
    )
    # Should the wait never run out, the holder lets go after 5 s: the test fails, not hangs.
    release = threading.Timer(5, holder.rollback)
    release.start()
    try:
        page = client.post(
            f"/claims/{claim_id}/void", data={"reason": "duplicate", "csrf_token": form_token}
        )
        api = client.post(
            f"/api/v1/claims/{claim_id}/resolutions",
            json={"verdict": "unverifiable", "rationale": "No record either way."},
            headers={"Authorization": f"Bearer {token}"},
        )
    finally:
        release.cancel()
        release.join()
        holder.rollback()
        holder.close()
        holder.engine.dispose()
        engine.dispose()
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    html = page.get_data(as_text=True)
    assert "Busy" in html and "Nothing you sent was saved" in html
    # Flask-Limiter raises the API's Retry-After to its own window's reset when that is later.
    assert api.status_code == 503 and int(api.headers["Retry-After"]) >= 5
    assert api.get_json()["error"]["code"] == "busy"
    session.rollback()
    assert session.get(Claim, claim_id).status == "open"  # type: ignore[union-attr]
