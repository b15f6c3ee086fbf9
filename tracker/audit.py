"""The append-only audit log: every state change, each row chained to the hash of the one before."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, select, text
from sqlalchemy.orm import Session

from tracker.db import UTCDateTime, utcnow
from tracker.models import AuditEntry
from tracker.text import plural

GENESIS = "0" * 64
# Any fixed number: PostgreSQL writers take this transaction lock to append in turn.
_PG_LOCK_KEY = 0x7472_6163_6B65_72


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(
    prev_hash: str,
    at: dt.datetime,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    data: str,
) -> str:
    body = _canonical(
        {
            "prev": prev_hash,
            "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "actor": actor_id,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "data": data,
        }
    )
    return hashlib.sha256(body.encode()).hexdigest()


def take_turn(session: Session) -> None:
    """Wait for the log's append lock, held until the transaction ends (PostgreSQL; SQLite's
    writers take turns anyway). Every audited write takes it; one that must first check that it
    records nothing twice takes it before the check, so a concurrent twin sees its row."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})


def record(
    session: Session,
    action: str,
    entity: str,
    entity_id: int | None,
    data: dict[str, Any],
    actor_id: int | None = None,
) -> AuditEntry:
    """Append one row after the current last row, in the caller's transaction."""
    take_turn(session)
    prev = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    prev_hash = prev or GENESIS
    at = utcnow()
    payload = _canonical(data)
    entry = AuditEntry(
        at=at,
        actor_id=actor_id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        data=payload,
        prev_hash=prev_hash,
        hash=entry_hash(prev_hash, at, actor_id, action, entity, entity_id, payload),
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    first_bad_id: int | None
    reason: str | None

    @property
    def ok(self) -> bool:
        return self.first_bad_id is None


def append_on_connection(
    connection: Connection, at: dt.datetime, action: str, entity: str, data: str
) -> None:
    """One audit row of a data move (a migration, a restore), with no actor, chained after the
    last row; `data` is its JSON text as stored."""
    prev = connection.execute(
        text("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
    ).scalar_one_or_none()
    prev_hash = prev or GENESIS
    digest = entry_hash(prev_hash, at, None, action, entity, None, data)
    # An explicit id: a restore writes rows with their ids before PostgreSQL's sequences move.
    last_id = connection.execute(text("SELECT COALESCE(max(id), 0) FROM audit_log")).scalar_one()
    next_id = last_id + 1
    connection.execute(
        text(
            "INSERT INTO audit_log (id, at, actor_id, action, entity, entity_id, data, prev_hash,"
            " hash) VALUES (:id, :at, NULL, :action, :entity, NULL, :data, :prev, :hash)"
        ).bindparams(bindparam("at", type_=UTCDateTime())),
        {"id": next_id, "at": at, "action": action, "entity": entity, "data": data,
         "prev": prev_hash, "hash": digest},
    )  # fmt: skip
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT setval(pg_get_serial_sequence('audit_log', 'id'), :n, false)"),
            {"n": next_id + 1},
        )


def verify(session: Session, batch: int = 5000) -> VerifyResult:
    """Walk the whole chain in id order; name the first row whose hash or link does not match."""
    expected_prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not rows:
            return VerifyResult(checked, None, None)
        for row in rows:
            if row.prev_hash != expected_prev:
                return VerifyResult(checked, row.id, "does not link to the row before it")
            digest = entry_hash(
                row.prev_hash, row.at, row.actor_id, row.action, row.entity, row.entity_id, row.data
            )
            if digest != row.hash:
                return VerifyResult(checked, row.id, "its content does not match its hash")
            expected_prev = row.hash
            checked += 1
            last_id = row.id
        session.expunge_all()


def list_for(session: Session, entity: str, entity_id: int) -> list[AuditEntry]:
    """Every recorded change of one thing, oldest first."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
            .order_by(AuditEntry.id)
        )
    )


def describe(entry: AuditEntry) -> str:
    """A sentence for the public history of a claim (its own changes and its question's)."""
    data = json.loads(entry.data)
    part, _, action = entry.action.partition(".")
    if part not in ("claim", "question"):
        return entry.action
    if action == "reopened":
        return f"re-opened as version {data.get('version')}: {data.get('reason')}"
    if action == "voided":
        return f"voided: {data.get('reason')}"
    if action == "snoozed":
        return f"snoozed until {str(data.get('until', ''))[:10]}: {data.get('reason')}"
    if action == "edited":
        fields = ", ".join(
            change["field"].replace("_at", "").replace("text", "question")
            for change in data.get("changes", [])
        )
        return f"changed {fields}: {data.get('reason')}"
    if action in ("judged", "settled"):
        verb = "settled it as" if action == "settled" else "judged it"
        return (
            f"{verb} {data.get('result')} (version {data.get('version')}, now {data.get('state')})"
        )
    if action == "assigned":
        return f"assigned {plural(len(data.get('user_ids', [])), 'reviewer')}"
    if action == "reassigned":
        return "reassigned a reviewer"
    if action == "recorded":
        return "recorded"
    return entry.action
