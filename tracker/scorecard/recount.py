"""Counting every forecast again, in the database: after a restore, on first use, or to check
the sums. Each step is one INSERT ... SELECT ... GROUP BY: the entries from the claims (peer
scores by a window over each question's forecasts), the day cells from the entries, then each
coarser tier of periods from the one below alone (thirds of months from days, months from
thirds, quarters from months, years from quarters, all time from years).
"""

from __future__ import annotations

import contextlib
import math
import sqlite3
from collections.abc import Iterator
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    case,
    cast,
    delete,
    event,
    exists,
    func,
    insert,
    literal,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.schema import AddConstraint, DropConstraint

from tracker.db import utcnow
from tracker.models import (
    CELL_FIELDS,
    SUM_FIELDS,
    Claim,
    ClaimTag,
    ScorecardState,
    ScoreCell,
    ScoreEntry,
    Source,
    Speaker,
)
from tracker.scorecard import periods, reads, scoring
from tracker.scorecard.fields import FIELDS, UNSCORED
from tracker.scorecard.fields import sql_peer as peer_sql
from tracker.scorecard.sums import after_commit


def _tier_above(tier: int, p: Any) -> Any:
    """The name of the period above, as SQL, of each period named `p` in `tier` of
    `periods.periods_of` counted from the finest: thirds of months from days (0), months from
    thirds, quarters from months, years from quarters, and None for all time from years."""

    def chosen(part: Any, bounds: tuple[str, ...]) -> Any:
        # the 1-based position of `part` among the upper bounds, as text
        return case(*((part <= bound, str(i)) for i, bound in enumerate(bounds, 1)), else_="")

    third = (
        func.substr(p, 1, 7).concat(":").concat(chosen(func.substr(p, 9, 2), ("10", "20", "31")))
    )
    quarter = (
        func.substr(p, 1, 4)
        .concat("Q")
        .concat(chosen(func.substr(p, 6, 2), ("03", "06", "09", "12")))
    )
    lengths = periods.NAME_LENGTHS
    return [
        third,
        func.substr(p, 1, lengths[periods.MONTH]),
        quarter,
        func.substr(p, 1, lengths[periods.YEAR]),
        None,
    ][tier]


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
    author = select(literal("author"), e.author, e).where(e.author.is_not(None), e.author != "")
    outlet = select(literal("outlet"), e.outlet, e).where(e.outlet.is_not(None), e.outlet != "")
    speaker = select(literal("speaker"), e.speaker, e).where(
        e.speaker.is_not(None), e.speaker != ""
    )
    tag = select(literal("tag"), ClaimTag.tag, e).join(ClaimTag, ClaimTag.claim_id == e.claim_id)
    return [overall, author, speaker, outlet, tag]


_CELL_KEY = ("period", "dimension", "group_key", "hedged")
_TIERS = 5  # tiers above the days
_SQLITE_CACHE_KB = -262144  # PRAGMA cache_size while counting: negative is in KiB


def _tier_table(name: str) -> Table:
    """A temporary table holding the cells of one tier of periods while the next is added up."""
    return Table(
        name,
        MetaData(),
        Column("period", String(10)),
        Column("dimension", String(8)),
        Column("group_key", String(200)),
        Column("hedged", Boolean),
        *(Column(name, BigInteger) for name in CELL_FIELDS),
        prefixes=["TEMPORARY"],
    )


def _day_sums(rows: Any) -> list[Any]:
    """The sums of a day cell over its forecasts' entries `rows`: the totals, then each
    calibration bin's parts from the entries in that bin."""
    return [*(func.sum(rows.c[name]) for name in SUM_FIELDS), *reads.in_bins(rows)]


def _count_cells(session: Session) -> None:
    """The day cells from the entries, straight into `score_cells` (one dimension after
    another, each in its keys' order); then each tier of periods from the one below it alone:
    the thirds of months from the cells, which hold the days only, and each coarser tier from
    the one before, held in a temporary table, so that no tier is looked for among all the
    cells. (Copying the days from a temporary table took a ninth of the count.)"""
    connection = session.connection()
    cells: Any = ScoreCell.__table__
    for grouped in _group_selects():
        rows = grouped.subquery()
        d, k = rows.c[0], rows.c[1]
        query = select(rows.c.period, d, k, rows.c.hedged, *_day_sums(rows)).group_by(
            rows.c.period, d, k, rows.c.hedged
        )
        session.execute(insert(cells).from_select([*_CELL_KEY, *CELL_FIELDS], query))
    tiers = [_tier_table("score_tier_below"), _tier_table("score_tier_above")]
    for table in tiers:
        table.drop(connection, checkfirst=True)
    below: Any = cells
    above, spare = tiers
    for tier in range(_TIERS):
        if tier:
            _store(session, below)
        period = _tier_above(tier, below.c.period)
        above.create(connection)
        up = period if period is not None else literal(periods.ALL_TIME)
        kept = [below.c[name] for name in _CELL_KEY[1:]]
        query = select(up, *kept, *(func.sum(below.c[name]) for name in CELL_FIELDS)).group_by(
            # all time: one period, not grouped by (a constant, which PostgreSQL refuses)
            *([] if period is None else [up]),
            *kept,
        )
        with _hashed(session):
            session.execute(insert(above).from_select([*_CELL_KEY, *CELL_FIELDS], query))
        if tier:
            below.drop(connection)
            below, above = above, below
        else:
            below, above = above, spare
    _store(session, below)
    below.drop(connection)


@contextlib.contextmanager
def _hashed(session: Session) -> Iterator[None]:
    """PostgreSQL: a tier's cells grouped by hashing, not sorting. Its planner guesses a few
    thousand groups where a tier has some 700,000 (the day cells' keys say little of their
    thirds), and sorts: counting 1,000,000 forecasts, the thirds took 17.0 s sorted and 9.1 s
    hashed, one run each (the statement alone, twice each: 12.3 s and 5.6-7.6 s). The day
    cells stay sorted: they go into `score_cells` in their keys' order. Sorting was not
    turned off for the whole count: the entries' statement then ran for over 5 minutes,
    not 26 s."""
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    connection = session.connection()
    kept = connection.exec_driver_sql("SHOW enable_sort").scalar()
    connection.exec_driver_sql("SET LOCAL enable_sort = off")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"SET LOCAL enable_sort = {kept}")


def _store(session: Session, tier: Table) -> None:
    """Keep the cells of one tier. On PostgreSQL in the order of their keys: a range reads a
    few periods of many groups, and PostgreSQL keeps rows where they come (SQLite keeps these
    tables in their keys' order)."""
    cell_key = [tier.c[name] for name in _CELL_KEY]
    cells = select(*cell_key, *(tier.c[name] for name in CELL_FIELDS))
    if session.get_bind().dialect.name == "postgresql":
        cells = cells.order_by(*cell_key)
    session.execute(insert(ScoreCell).from_select([*_CELL_KEY, *CELL_FIELDS], cells))


@contextlib.contextmanager
def _keys_built_after(session: Session, table: Table) -> Iterator[None]:
    """PostgreSQL: `table` filled without its primary key and indexes, which are built once at
    the end from the rows in place (the same names and definitions as the schema's): kept up
    row by row they cost a third of the day cells' time, and 2 s of the entries' 12.5 s at
    1,000,000 forecasts. The entries' reference to their claims stays: dropping it would lock
    every reader of the claims out until the count ends (keeping it costs 4 s more there)."""
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    connection = session.connection()
    connection.execute(DropConstraint(table.primary_key))
    for index in table.indexes:
        index.drop(connection)
    yield
    connection.execute(AddConstraint(table.primary_key))
    for index in table.indexes:
        index.create(connection)


@contextlib.contextmanager
def _room_to_count(session: Session, dialect: str) -> Iterator[None]:
    """SQLite: up to 256 MB of pages for the count's sorts and tables, given back after it.
    With the default 2 MB it writes and reads back its sorts of a million rows. A recount of
    1,000,000 forecasts took 70 s without and 65 s with it, one run each on a shared machine:
    a small gain at best. (PostgreSQL's memory is set per transaction.)"""
    if dialect != "sqlite":
        yield
        return
    connection = session.connection()
    kept = int(connection.exec_driver_sql("PRAGMA cache_size").scalar() or 0)
    connection.exec_driver_sql(f"PRAGMA cache_size = {_SQLITE_CACHE_KB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {kept}")


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
        # (Not when they are empty already, as in a new database: TRUNCATE makes new files.)
        if any(session.scalar(select(exists().select_from(t))) for t in (ScoreCell, ScoreEntry)):
            session.execute(text("TRUNCATE score_cells, score_entries"))
        # Sorts and groupings of a million rows in memory rather than in files, for this
        # transaction only.
        session.execute(text("SET LOCAL work_mem = '256MB'"))
        session.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    else:
        session.execute(delete(ScoreCell))
        session.execute(delete(ScoreEntry))
    with _room_to_count(session, dialect):
        with _keys_built_after(session, ScoreEntry.__table__):  # type: ignore[arg-type]
            _count_entries(session, dialect)
        with _keys_built_after(session, ScoreCell.__table__):
            _count_cells(session)
    if dialect == "postgresql":
        # plans for the new rows
        session.execute(text("ANALYZE score_cells, score_entries"))
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
