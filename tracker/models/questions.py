"""Questions and speakers: what gets resolved once, and whose claim it is. Many claims, from
many sources and speakers, can be about one question; reviewers resolve the question, and each
claim on it takes the result by its stance."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import Base, UTCDateTime, check_in, utcnow
from tracker.models.accounts import User

if TYPE_CHECKING:
    from tracker.models.record import Assignment, Resolution

SPEAKER_KINDS = ("person", "organization")
CLAIM_STANCES = ("for", "against")
QUESTION_KINDS = ("forecast", "fact")
STORED_STATUSES = ("open", "disputed", "resolved", "void")
OUTCOMES = ("true", "false", "ambiguous", "annulled")
VERDICTS = ("true", "mostly-true", "mixed", "mostly-false", "false", "unverifiable")
# What editors change of a question; each change keeps the old value.
QUESTION_FIELDS = ("text", "resolution_criteria", "deadline_at")


class Speaker(Base):
    """A person or organisation whose claims the record holds. The slug is its address."""

    __tablename__ = "speakers"
    __table_args__ = (
        CheckConstraint(check_in("kind", SPEAKER_KINDS), name="kind"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint("length(slug) > 0", name="slug_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Another spelling of the speaker named here: its claims moved there, its slug redirects.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("speakers.id"), index=True)


class Question(Base):
    """What reviewers decide, once, for every claim linked to it. A forecast question has a
    deadline; a fact's question is the checked statement. Its review state (status, the final
    result of the current resolution version, snooze) is the one place that state is decided;
    each linked claim keeps a copy by its stance (tracker.questions.state)."""

    __tablename__ = "questions"
    __table_args__ = (
        CheckConstraint(check_in("kind", QUESTION_KINDS), name="kind"),
        CheckConstraint("length(text) > 0", name="text_not_empty"),
        CheckConstraint("kind <> 'forecast' OR deadline_at IS NOT NULL", name="forecast_deadline"),
        CheckConstraint(check_in("status", STORED_STATUSES), name="status"),
        CheckConstraint("outcome IS NULL OR " + check_in("outcome", OUTCOMES), name="outcome"),
        CheckConstraint("verdict IS NULL OR " + check_in("verdict", VERDICTS), name="verdict"),
        CheckConstraint(
            "(status = 'resolved') = (outcome IS NOT NULL OR verdict IS NOT NULL)",
            name="resolved_has_result",
        ),
        CheckConstraint("(status = 'void') = (void_reason IS NOT NULL)", name="void_reason"),
        CheckConstraint(
            "(snoozed_until IS NULL) = (snooze_reason IS NULL)", name="snooze_has_reason"
        ),
        CheckConstraint("resolution_version >= 1", name="resolution_version"),
        # The review queue's tabs and counts are range scans of this index alone.
        Index("ix_questions_queue", "status", "deadline_at", "snoozed_until", "id"),
        CheckConstraint(
            "merged_into_id IS NULL OR merged_into_id <> id", name="not_merged_into_self"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    resolution_criteria: Mapped[str | None] = mapped_column(Text)
    deadline_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    outcome: Mapped[str | None] = mapped_column(String(16))
    verdict: Mapped[str | None] = mapped_column(String(16))
    resolution_version: Mapped[int] = mapped_column(Integer, default=1)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    void_reason: Mapped[str | None] = mapped_column(Text)
    snoozed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    snooze_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Merged into another question: its claims moved there and its page redirects; linking a
    # claim back to it undoes the merge.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"), index=True)

    resolutions: Mapped[list[Resolution]] = relationship(
        back_populates="question", order_by="(Resolution.version, Resolution.id)"
    )
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="question", order_by="Assignment.id"
    )
    edits: Mapped[list[QuestionEdit]] = relationship(order_by="QuestionEdit.id")


class QuestionEdit(Base):
    """An editor's change of a question's text, criteria or deadline; the old value is kept."""

    __tablename__ = "question_edits"
    __table_args__ = (
        CheckConstraint(check_in("field", QUESTION_FIELDS), name="field"),
        CheckConstraint("length(reason) > 0", name="reason_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    field: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    editor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    edited_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    editor: Mapped[User] = relationship(lazy="joined")


def question_status(question: Question, now: dt.datetime) -> str:
    """The status people see: an open forecast question whose deadline has passed is `due`."""
    if (
        question.status == "open"
        and question.deadline_at is not None
        and question.deadline_at <= now
    ):
        return "due"
    return question.status


class QuestionTerm(Base):
    """The stemmed words of an active question (its text, criteria and latest linked quotes):
    matching a new claim reads the questions that share its rarest words. Kept by
    tracker.questions.retrieval whenever a question or its claims change; derived, so not
    archived."""

    __tablename__ = "question_terms"

    term: Mapped[str] = mapped_column(String(64), primary_key=True)
    question_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class QuestionTermCount(Base):
    """How many active questions use each word: matching reads it to find a claim's rarest
    words without counting postings. Kept with `question_terms`."""

    __tablename__ = "question_term_counts"
    __table_args__ = (CheckConstraint("questions >= 0", name="questions_not_negative"),)

    term: Mapped[str] = mapped_column(String(64), primary_key=True)
    questions: Mapped[int] = mapped_column(Integer)
