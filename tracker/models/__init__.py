"""The data model, one module per part of the product on one declarative base. Invariants that
must never break are in the schema as well as the services.

Everything is importable from `tracker.models`; importing it defines every table."""

from tracker.db import Base
from tracker.models.accounts import (
    ROLES,
    ApiToken,
    IdempotencyKey,
    LoginSession,
    RateLimitCounter,
    User,
)
from tracker.models.questions import CLAIM_STANCES, QUESTION_KINDS, SPEAKER_KINDS, Question, Speaker
from tracker.models.record import (
    DEADLINE_ORIGINS,
    KINDS,
    OUTCOMES,
    PROBABILITY_ORIGINS,
    STANCES,
    STATUSES,
    STORED_STATUSES,
    VERDICTS,
    Assignment,
    AuditEntry,
    Claim,
    ClaimEdit,
    ClaimTag,
    Evidence,
    Resolution,
    Source,
    claim_status,
)
from tracker.models.reminders import (
    CHANNELS,
    MESSAGE_STATUSES,
    REMINDER_KINDS,
    REMINDER_STATUSES,
    OutboxMessage,
    Reminder,
    ReminderSettings,
    SchedulerHeartbeat,
)
from tracker.models.scores import SCORE_DIMENSIONS, ScorecardState, ScoreCell, ScoreEntry
from tracker.models.search import ENGINE_OBJECTS, SEARCH_KINDS, SearchEntry

__all__ = [
    "CHANNELS",
    "CLAIM_STANCES",
    "DEADLINE_ORIGINS",
    "ENGINE_OBJECTS",
    "KINDS",
    "MESSAGE_STATUSES",
    "OUTCOMES",
    "PROBABILITY_ORIGINS",
    "QUESTION_KINDS",
    "REMINDER_KINDS",
    "REMINDER_STATUSES",
    "ROLES",
    "SCORE_DIMENSIONS",
    "SEARCH_KINDS",
    "SPEAKER_KINDS",
    "STANCES",
    "STATUSES",
    "STORED_STATUSES",
    "VERDICTS",
    "ApiToken",
    "Assignment",
    "AuditEntry",
    "Base",
    "Claim",
    "ClaimEdit",
    "ClaimTag",
    "Evidence",
    "IdempotencyKey",
    "LoginSession",
    "OutboxMessage",
    "Question",
    "RateLimitCounter",
    "Reminder",
    "ReminderSettings",
    "Resolution",
    "SchedulerHeartbeat",
    "ScoreCell",
    "ScoreEntry",
    "ScorecardState",
    "SearchEntry",
    "Source",
    "Speaker",
    "User",
    "claim_status",
]
