"""Engine and sessions, the UTC time type, constraint naming and SQLite connection settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import QueuePool
from sqlalchemy.types import TypeDecorator

# Named constraints let Alembic alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# How long a write waits for other writers' locks before the database refuses it as busy.
LOCK_TIMEOUT_SECONDS = 10.0
# Row ids are 32-bit integers on PostgreSQL; a larger number in a URL or query names no row.
MAX_ID = 2**31 - 1
# Connections each process keeps open between requests, on both databases, and (PostgreSQL,
# whose server counts them) how many more it opens when busy: gunicorn's threads per worker
# (deploy/gunicorn.conf.py) are covered. SQLite opens as many more as it is asked for.
POOL_SIZE = 5
POOL_OVERFLOW = 10


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC in Python; UTC in the database (SQLite keeps no zone: it is dropped)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime given; times must carry a zone (UTC)")
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def normalize_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_on_connect(lock_timeout_ms: int) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Autocommit mode in the driver: SQLAlchemy emits BEGIN itself (see _sqlite_on_begin),
        # so a writer can ask for BEGIN IMMEDIATE and take the write lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # A writer waits this long for the one before it to finish, then gets "database is
        # locked" (which the web answers as 503 with Retry-After).
        cursor.execute(f"PRAGMA busy_timeout={int(lock_timeout_ms)}")
        cursor.close()

    return on_connect


def _sqlite_on_begin(connection: Any) -> None:
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str, echo: bool = False, lock_timeout: float = LOCK_TIMEOUT_SECONDS) -> Engine:
    """An engine for `url`. A write waits up to `lock_timeout` seconds for the locks other
    writers hold (SQLite's busy timeout, PostgreSQL's lock_timeout), then fails as busy."""
    url = normalize_url(url)
    timeout_ms = max(1, round(lock_timeout * 1000))
    if make_url(url).get_backend_name() == "sqlite":
        # Connections are kept between requests, as on PostgreSQL: one opened per request read
        # everything again from the file (the schema, the search index's structure, the pages
        # of the words searched for), a third of a search's time and more. An idle
        # connection holds no lock (WAL mode; the pool rolls back what a request left open),
        # so writers elsewhere never wait for it.
        engine = create_engine(url, echo=echo, poolclass=QueuePool, pool_size=POOL_SIZE,
                               max_overflow=-1)  # fmt: skip
        event.listen(engine, "connect", _sqlite_on_connect(timeout_ms))
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    # Options given in the URL (?options=-c ...) are kept; the lock timeout is added to them.
    given = make_url(url).query.get("options")
    given_text = " ".join(given) if isinstance(given, tuple) else given or ""
    options = f"{given_text} -c lock_timeout={timeout_ms}".strip()
    return create_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        pool_size=POOL_SIZE,
        max_overflow=POOL_OVERFLOW,
        connect_args={"options": options},
    )


# PostgreSQL's SQLSTATEs for "wait ran out, try again": lock_not_available,
# serialization_failure, deadlock_detected.
_BUSY_SQLSTATES = {"55P03", "40001", "40P01"}


def is_busy(error: DBAPIError) -> bool:
    """True when the database refused because other writers held it for too long (SQLite's
    busy timeout ran out, a PostgreSQL lock or serialization conflict): retrying can succeed."""
    original = error.orig
    if getattr(original, "sqlstate", None) in _BUSY_SQLSTATES:
        return True
    message = str(original).lower()
    return "database is locked" in message or "database table is locked" in message


def is_unique_violation(error: DBAPIError) -> bool:
    """True when a write lost a race to a twin: a UNIQUE constraint refused the second."""
    original = error.orig
    if getattr(original, "sqlstate", None) == "23505":
        return True
    return "unique constraint failed" in str(original).lower()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits when the block ends and rolls back on error."""
    with factory() as session, session.begin():
        yield session


def check_in(column: str, values: tuple[str, ...]) -> str:
    """A CHECK constraint's text: `column` holds one of `values`."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"
