"""Questions and speakers: what gets resolved once, and whose claim it is. Many claims, from
many sources and speakers, can be about one question."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base, UTCDateTime, check_in, utcnow

SPEAKER_KINDS = ("person", "organization")
CLAIM_STANCES = ("for", "against")
QUESTION_KINDS = ("forecast", "fact")


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
    deadline; a fact's question is the checked statement."""

    __tablename__ = "questions"
    __table_args__ = (
        CheckConstraint(check_in("kind", QUESTION_KINDS), name="kind"),
        CheckConstraint("length(text) > 0", name="text_not_empty"),
        CheckConstraint("kind <> 'forecast' OR deadline_at IS NOT NULL", name="forecast_deadline"),
        CheckConstraint(
            "merged_into_id IS NULL OR merged_into_id <> id", name="not_merged_into_self"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    resolution_criteria: Mapped[str | None] = mapped_column(Text)
    deadline_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Merged into another question: its claims moved there and its page redirects; linking a
    # claim back to it undoes the merge.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"), index=True)


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
