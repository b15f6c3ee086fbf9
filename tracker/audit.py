"""The append-only audit log: every state change, each row chained to the hash of the one before."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tracker.db import utcnow
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
    """A sentence for the public history of a claim."""
    data = json.loads(entry.data)
    if entry.action == "claim.reopened":
        return f"re-opened as version {data.get('version')}: {data.get('reason')}"
    if entry.action == "claim.voided":
        return f"voided: {data.get('reason')}"
    if entry.action == "claim.snoozed":
        return f"snoozed until {str(data.get('until', ''))[:10]}: {data.get('reason')}"
    if entry.action == "claim.edited":
        fields = ", ".join(change["field"].replace("_at", "") for change in data.get("changes", []))
        return f"changed {fields}: {data.get('reason')}"
    if entry.action in ("claim.judged", "claim.settled"):
        verb = "settled it as" if entry.action == "claim.settled" else "judged it"
        return (
            f"{verb} {data.get('result')} (version {data.get('version')}, now {data.get('state')})"
        )
    if entry.action == "claim.assigned":
        return f"assigned {plural(len(data.get('user_ids', [])), 'reviewer')}"
    if entry.action == "claim.reassigned":
        return "reassigned a reviewer"
    if entry.action == "claim.recorded":
        return "recorded"
    return entry.action
