"""Counting every forecast again, in the database: after a restore, on first use, or to check
the sums. Each step is one INSERT ... SELECT ... GROUP BY: the entries from the claims (peer
scores by a window over each question's forecasts), the day cells from the entries, then each
coarser tier of periods from the one below (thirds of months from days, months from thirds,
quarters from months, years from quarters, all time from years), and speakers' and outlets'
totals over the bins from their cells.
"""

from __future__ import annotations

import math
import sqlite3
from typing import Any

from sqlalchemy import (
    BigInteger,
    Float,
    Integer,
    String,
    Text,
    and_,
    case,
    cast,
    delete,
    event,
    func,
    insert,
    literal,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from tracker.db import utcnow
from tracker.models import (
    SUM_FIELDS,
    TOTALED_DIMENSIONS,
    Claim,
    ClaimTag,
    ScorecardState,
    ScoreCell,
    ScoreEntry,
    ScoreTotal,
    Source,
    Speaker,
)
from tracker.scorecard import periods, scoring
from tracker.scorecard.fields import FIELDS, UNSCORED
from tracker.scorecard.fields import sql_peer as peer_sql
from tracker.scorecard.sums import after_commit


def _tiers() -> list[tuple[int, Any]]:
    """Each tier of periods (`periods.periods_of`) from the one below it, finest first: the
    length of the names below, and the name of the period above as SQL."""
    p = ScoreCell.period

    def chosen(part: Any, bounds: tuple[str, ...]) -> Any:
        # the 1-based position of `part` among the upper bounds, as text
        return case(*((part <= bound, str(i)) for i, bound in enumerate(bounds, 1)), else_="")

    lengths = periods.NAME_LENGTHS
    third = (
        func.substr(p, 1, 7).concat(":").concat(chosen(func.substr(p, 9, 2), ("10", "20", "31")))
    )
    quarter = (
        func.substr(p, 1, 4)
        .concat("Q")
        .concat(chosen(func.substr(p, 6, 2), ("03", "06", "09", "12")))
    )
    return [
        (lengths[periods.DAY], third),
        (lengths[periods.THIRD], func.substr(p, 1, lengths[periods.MONTH])),
        (lengths[periods.MONTH], quarter),
        (lengths[periods.QUARTER], func.substr(p, 1, lengths[periods.YEAR])),
        (lengths[periods.YEAR], literal(periods.ALL_TIME)),
    ]


def _sqlite_math(session: Session) -> None:
    """SQLite built without its math functions: give the connection Python's (same libm)."""
    connection: Any = session.connection().connection.dbapi_connection
    try:
        connection.execute("SELECT ln(2.0), floor(2.5)").fetchall()
    except sqlite3.OperationalError:
        connection.create_function("ln", 1, math.log, deterministic=True)
        connection.create_function("floor", 1, math.floor, deterministic=True)


def _deadline_day(dialect: str) -> Any:
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", Claim.deadline_at), "YYYY-MM-DD")
    # SQLite keeps UTC times as 'YYYY-MM-DD HH:MM:SS...'.
    return func.substr(cast(Claim.deadline_at, String), 1, 10)


def _tags_json(dialect: str) -> Any:
    if dialect == "postgresql":
        return cast(func.json_agg(ClaimTag.tag), Text)
    return func.json_group_array(ClaimTag.tag)


def _count_entries(session: Session, dialect: str) -> None:
    p = Claim.probability
    came_true = Claim.outcome == "true"
    scored = and_(Claim.status == "resolved", Claim.outcome.in_(("true", "false")))
    tenths = func.floor(p * literal(float(scoring.BINS), Float))
    bin_ = cast(case((tenths >= scoring.BINS - 1, scoring.BINS - 1), else_=tenths), Integer)
    tags = (
        select(ClaimTag.claim_id, _tags_json(dialect).label("tags"))
        .group_by(ClaimTag.claim_id)
        .subquery()
    )
    zero = literal(0, BigInteger)
    # Each forecast on its own ...
    each = (
        select(
            Claim.id.label("claim_id"),
            Claim.question_id.label("question_id"),
            _deadline_day(dialect).label("period"),
            Claim.hedged.label("hedged"),
            bin_.label("bin"),
            Claim.source_id.label("source_id"),
            Source.author_slug.label("author"),
            Speaker.slug.label("speaker"),
            Source.outlet_slug.label("outlet"),
            func.coalesce(tags.c.tags, "[]").label("tags"),
            case((scored, literal(1, BigInteger)), else_=zero).label("scored"),
            case((scored, zero), else_=literal(1, BigInteger)).label(UNSCORED),
            *(
                case((scored, field.sql(p, came_true)), else_=zero).label(name)
                for name, field in FIELDS.items()
            ),
        )
        .join(Source, Source.id == Claim.source_id)
        .outerjoin(Speaker, Speaker.id == Claim.speaker_id)
        .outerjoin(tags, tags.c.claim_id == Claim.id)
        .where(Claim.kind == "forecast", p.is_not(None), Claim.deadline_at.is_not(None))
        .subquery()
    )
    # ... then beside the other scored forecasts of its question, for its peer score.
    question = each.c.question_id
    beside = select(
        *each.c,
        cast(func.sum(each.c.sum_baseline).over(partition_by=question), BigInteger).label(
            "q_total"
        ),
        cast(func.sum(each.c.scored).over(partition_by=question), BigInteger).label("q_count"),
    ).subquery()
    n_peer, sum_peer = peer_sql(beside.c.sum_baseline, beside.c.q_total, beside.c.q_count)
    is_scored = beside.c.scored == 1
    peer = {
        "n_peer": case((is_scored, n_peer), else_=zero),
        "sum_peer": case((is_scored, sum_peer), else_=zero),
    }
    columns = [
        "claim_id",
        "question_id",
        "period",
        "hedged",
        "bin",
        "source_id",
        "author",
        "speaker",
        "outlet",
        "tags",
    ]
    query = select(
        *(beside.c[name] for name in columns),
        *(peer[name] if name in peer else beside.c[name] for name in SUM_FIELDS),
    )
    session.execute(insert(ScoreEntry).from_select([*columns, *SUM_FIELDS], query))


def _group_selects() -> list[Any]:
    """(dimension, group key, entry) for every group every entry counts in."""
    e = ScoreEntry
    overall = select(literal("overall").label("d"), literal("").label("k"), e)
    source = select(literal("source"), cast(e.source_id, String), e)
    author = select(literal("author"), e.author, e).where(e.author.is_not(None), e.author != "")
    outlet = select(literal("outlet"), e.outlet, e).where(e.outlet.is_not(None), e.outlet != "")
    speaker = select(literal("speaker"), e.speaker, e).where(
        e.speaker.is_not(None), e.speaker != ""
    )
    tag = select(literal("tag"), ClaimTag.tag, e).join(ClaimTag, ClaimTag.claim_id == e.claim_id)
    return [overall, source, author, speaker, outlet, tag]


def _count_cells(session: Session) -> None:
    key = ["period", "dimension", "group_key", "hedged", "bin"]
    for grouped in _group_selects():
        rows = grouped.subquery()
        d, k = rows.c[0], rows.c[1]
        query = select(
            rows.c.period,
            d,
            k,
            rows.c.hedged,
            rows.c.bin,
            *(func.sum(rows.c[name]) for name in SUM_FIELDS),
        ).group_by(rows.c.period, d, k, rows.c.hedged, rows.c.bin)
        session.execute(insert(ScoreCell).from_select([*key, *SUM_FIELDS], query))
    for below, period in _tiers():
        query = (
            select(
                period,
                ScoreCell.dimension,
                ScoreCell.group_key,
                ScoreCell.hedged,
                ScoreCell.bin,
                *(func.sum(getattr(ScoreCell, name)) for name in SUM_FIELDS),
            )
            .where(func.length(ScoreCell.period) == below)
            .group_by(
                # all time: one period, not grouped by (a constant, which PostgreSQL refuses)
                *([] if below == periods.NAME_LENGTHS[periods.YEAR] else [period]),
                ScoreCell.dimension,
                ScoreCell.group_key,
                ScoreCell.hedged,
                ScoreCell.bin,
            )
        )
        session.execute(insert(ScoreCell).from_select([*key, *SUM_FIELDS], query))


def _count_totals(session: Session) -> None:
    """Speakers' and outlets' totals over the bins, from their cells (read in key order)."""
    key = ["period", "dimension", "group_key", "hedged"]
    c = ScoreCell
    query = (
        select(
            c.period,
            c.dimension,
            c.group_key,
            c.hedged,
            *(func.sum(getattr(c, name)) for name in SUM_FIELDS),
        )
        .where(c.dimension.in_(TOTALED_DIMENSIONS))
        .group_by(c.period, c.dimension, c.group_key, c.hedged)
    )
    session.execute(insert(ScoreTotal).from_select([*key, *SUM_FIELDS], query))


def rebuild(session: Session) -> int:
    """Count every forecast again from the claims (after a restore, or to check the sums).
    Returns how many forecasts were counted. Flushes."""
    event.listen(session, "after_commit", after_commit, once=True)
    state = session.get(ScorecardState, 1)
    if state is None:
        session.add(ScorecardState(id=1, version=1, changed_at=utcnow()))
    else:
        state.version += 1
        state.changed_at = utcnow()
    session.flush()
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_math(session)
    if dialect == "postgresql":
        # Emptied at once rather than row by row: no dead rows for the inserts to wade past.
        session.execute(text("TRUNCATE score_cells, score_totals, score_entries"))
    else:
        session.execute(delete(ScoreCell))
        session.execute(delete(ScoreTotal))
        session.execute(delete(ScoreEntry))
    _count_entries(session, dialect)
    _count_cells(session)
    _count_totals(session)
    if dialect == "postgresql":
        # plans for the new rows
        session.execute(text("ANALYZE score_cells, score_totals, score_entries"))
    session.flush()
    return int(session.scalar(select(func.count()).select_from(ScoreEntry)) or 0)


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
