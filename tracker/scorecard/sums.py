"""Keeping the scorecard's sums: `score_cells` per group, deadline day, hedged flag and bin,
and `score_entries`, what each forecast is counted as. `on_outcome_changed` brings them up to
date with one claim at a cost independent of how many forecasts are scored; `rebuild` counts
every forecast again.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, event, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from tracker.db import utcnow
from tracker.models import Claim, ClaimTag, ScorecardState, ScoreCell, ScoreEntry, Source
from tracker.scorecard import scoring

ALL_TIME = "all"

_generation = 0  # bumped by every change this process makes; see FreshnessMemo


def generation() -> int:
    return _generation


@dataclass(frozen=True)
class _Contribution:
    probability: float
    outcome: str | None  # 'true' / 'false' when scored, else None
    hedged: bool
    period: str
    groups: tuple[tuple[str, str], ...]


def _contribution(
    *,
    kind: str,
    status: str,
    outcome: str | None,
    probability: float | None,
    hedged: bool,
    deadline_at: dt.datetime | None,
    source_id: int,
    author_slug: str | None,
    outlet_slug: str | None,
    tags: Iterable[str],
) -> _Contribution | None:
    """How one claim counts: None if it is not a forecast the scorecard knows of."""
    if kind != "forecast" or probability is None or deadline_at is None:
        return None
    scored = status == "resolved" and outcome in ("true", "false")
    groups: list[tuple[str, str]] = [("overall", ""), ("source", str(source_id))]
    if author_slug:
        groups.append(("author", author_slug))
    if outlet_slug:
        groups.append(("outlet", outlet_slug))
    groups.extend(("tag", tag) for tag in sorted(set(tags)))
    return _Contribution(
        probability=probability,
        outcome=outcome if scored else None,
        hedged=bool(hedged),
        period=deadline_at.astimezone(dt.UTC).date().isoformat(),
        groups=tuple(groups),
    )


_CellKey = tuple[str, str, str, bool, int]
_SUM_FIELDS = ("n", "n_true", "sum_probability", "sum_squared_error", "sum_log", "n_unscored")


def _add(cells: dict[_CellKey, dict[str, Any]], item: _Contribution, sign: int) -> None:
    totals = scoring.BinTotals()
    if item.outcome is not None:
        totals.add(item.probability, item.outcome == "true", sign)
    bin_ = scoring.bin_index(item.probability)
    for dimension, key in item.groups:
        for period in (ALL_TIME, item.period):
            cell = cells.setdefault(
                (dimension, key, period, item.hedged, bin_), dict.fromkeys(_SUM_FIELDS, 0)
            )
            cell["n"] += totals.n
            cell["n_true"] += totals.n_true
            cell["sum_probability"] += totals.sum_probability
            cell["sum_squared_error"] += totals.sum_squared_error
            cell["sum_log"] += totals.sum_log
            cell["n_unscored"] += 0 if item.outcome is not None else sign


def _cell_rows(cells: dict[_CellKey, dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"dimension": d, "group_key": k, "period": p, "hedged": h, "bin": b, **sums}
        for (d, k, p, h, b), sums in cells.items()
    ]


def _upsert_cells(session: Session, cells: dict[_CellKey, dict[str, Any]]) -> None:
    rows = [row for row in _cell_rows(cells) if any(row[f] for f in _SUM_FIELDS)]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    stmt: Any
    if dialect == "postgresql":
        stmt = postgresql.insert(ScoreCell)
    elif dialect == "sqlite":
        stmt = sqlite.insert(ScoreCell)
    else:  # pragma: no cover - the product runs on SQLite and PostgreSQL only
        raise RuntimeError(f"the scorecard does not know the {dialect} database")
    stmt = stmt.on_conflict_do_update(
        index_elements=["dimension", "group_key", "period", "hedged", "bin"],
        set_={name: getattr(ScoreCell, name) + stmt.excluded[name] for name in _SUM_FIELDS},
    )
    # One statement for every row (executemany): compiled once, however many cells change.
    session.connection().execute(stmt, rows)


def on_outcome_changed(
    session: Session,
    claim: Claim,
    old_outcome: str | None = None,
    new_outcome: str | None = None,
) -> None:
    """Bring the scorecard up to date with one claim, after any change of its status, outcome,
    probability, deadline, hedging, tags or source. Cost is independent of how many forecasts
    are scored. Idempotent: calling it when nothing changed changes nothing. Flushes.

    The outcomes are accepted to fit `resolutions.outcome_listeners` but not needed: what the
    claim was counted as is read back from its `score_entries` row."""
    del old_outcome, new_outcome
    session.flush()
    on_claims_changed(session, [claim.id])


def on_claims_changed(session: Session, claim_ids: Sequence[int]) -> None:
    """`on_outcome_changed` for many claims at once (every claim on a resolved question): a
    few reads per 500 claims and one write of the cells, whatever the number scored. Flushes."""
    # Pages this process remembers are looked at afresh once the change is committed.
    event.listen(session, "after_commit", _after_commit, once=True)
    session.flush()
    if not claim_ids or session.get(ScorecardState, 1) is None:
        return  # nothing changed, or not built yet: the first reading builds the sums
    cells: dict[_CellKey, dict[str, Any]] = {}
    changed = False
    for start in range(0, len(claim_ids), _CHUNK):
        chunk = sorted(set(claim_ids[start : start + _CHUNK]))
        changed |= _recount(session, chunk, cells)
    if not changed:
        return
    _upsert_cells(session, cells)
    session.execute(
        update(ScorecardState)
        .where(ScorecardState.id == 1)
        .values(version=ScorecardState.version + 1, changed_at=utcnow())
    )
    session.flush()
    _bump_generation()


_CHUNK = 500


def _recount(session: Session, claim_ids: list[int], cells: dict[_CellKey, dict[str, Any]]) -> bool:
    """Add to `cells` what these claims' counting changed, and rewrite their entries (rows, not
    objects: a question's thousand claims cost a few statements)."""
    tags: dict[int, list[str]] = {}
    for claim_id, tag in session.execute(
        select(ClaimTag.claim_id, ClaimTag.tag).where(ClaimTag.claim_id.in_(claim_ids))
    ):
        tags.setdefault(claim_id, []).append(tag)
    rows = {
        row.id: row
        for row in session.execute(
            select(*_CLAIM_COLUMNS)
            .join(Source, Source.id == Claim.source_id)
            .where(Claim.id.in_(claim_ids))
        )
    }
    entries = {
        row.claim_id: _Contribution(
            probability=row.probability,
            outcome=row.outcome,
            hedged=row.hedged,
            period=row.period,
            groups=tuple((d, k) for d, k in json.loads(row.groups)),
        )
        for row in session.execute(
            select(
                ScoreEntry.claim_id,
                ScoreEntry.probability,
                ScoreEntry.outcome,
                ScoreEntry.hedged,
                ScoreEntry.period,
                ScoreEntry.groups,
            ).where(ScoreEntry.claim_id.in_(claim_ids))
        )
    }
    gone: list[int] = []
    added: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for claim_id in claim_ids:
        row = rows.get(claim_id)
        new = None if row is None else _row_contribution(row, tags.get(claim_id, ()))
        old = entries.get(claim_id)
        if old == new:
            continue
        if old is not None:
            _add(cells, old, -1)
        if new is not None:
            _add(cells, new, +1)
        if new is None:
            gone.append(claim_id)
        else:
            (added if old is None else changed).append(_entry_row(claim_id, new))
    # A changed entry is written anew: one DELETE and one multi-row INSERT, not an UPDATE each.
    gone.extend(row["claim_id"] for row in changed)
    if gone:
        session.execute(delete(ScoreEntry).where(ScoreEntry.claim_id.in_(gone)))
    if added or changed:
        session.connection().execute(insert(ScoreEntry), [*added, *changed])
    return bool(gone or added)


def _entry_row(claim_id: int, item: _Contribution) -> dict[str, Any]:
    return {
        "claim_id": claim_id,
        "probability": item.probability,
        "outcome": item.outcome,
        "hedged": item.hedged,
        "period": item.period,
        "groups": json.dumps(item.groups),
    }


_CLAIM_COLUMNS = (
    Claim.id,
    Claim.kind,
    Claim.status,
    Claim.outcome,
    Claim.probability,
    Claim.hedged,
    Claim.deadline_at,
    Claim.source_id,
    Source.author_slug,
    Source.outlet_slug,
)


def _row_contribution(row: Any, tags: Iterable[str]) -> _Contribution | None:
    return _contribution(
        kind=row.kind,
        status=row.status,
        outcome=row.outcome,
        probability=row.probability,
        hedged=row.hedged,
        deadline_at=row.deadline_at,
        source_id=row.source_id,
        author_slug=row.author_slug,
        outlet_slug=row.outlet_slug,
        tags=tags,
    )


def _bump_generation() -> None:
    global _generation
    _generation += 1


def _after_commit(_session: Session) -> None:
    _bump_generation()


def rebuild(session: Session) -> int:
    """Recount every forecast from the claims (after a restore, or to check the sums).
    Returns how many forecasts were counted. Flushes."""
    event.listen(session, "after_commit", _after_commit, once=True)
    state = session.get(ScorecardState, 1)
    if state is None:
        session.add(ScorecardState(id=1, version=1, changed_at=utcnow()))
    else:
        state.version += 1
        state.changed_at = utcnow()
    session.flush()
    session.execute(delete(ScoreCell))
    session.execute(delete(ScoreEntry))
    tags: dict[int, list[str]] = {}
    for claim_id, tag in session.execute(
        select(ClaimTag.claim_id, ClaimTag.tag).join(Claim).where(Claim.kind == "forecast")
    ):
        tags.setdefault(claim_id, []).append(tag)
    rows = session.execute(
        select(*_CLAIM_COLUMNS)
        .join(Source, Source.id == Claim.source_id)
        .where(Claim.kind == "forecast")
    )
    cells: dict[_CellKey, dict[str, Any]] = {}
    entries: list[dict[str, Any]] = []
    for row in rows:
        item = _row_contribution(row, tags.get(row.id, ()))
        if item is None:
            continue
        _add(cells, item, +1)
        entries.append(_entry_row(row.id, item))
    for start in range(0, len(entries), 5000):
        session.execute(insert(ScoreEntry), entries[start : start + 5000])
    cell_rows = _cell_rows(cells)
    for start in range(0, len(cell_rows), 5000):
        session.execute(insert(ScoreCell), cell_rows[start : start + 5000])
    session.flush()
    return len(entries)


def ensure_built(session: Session) -> bool:
    """Build the sums if they never were (a fresh or restored database). Returns True if it
    built them; the caller commits. Of two processes trying at once, one builds."""
    if session.scalar(select(ScorecardState.id).where(ScorecardState.id == 1)) is not None:
        return False
    try:
        with session.begin_nested():
            rebuild(session)
    except (IntegrityError, OperationalError):
        # Another process built them first (its row made ours conflict, or locked us out).
        session.rollback()
        return False
    return True
