"""Admins' HTML views: accounts (invite, disable, roles) and API tokens."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from tracker.accounts import services as accounts
from tracker.accounts.auth import require_role, require_user
from tracker.app import get_session, now
from tracker.errors import TrackerError
from tracker.models import MESSAGE_STATUSES, ROLES
from tracker.record import audit
from tracker.reminders import services as reminders

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _page(status: int = 200, **extra: Any) -> Any:
    session = get_session()
    return (
        render_template(
            "admin_users.html",
            users=accounts.list_users(session),
            tokens=accounts.list_tokens(session),
            roles=ROLES,
            **extra,
        ),
        status,
    )


@bp.get("/users")
@require_role("admin")
def users() -> Any:
    return _page(form={})


def _done(message: str, **extra: Any) -> Any:
    get_session().commit()
    if extra:
        return _page(**extra)
    flash(message)
    return redirect(url_for("admin.users"))


def _failed(error: TrackerError) -> Any:
    session = get_session()
    session.rollback()
    return _page(error.status, error=error, form=request.form)


@bp.post("/users")
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
    link = url_for("auth.accept_invite", token=token, _external=True)
    return _done("", invited=(user.email, link))


@bp.post("/users/<int:user_id>/invite")
@require_role("admin")
def reinvite(user_id: int) -> Any:
    session = get_session()
    actor = require_user()
    try:
        user = accounts.get_user(session, user_id)
        token = accounts.invite(session, user, now(), actor.id)
    except TrackerError as error:
        return _failed(error)
    link = url_for("auth.accept_invite", token=token, _external=True)
    return _done("", invited=(user.email, link))


@bp.post("/users/<int:user_id>/role")
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


@bp.post("/users/<int:user_id>/active")
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


@bp.post("/users/<int:user_id>/tokens")
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


@bp.post("/tokens/<int:token_id>/revoke")
@require_role("admin")
def revoke_token(token_id: int) -> Any:
    session = get_session()
    actor = require_user()
    try:
        accounts.revoke_token(session, token_id, now(), actor.id)
    except TrackerError as error:
        return _failed(error)
    return _done("The token is revoked.")


@bp.get("/outbox")
@require_role("admin")
def outbox() -> Any:
    session = get_session()
    status = request.args.get("status") or None
    if status is not None and status not in MESSAGE_STATUSES:
        status = None
    return render_template(
        "admin_outbox.html",
        messages=reminders.list_outbox(session, status=status, limit=200),
        counts=reminders.count_outbox(session),
        statuses=MESSAGE_STATUSES,
        status=status,
    )


@bp.post("/outbox/<int:message_id>/retry")
@require_role("admin")
def retry_message(message_id: int) -> Any:
    session = get_session()
    actor = require_user()
    try:
        message = reminders.retry_message(session, message_id, now())
        audit.record(
            session, "outbox.retried", "outbox", message.id, {"uid": message.uid}, actor.id
        )
    except TrackerError as error:
        session.rollback()
        flash(error.message)
        return redirect(url_for("admin.outbox"))
    session.commit()
    flash(f"Message {message_id} goes out again at the next tick.")
    return redirect(url_for("admin.outbox", status=request.args.get("status")))
