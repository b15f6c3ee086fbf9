"""Reminders as rows: planned prompts, outbox messages, scheduler heartbeats and each user's
channels."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import Base, UTCDateTime, check_in, utcnow
from tracker.models.accounts import User
from tracker.models.questions import Question

REMINDER_KINDS = ("due", "overdue", "escalation")
REMINDER_STATUSES = ("pending", "sent", "cancelled", "dead")
CHANNELS = ("email", "webhook")
MESSAGE_STATUSES = ("pending", "failed", "sent", "dead", "cancelled")


class Reminder(Base):
    """One planned prompt of one recipient about one question over one channel.

    `anchor_at` is the instant the schedule was computed from (the deadline, or the end of a
    snooze): when the question's own anchor differs, the planner moves `due_at`."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("question_id", "kind", "user_id", "channel"),
        CheckConstraint(check_in("kind", REMINDER_KINDS), name="kind"),
        CheckConstraint(check_in("status", REMINDER_STATUSES), name="status"),
        CheckConstraint(check_in("channel", CHANNELS), name="channel"),
        CheckConstraint("status <> 'sent' OR message_id IS NOT NULL", name="sent_has_message"),
        Index("ix_reminders_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    anchor_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    question: Mapped[Question] = relationship()
    user: Mapped[User] = relationship()


class OutboxMessage(Base):
    """One message to one recipient over one channel, carrying one reminder or a digest of
    several. `uid` is its stable identity (webhook-id, Message-ID) across every attempt."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(check_in("status", MESSAGE_STATUSES), name="status"),
        CheckConstraint(check_in("channel", CHANNELS), name="channel"),
        CheckConstraint("attempts >= 0", name="attempts"),
        Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    is_digest: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    reminders: Mapped[list[Reminder]] = relationship(order_by="Reminder.id", viewonly=True)


class SchedulerHeartbeat(Base):
    """The last tick of each scheduler process; readiness fails when all fall silent."""

    __tablename__ = "scheduler_heartbeats"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_tick_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


class ReminderSettings(Base):
    """A user's reminder channels and calendar feed token (only its SHA-256 is stored).
    A user without a row gets every channel."""

    __tablename__ = "reminder_settings"
    __table_args__ = (
        CheckConstraint(
            "calendar_token_sha256 IS NULL OR length(calendar_token_sha256) = 64",
            name="sha256_length",
        ),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    email_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    webhook_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    calendar_token_sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
