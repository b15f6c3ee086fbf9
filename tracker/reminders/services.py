"""Reminder rows and outbox messages as services on a session: plan what due questions call for,
cancel and move what no longer fits the question, fold ready reminders into messages, and the
outbox's reads and admin actions. The scheduler (scheduler.py) runs these each tick; the review
services may call `cancel_pending` and `replan` to act at once."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any, cast

from sqlalchemy import (
    Table,
    and_,
    case,
    exists,
    func,
    insert,
    not_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, selectinload

from tracker.db import utcnow
from tracker.errors import Conflict, NotFound
from tracker.models import OutboxMessage, Question, Reminder, ReminderSettings, User
from tracker.reminders import recipients

OFFSETS = {
    "due": dt.timedelta(0),
    "overdue": dt.timedelta(days=3),
    "escalation": dt.timedelta(days=10),
}
SEVERITY = {"due": 0, "overdue": 1, "escalation": 2}


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


def _anchor_of_question() -> Any:
    return case(
        (
            and_(
                Question.snoozed_until.is_not(None), Question.snoozed_until > Question.deadline_at
            ),
            Question.snoozed_until,
        ),
        else_=Question.deadline_at,
    )


def _upsert(session: Session) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def plan(
    session: Session,
    now: dt.datetime,
    channels: Sequence[str] = ("email", "webhook"),
    question_id: int | None = None,
) -> int:
    """Add the missing reminders of due questions (a cancelled one comes back to life)."""
    admin_ids = session.scalars(select(User.id).where(User.role == "admin", User.is_active)).all()
    rows = session.execute(
        recipients.wanted_rows(now, tuple(OFFSETS), channels, question_id, admin_ids)
    ).all()
    if not rows:
        return 0
    groups: dict[tuple[int, int, str], list[Any]] = defaultdict(list)
    for row in rows:
        groups[(row[0], row[3], row[5])].append(row)
    pending_kinds: dict[tuple[int, int, str], set[str]] = defaultdict(set)
    for question, user, channel, kind in session.execute(
        select(Reminder.question_id, Reminder.user_id, Reminder.channel, Reminder.kind).where(
            Reminder.status == "pending",
            Reminder.question_id.in_({key[0] for key in groups}),
        )
    ):
        pending_kinds[(question, user, channel)].add(kind)
    values = []
    for key, group in groups.items():
        deadline_at, snoozed_until = group[0][1], group[0][2]
        kinds = {row[4] for row in group} | pending_kinds[key]
        anchor, due = schedule(deadline_at, snoozed_until, sorted(kinds, key=SEVERITY.__getitem__))
        for row in group:
            values.append(
                {
                    "question_id": key[0],
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
        index_elements=["question_id", "kind", "user_id", "channel"],
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
    """Cancel pending reminders of questions resolved, voided, disputed or no longer due, and of
    recipients who have judged the question or are no longer assigned, active or subscribed to the
    channel."""
    return _cancel(session, session.execute(recipients.unwanted(now)).all(), now)


def cancel_pending(session: Session, question_id: int, now: dt.datetime | None = None) -> int:
    """Cancel at once every pending reminder of one question (it was resolved or voided)."""
    rows = session.execute(
        select(Reminder.id, Reminder.message_id).where(
            Reminder.question_id == question_id, Reminder.status == "pending"
        )
    ).all()
    count = _cancel(session, rows, now or utcnow())
    session.flush()
    return count


def move(session: Session, now: dt.datetime, question_id: int | None = None) -> int:
    """Move pending reminders whose question's deadline or snooze changed since they were planned.
    One taken into an unsent message but now due later leaves the message."""
    query = (
        select(
            Reminder.id,
            Reminder.question_id,
            Reminder.user_id,
            Reminder.channel,
            Reminder.kind,
            Reminder.message_id,
            Question.deadline_at,
            Question.snoozed_until,
        )
        .join(Question, Question.id == Reminder.question_id)
        .where(
            Reminder.status == "pending",
            Question.deadline_at.is_not(None),
            Reminder.anchor_at != _anchor_of_question(),
        )
    )
    if question_id is not None:
        query = query.where(Reminder.question_id == question_id)
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


def replan(session: Session, question: Question, now: dt.datetime | None = None) -> int:
    """Bring one question's pending reminders in line with it at once: cancel what no longer
    applies (resolved, voided, judged, unassigned) and move what a snooze or a new deadline moved.
    Reminders still missing (a new assignee, a re-opened question) come with the next tick."""
    now = now or utcnow()
    session.flush()
    changed = _cancel(
        session,
        session.execute(recipients.unwanted(now).where(Reminder.question_id == question.id)).all(),
        now,
    )
    changed += move(session, now, question.id)
    session.flush()
    return changed


def compose(
    session: Session, now: dt.datetime, late_after: dt.timedelta, limit: int = 20000
) -> int:
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
    late_before = now - late_after
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


def retry_message(session: Session, message_id: int, now: dt.datetime) -> OutboxMessage:
    """Send a failed or dead message again at the next tick (an admin asked for it); the
    72-hour limit counts from now."""
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
