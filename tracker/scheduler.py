"""The reminder scheduler: its own process, one tick at a time.

A tick reconciles reminders with the database as it stands (plan what is missing for due,
unresolved claims; move what a snooze or a new deadline moved; cancel what no longer applies),
folds reminders into outbox messages, then takes due messages under a lease, delivers them after
the lease is committed, and records each result. Two schedulers can tick at once, and one can
die mid-send: the lease expires and the next tick delivers again with the same message id, so a
receiver that dedupes on it sees each effect once."""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import signal
import socket
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any, Protocol, cast

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    and_,
    bindparam,
    case,
    exists,
    func,
    insert,
    literal,
    not_,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased, selectinload

from tracker.db import utcnow
from tracker.models import (
    Assignment,
    Claim,
    OutboxMessage,
    Reminder,
    ReminderSettings,
    SchedulerHeartbeat,
    User,
)
from tracker.notify import Delivery, Item, Message, Notifier

log = logging.getLogger(__name__)

OFFSETS = {
    "due": dt.timedelta(0),
    "overdue": dt.timedelta(days=3),
    "escalation": dt.timedelta(days=10),
}
SEVERITY = {"due": 0, "overdue": 1, "escalation": 2}
# PostgreSQL: one scheduler at a time plans; the others skip planning and go on delivering.
_PLAN_LOCK_KEY = 0x7265_6D69_6E64


class Clock(Protocol):
    def now(self) -> dt.datetime: ...


class SystemClock:
    def now(self) -> dt.datetime:
        return utcnow()


@dataclass
class FixedClock:
    """A clock that stands still until moved: tests and `tick --now` use it."""

    at: dt.datetime

    def now(self) -> dt.datetime:
        return self.at

    def advance(self, delta: dt.timedelta) -> None:
        self.at += delta


@dataclass(frozen=True)
class Settings:
    base_url: str = "http://127.0.0.1:5000"
    tick_seconds: float = 30.0
    lease_seconds: float = 120.0
    batch_size: int = 50
    give_up_after: dt.timedelta = dt.timedelta(hours=72)
    backoff_base: dt.timedelta = dt.timedelta(seconds=30)
    backoff_cap: dt.timedelta = dt.timedelta(hours=2)

    @property
    def late_after(self) -> dt.timedelta:
        """A reminder this far past its time was missed (the scheduler was down): it goes into
        the recipient's digest instead of a message of its own. Three ticks, as /readyz."""
        return dt.timedelta(seconds=3 * self.tick_seconds)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        return cls(
            base_url=str(config.get("BASE_URL") or cls.base_url).rstrip("/"),
            tick_seconds=float(config.get("TICK_SECONDS") or cls.tick_seconds),
            lease_seconds=float(config.get("LEASE_SECONDS") or cls.lease_seconds),
            batch_size=int(config.get("DELIVERY_BATCH") or cls.batch_size),
        )


@dataclass
class TickResult:
    planned: int = 0
    moved: int = 0
    cancelled: int = 0
    composed: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0
    stopped: bool = False

    def __str__(self) -> str:
        return (
            f"planned {self.planned}, moved {self.moved}, cancelled {self.cancelled}, "
            f"messages {self.composed}, sent {self.sent}, failed {self.failed}, dead {self.dead}"
        )


# --- planning -------------------------------------------------------------------------------


def schedule(
    deadline_at: dt.datetime, snoozed_until: dt.datetime | None, kinds: Sequence[str]
) -> tuple[dt.datetime, dict[str, dt.datetime]]:
    """The anchor and due time of each of `kinds` (the kinds still to send to one recipient).

    Without a snooze, kinds fall at the deadline, +3 and +10 days. A snooze past the deadline
    moves the first kind still to send to the snooze's end and keeps the spacing of the rest,
    never earlier than the plain schedule."""
    if snoozed_until is None or snoozed_until <= deadline_at:
        return deadline_at, {k: deadline_at + OFFSETS[k] for k in kinds}
    first = min(OFFSETS[k] for k in kinds)
    return snoozed_until, {
        k: max(deadline_at + OFFSETS[k], snoozed_until + OFFSETS[k] - first) for k in kinds
    }


def _anchor_of_claim() -> Any:
    return case(
        (
            and_(Claim.snoozed_until.is_not(None), Claim.snoozed_until > Claim.deadline_at),
            Claim.snoozed_until,
        ),
        else_=Claim.deadline_at,
    )


def _channel_enabled(channel: Any) -> Any:
    return or_(
        and_(
            channel == "email",
            or_(ReminderSettings.email_enabled.is_(None), ReminderSettings.email_enabled),
        ),
        and_(
            channel == "webhook",
            or_(ReminderSettings.webhook_enabled.is_(None), ReminderSettings.webhook_enabled),
        ),
    )


def _is_due(now: dt.datetime) -> Any:
    return and_(Claim.status == "open", Claim.deadline_at.is_not(None), Claim.deadline_at <= now)


def _has_active_assignee() -> Any:
    assignee = aliased(User)
    return exists().where(
        Assignment.claim_id == Claim.id,
        assignee.id == Assignment.user_id,
        assignee.is_active,
    )


def _constant_column(values: Sequence[str], name: str) -> Any:
    return union_all(*(select(literal(v).label(name)) for v in values)).subquery(name + "s")


def _wanted_rows(
    now: dt.datetime, channels: Sequence[str], claim_id: int | None, admin_ids: Sequence[int]
) -> Any:
    """(claim, deadline, snooze, user, kind, channel) that should have a live reminder and
    have none. Assigned reviewers get every kind; active admins get the escalation, and every
    kind of a claim that nobody is assigned to."""
    kinds = _constant_column(tuple(OFFSETS), "kind")
    chans = _constant_column(channels, "channel")
    live = exists().where(
        Reminder.claim_id == Claim.id,
        Reminder.kind == kinds.c.kind,
        Reminder.user_id == User.id,
        Reminder.channel == chans.c.channel,
        Reminder.status != "cancelled",
    )
    columns = (
        Claim.id,
        Claim.deadline_at,
        Claim.snoozed_until,
        User.id,
        kinds.c.kind,
        chans.c.channel,
    )
    scope = [_is_due(now)] if claim_id is None else [_is_due(now), Claim.id == claim_id]
    assignees = (
        select(*columns)
        .select_from(Claim)
        .join(Assignment, Assignment.claim_id == Claim.id)
        .join(User, and_(User.id == Assignment.user_id, User.is_active))
        .join(kinds, literal(True))
        .join(chans, literal(True))
        .outerjoin(ReminderSettings, ReminderSettings.user_id == User.id)
        .where(*scope, _channel_enabled(chans.c.channel), not_(live))
    )
    if not admin_ids:
        return assignees
    # The few admins by id: a join on role would read the whole users table for each claim.
    admins = (
        select(*columns)
        .select_from(Claim)
        .join(User, User.id.in_(admin_ids))
        .join(kinds, literal(True))
        .join(chans, literal(True))
        .outerjoin(ReminderSettings, ReminderSettings.user_id == User.id)
        .where(
            *scope,
            _channel_enabled(chans.c.channel),
            or_(kinds.c.kind == "escalation", not_(_has_active_assignee())),
            not_(exists().where(Assignment.claim_id == Claim.id, Assignment.user_id == User.id)),
            not_(live),
        )
    )
    return union_all(assignees, admins)


def _upsert(session: Session) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def plan(
    session: Session,
    now: dt.datetime,
    channels: Sequence[str] = ("email", "webhook"),
    claim_id: int | None = None,
) -> int:
    """Add the missing reminders of due claims (a cancelled one comes back to life)."""
    admin_ids = session.scalars(select(User.id).where(User.role == "admin", User.is_active)).all()
    rows = session.execute(_wanted_rows(now, channels, claim_id, admin_ids)).all()
    if not rows:
        return 0
    groups: dict[tuple[int, int, str], list[Any]] = defaultdict(list)
    for row in rows:
        groups[(row[0], row[3], row[5])].append(row)
    pending_kinds: dict[tuple[int, int, str], set[str]] = defaultdict(set)
    for claim, user, channel, kind in session.execute(
        select(Reminder.claim_id, Reminder.user_id, Reminder.channel, Reminder.kind).where(
            Reminder.status == "pending",
            Reminder.claim_id.in_({key[0] for key in groups}),
        )
    ):
        pending_kinds[(claim, user, channel)].add(kind)
    values = []
    for key, group in groups.items():
        deadline_at, snoozed_until = group[0][1], group[0][2]
        kinds = {row[4] for row in group} | pending_kinds[key]
        anchor, due = schedule(deadline_at, snoozed_until, sorted(kinds, key=SEVERITY.__getitem__))
        for row in group:
            values.append(
                {
                    "claim_id": key[0],
                    "user_id": key[1],
                    "channel": key[2],
                    "kind": row[4],
                    "status": "pending",
                    "due_at": due[row[4]],
                    "anchor_at": anchor,
                    "message_id": None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    table = cast(Table, Reminder.__table__)
    statement = _upsert(session)(table)
    statement = statement.on_conflict_do_update(
        index_elements=["claim_id", "kind", "user_id", "channel"],
        set_={
            "status": "pending",
            "due_at": statement.excluded.due_at,
            "anchor_at": statement.excluded.anchor_at,
            "message_id": None,
            "updated_at": statement.excluded.updated_at,
        },
        where=table.c.status == "cancelled",
    )
    # Core, not the ORM: a tick may plan thousands of rows and needs no objects back.
    session.connection().execute(statement, values)
    return len(values)


def _unwanted(now: dt.datetime) -> Any:
    """Pending reminders whose claim, recipient or channel no longer calls for them."""
    assigned = exists().where(
        Assignment.claim_id == Reminder.claim_id, Assignment.user_id == Reminder.user_id
    )
    wanted = and_(
        _is_due(now),
        User.is_active,
        _channel_enabled(Reminder.channel),
        or_(
            assigned,
            and_(
                User.role == "admin",
                or_(Reminder.kind == "escalation", not_(_has_active_assignee())),
            ),
        ),
    )
    return (
        select(Reminder.id, Reminder.message_id)
        .join(Claim, Claim.id == Reminder.claim_id)
        .join(User, User.id == Reminder.user_id)
        .outerjoin(ReminderSettings, ReminderSettings.user_id == Reminder.user_id)
        .where(Reminder.status == "pending", not_(wanted))
    )


def _cancel(session: Session, rows: Sequence[Any], now: dt.datetime) -> int:
    if not rows:
        return 0
    ids = [row[0] for row in rows]
    for chunk in _chunks(ids):
        session.execute(
            update(Reminder)
            .where(Reminder.id.in_(chunk), Reminder.status == "pending")
            .values(status="cancelled", message_id=None, updated_at=now)
        )
    _cancel_empty_messages(session, {row[1] for row in rows if row[1] is not None})
    return len(ids)


def _cancel_empty_messages(session: Session, message_ids: set[int]) -> None:
    """An unsent message left with no pending reminder has nothing to say: cancel it."""
    for chunk in _chunks(sorted(message_ids)):
        session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(chunk),
                OutboxMessage.status.in_(("pending", "failed")),
                not_(
                    exists().where(
                        Reminder.message_id == OutboxMessage.id, Reminder.status == "pending"
                    )
                ),
            )
            .values(status="cancelled", last_error="nothing left to remind of", lease_until=None)
            .execution_options(synchronize_session=False)
        )


def cancel_unwanted(session: Session, now: dt.datetime) -> int:
    """Cancel pending reminders of claims resolved, voided, disputed or no longer due, and of
    recipients no longer assigned, active or subscribed to the channel."""
    return _cancel(session, session.execute(_unwanted(now)).all(), now)


def cancel_pending(session: Session, claim_id: int, now: dt.datetime | None = None) -> int:
    """Cancel at once every pending reminder of one claim (it was resolved or voided)."""
    rows = session.execute(
        select(Reminder.id, Reminder.message_id).where(
            Reminder.claim_id == claim_id, Reminder.status == "pending"
        )
    ).all()
    count = _cancel(session, rows, now or utcnow())
    session.flush()
    return count


def move(session: Session, now: dt.datetime, claim_id: int | None = None) -> int:
    """Move pending reminders whose claim's deadline or snooze changed since they were planned.
    One taken into an unsent message but now due later leaves the message."""
    query = (
        select(
            Reminder.id,
            Reminder.claim_id,
            Reminder.user_id,
            Reminder.channel,
            Reminder.kind,
            Reminder.message_id,
            Claim.deadline_at,
            Claim.snoozed_until,
        )
        .join(Claim, Claim.id == Reminder.claim_id)
        .where(
            Reminder.status == "pending",
            Claim.deadline_at.is_not(None),
            Reminder.anchor_at != _anchor_of_claim(),
        )
    )
    if claim_id is not None:
        query = query.where(Reminder.claim_id == claim_id)
    rows = session.execute(query).all()
    groups: dict[tuple[int, int, str], list[Any]] = defaultdict(list)
    for row in rows:
        groups[(row[1], row[2], row[3])].append(row)
    changes = []
    left_messages: set[int] = set()
    for group in groups.values():
        anchor, due = schedule(group[0][6], group[0][7], [row[4] for row in group])
        for row in group:
            later = due[row[4]] > now
            if later and row[5] is not None:
                left_messages.add(row[5])
            changes.append(
                {
                    "id": row[0],
                    "due_at": due[row[4]],
                    "anchor_at": anchor,
                    "message_id": None if later else row[5],
                    "updated_at": now,
                }
            )
    if changes:
        # ORM bulk UPDATE by primary key: one executemany.
        session.execute(update(Reminder), changes)
        _cancel_empty_messages(session, left_messages)
    return len(changes)


def replan(session: Session, claim: Claim, now: dt.datetime | None = None) -> int:
    """Bring one claim's pending reminders in line with it at once: cancel what no longer
    applies (resolved, voided, unassigned) and move what a snooze or a new deadline moved.
    Reminders still missing (a new assignee, a re-opened claim) come with the next tick."""
    now = now or utcnow()
    session.flush()
    changed = _cancel(
        session, session.execute(_unwanted(now).where(Reminder.claim_id == claim.id)).all(), now
    )
    changed += move(session, now, claim.id)
    session.flush()
    return changed


def compose(session: Session, now: dt.datetime, settings: Settings, limit: int = 20000) -> int:
    """Put ready reminders into outbox messages: one message each when on time, and one digest
    per recipient and channel for those that fell due while nobody was sending."""
    rows = session.execute(
        select(Reminder.id, Reminder.user_id, Reminder.channel, Reminder.due_at)
        .where(
            Reminder.status == "pending",
            Reminder.message_id.is_(None),
            Reminder.due_at <= now,
        )
        .order_by(Reminder.due_at, Reminder.id)
        .limit(limit)
    ).all()
    if not rows:
        return 0
    late_before = now - settings.late_after
    units: list[tuple[int, str, bool, list[int]]] = []
    digests: dict[tuple[int, str], list[int]] = defaultdict(list)
    for rid, user_id, channel, due_at in rows:
        if due_at < late_before:
            digests[(user_id, channel)].append(rid)
        else:
            units.append((user_id, channel, False, [rid]))
    for (user_id, channel), rids in digests.items():
        units.append((user_id, channel, len(rids) > 1, rids))
    messages = [
        {
            "uid": "msg_" + uuid.uuid4().hex,
            "user_id": user_id,
            "channel": channel,
            "is_digest": is_digest,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for user_id, channel, is_digest, _ in units
    ]
    ids = session.scalars(
        insert(OutboxMessage).returning(OutboxMessage.id, sort_by_parameter_order=True),
        messages,
    ).all()
    links = [
        {"id": rid, "message_id": mid, "updated_at": now}
        for mid, (_, _, _, rids) in zip(ids, units, strict=True)
        for rid in rids
    ]
    session.execute(update(Reminder), links)
    return len(units)


def _chunks(values: Sequence[int], size: int = 500) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- delivery -------------------------------------------------------------------------------


def backoff(attempt: int, settings: Settings, rng: random.Random) -> dt.timedelta:
    """Exponential backoff with jitter: half the step fixed, half random (never zero)."""
    step: dt.timedelta = min(
        settings.backoff_cap, settings.backoff_base * (2 ** max(0, min(attempt, 30) - 1))
    )
    wait: dt.timedelta = step / 2 + step / 2 * rng.random()
    return wait


# Rows planned in one tick after which PostgreSQL's statistics are refreshed.
ANALYZE_AFTER = 1000
# Results written per transaction while sending.
RECORD_EVERY = 20
_OUTBOX = cast(Table, OutboxMessage.__table__)
_REMINDERS = cast(Table, Reminder.__table__)
_HELD_BY_ME = and_(
    _OUTBOX.c.id == bindparam("p_mid"),
    _OUTBOX.c.lease_owner == bindparam("p_owner"),
    _OUTBOX.c.status.in_(("pending", "failed")),
)
_HELD = select(_OUTBOX.c.attempts, _OUTBOX.c.created_at).where(_HELD_BY_ME)
_MARK_SENT = (
    update(_OUTBOX)
    .where(_HELD_BY_ME)
    .values(
        status="sent",
        sent_at=bindparam("p_now"),
        attempts=_OUTBOX.c.attempts + 1,
        last_error=None,
        lease_owner=None,
        lease_until=None,
    )
    .returning(_OUTBOX.c.id)
)
_MARK_FAILED = (
    update(_OUTBOX)
    .where(_HELD_BY_ME)
    .values(
        status=bindparam("p_status"),
        attempts=_OUTBOX.c.attempts + 1,
        last_error=bindparam("p_error"),
        next_attempt_at=bindparam("p_next"),
        lease_owner=None,
        lease_until=None,
    )
)
_REMINDERS_TO = (
    update(_REMINDERS)
    .where(_REMINDERS.c.message_id == bindparam("p_mid"), _REMINDERS.c.status == "pending")
    .values(status=bindparam("p_status"), updated_at=bindparam("p_now"))
)


class Scheduler:
    """One scheduler process's state: its database, its notifiers, its clock and its name."""

    def __init__(
        self,
        engine: Engine,
        notifiers: Mapping[str, Notifier],
        settings: Settings | None = None,
        clock: Clock | None = None,
        *,
        name: str | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.engine = engine
        self.notifiers = dict(notifiers)
        self.settings = settings or Settings()
        self.clock = clock or SystemClock()
        self.name = name or socket.gethostname()
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not secrecy
        self.stop = threading.Event()
        self.running = threading.Lock()
        self.started_at = self.clock.now()
        self.is_postgresql = engine.dialect.name == "postgresql"
        self._local = threading.local()

    def _connection(self, mode: str) -> Connection:
        """One connection per thread and mode for the tick: SQLite pays a WAL checkpoint to
        open and close one, PostgreSQL a pool check-out and ping."""
        connections: dict[str, Connection] = self._local.__dict__.setdefault("connections", {})
        connection = connections.get(mode)
        if connection is None or connection.closed:
            connection = self.engine.connect()
            if not self.is_postgresql:
                connection = connection.execution_options(sqlite_begin=mode)
            connections[mode] = connection
        return connection

    @contextmanager
    def _session(self, mode: str) -> Iterator[Session]:
        connection = self._connection(mode)
        with Session(bind=connection, expire_on_commit=False) as session, session.begin():
            yield session

    def _writing(self) -> Any:
        """A transaction that takes the write lock first on SQLite (BEGIN IMMEDIATE)."""
        return self._session("IMMEDIATE")

    def _reading(self) -> Any:
        return self._session("DEFERRED")

    def close(self) -> None:
        for connection in self._local.__dict__.get("connections", {}).values():
            connection.close()
        self._local.__dict__.pop("connections", None)

    def tick(self) -> TickResult:
        """One pass: reconcile and compose, then deliver everything due, then heartbeat."""
        with self.running:
            result = TickResult()
            now = self.clock.now()
            try:
                self._plan(now, result)
                self._deliver_all(result)
            except Exception as error:
                self._heartbeat(f"{type(error).__name__}: {error}")
                raise
            else:
                self._heartbeat(None)
            finally:
                self.close()
            return result

    def _plan(self, now: dt.datetime, result: TickResult) -> None:
        with self._writing() as session:
            if self.is_postgresql and not session.scalar(
                text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _PLAN_LOCK_KEY}
            ):
                return  # another scheduler is planning right now
            result.cancelled += cancel_unwanted(session, now)
            result.moved += move(session, now)
            result.planned += plan(session, now, tuple(self.notifiers))
            result.composed += compose(session, now, self.settings)
        if self.is_postgresql and result.planned + result.composed >= ANALYZE_AFTER:
            # Fresh statistics at once rather than at autovacuum's leisure: with a stale
            # estimate of a few rows, PostgreSQL checks planned reminders in a nested loop.
            with self._writing() as session:
                session.execute(text("ANALYZE reminders, outbox"))

    def _take(self, now: dt.datetime) -> list[int]:
        """Lease up to a batch of due messages to this process; committed before any send."""
        lease_until = now + dt.timedelta(seconds=self.settings.lease_seconds)
        due = select(OutboxMessage.id).where(
            OutboxMessage.status.in_(("pending", "failed")),
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until <= now),
        )
        with self._writing() as session:
            if self.is_postgresql:
                ids = list(
                    session.scalars(
                        due.order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                        .limit(self.settings.batch_size)
                        .with_for_update(skip_locked=True)
                    )
                )
                if ids:
                    session.execute(
                        update(OutboxMessage)
                        .where(OutboxMessage.id.in_(ids))
                        .values(lease_owner=self.owner, lease_until=lease_until)
                    )
                return ids
            # SQLite: the write lock is ours since BEGIN IMMEDIATE; the condition is repeated
            # so the UPDATE alone decides which rows this process takes.
            chosen = (
                due.order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(self.settings.batch_size)
                .scalar_subquery()
            )
            return list(
                session.scalars(
                    update(OutboxMessage)
                    .where(
                        OutboxMessage.id.in_(chosen),
                        or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until <= now),
                    )
                    .values(lease_owner=self.owner, lease_until=lease_until)
                    .returning(OutboxMessage.id)
                )
            )

    def _messages(self, ids: Sequence[int]) -> dict[int, Message]:
        """The messages as they stand now: reminders cancelled since composing are left out."""
        with self._reading() as session:
            heads = session.execute(
                select(
                    OutboxMessage.id,
                    OutboxMessage.uid,
                    OutboxMessage.channel,
                    OutboxMessage.is_digest,
                    User.email,
                    User.display_name,
                )
                .join(User, User.id == OutboxMessage.user_id)
                .where(OutboxMessage.id.in_(ids))
            ).all()
            items: dict[Any, dict[int, tuple[str, list[int], str, Any]]] = defaultdict(dict)
            for mid, rid, kind, claim_id, question, quote, deadline_at in session.execute(
                select(
                    Reminder.message_id,
                    Reminder.id,
                    Reminder.kind,
                    Claim.id,
                    Claim.question,
                    Claim.quote,
                    Claim.deadline_at,
                )
                .join(Claim, Claim.id == Reminder.claim_id)
                .where(Reminder.message_id.in_(ids), Reminder.status == "pending")
                .order_by(Claim.deadline_at, Claim.id, Reminder.id)
            ):
                entry = items[mid].get(claim_id)
                if entry is None:
                    items[mid][claim_id] = (kind, [rid], question or quote, deadline_at)
                else:
                    # Each claim once, under the most pressing of its reminders.
                    worst = max(entry[0], kind, key=SEVERITY.__getitem__)
                    items[mid][claim_id] = (worst, [*entry[1], rid], entry[2], entry[3])
        result = {}
        for mid, uid, channel, is_digest, email, name in heads:
            if not items.get(mid):
                continue
            result[mid] = Message(
                uid=uid,
                channel=channel,
                recipient_email=email,
                recipient_name=name,
                is_digest=is_digest,
                items=tuple(
                    Item(
                        reminder_ids=tuple(rids),
                        claim_id=claim_id,
                        kind=kind,
                        question=question,
                        deadline_at=deadline_at,
                        resolve_url=f"{self.settings.base_url}/claims/{claim_id}/resolve",
                    )
                    for claim_id, (kind, rids, question, deadline_at) in items[mid].items()
                ),
            )
        return result

    def _deliver_all(self, result: TickResult) -> None:
        while not self.stop.is_set():
            now = self.clock.now()
            ids = self._take(now)
            if not ids:
                return
            self._deliver_batch(ids, result)

    def _deliver_batch(self, ids: list[int], result: TickResult) -> None:
        started = time.monotonic()
        margin = self.settings.lease_seconds * 0.8
        messages = self._messages(ids)
        empty = [mid for mid in ids if mid not in messages]
        if empty:
            with self._writing() as session:
                _cancel_empty_messages(session, set(empty))
        remaining = [mid for mid in ids if mid in messages]
        done: list[tuple[int, Delivery]] = []
        flushed = time.monotonic()
        for position, mid in enumerate(remaining):
            if self.stop.is_set() or time.monotonic() - started > margin:
                # Stopping, or the lease is running out: hand the rest back at once.
                self._record(done, result)
                self._release(remaining[position:])
                result.stopped = self.stop.is_set()
                return
            message = messages[mid]
            notifier = self.notifiers.get(message.channel)
            if notifier is None:
                outcome = Delivery.retry(f"no {message.channel} channel is configured")
            else:
                try:
                    outcome = notifier.deliver(message)
                except Exception as error:  # a notifier bug must not kill the tick
                    log.exception("notifier %s failed on %s", message.channel, message.uid)
                    outcome = Delivery.retry(f"internal error: {type(error).__name__}")
            done.append((mid, outcome))
            # Results are written a few at a time: one transaction per send would halve the
            # rate. A crash before the write sends those again under the same ids.
            if len(done) >= RECORD_EVERY or time.monotonic() - flushed > 1.0:
                self._record(done, result)
                done, flushed = [], time.monotonic()
        self._record(done, result)

    def _release(self, ids: Sequence[int]) -> None:
        if not ids:
            return
        with self._writing() as session:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids), OutboxMessage.lease_owner == self.owner)
                .values(lease_owner=None, lease_until=None)
            )

    @contextmanager
    def _write_connection(self) -> Iterator[Connection]:
        """A Core transaction for the hot path of recording results."""
        connection = self._connection("IMMEDIATE")
        with connection.begin():
            yield connection

    def _record(self, done: Sequence[tuple[int, Delivery]], result: TickResult) -> None:
        """Write attempts' results, each only while this process still holds its lease."""
        if not done:
            return
        now = self.clock.now()
        with self._write_connection() as connection:
            for mid, outcome in done:
                self._record_one(connection, mid, outcome, now, result)

    def _record_one(
        self,
        connection: Connection,
        mid: int,
        outcome: Delivery,
        now: dt.datetime,
        result: TickResult,
    ) -> None:
        keys = {"p_mid": mid, "p_owner": self.owner, "p_now": now}
        if outcome.ok:
            if connection.execute(_MARK_SENT, keys).first() is None:
                return  # the lease ran out and another scheduler took the message over
            connection.execute(_REMINDERS_TO, {**keys, "p_status": "sent"})
            result.sent += 1
            return
        row = connection.execute(_HELD, keys).first()
        if row is None:
            return
        attempts = row[0] + 1
        wait = outcome.retry_after or backoff(attempts, self.settings, self.rng)
        next_at = now + wait
        if outcome.permanent or next_at > row[1] + self.settings.give_up_after:
            reason = (
                outcome.reason
                if outcome.permanent
                else f"gave up after {attempts} attempts over 72 hours: {outcome.reason}"
            )
            connection.execute(
                _MARK_FAILED, {**keys, "p_status": "dead", "p_error": reason, "p_next": now}
            )
            connection.execute(_REMINDERS_TO, {**keys, "p_status": "dead"})
            log.warning("reminder message %s is dead: %s", mid, reason)
            result.dead += 1
            return
        connection.execute(
            _MARK_FAILED,
            {**keys, "p_status": "failed", "p_error": outcome.reason, "p_next": next_at},
        )
        result.failed += 1

    def _heartbeat(self, error: str | None) -> None:
        now = self.clock.now()
        with self._writing() as session:
            statement = _upsert(session)(SchedulerHeartbeat).values(
                name=self.name, started_at=self.started_at, last_tick_at=now, last_error=error
            )
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=["name"],
                    set_={"last_tick_at": now, "last_error": error, "started_at": self.started_at},
                )
            )


def retry_message(session: Session, message_id: int, now: dt.datetime) -> OutboxMessage:
    """Send a failed or dead message again at the next tick (an admin asked for it); the
    72-hour limit counts from now."""
    from tracker.errors import Conflict, NotFound

    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound(f"there is no outbox message {message_id}")
    if message.status not in ("failed", "dead"):
        raise Conflict(f"message {message_id} is {message.status}: only failed or dead ones retry")
    session.execute(
        update(Reminder)
        .where(Reminder.message_id == message_id, Reminder.status == "dead")
        .values(status="pending", updated_at=now)
    )
    message.status = "pending"
    message.next_attempt_at = now
    message.created_at = now
    message.lease_owner = None
    message.lease_until = None
    session.flush()
    return message


def last_heartbeat(session: Session) -> SchedulerHeartbeat | None:
    """The scheduler that ticked last: when, and the error its tick ended with, if any."""
    return session.scalar(
        select(SchedulerHeartbeat).order_by(SchedulerHeartbeat.last_tick_at.desc()).limit(1)
    )


# --- the process ------------------------------------------------------------------------------


def run_forever(scheduler: Scheduler) -> None:
    """APScheduler's BlockingScheduler with one interval job; SIGTERM or SIGINT lets the
    delivery in flight finish, hands back the rest of the batch, and exits."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    timer = BlockingScheduler(timezone=dt.UTC)

    def tick() -> None:
        try:
            result = scheduler.tick()
        except Exception:
            log.exception("tick failed; the next one tries again")
            return
        log.info("tick: %s", result)

    timer.add_job(
        tick,
        "interval",
        seconds=scheduler.settings.tick_seconds,
        next_run_time=dt.datetime.now(dt.UTC),
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
        id="tick",
    )

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: finishing the delivery in flight, then stopping", signum)
        scheduler.stop.set()
        timer.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("scheduler %s ticking every %ss", scheduler.owner, scheduler.settings.tick_seconds)
    timer.start()
    with scheduler.running:  # wait for the tick in flight
        pass
    log.info("scheduler stopped")


def list_outbox(
    session: Session, *, status: str | None = None, limit: int = 100, before_id: int | None = None
) -> Sequence[OutboxMessage]:
    """Outbox messages, newest first, with their recipient and reminders."""
    query = select(OutboxMessage).options(
        selectinload(OutboxMessage.user), selectinload(OutboxMessage.reminders)
    )
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    if before_id is not None:
        query = query.where(OutboxMessage.id < before_id)
    return session.scalars(query.order_by(OutboxMessage.id.desc()).limit(limit)).all()


def count_outbox(session: Session) -> dict[str, int]:
    return {
        status: count
        for status, count in session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        )
    }


def set_channels(
    session: Session, user_id: int, *, email: bool | None = None, webhook: bool | None = None
) -> ReminderSettings:
    """Turn a user's reminder channels on or off (None leaves one as it is); pending reminders
    of a channel turned off are cancelled at the next tick."""
    settings = session.get(ReminderSettings, user_id)
    if settings is None:
        settings = ReminderSettings(user_id=user_id, email_enabled=True, webhook_enabled=True)
        session.add(settings)
    if email is not None:
        settings.email_enabled = email
    if webhook is not None:
        settings.webhook_enabled = webhook
    session.flush()
    return settings
