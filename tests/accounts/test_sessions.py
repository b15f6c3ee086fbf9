"""Logins kept on the server: logging out ends that login for good (a cookie saved before no
longer works), other browsers go on until "log out everywhere else" or a password change; the
CSRF secret is new after every login and logout; people see and revoke their own API tokens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import PASSWORD, csrf_token
from tracker.accounts import sessions
from tracker.db import utcnow
from tracker.models import LoginSession, User

MakeUser = Callable[..., User]
Login = Callable[..., FlaskClient]


def _replay(app: Flask, cookie: str) -> FlaskClient:
    """Another browser holding a copy of a session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def _session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def test_a_cookie_saved_before_logout_no_longer_works(
    app: Flask, client: FlaskClient, make_user: MakeUser, login: Login
) -> None:
    login(make_user())
    saved = _session_cookie(client)
    assert _replay(app, saved).get("/review").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/review")})
    replayed = _replay(app, saved)
    response = replayed.get("/review")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert replayed.get("/account").status_code == 302


def test_logging_out_ends_only_that_login(
    app: Flask, client: FlaskClient, make_user: MakeUser, login: Login
) -> None:
    user = make_user()
    laptop = login(user, app.test_client())
    login(user)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/review")})
    assert client.get("/review").status_code == 302
    assert laptop.get("/review").status_code == 200


def test_log_out_everywhere_else(
    app: Flask, client: FlaskClient, make_user: MakeUser, login: Login
) -> None:
    user = make_user()
    phone = login(user, app.test_client())
    login(user)
    page = client.get("/account").get_data(as_text=True)
    assert page.count("<tr><td>") == 2 and "this browser" in page
    response = client.post(
        "/account/logins/end-others", data={"csrf_token": csrf_token(client, "/account")}
    )
    assert response.status_code == 302
    assert "1 other login" in client.get("/account").get_data(as_text=True)
    assert phone.get("/review").status_code == 302
    assert client.get("/review").status_code == 200


def test_a_password_change_ends_saved_cookies_of_this_browser_too(
    app: Flask, client: FlaskClient, make_user: MakeUser, login: Login
) -> None:
    login(make_user())
    saved = _session_cookie(client)
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
    assert _replay(app, saved).get("/review").status_code == 302


def test_a_disabled_account_loses_every_login(
    app: Flask, client: FlaskClient, session: Session, make_user: MakeUser, login: Login
) -> None:
    editor = make_user("editor")
    browser = login(editor, app.test_client())
    login(make_user("admin"))
    client.post(
        f"/admin/users/{editor.id}/active",
        data={"active": "0", "csrf_token": csrf_token(client, "/admin/users")},
    )
    assert browser.get("/review").status_code == 302
    rows = session.query(LoginSession).filter_by(user_id=editor.id).all()
    assert rows and all(row.ended_at is not None for row in rows)


def test_the_form_token_of_the_anonymous_login_page_is_refused_after_login(
    client: FlaskClient, make_user: MakeUser, seeded: int
) -> None:
    user = make_user()
    anonymous = csrf_token(client)
    client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": anonymous})
    assert client.get("/review").status_code == 200
    stale = client.post("/claims/1/snooze", data={"until": "2030-01-01", "csrf_token": anonymous})
    assert stale.status_code == 400 and b"security token" in stale.data
    fresh = csrf_token(client, "/review")
    assert fresh != anonymous
    assert client.post("/account/logins/end-others", data={"csrf_token": fresh}).status_code == 302


def test_the_form_token_of_a_logged_in_page_is_refused_after_logout(
    client: FlaskClient, make_user: MakeUser, login: Login
) -> None:
    login(make_user())
    token = csrf_token(client, "/review")
    client.post("/logout", data={"csrf_token": token})
    again = client.post("/logout", data={"csrf_token": token})
    assert again.status_code == 400
    assert csrf_token(client) != token


def test_a_stale_login_tab_gets_its_form_back_and_works_next_time(
    client: FlaskClient, make_user: MakeUser, login: Login
) -> None:
    user = make_user()
    old_tab = csrf_token(client)  # the login page opened in another tab, earlier
    login(user)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/review")})
    response = client.post(
        "/login",
        data={
            "email": user.email,
            "password": PASSWORD,
            "next": "/account",
            "csrf_token": old_tab,
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "login form was out of date" in page
    assert f'value="{user.email}"' in page and 'value="/account"' in page
    assert client.get("/review").status_code == 302  # not logged in by the stale form
    retry = client.post(
        "/login",
        data={
            "email": user.email,
            "password": PASSWORD,
            "next": "/account",
            "csrf_token": csrf_token(client),
        },
    )
    assert retry.status_code == 302 and retry.headers["Location"] == "/account"


def test_people_see_and_revoke_their_own_tokens_only(
    client: FlaskClient,
    make_user: MakeUser,
    login: Login,
    api_token: Callable[[User], str],
) -> None:
    editor = make_user("editor")
    other = make_user("editor")
    mine = api_token(editor)
    theirs = api_token(other)
    login(editor)
    page = client.get("/account").get_data(as_text=True)
    assert page.count("Revoke token #") == 1 and "#1 test" in page
    token = csrf_token(client, "/account")
    refused = client.post("/account/tokens/2/revoke", data={"csrf_token": token})
    assert refused.status_code == 404 and b"you have no token 2" in refused.data
    body = {"title": "T", "text": "It will rain."}
    assert (
        client.post("/api/v1/sources", json=body, headers={"Authorization": f"Bearer {theirs}"})
    ).status_code == 201
    revoked = client.post("/account/tokens/1/revoke", data={"csrf_token": token})
    assert revoked.status_code == 302
    answer = client.post("/api/v1/sources", json=body, headers={"Authorization": f"Bearer {mine}"})
    assert answer.status_code == 401
    assert "revoked" in client.get("/account").get_data(as_text=True)


def test_api_tokens_survive_a_password_change(
    client: FlaskClient, make_user: MakeUser, login: Login, api_token: Callable[[User], str]
) -> None:
    editor = make_user("editor")
    token = api_token(editor)
    login(editor)
    client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a much longer new secret",
            "confirm_password": "a much longer new secret",
            "csrf_token": csrf_token(client, "/account/password"),
        },
    )
    assert "your API tokens still work" in client.get("/account").get_data(as_text=True)
    answer = client.post(
        "/api/v1/sources",
        json={"title": "T", "text": "It will rain."},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 201


def test_a_login_ends_after_its_lifetime(session: Session, make_user: MakeUser) -> None:
    user = make_user()
    lifetime = dt.timedelta(days=31)
    start = utcnow()
    token = sessions.start(session, user, start, lifetime, "Firefox")
    assert sessions.find(session, token, start + dt.timedelta(days=30), lifetime) is not None
    assert sessions.find(session, token, start + lifetime, lifetime) is None
    # A new login clears the user's ended and expired ones away.
    sessions.start(session, user, start + lifetime, lifetime)
    assert session.query(LoginSession).filter_by(user_id=user.id).count() == 1


def test_logging_in_again_in_the_same_browser_ends_its_old_login(
    app: Flask, client: FlaskClient, session: Session, make_user: MakeUser, login: Login
) -> None:
    user = make_user()
    login(user)
    first = _session_cookie(client)
    login(user)
    assert _replay(app, first).get("/review").status_code == 302
    assert client.get("/review").status_code == 200
    assert client.get("/account").get_data(as_text=True).count("<tr><td>") == 1
    # The ended login is cleared away when the new one starts.
    assert session.query(LoginSession).filter_by(user_id=user.id).count() == 1
