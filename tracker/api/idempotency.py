"""Idempotency keys: a client that retries a POST with the same key gets the first answer
again instead of recording twice; the same key with another request is a conflict."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker.errors import Conflict, Invalid
from tracker.models import IdempotencyKey

# Keys are kept this long; a retry after that acts again.
LIFETIME = dt.timedelta(hours=24)
MAX_KEY_LENGTH = 200
HEADER = "Idempotency-Key"


def fingerprint(method: str, path: str, payload: Any) -> str:
    """What makes two requests the same: method, path and body (keys in any order)."""
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{method} {path}\n{body}".encode()).hexdigest()


def check_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise Invalid(
            f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable characters (a UUID is ideal)",
            {HEADER: "invalid"},
        )
    return key


def find_answer(
    session: Session, user_id: int, key: str, request_sha256: str, now: dt.datetime
) -> IdempotencyKey | None:
    """The stored first answer for this key, or None if the key is new (or expired).
    Raises Conflict when the key was used for another request or that one is not done yet."""
    # Expired keys of this client are forgotten as it goes, so the table stays small.
    session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id, IdempotencyKey.created_at < now - LIFETIME
        )
    )
    row = session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    )
    if row is None:
        return None
    if row.request_sha256 != request_sha256:
        raise Conflict(
            f"this {HEADER} was already used for a different request; use a new key",
            {HEADER: "reused with a different request"},
        )
    if row.status is None:
        raise Conflict(
            f"the first request with this {HEADER} is still being processed; retry shortly",
            {HEADER: "in progress"},
        )
    return row


def reserve(
    session: Session, user_id: int, key: str, request_sha256: str, now: dt.datetime
) -> IdempotencyKey:
    """Claim the key in the caller's transaction, so it commits together with the effect.
    A concurrent request with the same key fails here (UNIQUE) and is told to retry."""
    row = IdempotencyKey(user_id=user_id, key=key, request_sha256=request_sha256, created_at=now)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise Conflict(
            f"another request with this {HEADER} is being processed; retry shortly",
            {HEADER: "in progress"},
        ) from None
    return row


def store_answer(
    session: Session, row: IdempotencyKey, status: int, answer: Any, location: str | None
) -> None:
    row.status = status
    row.answer = json.dumps(answer, ensure_ascii=False)
    row.location = location
    session.flush()
