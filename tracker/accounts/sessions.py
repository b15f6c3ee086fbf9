"""Login sessions kept on the server: one row per login in one browser.

The browser's (signed) cookie carries the user id, their session version and a random session
id; a request is someone's only while that id's row is open, the version matches and the
account is active. So logging out ends that login for good, even for a copy of the cookie
saved before; a password change or a disabled account (the version) ends every login at once;
"log out everywhere else" ends the others and keeps this one. A login lasts `lifetime` at most.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from tracker.models import LoginSession, User


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(
    session: Session,
    user: User,
    now: dt.datetime,
    lifetime: dt.timedelta,
    user_agent: str | None = None,
) -> str:
    """Open a login for the user; returns the secret id for the cookie. The user's ended and
    expired logins are cleared away at the same time."""
    session.execute(
        delete(LoginSession).where(
            LoginSession.user_id == user.id,
            or_(LoginSession.ended_at.is_not(None), LoginSession.created_at <= now - lifetime),
        )
    )
    token = secrets.token_urlsafe(32)
    agent = " ".join((user_agent or "").split())[:200] or None
    session.add(
        LoginSession(user_id=user.id, token_sha256=_digest(token), created_at=now, user_agent=agent)
    )
    session.flush()
    return token


def find(
    session: Session, token: str, now: dt.datetime, lifetime: dt.timedelta
) -> LoginSession | None:
    """The open, unexpired login with this secret id, else None."""
    if not token or len(token) > 100:
        return None
    row = session.scalar(select(LoginSession).where(LoginSession.token_sha256 == _digest(token)))
    if row is None or row.ended_at is not None or row.created_at <= now - lifetime:
        return None
    return row


def end(session: Session, token: str, now: dt.datetime) -> None:
    """End the login with this secret id (logging out); an unknown id changes nothing."""
    session.execute(
        update(LoginSession)
        .where(LoginSession.token_sha256 == _digest(token), LoginSession.ended_at.is_(None))
        .values(ended_at=now)
    )


def end_all(session: Session, user: User, now: dt.datetime) -> None:
    """End every open login of the user (a new password, a disabled account)."""
    session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .values(ended_at=now)
    )


def end_others(session: Session, user: User, keep_token: str, now: dt.datetime) -> int:
    """End every open login of the user but the one with `keep_token`; returns how many."""
    result = session.execute(
        update(LoginSession)
        .where(
            LoginSession.user_id == user.id,
            LoginSession.ended_at.is_(None),
            LoginSession.token_sha256 != _digest(keep_token),
        )
        .values(ended_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def list_open(
    session: Session, user: User, now: dt.datetime, lifetime: dt.timedelta
) -> Sequence[LoginSession]:
    """The user's open logins, newest first."""
    return session.scalars(
        select(LoginSession)
        .where(
            LoginSession.user_id == user.id,
            LoginSession.ended_at.is_(None),
            LoginSession.created_at > now - lifetime,
        )
        .order_by(LoginSession.created_at.desc(), LoginSession.id.desc())
    ).all()


def is_current(row: LoginSession, token: str) -> bool:
    return secrets.compare_digest(row.token_sha256, _digest(token))
