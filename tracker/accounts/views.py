"""Accounts' HTML views: logging in and out, a person's own account (their logins, their API
tokens, their password), invitations, and the admins' page of accounts (invite, disable,
roles) and API tokens."""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from werkzeug.urls import iri_to_uri

from tracker.accounts import services as accounts
from tracker.accounts import sessions as login_sessions
from tracker.accounts.auth import (
    begin_login,
    current_login_token,
    end_login,
    limiter,
    require_role,
    require_user,
)
from tracker.errors import TrackerError
from tracker.models import ROLES
from tracker.web import get_session, now

bp = Blueprint("accounts", __name__)


def _page(status: int = 200, **extra: Any) -> Any:
    session = get_session()
    return (
        render_template(
            "accounts/users.html",
            users=accounts.list_users(session),
            tokens=accounts.list_tokens(session),
            roles=ROLES,
            **extra,
        ),
        status,
    )


@bp.get("/admin/users")
@require_role("admin")
def users() -> Any:
    return _page(form={})


def _done(message: str, **extra: Any) -> Any:
    get_session().commit()
    if extra:
        return _page(**extra)
    flash(message)
    return redirect(url_for("accounts.users"))


def _failed(error: TrackerError) -> Any:
    session = get_session()
    session.rollback()
    return _page(error.status, error=error, form=request.form)


@bp.post("/admin/users")
@require_role("admin")
def invite() -> Any:
    session = get_session()
    actor = require_user()
    form = request.form
    try:
        user = accounts.add_user(
            session,
            email=form.get("email", ""),
            role=form.get("role", "reviewer"),
            display_name=form.get("display_name"),
            actor_id=actor.id,
        )
        token = accounts.invite(session, user, now(), actor.id)
    except TrackerError as error:
        return _failed(error)
    link = url_for("accounts.accept_invite", token=token, _external=True)
    return _done("", invited=(user.email, link))


@bp.post("/admin/users/<id:user_id>/invite")
@require_role("admin")
def reinvite(user_id: int) -> Any:
    session = get_session()
    actor = require_user()
    try:
        user = accounts.get_user(session, user_id)
        token = accounts.invite(session, user, now(), actor.id)
    except TrackerError as error:
        return _failed(error)
    link = url_for("accounts.accept_invite", token=token, _external=True)
    return _done("", invited=(user.email, link))


@bp.post("/admin/users/<id:user_id>/role")
@require_role("admin")
def change_role(user_id: int) -> Any:
    session = get_session()
    actor = require_user()
    try:
        user = accounts.get_user(session, user_id)
        accounts.set_role(session, user, request.form.get("role", ""), actor.id)
    except TrackerError as error:
        return _failed(error)
    return _done(f"{user.email} is now {user.role}.")


@bp.post("/admin/users/<id:user_id>/active")
@require_role("admin")
def set_active(user_id: int) -> Any:
    session = get_session()
    actor = require_user()
    active = request.form.get("active") == "1"
    try:
        user = accounts.get_user(session, user_id)
        accounts.set_active(session, user, active, actor.id)
    except TrackerError as error:
        return _failed(error)
    return _done(
        f"{user.email} is {'enabled' if active else 'disabled; their sessions and tokens stopped'}."
    )


@bp.post("/admin/users/<id:user_id>/tokens")
@require_role("admin")
def create_token(user_id: int) -> Any:
    session = get_session()
    actor = require_user()
    try:
        user = accounts.get_user(session, user_id)
        token = accounts.create_token(session, user, request.form.get("name", ""), actor.id)
    except TrackerError as error:
        return _failed(error)
    return _done("", new_token=(user.email, token))


@bp.post("/admin/tokens/<id:token_id>/revoke")
@require_role("admin")
def revoke_token(token_id: int) -> Any:
    session = get_session()
    actor = require_user()
    try:
        accounts.revoke_token(session, token_id, now(), actor.id)
    except TrackerError as error:
        return _failed(error)
    return _done("The token is revoked.")


def _safe_next(target: str | None) -> str | None:
    """Where to go after logging in: a path on this site, percent-encoded, or None.

    Anything else is ignored, not followed: another site (`//host`, `https://host`, `/\\host`,
    which browsers read as `//host`), and any control character (CR/LF would split the
    Location header; NUL, tabs and the like have no place in a path)."""
    if not target or len(target) > 2000:
        return None
    if "\\" in target or any(unicodedata.category(ch)[0] in "CZ" and ch != " " for ch in target):
        return None
    uri = iri_to_uri(target)
    if not uri.startswith("/") or uri.startswith("//"):
        return None
    parts = urlsplit(uri)
    if parts.scheme or parts.netloc:
        return None
    return uri


def _login_limit() -> str:
    return str(current_app.config.get("LOGIN_RATE_LIMIT", "10 per minute"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> Any:
    if request.method == "GET":
        return render_template("accounts/login.html", email="", next=request.args.get("next", ""))
    email = request.form.get("email", "")
    password = request.form.get("password", "")
    session = get_session()
    attempt = accounts.login_attempt(session, email)
    # The password check is slow on purpose: no transaction (and on SQLite no write lock)
    # is held while it runs, so logins and writes do not queue behind each other.
    session.rollback()
    matches = accounts.password_matches(attempt, password)
    user = accounts.complete_login(session, attempt, password) if matches else None
    if user is None:
        session.rollback()
        return (
            render_template(
                "accounts/login.html",
                email=email,
                next=request.form.get("next", ""),
                error="That email and password do not match an active account.",
            ),
            401,
        )
    # The answer is built before the session changes: nothing after this can fail half-way.
    response = redirect(_safe_next(request.form.get("next")) or url_for("review.queue"))
    begin_login(user)
    return response


@bp.post("/logout")
def logout() -> Any:
    end_login()
    flash("You are logged out.")
    return redirect(url_for("scorecard.index"))


def _account_page(status: int = 200, **extra: Any) -> Any:
    user = require_user()
    session = get_session()
    token = current_login_token()
    logins = login_sessions.list_open(session, user, now(), current_app.permanent_session_lifetime)
    return (
        render_template(
            "accounts/account.html",
            logins=[
                (row, token is not None and login_sessions.is_current(row, token)) for row in logins
            ],
            tokens=accounts.list_tokens(session, user_id=user.id),
            **extra,
        ),
        status,
    )


@bp.get("/account")
@require_role("reviewer")
def account() -> Any:
    """A person's own account: their logins in other browsers, their API tokens."""
    return _account_page()


@bp.post("/account/tokens/<id:token_id>/revoke")
@require_role("reviewer")
def revoke_my_token(token_id: int) -> Any:
    session = get_session()
    try:
        accounts.revoke_own_token(session, require_user(), token_id, now())
    except TrackerError as error:
        session.rollback()
        return _account_page(error.status, error=error.message)
    session.commit()
    flash("The token is revoked: scripts using it get 401 from now on.")
    return redirect(url_for("accounts.account"))


@bp.post("/account/logins/end-others")
@require_role("reviewer")
def end_other_logins() -> Any:
    session = get_session()
    token = current_login_token()
    if token is None:  # an API token has no browser logins to keep
        return redirect(url_for("accounts.account"))
    ended = login_sessions.end_others(session, require_user(), token, now())
    session.commit()
    flash(f"Logged out everywhere else ({ended} other {'login' if ended == 1 else 'logins'}).")
    return redirect(url_for("accounts.account"))


@bp.route("/account/password", methods=["GET", "POST"])
@require_role("reviewer")
def change_password() -> Any:
    user = require_user()
    if request.method == "GET":
        return render_template("accounts/password.html")
    session = get_session()
    new = request.form.get("new_password", "")
    if new != request.form.get("confirm_password", ""):
        return render_template("accounts/password.html", error="The two new passwords differ."), 422
    try:
        accounts.change_password(session, user, request.form.get("current_password", ""), new)
    except TrackerError as error:
        session.rollback()
        return render_template("accounts/password.html", error=error.message), error.status
    session.commit()
    # Every session of this account has ended; this browser goes on with a new one.
    begin_login(user)
    flash(
        "Password changed. Every other session of your account has been logged out; "
        "your API tokens still work (revoke them below if they may be known to someone else)."
    )
    return redirect(url_for("accounts.account"))


def _invite_page(token: str, status: int = 200, error: str | None = None) -> Any:
    response = current_app.make_response(
        (render_template("accounts/invite.html", token=token, error=error), status)
    )
    # The address is the invitation: no other site learns it from a link on the page.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/invite/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def accept_invite(token: str) -> Any:
    if request.method == "GET":
        return _invite_page(token)
    password = request.form.get("new_password", "")
    if password != request.form.get("confirm_password", ""):
        return _invite_page(token, 422, "The passwords differ.")
    session = get_session()
    try:
        user = accounts.accept_invite(session, token, password, now())
    except TrackerError as error:
        session.rollback()
        return _invite_page(token, error.status, error.message)
    session.commit()
    begin_login(user)
    flash("Welcome. Your password is set.")
    return redirect(url_for("review.queue"))
