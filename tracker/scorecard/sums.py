"""Keeping the scorecard's sums: `score_cells` per period, group and hedged flag (totals, and
per calibration bin what calibration needs), and `score_entries`, what each forecast is
counted as. `on_claims_changed` and `on_question_changed` bring them up to date
with the forecasts of the questions concerned, whatever the size of the record
(`recount.rebuild` counts every forecast again).

A forecast's peer score depends on every scored forecast of its question, so a change of one
forecast counts the forecasts of its question (and of the question it left) again: N forecasts,
never the record; the cells move by the differences. What each forecast adds to each sum is
defined in `fields`.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, event, insert, select, update
from sqlalchemy.orm import Session

from tracker.db import utcnow
from tracker.models import (
    BIN_AT,
    BIN_FIELDS,
    CELL_FIELDS,
    SUM_FIELDS,
    Claim,
    ClaimTag,
    Question,
    ScorecardState,
    ScoreEntry,
    Source,
    Speaker,
    pack_counts,
)
from tracker.scorecard import fields, scoring
from tracker.scorecard.fields import forecast_sums as forecast_sums
from tracker.scorecard.periods import ALL_TIME as ALL_TIME
from tracker.scorecard.periods import periods_of

_generation = 0  # bumped by every change this process makes; see FreshnessMemo
_CHUNK = 500  # ids per IN (...) list


def generation() -> int:
    return _generation


def _bump_generation() -> None:
    global _generation
    _generation += 1


def after_commit(_session: Session) -> None:
    _bump_generation()


# ---------------------------------------------------------------------------------------------
# One forecast: where it counts and how much


@dataclass(frozen=True)
class Counted:
    """Where a forecast counts (deadline day, hedging, bin, groups) and what it adds."""

    question_id: int
    period: str
    hedged: bool
    bin: int
    source_id: int
    author: str | None
    speaker: str | None
    outlet: str | None
    tags: tuple[str, ...]  # sorted
    sums: tuple[int, ...]  # in SUM_FIELDS order

    @functools.cached_property
    def groups(self) -> tuple[tuple[str, str], ...]:
        """(dimension, key) of every group whose cells the forecast counts in (a source's
        scorecard reads its entries)."""
        groups = [("overall", "")]
        if self.author:
            groups.append(("author", self.author))
        if self.speaker:
            groups.append(("speaker", self.speaker))
        if self.outlet:
            groups.append(("outlet", self.outlet))
        groups.extend(("tag", tag) for tag in self.tags)
        return tuple(groups)


# What the scorecard reads of a claim.
_CLAIM_COLUMNS = (
    Claim.id,
    Claim.question_id,
    Claim.status,
    Claim.outcome,
    Claim.probability,
    Claim.hedged,
    Claim.deadline_at,
    Claim.source_id,
    Source.author_slug,
    Source.outlet_slug,
    Speaker.slug.label("speaker"),
)


def claims_counted() -> Any:
    """The claims the scorecard counts (forecasts with a probability and a deadline), with
    their sources and speakers, as a query to narrow down."""
    return (
        select(*_CLAIM_COLUMNS)
        .join(Source, Source.id == Claim.source_id)
        .outerjoin(Speaker, Speaker.id == Claim.speaker_id)
        .where(
            Claim.kind == "forecast",
            Claim.probability.is_not(None),
            Claim.deadline_at.is_not(None),
        )
    )


def _is_scored(row: Any) -> bool:
    return bool(row.status == "resolved" and row.outcome in ("true", "false"))


def count_question(rows: Sequence[Any], tags: dict[int, list[str]]) -> dict[int, Counted]:
    """How each forecast of one question counts: their peer scores come from one another."""
    baselines = {
        row.id: fields.FIELDS["sum_baseline"].value(row.probability, row.outcome == "true")
        for row in rows
        if _is_scored(row)
    }
    total, count = sum(baselines.values()), len(baselines)
    counted: dict[int, Counted] = {}
    for row in rows:
        scored = row.id in baselines
        peer = fields.peer_units(baselines[row.id], total, count) if scored else None
        counted[row.id] = Counted(
            question_id=row.question_id,
            period=row.deadline_at.astimezone(dt.UTC).date().isoformat(),
            hedged=bool(row.hedged),
            bin=scoring.bin_index(row.probability),
            source_id=row.source_id,
            author=row.author_slug,
            speaker=row.speaker,
            outlet=row.outlet_slug,
            tags=tuple(sorted(set(tags.get(row.id, ())))),
            sums=forecast_sums(row.probability, row.outcome if scored else None, peer),
        )
    return counted


def _from_entry(entry: Any) -> Counted:
    return Counted(
        question_id=entry.question_id,
        period=entry.period,
        hedged=entry.hedged,
        bin=entry.bin,
        source_id=entry.source_id,
        author=entry.author,
        speaker=entry.speaker,
        outlet=entry.outlet,
        tags=tuple(sorted(json.loads(entry.tags))),
        sums=tuple(int(getattr(entry, name)) for name in SUM_FIELDS),
    )


def _entry_row(claim_id: int, item: Counted) -> dict[str, Any]:
    return {
        "claim_id": claim_id,
        "question_id": item.question_id,
        "period": item.period,
        "hedged": item.hedged,
        "bin": item.bin,
        "source_id": item.source_id,
        "author": item.author,
        "speaker": item.speaker,
        "outlet": item.outlet,
        "tags": json.dumps(list(item.tags)),
        **dict(zip(SUM_FIELDS, item.sums, strict=True)),
    }


_CellKey = tuple[str, str, str, bool]  # period, dimension, group_key, hedged

# Where a bin's columns are read from in a forecast's sums (SUM_FIELDS).
_N, _N_TRUE, _P = (SUM_FIELDS.index(name) for name in ("n", "n_true", "sum_probability"))
_NO_BINS = array("q", bytes(array("q").itemsize * len(BIN_FIELDS)))


def _cell_change(bin_: int, change: Sequence[int]) -> array[int]:
    """A forecast's change of sums (SUM_FIELDS) as the change of a cell's row (CELL_FIELDS):
    the totals, and the same in its calibration bin's columns."""
    row = array("q", change)
    row.extend(_NO_BINS)
    at = BIN_AT[bin_]
    row[at] = pack_counts(change[_N], change[_N_TRUE])
    row[at + 1] = change[_P]
    return row


# A cell's changes are kept as arrays of whole numbers: resolving a question with a thousand
# forecasts changes thousands of cells, and arrays, unlike lists, are no work for the garbage
# collector.
def _into(kept: dict[_CellKey, array[int]], key: _CellKey, change: array[int]) -> None:
    sums = kept.get(key)
    if sums is None:
        kept[key] = array("q", change)
    else:
        for index, value in enumerate(change):
            if value:
                sums[index] += value


def _add(changes: dict[_CellKey, array[int]], item: Counted, change: Sequence[int]) -> None:
    """Add `change` (in SUM_FIELDS order) to every cell `item` counts in."""
    row = _cell_change(item.bin, change)
    for dimension, key in item.groups:
        for period in periods_of(item.period):
            _into(changes, (period, dimension, key, item.hedged), row)


def _move(changes: dict[_CellKey, array[int]], before: Counted | None, now: Counted | None) -> None:
    """Take out what a forecast was counted as and count what it is now; where it counts the
    same cells (a new result, a new peer score), once, by the difference."""
    if before is not None and now is not None and _place(before) == _place(now):
        _add(changes, now, [b - a for a, b in zip(before.sums, now.sums, strict=True)])
        return
    if before is not None:
        _add(changes, before, [-value for value in before.sums])
    if now is not None:
        _add(changes, now, now.sums)


def _place(item: Counted) -> tuple[Any, ...]:
    return (item.period, item.hedged, item.bin, item.groups)


_CELL_KEY = ("period", "dimension", "group_key", "hedged")


def _lock_order(item: tuple[tuple[Any, ...], array[int]]) -> str:
    # the hedged flag as one character
    return "\x1f".join(str(int(part)) if not isinstance(part, str) else part for part in item[0])


def _upsert(session: Session, changes: dict[_CellKey, array[int]]) -> None:
    """Add the changes to the rows of `score_cells`: on PostgreSQL in one statement reading
    the rows from one JSON parameter (made by the json module's C code, where arrays would be
    dumped element by element in Python); on SQLite one prepared statement run for each row,
    in process. Plain driver SQL: SQLAlchemy's handling of each parameter would cost more
    than the database's work."""
    # In one order for every writer, so that two at once take their row locks in the same
    # order (by one string each: comparing tuples costs more than the rest).
    ordered = sorted(changes.items(), key=_lock_order)
    rows = [(*k, *sums) for k, sums in ordered if any(sums)]
    if not rows:
        return
    columns = ", ".join((*_CELL_KEY, *CELL_FIELDS))
    conflict = f"ON CONFLICT ({', '.join(_CELL_KEY)}) DO UPDATE SET " + ", ".join(
        f"{name} = score_cells.{name} + excluded.{name}" for name in CELL_FIELDS
    )
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        types = ("text", "text", "text", "boolean") + ("bigint",) * len(CELL_FIELDS)
        values = ", ".join(f"(r->>{i})::{t}" for i, t in enumerate(types))
        connection.exec_driver_sql(
            f"INSERT INTO score_cells ({columns}) SELECT {values} "  # noqa: S608 - fixed names
            "FROM json_array_elements(%s::json) WITH ORDINALITY AS e(r, i) "
            f"ORDER BY i {conflict}",
            (json.dumps(rows),),
        )
    elif dialect == "sqlite":
        marks = ", ".join("?" for _ in rows[0])
        connection.exec_driver_sql(
            f"INSERT INTO score_cells ({columns}) VALUES ({marks}) {conflict}",  # noqa: S608 - fixed names
            rows,
        )
    else:  # pragma: no cover - the product runs on SQLite and PostgreSQL only
        raise RuntimeError(f"the scorecard does not know the {dialect} database")


# ---------------------------------------------------------------------------------------------
# Bringing the sums up to date


def _chunks(values: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


def on_outcome_changed(
    session: Session,
    claim: Claim,
    old_outcome: str | None = None,
    new_outcome: str | None = None,
) -> None:
    """`on_claims_changed` for one claim, after any change of its status, outcome,
    probability, deadline, hedging, tags, source, speaker or question. Flushes.

    The outcomes are accepted to fit `resolutions.outcome_listeners` but not needed: what the
    claim was counted as is read back from its `score_entries` row."""
    del old_outcome, new_outcome
    session.flush()
    on_claims_changed(session, [claim.id])


def on_question_changed(session: Session, question_id: int) -> None:
    """Bring the sums up to date with every forecast of a question (after it was resolved,
    re-opened or voided, or claims were linked to it or merged into it). Flushes."""
    _refresh(session, [], [question_id])


def on_claims_changed(session: Session, claim_ids: Iterable[int]) -> None:
    """Bring the sums up to date with these claims, after any change of their status, outcome,
    probability, deadline, hedging, tags, source, speaker or question: the forecasts of every
    question they are on, or were counted on, are counted again (their peer scores depend on
    one another), and the cells move by the differences. A few reads per 500 forecasts and
    one write of the cells, whatever the size of the record. Idempotent: calling it when
    nothing changed changes nothing. Flushes."""
    _refresh(session, list(claim_ids), [])


def _refresh(session: Session, claim_ids: Sequence[int], question_ids: Sequence[int]) -> None:
    # Pages this process remembers are looked at afresh once the change is committed.
    event.listen(session, "after_commit", after_commit, once=True)
    session.flush()
    if not (claim_ids or question_ids) or session.get(ScorecardState, 1) is None:
        return  # nothing changed, or not built yet: the first reading builds the sums
    questions = set(question_ids)
    for chunk in _chunks(claim_ids):
        questions.update(session.scalars(select(Claim.question_id).where(Claim.id.in_(chunk))))
        questions.update(
            session.scalars(select(ScoreEntry.question_id).where(ScoreEntry.claim_id.in_(chunk)))
        )
    rows, entries = _read_questions(session, questions)
    tags: dict[int, list[str]] = {}
    for chunk in _chunks(rows):
        for claim_id, tag in session.execute(
            select(ClaimTag.claim_id, ClaimTag.tag).where(ClaimTag.claim_id.in_(chunk))
        ):
            tags.setdefault(claim_id, []).append(tag)
    by_question: dict[int, list[Any]] = {}
    for row in rows.values():
        by_question.setdefault(row.question_id, []).append(row)
    new: dict[int, Counted] = {}
    for question_rows in by_question.values():
        new.update(count_question(question_rows, tags))
    changes: dict[_CellKey, array[int]] = {}
    written: list[dict[str, Any]] = []
    touched: list[int] = []
    for claim_id in sorted(set(new) | set(entries)):
        now, before = new.get(claim_id), entries.get(claim_id)
        if now == before:
            continue
        touched.append(claim_id)
        _move(changes, before, now)
        if now is not None:
            written.append(_entry_row(claim_id, now))
    if not touched:
        return
    _upsert(session, changes)
    _write_entries(session, touched, written)
    session.execute(
        update(ScorecardState)
        .where(ScorecardState.id == 1)
        .values(version=ScorecardState.version + 1, changed_at=utcnow())
    )
    session.flush()
    _bump_generation()


def _read_questions(
    session: Session, questions: set[int]
) -> tuple[dict[int, Any], dict[int, Counted]]:
    """The counted claims of these questions and every entry of them, and of any question
    they are found to share a forecast with (a claim counted on another question than the
    one it is on now): peer scores there change too."""
    rows: dict[int, Any] = {}
    entries: dict[int, Counted] = {}
    seen: set[int] = set()
    pending = set(questions)
    while pending:
        seen |= pending
        _take_turn(session, pending)
        found_rows: list[int] = []
        found_entries: list[int] = []
        for chunk in _chunks(pending):
            for row in session.execute(claims_counted().where(Claim.question_id.in_(chunk))):
                rows[row.id] = row
                found_rows.append(row.id)
            for entry in session.execute(
                select(ScoreEntry.__table__).where(ScoreEntry.question_id.in_(chunk))
            ):
                entries[entry.claim_id] = _from_entry(entry)
                found_entries.append(entry.claim_id)
        more: set[int] = set()
        # Counted here before, on another question now (or no longer counted).
        for chunk in _chunks(c for c in found_entries if c not in rows):
            more.update(session.scalars(select(Claim.question_id).where(Claim.id.in_(chunk))))
        # On these questions now, counted on another one before.
        for chunk in _chunks(c for c in found_rows if c not in entries):
            for entry in session.execute(
                select(ScoreEntry.__table__).where(ScoreEntry.claim_id.in_(chunk))
            ):
                entries[entry.claim_id] = _from_entry(entry)
                more.add(entry.question_id)
        pending = more - seen
    return rows, entries


def _take_turn(session: Session, questions: set[int]) -> None:
    """Wait for any other writer counting these questions again to commit, and keep them
    until this one does: each reads the others' entries, and two counting one question at
    once from the same entries would both move the cells by the same peer-score change.
    PostgreSQL locks the questions' rows (in id order); SQLite has one writer at a time."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for chunk in _chunks(questions):
        session.execute(
            select(Question.id)
            .where(Question.id.in_(chunk))
            .order_by(Question.id)
            .with_for_update()
        )


def _write_entries(session: Session, touched: list[int], written: list[dict[str, Any]]) -> None:
    """Replace the entries of the claims counted anew (and drop those no longer counted)."""
    # Entries loaded as objects in this session would now be stale.
    for obj in list(session.identity_map.values()):
        if isinstance(obj, ScoreEntry):
            session.expunge(obj)
    connection = session.connection()
    table: Any = ScoreEntry.__table__
    for chunk in _chunks(touched):
        connection.execute(delete(table).where(table.c.claim_id.in_(chunk)))
    if written:
        connection.execute(insert(table), written)
