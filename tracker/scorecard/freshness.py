"""Whether a scorecard may have changed: one cheap query gives a token for ETags and the time
of the last change, and each process trusts its last reading for a few seconds."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.models import Claim, ScorecardState
from tracker.scorecard import sums as scoresums
from tracker.scorecard.recount import ensure_built


@dataclass(frozen=True)
class Freshness:
    """What a scorecard's answer depends on: a token for ETags and the last change's time."""

    token: str
    last_modified: dt.datetime
    built: bool


def freshness(session: Session, now: dt.datetime) -> Freshness:
    """One cheap query (index lookups only) telling whether anything a scorecard page shows may
    have changed: a resolution, a recorded or edited claim, or a deadline passing."""
    state_version = select(ScorecardState.version).where(ScorecardState.id == 1).scalar_subquery()
    state_changed = (
        select(ScorecardState.changed_at).where(ScorecardState.id == 1).scalar_subquery()
    )
    open_claim = Claim.status == "open"
    row = session.execute(
        select(
            state_version,
            state_changed,
            select(func.max(Claim.updated_at)).scalar_subquery(),
            select(func.max(Claim.id)).scalar_subquery(),
            select(func.min(Claim.deadline_at))
            .where(open_claim, Claim.deadline_at > now)
            .scalar_subquery(),
            select(func.max(Claim.deadline_at))
            .where(open_claim, Claim.deadline_at <= now)
            .scalar_subquery(),
        )
    ).one()
    version, changed_at, updated_at, max_id, next_deadline, last_deadline = row
    times = [t for t in (changed_at, updated_at, last_deadline) if t is not None]
    token = hashlib.sha256(
        repr((version, changed_at, updated_at, max_id, next_deadline)).encode()
    ).hexdigest()[:24]
    epoch = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    last = max(times, default=epoch)
    return Freshness(token, last.replace(microsecond=0), built=version is not None)


class FreshnessMemo:
    """The last freshness read by this process, trusted for `max_age` seconds so that busy
    pages and 304 answers need no database round trip. A change made by this process forgets
    it at once; one made by another process shows within `max_age`."""

    def __init__(self) -> None:
        self.value: Freshness | None = None
        self.read_at = 0.0
        self.generation = -1
        self.lock = threading.Lock()

    def get(self, max_age: float) -> Freshness | None:
        with self.lock:
            if (
                self.value is None
                or self.generation != scoresums.generation()
                or time.monotonic() - self.read_at >= max_age
            ):
                return None
            return self.value

    def put(self, value: Freshness, generation_before_read: int) -> None:
        with self.lock:
            self.value = value
            self.read_at = time.monotonic()
            self.generation = generation_before_read


def current_freshness(
    session: Session, memo: FreshnessMemo, max_age: float, now: dt.datetime
) -> Freshness:
    """The data's freshness, remembered in `memo` for `max_age` seconds, building the
    scorecard's sums first if they never were (a fresh or restored database).

    The sums are committed as soon as they are built, and the read ends here: the sums are
    the scorecard's own derived data, and a 304 or a remembered page needs the database no
    further."""
    fresh = memo.get(max_age)
    if fresh is not None:
        return fresh
    generation = scoresums.generation()
    fresh = freshness(session, now)
    if not fresh.built:
        ensure_built(session)
        session.commit()
        generation = scoresums.generation()
        fresh = freshness(session, now)
    session.rollback()
    memo.put(fresh, generation)
    return fresh
