"""The reviewers' queue: what is due, overdue, disputed, assigned to someone, or coming up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, literal, or_, select
from sqlalchemy.orm import Session, selectinload

from tracker.db import UTCDateTime
from tracker.errors import Invalid
from tracker.models import Assignment, Claim, Resolution

TABS = ("mine", "due", "overdue", "facts", "disputed", "upcoming")
OVERDUE_AFTER = dt.timedelta(days=3)
PER_PAGE = 50


def _not_snoozed(now: dt.datetime) -> ColumnElement[bool]:
    return or_(Claim.snoozed_until.is_(None), Claim.snoozed_until <= now)


def _condition(tab: str, now: dt.datetime, user_id: int | None) -> ColumnElement[bool]:
    overdue_at = now - OVERDUE_AFTER
    # Range conditions on (status, deadline_at, snoozed_until): one index answers them.
    if tab == "due":
        return and_(
            Claim.status == "open",
            Claim.deadline_at > overdue_at,
            Claim.deadline_at <= now,
            _not_snoozed(now),
        )
    if tab == "facts":
        # Fact claims wait for a check from the day they are recorded.
        return and_(Claim.status == "open", Claim.deadline_at.is_(None), _not_snoozed(now))
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
        # Driven from the reviewer's assignments (see _select), not from every open claim. A
        # disputed claim waits for an admin's settlement, not for its reviewers.
        return and_(Assignment.user_id == user_id, Claim.status == "open", ~judged.exists())
    raise Invalid(f"tab must be one of {', '.join(TABS)}", {"tab": "unknown tab"})


def _select(tab: str, now: dt.datetime, user_id: int | None, *columns: Any) -> Select[Any]:
    query = select(*columns)
    if tab == "mine":
        query = query.select_from(Assignment).join(Claim, Claim.id == Assignment.claim_id)
    return query.where(_condition(tab, now, user_id))


def counts(session: Session, now: dt.datetime, user_id: int | None) -> dict[str, int]:
    """How many claims each tab holds."""
    result = {}
    for tab in TABS:
        if tab == "mine" and user_id is None:
            continue
        result[tab] = session.scalar(_select(tab, now, user_id, func.count(Claim.id))) or 0
    return result


# Claims without a deadline (facts) come after every dated one.
NO_DEADLINE = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


def _sort_key(tab: str) -> ColumnElement[dt.datetime]:
    if tab in ("due", "overdue", "upcoming"):
        return Claim.deadline_at  # type: ignore[return-value]  # never NULL in these tabs
    return func.coalesce(Claim.deadline_at, literal(NO_DEADLINE, UTCDateTime()))


def list_tab(
    session: Session,
    tab: str,
    now: dt.datetime,
    user_id: int | None,
    after: tuple[dt.datetime, int] | None = None,
) -> Sequence[Claim]:
    """One page of a tab, the longest overdue first (upcoming: the soonest first), after the
    (deadline, id) of the last claim of the page before: page 200 costs what page 1 costs."""
    key = _sort_key(tab)
    query = _select(tab, now, user_id, Claim).order_by(key, Claim.id)
    if after is not None:
        deadline, claim_id = after
        query = query.where(or_(key > deadline, and_(key == deadline, Claim.id > claim_id)))
    return session.scalars(
        query.limit(PER_PAGE).options(selectinload(Claim.source), selectinload(Claim.assignments))
    ).all()


def position(claim: Claim) -> str:
    """The `after` value that continues the queue after this claim."""
    return f"{(claim.deadline_at or NO_DEADLINE).isoformat()}|{claim.id}"
