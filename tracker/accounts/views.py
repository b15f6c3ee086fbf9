"""Accounts' HTML views: logging in and out, passwords, invitations, and the admins' page of
accounts (invite, disable, roles) and API tokens."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_user, logout_user

from tracker.accounts import services as accounts
from tracker.accounts.auth import SessionUser, limiter, require_role, require_user
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


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.netloc and not parts.scheme:
            return target
    return url_for("review.queue")


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
    user = accounts.authenticate(session, email, password)
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
    session.commit()
    login_user(SessionUser(user))
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/logout")
def logout() -> Any:
    logout_user()
    flash("You are logged out.")
    return redirect(url_for("scorecard.index"))


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
    # Every other session of this account has ended; this one goes on with the new version.
    login_user(SessionUser(user))
    flash("Password changed. Every other session of your account has been logged out.")
    return redirect(url_for("review.queue"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def accept_invite(token: str) -> Any:
    if request.method == "GET":
        return render_template("accounts/invite.html", token=token)
    password = request.form.get("new_password", "")
    if password != request.form.get("confirm_password", ""):
        return render_template(
            "accounts/invite.html", token=token, error="The passwords differ."
        ), 422
    session = get_session()
    try:
        user = accounts.accept_invite(session, token, password, now())
    except TrackerError as error:
        session.rollback()
        return render_template(
            "accounts/invite.html", token=token, error=error.message
        ), error.status
    session.commit()
    login_user(SessionUser(user))
    flash("Welcome. Your password is set.")
    return redirect(url_for("review.queue"))
