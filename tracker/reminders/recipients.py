"""Who is prompted about which question: the assigned reviewers of a due question whose
judgement of its current resolution version is still missing, on the channels they keep on; the
active admins at the escalation, and from the start when no assigned reviewer is left to judge
it. Nobody is prompted about a question they have judged. `wanted_rows` finds what planning adds,
`unwanted` what it cancels: the two must agree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, exists, literal, not_, or_, select, union_all
from sqlalchemy.orm import aliased

from tracker.models import Assignment, Question, Reminder, ReminderSettings, Resolution, User


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
    return and_(
        Question.status == "open",
        Question.merged_into_id.is_(None),
        Question.deadline_at.is_not(None),
        Question.deadline_at <= now,
    )


def _has_judged(user_id: Any) -> Any:
    """The user has judged the question's current resolution version: nothing left to prompt."""
    # The question and the user come from the enclosing query, which may be two levels up.
    return (
        exists()
        .where(
            Resolution.question_id == Question.id,
            Resolution.version == Question.resolution_version,
            Resolution.reviewer_id == user_id,
        )
        .correlate_except(Resolution)
    )


def _has_assignee_to_prompt() -> Any:
    """An active assigned reviewer whose judgement of the current version is still missing."""
    assignee = aliased(User)
    return exists().where(
        Assignment.question_id == Question.id,
        assignee.id == Assignment.user_id,
        assignee.is_active,
        not_(_has_judged(assignee.id)),
    )


def _constant_column(values: Sequence[str], name: str) -> Any:
    return union_all(*(select(literal(v).label(name)) for v in values)).subquery(name + "s")


def wanted_rows(
    now: dt.datetime,
    kinds_wanted: Sequence[str],
    channels: Sequence[str],
    question_id: int | None,
    admin_ids: Sequence[int],
) -> Any:
    """(question, deadline, snooze, user, kind, channel) that should have a live reminder and
    have none. Assigned reviewers whose judgement is missing get every kind; active admins get
    the escalation, and every kind of a question with no assigned reviewer left to judge it.
    Nobody is prompted about a question they have judged."""
    kinds = _constant_column(kinds_wanted, "kind")
    chans = _constant_column(channels, "channel")
    live = exists().where(
        Reminder.question_id == Question.id,
        Reminder.kind == kinds.c.kind,
        Reminder.user_id == User.id,
        Reminder.channel == chans.c.channel,
        Reminder.status != "cancelled",
    )
    columns = (
        Question.id,
        Question.deadline_at,
        Question.snoozed_until,
        User.id,
        kinds.c.kind,
        chans.c.channel,
    )
    scope = [_is_due(now)] if question_id is None else [_is_due(now), Question.id == question_id]
    assignees = (
        select(*columns)
        .select_from(Question)
        .join(Assignment, Assignment.question_id == Question.id)
        .join(User, and_(User.id == Assignment.user_id, User.is_active))
        .join(kinds, literal(True))
        .join(chans, literal(True))
        .outerjoin(ReminderSettings, ReminderSettings.user_id == User.id)
        .where(*scope, _channel_enabled(chans.c.channel), not_(_has_judged(User.id)), not_(live))
    )
    if not admin_ids:
        return assignees
    # The few admins by id: a join on role would read the whole users table for each question.
    admins = (
        select(*columns)
        .select_from(Question)
        .join(User, User.id.in_(admin_ids))
        .join(kinds, literal(True))
        .join(chans, literal(True))
        .outerjoin(ReminderSettings, ReminderSettings.user_id == User.id)
        .where(
            *scope,
            _channel_enabled(chans.c.channel),
            or_(kinds.c.kind == "escalation", not_(_has_assignee_to_prompt())),
            not_(
                exists().where(Assignment.question_id == Question.id, Assignment.user_id == User.id)
            ),
            not_(_has_judged(User.id)),
            not_(live),
        )
    )
    return union_all(assignees, admins)


def unwanted(now: dt.datetime) -> Any:
    """Pending reminders whose question, recipient or channel no longer calls for them (the
    recipient has judged the question, among others)."""
    assigned = exists().where(
        Assignment.question_id == Reminder.question_id, Assignment.user_id == Reminder.user_id
    )
    wanted = and_(
        _is_due(now),
        User.is_active,
        _channel_enabled(Reminder.channel),
        not_(_has_judged(Reminder.user_id)),
        or_(
            assigned,
            and_(
                User.role == "admin",
                or_(Reminder.kind == "escalation", not_(_has_assignee_to_prompt())),
            ),
        ),
    )
    return (
        select(Reminder.id, Reminder.message_id)
        .join(Question, Question.id == Reminder.question_id)
        .join(User, User.id == Reminder.user_id)
        .outerjoin(ReminderSettings, ReminderSettings.user_id == Reminder.user_id)
        .where(Reminder.status == "pending", not_(wanted))
    )
