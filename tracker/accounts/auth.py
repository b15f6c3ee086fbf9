"""Logging in, roles and API tokens: Flask-Login sessions, CSRF on forms, a login rate limit."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from tracker.accounts import services as accounts
from tracker.app import get_session, now
from tracker.errors import Forbidden, TrackerError
from tracker.models import User

bp = Blueprint("auth", __name__)
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Log in to continue."
login_manager.session_protection = "strong"

F = TypeVar("F", bound=Callable[..., Any])


class Unauthorized(TrackerError):
    status = 401
    code = "unauthorized"


class SessionUser(UserMixin):  # type: ignore[misc]  # flask-login ships no type hints
    """The logged-in person. The id carries the session version, so a password change or a
    disabled account ends every session at once."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.id = f"{user.id}:{user.session_version}"

    @property
    def is_active(self) -> bool:
        return self.user.is_active


@login_manager.user_loader  # type: ignore[untyped-decorator]  # flask-login ships no type hints
def _load_user(session_id: str) -> SessionUser | None:
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = get_session().get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return SessionUser(user)


def init_app(app: Flask) -> None:
    # Cookies only over HTTPS when the product is served over HTTPS.
    secure = str(app.config["BASE_URL"]).startswith("https://")
    app.config["SESSION_COOKIE_SECURE"] = secure
    app.config["REMEMBER_COOKIE_SECURE"] = secure
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    app.register_blueprint(bp)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Any:
        return (
            render_template(
                "error.html",
                status=400,
                message="This form could not be checked (its security token is missing or from "
                "another session). Go back, reload the page and submit again.",
                fields={},
            ),
            400,
        )

    @app.context_processor
    def _user() -> dict[str, Any]:
        return {"me": current()}


def current() -> User | None:
    """The person behind this request: a session or an API token."""
    token_user: User | None = g.get("token_user")
    if token_user is not None:
        return token_user
    if current_user.is_authenticated:
        return cast(SessionUser, current_user).user
    return None


def current_user_id() -> int | None:
    user = current()
    return user.id if user is not None else None


def require_user() -> User:
    user = current()
    if user is None:
        raise Unauthorized("log in first")
    return user


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.netloc and not parts.scheme:
            return target
    return url_for("review.queue")


def require_role(role: str) -> Callable[[F], F]:
    """HTML views: anonymous people go to the login page, lower roles get 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current()
            if user is None:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if not accounts.role_at_least(user.role, role):
                raise Forbidden(f"this needs the {role} role")
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


def require_token(role: str) -> Callable[[F], F]:
    """JSON write views: `Authorization: Bearer <token>` of an active user with the role."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthorized("send an API token: Authorization: Bearer <token>")
            session = get_session()
            user = accounts.user_for_token(session, token.strip(), now())
            # The use is recorded even when the request itself turns out to be invalid.
            session.commit()
            if user is None:
                raise Unauthorized("this token is unknown, revoked, or its account is disabled")
            if not accounts.role_at_least(user.role, role):
                raise Forbidden(f"this needs a token of a user with the {role} role")
            g.token_user = user
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


def _login_limit() -> str:
    return str(current_app.config.get("LOGIN_RATE_LIMIT", "10 per minute"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> Any:
    if request.method == "GET":
        return render_template("login.html", email="", next=request.args.get("next", ""))
    email = request.form.get("email", "")
    password = request.form.get("password", "")
    session = get_session()
    user = accounts.authenticate(session, email, password)
    if user is None:
        session.rollback()
        return (
            render_template(
                "login.html",
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
    return redirect(url_for("public.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@require_role("reviewer")
def change_password() -> Any:
    user = require_user()
    if request.method == "GET":
        return render_template("password.html")
    session = get_session()
    new = request.form.get("new_password", "")
    if new != request.form.get("confirm_password", ""):
        return render_template("password.html", error="The two new passwords differ."), 422
    try:
        accounts.change_password(session, user, request.form.get("current_password", ""), new)
    except TrackerError as error:
        session.rollback()
        return render_template("password.html", error=error.message), error.status
    session.commit()
    # Every other session of this account has ended; this one goes on with the new version.
    login_user(SessionUser(user))
    flash("Password changed. Every other session of your account has been logged out.")
    return redirect(url_for("review.queue"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def accept_invite(token: str) -> Any:
    if request.method == "GET":
        return render_template("invite.html", token=token)
    password = request.form.get("new_password", "")
    if password != request.form.get("confirm_password", ""):
        return render_template("invite.html", token=token, error="The passwords differ."), 422
    session = get_session()
    try:
        user = accounts.accept_invite(session, token, password, now())
    except TrackerError as error:
        session.rollback()
        return render_template("invite.html", token=token, error=error.message), error.status
    session.commit()
    login_user(SessionUser(user))
    flash("Welcome. Your password is set.")
    return redirect(url_for("review.queue"))
