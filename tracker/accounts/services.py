"""People and their credentials: users, roles, argon2id passwords, invitations and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker import audit
from tracker.accounts import sessions as logins
from tracker.db import MAX_ID, utcnow
from tracker.errors import Conflict, Forbidden, Invalid, NotFound, Unavailable
from tracker.models import ROLES, ApiToken, User

_hasher = PasswordHasher()  # argon2id, RFC 9106's low-memory parameters (t=3, 64 MiB, p=4)
# Verifying against this keeps an unknown email as slow as a wrong password. Made at the first
# sign-in (whatever the email), not at start: commands that never check a password start
# without paying for a hash.
_dummy: str | None = None
_dummy_lock = threading.Lock()
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 12
INVITE_DAYS = 7


# A hash takes 64 MiB and about half a second of CPU, and anyone may ask for one by posting a
# login form: at most this many at once per process (a crowd of sign-ins must not exhaust the
# memory); the others wait their turn for a while, then are asked to come back.
_at_once_count = 2
_at_once = threading.BoundedSemaphore(_at_once_count)
_wait_seconds = 10.0


def configure_hashing(
    time_cost: int,
    memory_kib: int,
    parallelism: int,
    at_once: int = 2,
    wait_seconds: float = 10.0,
) -> None:
    """Set the argon2id cost for new hashes (existing ones are upgraded at their next login),
    and how many are worked out at once, each waiting at most `wait_seconds` for its turn."""
    global _hasher, _dummy, _at_once, _at_once_count, _wait_seconds
    if at_once < 1:
        raise ValueError("TRACKER_ARGON2_AT_ONCE must be 1 or more")
    if at_once != _at_once_count:
        _at_once, _at_once_count = threading.BoundedSemaphore(at_once), at_once
    _wait_seconds = wait_seconds
    if (time_cost, memory_kib, parallelism) == (
        _hasher.time_cost,
        _hasher.memory_cost,
        _hasher.parallelism,
    ):
        return
    with _dummy_lock:
        _hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism
        )
        _dummy = None


def _dummy_hash() -> str:
    global _dummy
    with _dummy_lock:
        if _dummy is None:
            _dummy = _hasher.hash("no such user")
        return _dummy


@contextmanager
def _hashing() -> Iterator[None]:
    """A turn to work out a password hash (see _at_once)."""
    turn = _at_once
    if not turn.acquire(timeout=_wait_seconds):
        raise Unavailable(
            "too many sign-ins are being checked at once: try again in a few seconds",
            retry_after=5,
        )
    try:
        yield
    finally:
        turn.release()


def role_at_least(role: str, needed: str) -> bool:
    """Roles are ordered: reviewer < editor < admin."""
    return ROLES.index(role) >= ROLES.index(needed)


def _email(value: str) -> str:
    email = (value or "").strip().lower()
    if not EMAIL.match(email) or len(email) > 254:
        raise Invalid("give a valid email address", {"email": "not an email address"})
    return email


def _role(value: str) -> str:
    if value not in ROLES:
        raise Invalid(f"role must be one of {', '.join(ROLES)}", {"role": "unknown role"})
    return value


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid(
            f"the password needs at least {MIN_PASSWORD} characters",
            {"password": f"at least {MIN_PASSWORD} characters"},
        )
    if len(password) > 1024:
        raise Invalid("the password is too long", {"password": "at most 1024 characters"})


def hash_password(password: str) -> str:
    with _hashing():
        return _hasher.hash(password)


def generate_password() -> str:
    return secrets.token_urlsafe(15)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def add_user(
    session: Session,
    *,
    email: str,
    role: str,
    display_name: str | None = None,
    password: str | None = None,
    actor_id: int | None = None,
) -> User:
    """Create an account. Without a password the account can only be entered by invitation."""
    clean_email = _email(email)
    _role(role)
    if session.scalar(select(User.id).where(User.email == clean_email)) is not None:
        raise Conflict(f"{clean_email} already has an account", {"email": "already registered"})
    name = (display_name or "").strip() or clean_email.split("@")[0]
    if len(name) > 200:
        raise Invalid("the name is too long", {"display_name": "at most 200 characters"})
    if password is not None:
        check_password_strength(password)
    user = User(
        email=clean_email,
        display_name=name,
        role=role,
        password_hash=hash_password(password) if password is not None else None,
        is_active=True,
        session_version=1,
    )
    session.add(user)
    session.flush()
    audit.record(
        session, "user.added", "user", user.id, {"email": clean_email, "role": role}, actor_id
    )
    return user


def get_user(session: Session, user_id: int) -> User:
    # A number past the ids a row can have (typed into a form) names no user, as in a URL.
    user = session.get(User, user_id) if 1 <= user_id <= MAX_ID else None
    if user is None:
        raise NotFound(f"there is no user {user_id}")
    return user


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == (email or "").strip().lower()))


def list_users(session: Session) -> Sequence[User]:
    return session.scalars(select(User).order_by(User.role.desc(), User.email)).all()


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


@dataclass(frozen=True)
class LoginAttempt:
    """What a password is checked against: the account's hash, or a dummy one of the same
    cost when there is no such account (so both take as long)."""

    user_id: int | None
    stored_hash: str


def login_attempt(session: Session, email: str) -> LoginAttempt:
    """Read what the password will be checked against. The caller may end its transaction
    before the slow check, so that no lock is held while it runs."""
    dummy = _dummy_hash()  # for a known email too: the first sign-in costs the same either way
    user = find_user_by_email(session, email)
    if user is None or not user.password_hash:
        return LoginAttempt(None, dummy)
    return LoginAttempt(user.id, user.password_hash)


def password_matches(attempt: LoginAttempt, password: str) -> bool:
    """Check the password (argon2id: slow on purpose, a few at a time; see _hashing)."""
    try:
        with _hashing():
            _hasher.verify(attempt.stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    return attempt.user_id is not None


def complete_login(session: Session, attempt: LoginAttempt, password: str) -> User | None:
    """The user of a matching password, if still active with the hash that was checked;
    records the login (and upgrades the hash to the current cost)."""
    if attempt.user_id is None:
        return None
    user = session.get(User, attempt.user_id)
    if user is None or not user.is_active or user.password_hash != attempt.stored_hash:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, else None (same cost either way)."""
    attempt = login_attempt(session, email)
    if not password_matches(attempt, password):
        return None
    return complete_login(session, attempt, password)


def set_password(session: Session, user: User, password: str, actor_id: int | None) -> None:
    """Change a password; every existing session of the user ends. API tokens go on: they
    are credentials of their own, seen and revoked on the account page."""
    check_password_strength(password)
    user.password_hash = hash_password(password)
    user.session_version += 1
    logins.end_all(session, user, utcnow())
    user.invite_token_sha256 = None
    user.invite_expires_at = None
    session.flush()
    audit.record(session, "user.password_changed", "user", user.id, {}, actor_id)


def change_password(session: Session, user: User, current: str, new: str) -> None:
    if not user.password_hash or authenticate(session, user.email, current) is None:
        raise Invalid("the current password is wrong", {"current_password": "wrong password"})
    set_password(session, user, new, user.id)


def set_active(session: Session, user: User, active: bool, actor_id: int | None) -> None:
    """Disable or enable an account; disabling ends its sessions and tokens at once."""
    if not active and actor_id == user.id:
        raise Forbidden("you cannot disable your own account")
    user.is_active = active
    user.session_version += 1
    logins.end_all(session, user, utcnow())
    session.flush()
    audit.record(
        session, "user.enabled" if active else "user.disabled", "user", user.id, {}, actor_id
    )


def set_role(session: Session, user: User, role: str, actor_id: int | None) -> None:
    _role(role)
    if actor_id == user.id and role != "admin":
        raise Forbidden("you cannot lower your own role; ask another admin")
    old = user.role
    user.role = role
    session.flush()
    audit.record(session, "user.role_changed", "user", user.id, {"from": old, "to": role}, actor_id)


def invite(session: Session, user: User, now: dt.datetime, actor_id: int | None) -> str:
    """A one-time token with which the user sets a password (valid for a week)."""
    token = secrets.token_urlsafe(32)
    user.invite_token_sha256 = sha256_hex(token)
    user.invite_expires_at = now + dt.timedelta(days=INVITE_DAYS)
    session.flush()
    audit.record(session, "user.invited", "user", user.id, {}, actor_id)
    return token


def accept_invite(session: Session, token: str, password: str, now: dt.datetime) -> User:
    user = session.scalar(select(User).where(User.invite_token_sha256 == sha256_hex(token)))
    if user is None or user.invite_expires_at is None or user.invite_expires_at < now:
        raise NotFound("this invitation is unknown or has expired; ask an admin for a new one")
    if not user.is_active:
        raise Forbidden("this account is disabled")
    set_password(session, user, password, user.id)
    return user


def create_token(session: Session, user: User, name: str, actor_id: int | None) -> str:
    """A 256-bit random bearer token; only its SHA-256 is stored, so it is shown once."""
    token = secrets.token_urlsafe(32)
    label = (name or "").strip()[:100] or "API token"
    row = ApiToken(user_id=user.id, name=label, token_sha256=sha256_hex(token))
    session.add(row)
    session.flush()
    audit.record(session, "token.created", "api_token", row.id, {"user_id": user.id}, actor_id)
    return token


def list_tokens(session: Session, user_id: int | None = None) -> Sequence[ApiToken]:
    query = select(ApiToken).order_by(ApiToken.id)
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    return session.scalars(query).all()


def revoke_token(session: Session, token_id: int, now: dt.datetime, actor_id: int | None) -> None:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(f"there is no token {token_id}")
    if row.revoked_at is None:
        row.revoked_at = now
        session.flush()
        audit.record(session, "token.revoked", "api_token", row.id, {}, actor_id)


def revoke_own_token(session: Session, user: User, token_id: int, now: dt.datetime) -> None:
    """A person revokes one of their own tokens; another's is as unknown as a missing one."""
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound(f"you have no token {token_id}")
    revoke_token(session, token_id, now, user.id)


def user_for_token(session: Session, token: str, now: dt.datetime) -> User | None:
    """The active user a live token belongs to; records when it was last used."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_sha256 == sha256_hex(token)))
    if row is None or row.revoked_at is not None or not row.user.is_active:
        return None
    # Written at most once a minute so reads through the API stay cheap.
    if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=1):
        row.last_used_at = now
        session.flush()
    return row.user
