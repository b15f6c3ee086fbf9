"""Who is behind a request: Flask-Login sessions, API tokens, role checks for views, CSRF on
forms and the rate limiter. The login pages themselves are in `views`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import (
    Flask,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from tracker.accounts import services as accounts
from tracker.errors import Forbidden, TrackerError
from tracker.models import User
from tracker.web import commit_bookkeeping, get_session, now

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
login_manager = LoginManager()
login_manager.login_view = "accounts.login"
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


def require_role(role: str) -> Callable[[F], F]:
    """HTML views: anonymous people go to the login page, lower roles get 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current()
            if user is None:
                return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
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
            commit_bookkeeping(session)
            if user is None:
                raise Unauthorized("this token is unknown, revoked, or its account is disabled")
            if not accounts.role_at_least(user.role, role):
                raise Forbidden(f"this needs a token of a user with the {role} role")
            g.token_user = user
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator
