"""The record's tables: sources, claims and their tags, resolutions with evidence, reviewers'
assignments, edits, and the audit log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import Base, UTCDateTime, check_in, utcnow
from tracker.models.accounts import User
from tracker.models.questions import (
    CLAIM_STANCES,
    OUTCOMES,
    STORED_STATUSES,
    VERDICTS,
    Question,
    Speaker,
)

KINDS = ("forecast", "fact")
STATUSES = ("open", "due", "disputed", "resolved", "void")
DEADLINE_ORIGINS = ("explicit", "inferred")
PROBABILITY_ORIGINS = ("stated", "phrase", "reviewer")
STANCES = ("supports", "refutes", "context")


class Source(Base):
    __tablename__ = "sources"
    __table_args__ = (
        UniqueConstraint("url", "text_sha256"),
        CheckConstraint("length(text_sha256) = 64", name="sha256_length"),
        CheckConstraint("length(text) > 0", name="text_not_empty"),
        CheckConstraint("raw_sha256 IS NULL OR length(raw_sha256) = 64", name="raw_sha256_length"),
        CheckConstraint("(raw_body IS NULL) = (raw_sha256 IS NULL)", name="raw_body_has_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str | None] = mapped_column(String(2048))
    title: Mapped[str] = mapped_column(String(500))
    outlet: Mapped[str | None] = mapped_column(String(200))
    outlet_slug: Mapped[str | None] = mapped_column(String(200), index=True)
    author: Mapped[str | None] = mapped_column(String(200))
    author_slug: Mapped[str | None] = mapped_column(String(200), index=True)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Up to two million characters: loaded when read, never with a list of sources or claims.
    text: Mapped[str] = mapped_column(Text, deferred=True)
    text_sha256: Mapped[str] = mapped_column(String(64))
    fetched_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # The page as fetched (bytes, media type with charset, sha256), when it was fetched by URL;
    # deferred so listing sources does not load megabytes of HTML.
    raw_body: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    raw_content_type: Mapped[str | None] = mapped_column(String(200))
    raw_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    claims: Mapped[list[Claim]] = relationship(
        back_populates="source", order_by="Claim.quote_start"
    )


class Claim(Base):
    __tablename__ = "claims"
    __table_args__ = (
        UniqueConstraint("source_id", "key"),
        CheckConstraint(check_in("kind", KINDS), name="kind"),
        CheckConstraint(check_in("status", STORED_STATUSES), name="status"),
        CheckConstraint("quote_start >= 0 AND quote_end > quote_start", name="offsets"),
        CheckConstraint("length(quote) = quote_end - quote_start", name="quote_length"),
        CheckConstraint(
            "deadline_origin IS NULL OR " + check_in("deadline_origin", DEADLINE_ORIGINS),
            name="deadline_origin",
        ),
        CheckConstraint(
            "probability_origin IS NULL OR " + check_in("probability_origin", PROBABILITY_ORIGINS),
            name="probability_origin",
        ),
        CheckConstraint(
            "probability IS NULL OR (probability > 0 AND probability < 1)", name="probability"
        ),
        CheckConstraint(
            "kind <> 'forecast' OR (deadline_at IS NOT NULL AND deadline_origin IS NOT NULL"
            " AND probability IS NOT NULL AND probability_origin IS NOT NULL)",
            name="forecast_fields",
        ),
        CheckConstraint(
            "kind <> 'fact' OR (probability IS NULL AND condition IS NULL)", name="fact_fields"
        ),
        CheckConstraint("outcome IS NULL OR " + check_in("outcome", OUTCOMES), name="outcome"),
        CheckConstraint("verdict IS NULL OR " + check_in("verdict", VERDICTS), name="verdict"),
        CheckConstraint(
            "(status = 'resolved') = (outcome IS NOT NULL OR verdict IS NOT NULL)",
            name="resolved_has_result",
        ),
        CheckConstraint("(status = 'void') = (void_reason IS NOT NULL)", name="void_reason"),
        CheckConstraint(check_in("stance", CLAIM_STANCES), name="stance"),
        # Lists of claims by status (open, due, resolved ...) are range scans of this index.
        Index("ix_claims_status_deadline_at", "status", "deadline_at", "id"),
        # The scorecard's recent resolutions and its freshness check read these newest first.
        Index("ix_claims_resolved_at", "resolved_at"),
        Index("ix_claims_updated_at", "updated_at"),
        # What the words meant: one GROUP BY phrase read from this index alone (no table rows).
        Index(
            "ix_claims_wording",
            "phrase",
            "probability_origin",
            "kind",
            "status",
            "outcome",
            "probability",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    key: Mapped[str] = mapped_column(String(100))
    # The question this claim is about, and whether it says the question's event happens
    # ('for') or the opposite ('against'); its speaker is whose claim it is.
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    stance: Mapped[str] = mapped_column(String(8), default="for")
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("speakers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    quote: Mapped[str] = mapped_column(Text)
    quote_start: Mapped[int] = mapped_column(Integer)
    quote_end: Mapped[int] = mapped_column(Integer)
    question: Mapped[str | None] = mapped_column(Text)
    resolution_criteria: Mapped[str | None] = mapped_column(Text)
    deadline_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    deadline_origin: Mapped[str | None] = mapped_column(String(16))
    deadline_reason: Mapped[str | None] = mapped_column(Text)
    probability: Mapped[float | None] = mapped_column(Float)
    probability_origin: Mapped[str | None] = mapped_column(String(16))
    probability_reason: Mapped[str | None] = mapped_column(Text)
    phrase: Mapped[str | None] = mapped_column(String(200))
    hedged: Mapped[bool] = mapped_column(Boolean, default=False)
    condition: Mapped[str | None] = mapped_column(Text)
    # The review state of the claim's question as it applies to this claim (an `against` claim
    # takes the opposite result), kept here for queries and scoring by
    # tracker.questions.state.apply_state; every judgement stays in the question's resolutions.
    status: Mapped[str] = mapped_column(String(16), default="open")
    void_reason: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(16))
    verdict: Mapped[str | None] = mapped_column(String(16))
    resolution_version: Mapped[int] = mapped_column(Integer, default=1)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    source: Mapped[Source] = relationship(back_populates="claims")
    linked_question: Mapped[Question] = relationship()
    speaker: Mapped[Speaker | None] = relationship()
    tags: Mapped[list[ClaimTag]] = relationship(
        cascade="all, delete-orphan", order_by="ClaimTag.tag", lazy="selectin"
    )
    # The question's judgements and reviewers, read through the claim (its page, the API).
    resolutions: Mapped[list[Resolution]] = relationship(
        primaryjoin="Claim.question_id == foreign(Resolution.question_id)",
        order_by="(Resolution.version, Resolution.id)",
        viewonly=True,
    )
    assignments: Mapped[list[Assignment]] = relationship(
        primaryjoin="Claim.question_id == foreign(Assignment.question_id)",
        order_by="Assignment.id",
        viewonly=True,
    )
    edits: Mapped[list[ClaimEdit]] = relationship(order_by="ClaimEdit.id")

    @property
    def tag_names(self) -> list[str]:
        return [t.tag for t in self.tags]


class ClaimTag(Base):
    __tablename__ = "claim_tags"
    __table_args__ = (CheckConstraint("length(tag) > 0", name="tag_not_empty"),)

    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)


class Resolution(Base):
    """One reviewer's judgement of one question in one resolution version. Never updated."""

    __tablename__ = "resolutions"
    __table_args__ = (
        UniqueConstraint("question_id", "version", "reviewer_id"),
        CheckConstraint("outcome IS NULL OR " + check_in("outcome", OUTCOMES), name="outcome"),
        CheckConstraint("verdict IS NULL OR " + check_in("verdict", VERDICTS), name="verdict"),
        CheckConstraint("(outcome IS NULL) <> (verdict IS NULL)", name="outcome_or_verdict"),
        CheckConstraint("version >= 1", name="version"),
        CheckConstraint("length(rationale) > 0", name="rationale_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    outcome: Mapped[str | None] = mapped_column(String(16))
    verdict: Mapped[str | None] = mapped_column(String(16))
    rationale: Mapped[str] = mapped_column(Text)
    # An admin's settlement of a dispute decides the version on its own.
    is_settlement: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    question: Mapped[Question] = relationship(back_populates="resolutions")
    reviewer: Mapped[User] = relationship(lazy="joined")
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="resolution", order_by="Evidence.id", lazy="selectin"
    )


class Evidence(Base):
    __tablename__ = "evidence"
    __table_args__ = (
        CheckConstraint(check_in("stance", STANCES), name="stance"),
        CheckConstraint("url LIKE 'http://%' OR url LIKE 'https://%'", name="url_scheme"),
        CheckConstraint(
            "archived_sha256 IS NULL OR length(archived_sha256) = 64", name="sha256_length"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resolution_id: Mapped[int] = mapped_column(ForeignKey("resolutions.id"), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    title: Mapped[str | None] = mapped_column(String(500))
    publisher: Mapped[str | None] = mapped_column(String(200))
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    stance: Mapped[str] = mapped_column(String(16))
    archived_sha256: Mapped[str | None] = mapped_column(String(64))

    resolution: Mapped[Resolution] = relationship(back_populates="evidence")


class AuditEntry(Base):
    """Append-only: each row carries the hash of the one before, so a change breaks the chain."""

    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint("length(hash) = 64 AND length(prev_hash) = 64", name="hash_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[str] = mapped_column(Text)
    # UNIQUE: two writers that read the same last row cannot both append after it.
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class Assignment(Base):
    """A reviewer asked to resolve a question; the quorum needs this many distinct reviewers."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("question_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    question: Mapped[Question] = relationship(back_populates="assignments")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


class ClaimEdit(Base):
    """A reviewer's override of a claim's own probability; the old value is kept. Changes of
    what the claim's question asks are the question's (QuestionEdit)."""

    __tablename__ = "claim_edits"
    __table_args__ = (
        CheckConstraint(check_in("field", ("probability",)), name="field"),
        CheckConstraint("length(reason) > 0", name="reason_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    field: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    editor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    edited_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    editor: Mapped[User] = relationship(lazy="joined")


def claim_status(claim: Claim, now: dt.datetime) -> str:
    """The status people see: an open forecast whose deadline has passed is `due`."""
    if claim.status == "open" and claim.deadline_at is not None and claim.deadline_at <= now:
        return "due"
    return claim.status
