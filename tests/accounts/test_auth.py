"""Accounts and security: argon2id, CSRF, roles, tokens, disabling, rate limits, escaping."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import PASSWORD, csrf_token
from tracker.accounts import services as accounts
from tracker.app import create_app
from tracker.cli import main
from tracker.models import ApiToken, User
from tracker.record import services

MakeUser = Callable[..., User]


def test_passwords_are_argon2id(session: Session, make_user: MakeUser) -> None:
    user = make_user()
    assert user.password_hash and user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_login_and_logout(
    client: FlaskClient, make_user: MakeUser, login: Callable[..., FlaskClient]
) -> None:
    user = make_user()
    login(user)
    assert client.get("/review").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/review")})
    response = client.get("/review")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_wrong_password_is_refused(client: FlaskClient, make_user: MakeUser) -> None:
    user = make_user()
    response = client.post(
        "/login",
        data={"email": user.email, "password": "wrong password!", "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 401
    assert b"do not match" in response.data


def test_form_post_without_csrf_token_is_refused(
    client: FlaskClient, make_user: MakeUser, login: Callable[..., FlaskClient], seeded: int
) -> None:
    user = make_user()
    login(user)
    response = client.post("/claims/1/resolve", data={"outcome": "true", "rationale": "x"})
    assert response.status_code == 400
    assert b"security token" in response.data
    login_post = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert login_post.status_code == 400


def test_session_cookie_is_httponly_and_lax(
    client: FlaskClient, make_user: MakeUser, login: Callable[..., FlaskClient]
) -> None:
    login(make_user())
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"


def test_anonymous_and_wrong_role_html_writes_are_refused(
    client: FlaskClient, make_user: MakeUser, login: Callable[..., FlaskClient], seeded: int
) -> None:
    token = csrf_token(client)
    anonymous = client.post("/claims/1/reopen", data={"reason": "x", "csrf_token": token})
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    login(make_user("reviewer"))
    token = csrf_token(client, "/review")
    for path in ("/claims/1/reopen", "/admin/users"):
        assert client.post(path, data={"reason": "x", "csrf_token": token}).status_code == 403
    assert client.get("/admin/users").status_code == 403


def test_api_writes_need_a_token_with_the_role(
    client: FlaskClient, make_user: MakeUser, api_token: Callable[[User], str], seeded: int
) -> None:
    body = {"title": "T", "text": "It will rain."}
    anonymous = client.post("/api/v1/sources", json=body)
    assert anonymous.status_code == 401
    assert anonymous.get_json()["error"]["code"] == "unauthorized"
    bogus = client.post("/api/v1/sources", json=body, headers={"Authorization": "Bearer nope"})
    assert bogus.status_code == 401
    reviewer = api_token(make_user("reviewer"))
    wrong_role = client.post(
        "/api/v1/sources", json=body, headers={"Authorization": f"Bearer {reviewer}"}
    )
    assert wrong_role.status_code == 403 and wrong_role.get_json()["error"]["code"] == "forbidden"
    editor = api_token(make_user("editor"))
    created = client.post(
        "/api/v1/sources", json=body, headers={"Authorization": f"Bearer {editor}"}
    )
    assert created.status_code == 201, created.get_json()


def test_tokens_are_stored_hashed_and_record_use(
    session: Session, client: FlaskClient, make_user: MakeUser, api_token: Callable[[User], str]
) -> None:
    user = make_user("editor")
    token = api_token(user)
    assert len(token) >= 43  # 32 random bytes, base64url
    row = session.scalars(select(ApiToken)).one()
    assert row.token_sha256 == accounts.sha256_hex(token) and token not in row.token_sha256
    assert row.last_used_at is None
    client.post(
        "/api/v1/sources",
        json={"title": "T", "text": "Some text."},
        headers={"Authorization": f"Bearer {token}"},
    )
    session.rollback()
    assert session.get_one(ApiToken, row.id).last_used_at is not None


def test_disabled_user_token_and_session_stop_at_once(
    app: Flask,
    session: Session,
    client: FlaskClient,
    make_user: MakeUser,
    login: Callable[..., FlaskClient],
    api_token: Callable[[User], str],
) -> None:
    admin = make_user("admin")
    editor = make_user("editor")
    token = api_token(editor)
    editor_client = login(editor, app.test_client())
    assert editor_client.get("/review").status_code == 200
    login(admin)
    response = client.post(
        f"/admin/users/{editor.id}/active",
        data={"active": "0", "csrf_token": csrf_token(client, "/admin/users")},
    )
    assert response.status_code == 302
    assert editor_client.get("/review").status_code == 302
    refused = client.post(
        "/api/v1/sources",
        json={"title": "T", "text": "x y"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert refused.status_code == 401


def test_password_change_logs_out_every_other_session(
    app: Flask, client: FlaskClient, make_user: MakeUser, login: Callable[..., FlaskClient]
) -> None:
    user = make_user()
    other = login(user, app.test_client())
    login(user)
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a much longer new secret",
            "confirm_password": "a much longer new secret",
            "csrf_token": csrf_token(client, "/account/password"),
        },
    )
    assert response.status_code == 302
    assert client.get("/review").status_code == 200
    assert other.get("/review").status_code == 302


def test_login_rate_limit_answers_429(app: Flask, client: FlaskClient, make_user: MakeUser) -> None:
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    user = make_user()
    token = csrf_token(client)
    codes = [
        client.post(
            "/login", data={"email": user.email, "password": "nope nope", "csrf_token": token}
        ).status_code
        for _ in range(5)
    ]
    assert codes[:3] == [401, 401, 401] and codes[3:] == [429, 429]


@pytest.mark.parametrize(("proxies", "other_client_limited"), [(1, False), (0, True)])
def test_behind_a_trusted_proxy_login_limits_count_each_client(
    database_url: str, proxies: int, other_client_limited: bool
) -> None:
    """Behind nginx every request comes from the proxy's address: unless X-Forwarded-For is
    believed (TRACKER_PROXY_HOPS=1), one client's failed logins lock everyone out. With
    no proxy trusted, the header is a client's own claim and is ignored."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key",
            "RATELIMIT_STORAGE_URI": "memory://",
            "LOGIN_RATE_LIMIT": "2 per minute",
            "PROXY_HOPS": proxies,
        }
    )
    client = app.test_client()
    token = csrf_token(client)

    def attempt(address: str) -> int:
        return client.post(
            "/login",
            data={"email": "someone@newsroom.test", "password": "guess", "csrf_token": token},
            headers={"X-Forwarded-For": address},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        ).status_code

    assert [attempt("203.0.113.7") for _ in range(3)] == [401, 401, 429]
    assert attempt("198.51.100.9") == (429 if other_client_limited else 401)
    app.extensions["tracker.engine"].dispose()


def test_invitation_sets_a_password(
    client: FlaskClient, session: Session, make_user: MakeUser, login: Callable[..., FlaskClient]
) -> None:
    login(make_user("admin"))
    page = client.post(
        "/admin/users",
        data={"email": "New.Person@Newsroom.test", "role": "editor", "display_name": "New Person",
              "csrf_token": csrf_token(client, "/admin/users")},
    ).get_data(as_text=True)  # fmt: skip
    link = page.split("<code>")[1].split("</code>")[0]
    path = link.removeprefix("http://tracker.test")
    fresh = client.application.test_client()
    response = fresh.post(
        path,
        data={"new_password": "twelve chars at least", "confirm_password": "twelve chars at least",
              "csrf_token": csrf_token(fresh, path)},
    )  # fmt: skip
    assert response.status_code == 302
    assert fresh.get("/review").status_code == 200
    user = accounts.find_user_by_email(session, "new.person@newsroom.test")
    assert user is not None and user.role == "editor"
    again = fresh.post(path, data={"new_password": "x" * 20, "confirm_password": "x" * 20,
                                   "csrf_token": csrf_token(fresh, "/review")})  # fmt: skip
    assert again.status_code == 404


def test_cli_users_and_tokens(runner: FlaskCliRunner, session: Session) -> None:
    added = runner.invoke(
        main, ["users", "add", "--email", "Ed@Newsroom.test", "--role", "editor", "--generate"]
    )
    assert added.exit_code == 0 and "password: " in added.output
    password = added.output.rsplit("password: ", 1)[1].strip()
    assert accounts.authenticate(session, "ed@newsroom.test", password) is not None
    session.rollback()
    piped = runner.invoke(
        main, ["users", "add", "--email", "r@newsroom.test", "--password-stdin"],
        input="a long enough password\n",
    )  # fmt: skip
    assert piped.exit_code == 0 and "password" not in piped.output.split("(")[0]
    duplicate = runner.invoke(main, ["users", "add", "--email", "ed@newsroom.test", "--generate"])
    assert duplicate.exit_code == 1 and "already has an account" in duplicate.output
    created = runner.invoke(main, ["tokens", "create", "--email", "ed@newsroom.test"])
    token = created.output.strip()
    assert created.exit_code == 0 and len(token) >= 43 and "\n" not in token
    listing = runner.invoke(main, ["tokens", "list"])
    assert "ed@newsroom.test" in listing.output and token not in listing.output
    revoke = runner.invoke(main, ["tokens", "revoke", "1"])
    assert revoke.exit_code == 0
    session.rollback()
    assert accounts.user_for_token(session, token, services.utcnow()) is None


@pytest.mark.parametrize("field", ["quote", "rationale", "title"])
def test_script_payloads_are_escaped(
    client: FlaskClient,
    session: Session,
    make_user: MakeUser,
    api_token: Callable[[User], str],
    field: str,
) -> None:
    payload = '<script>alert("x")</script>'
    editor = make_user("editor")
    reviewers = [make_user("reviewer"), make_user("reviewer")]
    headers = {"Authorization": f"Bearer {api_token(editor)}"}
    text = f"He said {payload} today." if field == "quote" else "He said it today."
    source = client.post("/api/v1/sources", json={"title": "T", "text": text}, headers=headers)
    claim = client.post(
        f"/api/v1/sources/{source.get_json()['id']}/claims",
        json={"kind": "fact", "quote": text.split(" today")[0]},
        headers=headers,
    ).get_json()
    rationale = payload if field == "rationale" else "Seen in the record."
    title = payload if field == "title" else "Record"
    for reviewer in reviewers:
        answer = client.post(
            f"/api/v1/claims/{claim['id']}/resolutions",
            json={"verdict": "true", "rationale": rationale,
                  "evidence": [{"url": "https://example.org/a", "title": title}]},
            headers={"Authorization": f"Bearer {api_token(reviewer)}"},
        )  # fmt: skip
        assert answer.status_code == 201, answer.get_json()
    page = client.get(f"/claims/{claim['id']}").get_data(as_text=True)
    assert payload not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,x", "ftp://x.org/a", "//x.org"]
)
def test_evidence_urls_must_be_http(
    client: FlaskClient,
    make_user: MakeUser,
    api_token: Callable[[User], str],
    seeded: int,
    url: str,
) -> None:
    token = api_token(make_user("reviewer"))
    response = client.post(
        "/api/v1/claims/1/resolutions",
        json={"outcome": "true", "rationale": "r", "evidence": [{"url": url}]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422
    assert "evidence[0].url" in response.get_json()["error"]["fields"]


def test_sign_ins_beyond_those_checked_at_once_are_asked_to_come_back(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each password check takes 64 MiB and half a second: a crowd posting login forms gets
    its turn, one at a time here, and whoever waits too long a clear 503 instead of the
    process running out of memory."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key",
            "RATELIMIT_STORAGE_URI": "memory://",
            "LOGIN_RATE_LIMIT": "1000 per minute",
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_KIB": 1024,
            "ARGON2_PARALLELISM": 1,
            "ARGON2_AT_ONCE": 1,
            "ARGON2_WAIT_SECONDS": 0.05,
        }
    )
    checking, release = threading.Event(), threading.Event()
    verify = PasswordHasher.verify

    def slow_verify(self: PasswordHasher, stored: str, password: str) -> bool:
        checking.set()
        release.wait(10)
        return verify(self, stored, password)

    monkeypatch.setattr(PasswordHasher, "verify", slow_verify)
    first, second = app.test_client(), app.test_client()
    forms = [
        {"email": "someone@newsroom.test", "password": "guess", "csrf_token": csrf_token(c)}
        for c in (first, second)
    ]
    answers: list[Any] = []
    thread = threading.Thread(target=lambda: answers.append(first.post("/login", data=forms[0])))
    thread.start()
    try:
        assert checking.wait(10)
        answer = second.post("/login", data=forms[1])
        assert answer.status_code == 503
        assert "Retry-After" in answer.headers
        assert "too many sign-ins are being checked at once" in answer.get_data(as_text=True)
    finally:
        release.set()
        thread.join(10)
    assert answers[0].status_code == 401
    assert second.post("/login", data=forms[1]).status_code == 401  # its turn, now
    app.extensions["tracker.engine"].dispose()
