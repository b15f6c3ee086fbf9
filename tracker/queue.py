"""The reviewers' queue: what is due, overdue, disputed, assigned to someone, or coming up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from tracker.errors import Invalid
from tracker.models import Assignment, Claim, Resolution

TABS = ("due", "overdue", "disputed", "mine", "upcoming")
OVERDUE_AFTER = dt.timedelta(days=3)
PER_PAGE = 50


def _not_snoozed(now: dt.datetime) -> ColumnElement[bool]:
    return or_(Claim.snoozed_until.is_(None), Claim.snoozed_until <= now)


def _condition(tab: str, now: dt.datetime, user_id: int | None) -> ColumnElement[bool]:
    overdue_at = now - OVERDUE_AFTER
    if tab == "due":
        # Forecasts that fell due in the last three days, and fact claims waiting for a check.
        return and_(
            Claim.status == "open",
            _not_snoozed(now),
            or_(
                and_(Claim.deadline_at <= now, Claim.deadline_at > overdue_at),
                and_(Claim.kind == "fact", Claim.deadline_at.is_(None)),
            ),
        )
    if tab == "overdue":
        return and_(Claim.status == "open", _not_snoozed(now), Claim.deadline_at <= overdue_at)
    if tab == "disputed":
        return Claim.status == "disputed"
    if tab == "upcoming":
        return and_(
            Claim.status == "open",
            or_(Claim.deadline_at > now, Claim.snoozed_until > now),
        )
    if tab == "mine":
        if user_id is None:
            raise Invalid("log in to see what is assigned to you", {"tab": "needs a login"})
        judged = select(Resolution.id).where(
            Resolution.claim_id == Claim.id,
            Resolution.version == Claim.resolution_version,
            Resolution.reviewer_id == user_id,
        )
        return and_(
            Claim.status.in_(("open", "disputed")),
            Claim.id.in_(select(Assignment.claim_id).where(Assignment.user_id == user_id)),
            ~judged.exists(),
        )
    raise Invalid(f"tab must be one of {', '.join(TABS)}", {"tab": "unknown tab"})


def counts(session: Session, now: dt.datetime, user_id: int | None) -> dict[str, int]:
    """How many claims each tab holds."""
    result = {}
    for tab in TABS:
        if tab == "mine" and user_id is None:
            continue
        result[tab] = (
            session.scalar(select(func.count(Claim.id)).where(_condition(tab, now, user_id))) or 0
        )
    return result


def list_tab(
    session: Session, tab: str, now: dt.datetime, user_id: int | None, page: int = 1
) -> Sequence[Claim]:
    """One page of a tab, the longest overdue first (upcoming: the soonest first)."""
    if page < 1:
        raise Invalid("page must be 1 or more", {"page": "must be at least 1"})
    order = (
        Claim.deadline_at.is_(None),
        Claim.deadline_at,
        Claim.id,
    )
    return session.scalars(
        select(Claim)
        .where(_condition(tab, now, user_id))
        .order_by(*order)
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
        .options(selectinload(Claim.source), selectinload(Claim.assignments))
    ).all()
