"""What the scorecard lists beside its numbers: the scored forecasts of a group with each one's
scores, recent resolutions, what is due and what was recorded last."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tracker.models import POINT_SCALE, SUM_SCALE, Claim, ClaimTag, ScoreEntry, Source, Speaker
from tracker.scorecard.filters import Filters


def list_scored_claims(
    session: Session, filters: Filters, offset: int = 0, limit: int | None = None
) -> Sequence[Claim]:
    """The resolved true/false forecasts behind a group's scorecard, latest resolution first
    (hedged ones too: pages mark them)."""
    query = (
        select(Claim)
        .join(Source, Source.id == Claim.source_id)
        .where(
            Claim.kind == "forecast",
            Claim.status == "resolved",
            Claim.outcome.in_(("true", "false")),
        )
    )
    dimension, key = filters.group
    if dimension == "author":
        query = query.where(Source.author_slug == key)
    elif dimension == "speaker":
        query = query.join(Speaker, Speaker.id == Claim.speaker_id).where(Speaker.slug == key)
    elif dimension == "outlet":
        query = query.where(Source.outlet_slug == key)
    elif dimension == "tag":
        query = query.where(Claim.id.in_(select(ClaimTag.claim_id).where(ClaimTag.tag == key)))
    elif dimension == "source":
        query = query.where(Claim.source_id == int(key))
    if filters.date_from is not None:
        start = dt.datetime.combine(filters.date_from, dt.time(), dt.UTC)
        query = query.where(Claim.deadline_at >= start)
    if filters.date_to is not None:
        end = dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time(), dt.UTC)
        query = query.where(Claim.deadline_at < end)
    query = query.order_by(Claim.resolved_at.desc(), Claim.id.desc()).options(
        selectinload(Claim.source)
    )
    if offset:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return session.scalars(query).all()


def list_recent_resolutions(session: Session, limit: int = 20) -> Sequence[Claim]:
    """Resolved claims (forecasts and facts), the latest resolution first."""
    return session.scalars(
        select(Claim)
        .where(Claim.status == "resolved", Claim.resolved_at.is_not(None))
        .order_by(Claim.resolved_at.desc(), Claim.id.desc())
        .options(selectinload(Claim.source))
        .limit(limit)
    ).all()


def list_recently_recorded(session: Session, limit: int = 10) -> Sequence[Claim]:
    """The claims recorded last (by id, which follows recording order and needs no sort)."""
    return session.scalars(
        select(Claim).order_by(Claim.id.desc()).options(selectinload(Claim.source)).limit(limit)
    ).all()


def list_due(session: Session, now: dt.datetime, limit: int = 20) -> Sequence[Claim]:
    """Due forecasts, the longest overdue first."""
    return session.scalars(
        select(Claim)
        .where(Claim.status == "open", Claim.deadline_at <= now)
        .order_by(Claim.deadline_at, Claim.id)
        .options(selectinload(Claim.source))
        .limit(limit)
    ).all()


def list_upcoming(session: Session, now: dt.datetime, limit: int = 20) -> Sequence[Claim]:
    """Open forecasts whose deadline is still ahead, the nearest first."""
    return session.scalars(
        select(Claim)
        .where(Claim.status == "open", Claim.deadline_at > now)
        .order_by(Claim.deadline_at, Claim.id)
        .options(selectinload(Claim.source))
        .limit(limit)
    ).all()


@dataclass(frozen=True)
class ClaimScore:
    """One scored forecast's scores as the scorecard counts them: its Brier score, baseline
    score, and peer score if its question has other scored forecasts."""

    brier: float
    baseline: float
    peer: float | None


def claim_scores(session: Session, claim_ids: Iterable[int]) -> dict[int, ClaimScore]:
    """The scores of these claims that are scored forecasts, read from what the scorecard
    counts for each (so they add up to its numbers), by claim id."""
    ids = sorted(set(claim_ids))
    found: dict[int, ClaimScore] = {}
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(
                ScoreEntry.claim_id,
                ScoreEntry.sum_squared_error,
                ScoreEntry.sum_baseline,
                ScoreEntry.n_peer,
                ScoreEntry.sum_peer,
            ).where(ScoreEntry.claim_id.in_(ids[start : start + 500]), ScoreEntry.n == 1)
        )
        for claim_id, squared_error, baseline, n_peer, peer in rows:
            found[claim_id] = ClaimScore(
                brier=squared_error / SUM_SCALE,
                baseline=baseline / POINT_SCALE,
                peer=peer / POINT_SCALE if n_peer else None,
            )
    return found
