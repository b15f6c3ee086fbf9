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
from types import FrameType
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    and_,
    bindparam,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from tracker.models import (
    Claim,
    OutboxMessage,
    Question,
    Reminder,
    SchedulerHeartbeat,
    User,
)
from tracker.reminders.notify import Delivery, Item, Message, Notifier
from tracker.reminders.services import (
    SEVERITY,
    _cancel_empty_messages,
    _upsert,
    cancel_unwanted,
    compose,
    move,
    plan,
)

# Services call these to act at once; the tick would do the same.
from tracker.reminders.services import cancel_pending as cancel_pending
from tracker.reminders.services import replan as replan
from tracker.reminders.timing import Clock, Settings, SystemClock, TickResult, backoff
from tracker.text import plural

log = logging.getLogger(__name__)

# PostgreSQL: one scheduler at a time plans; the others skip planning and go on delivering.
_PLAN_LOCK_KEY = 0x7265_6D69_6E64


# Rows planned in one tick after which PostgreSQL's statistics are refreshed.
ANALYZE_AFTER = 1000
# How long a tick waits for SQLite's write lock (a web request waits LOCK_TIMEOUT_SECONDS).
SQLITE_LOCK_WAIT_MS = 60_000
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
                # Nobody waits on a tick: it waits for another scheduler's planning, however
                # long, rather than fail the tick as a web request would.
                driver: Any = connection.connection.driver_connection  # outside any transaction
                driver.execute(f"PRAGMA busy_timeout = {SQLITE_LOCK_WAIT_MS}")
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
            result.composed += compose(session, now, self.settings.late_after)
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
            items: dict[Any, dict[int, tuple[str, list[int], str, Any, Any]]] = defaultdict(dict)
            first_claim = (
                select(func.min(Claim.id))
                .where(Claim.question_id == Question.id)
                .correlate(Question)
                .scalar_subquery()
            )
            for mid, rid, kind, question_id, text_, deadline_at, claim_id in session.execute(
                select(
                    Reminder.message_id,
                    Reminder.id,
                    Reminder.kind,
                    Question.id,
                    Question.text,
                    Question.deadline_at,
                    first_claim,
                )
                .join(Question, Question.id == Reminder.question_id)
                .where(Reminder.message_id.in_(ids), Reminder.status == "pending")
                .order_by(Question.deadline_at, Question.id, Reminder.id)
            ):
                entry = items[mid].get(question_id)
                if entry is None:
                    items[mid][question_id] = (kind, [rid], text_, deadline_at, claim_id)
                else:
                    # Each question once, under the most pressing of its reminders.
                    worst = max(entry[0], kind, key=SEVERITY.__getitem__)
                    items[mid][question_id] = (worst, [*entry[1], rid], *entry[2:])
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
                        question_id=question_id,
                        claim_id=claim_id or 0,
                        kind=kind,
                        question=question,
                        deadline_at=deadline_at,
                        resolve_url=f"{self.settings.base_url}/questions/{question_id}/resolve",
                    )
                    for question_id, (kind, rids, question, deadline_at, claim_id) in items[
                        mid
                    ].items()
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
                else f"gave up after {plural(attempts, 'attempt')} over 72 hours: {outcome.reason}"
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
