"""Who is behind a request: Flask-Login sessions, API tokens, role checks for views, CSRF on
forms and the rate limiter. The login pages themselves are in `views`."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import (
    Flask,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as flask_session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from limits import parse as parse_limit

from tracker.accounts import ratelimits, sessions
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
    """The logged-in person. The id carries the session version (a password change or a
    disabled account ends every session at once) and the secret id of this login's row in
    `login_sessions` (logging out ends this one for good)."""

    def __init__(self, user: User, token: str) -> None:
        self.user = user
        self.token = token
        self.id = f"{user.id}:{user.session_version}:{token}"

    @property
    def is_active(self) -> bool:
        return self.user.is_active


@login_manager.user_loader  # type: ignore[untyped-decorator]  # flask-login ships no type hints
def _load_user(session_id: str) -> SessionUser | None:
    user_id, version, token = [*session_id.split(":", 2), "", ""][:3]
    if not user_id.isdigit() or not version.isdigit():
        return None
    login = sessions.find(get_session(), token, now(), current_app.permanent_session_lifetime)
    if login is None or login.user_id != int(user_id):
        return None
    user = login.user
    if not user.is_active or user.session_version != int(version):
        return None
    return SessionUser(user, token)


def begin_login(user: User) -> None:
    """Log the person in on a fresh session: a new server-side login, a new CSRF secret, and
    nothing carried over from the cookie session before (a form token from the anonymous
    login page no longer works). Commits."""
    db = get_session()
    if current_user.is_authenticated:  # logging in again in this browser: the old login ends
        sessions.end(db, cast(SessionUser, current_user).token, now())
    token = sessions.start(
        db, user, now(), current_app.permanent_session_lifetime, request.user_agent.string
    )
    db.commit()
    _fresh_cookie_session()
    login_user(SessionUser(user, token))


def end_login() -> None:
    """Log out: this login's row ends (a saved copy of the cookie stops working), the cookie
    session is emptied and the CSRF secret replaced. Other logins of the person go on.
    Commits."""
    if current_user.is_authenticated:
        db = get_session()
        sessions.end(db, cast(SessionUser, current_user).token, now())
        db.commit()
    logout_user()
    _fresh_cookie_session()


def current_login_token() -> str | None:
    """The secret id of this request's login, if it is a logged-in browser."""
    if current_user.is_authenticated:
        return cast(SessionUser, current_user).token
    return None


def _fresh_cookie_session() -> None:
    flask_session.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


def init_app(app: Flask) -> None:
    # Cookies only over HTTPS when the product is served over HTTPS.
    secure = str(app.config["BASE_URL"]).startswith("https://")
    app.config["SESSION_COOKIE_SECURE"] = secure
    app.config["REMEMBER_COOKIE_SECURE"] = secure
    login_manager.init_app(app)
    csrf.init_app(app)
    # The limiter is one object for the process; each app counts in its own storage.
    options: dict[str, Any] = dict(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {})
    if str(app.config["RATELIMIT_STORAGE_URI"]).startswith(f"{ratelimits.SCHEME}://"):
        options["engine"] = app.extensions["tracker.engine"]
    app.config["RATELIMIT_STORAGE_OPTIONS"] = options
    limiter._storage_options = {}  # not the options of an app made before this one
    limiter.init_app(app)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Any:
        if request.endpoint == "accounts.login":
            # A login form from before the last login or logout (another tab, an old page):
            # the form comes back with a fresh token, so the next try works.
            return (
                render_template(
                    "accounts/login.html",
                    email=request.form.get("email", ""),
                    next=request.form.get("next", ""),
                    error="This login form was out of date (you logged in or out since it "
                    "was opened, perhaps in another tab). Enter your password again.",
                ),
                400,
            )
        return (
            render_template(
                "error.html",
                status=400,
                message="This form could not be checked (its security token is missing or from "
                "another session: you may have logged in or out since the page was opened). "
                "Go back, reload the page and submit again.",
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


class TooManyFailures(TrackerError):
    """Too many failed token authentications from one address: 429 with Retry-After."""

    status = 429
    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "too many failed token authentications from this address; "
            f"try again in {retry_after} seconds"
        )
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


def _failure_limit() -> tuple[Any, tuple[str, ...]]:
    item = parse_limit(str(current_app.config["TOKEN_FAILURE_RATE_LIMIT"]))
    prefix = str(current_app.config.get("RATELIMIT_KEY_PREFIX") or "")
    return item, (prefix, "token-failures", get_remote_address() or "unknown")


def check_token_failures() -> None:
    """Before a token is even looked at: refuse an address that failed too often lately, so
    guessing tokens (bearer or calendar) gets nowhere."""
    if not limiter.enabled:
        return
    item, key = _failure_limit()
    if not limiter.limiter.test(item, *key):
        reset = limiter.limiter.get_window_stats(item, *key).reset_time
        raise TooManyFailures(max(1, math.ceil(reset - time.time())))


def record_token_failure() -> None:
    if limiter.enabled:
        item, key = _failure_limit()
        limiter.limiter.hit(item, *key)


def require_token(role: str) -> Callable[[F], F]:
    """JSON write views: `Authorization: Bearer <token>` of an active user with the role.
    Failed authentications count against the address (TOKEN_FAILURE_RATE_LIMIT)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            if not header.strip():
                raise Unauthorized("send an API token: Authorization: Bearer <token>")
            check_token_failures()
            if scheme.lower() != "bearer" or not token.strip():
                record_token_failure()
                raise Unauthorized("send an API token: Authorization: Bearer <token>")
            session = get_session()
            user = accounts.user_for_token(session, token.strip(), now())
            # The use is recorded even when the request itself turns out to be invalid.
            commit_bookkeeping(session)
            if user is None:
                record_token_failure()
                raise Unauthorized("this token is unknown, revoked, or its account is disabled")
            if not accounts.role_at_least(user.role, role):
                raise Forbidden(f"this needs a token of a user with the {role} role")
            g.token_user = user
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator
