"""The rate limiter's counters in the product's own database (`database://`, the default).

Flask-Limiter counts in a `limits` storage. Its `memory://` storage counts per process, so
with several gunicorn workers each one allows the full limit (30 bad logins against 10 per
minute let 20 through with two workers). Counted here, every worker and every host on the
same database shares one count, with nothing else to run: the SQLite file of a single host,
or the PostgreSQL server of several. Redis (`redis://host:6379`) does the same where it is
configured, and is quicker under heavy load.

Counters are fixed windows: one row per key, `hits` since the window opened, and when it
closes. An increment is one upsert (INSERT ... ON CONFLICT DO UPDATE ... RETURNING), atomic
on both databases; closed windows are swept away once a minute by whichever process is
counting."""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Any, cast

from limits.storage import Storage
from sqlalchemy import Engine, Table, case, delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from tracker.models import RateLimitCounter

SCHEME = "database"
SWEEP_SECONDS = 60.0
_table = cast(Table, RateLimitCounter.__table__)


class DatabaseStorage(Storage):
    """A `limits` storage on the tracker's database: `database://` with `engine=` given in
    RATELIMIT_STORAGE_OPTIONS (the application does that)."""

    STORAGE_SCHEME = [SCHEME]  # noqa: RUF012  # read once, by limits' registry

    def __init__(
        self,
        uri: str | None = None,
        wrap_exceptions: bool = False,
        engine: Engine | None = None,
        **options: Any,
    ) -> None:
        if engine is None:
            raise ValueError("the database:// rate-limit storage needs the application's engine")
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self.engine = engine
        self.insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        self._next_sweep = 0.0
        self._sweep_lock = threading.Lock()

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    @staticmethod
    def _key(key: str) -> str:
        return key if len(key) <= 200 else "sha256:" + hashlib.sha256(key.encode()).hexdigest()

    def _begin(self) -> Any:
        # On SQLite, take the write lock up front: two counting processes never deadlock.
        return self.engine.connect().execution_options(sqlite_begin="IMMEDIATE")

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        expired = _table.c.expires_at <= now
        statement = (
            self.insert(_table)
            .values(key=self._key(key), hits=amount, expires_at=now + expiry)
            .on_conflict_do_update(
                index_elements=[_table.c.key],
                set_={
                    "hits": case((expired, amount), else_=_table.c.hits + amount),
                    "expires_at": case((expired, now + expiry), else_=_table.c.expires_at),
                },
            )
            .returning(_table.c.hits)
        )
        with self._begin() as connection, connection.begin():
            if self.engine.dialect.name == "postgresql":
                # A counter may lose its last increments in a server crash; no need to wait
                # for the disk.
                connection.execute(text("SET LOCAL synchronous_commit TO OFF"))
            hits = connection.execute(statement).scalar_one()
        self._sweep(now)
        return int(hits)

    def get(self, key: str) -> int:
        with self.engine.connect() as connection:
            hits = connection.execute(
                select(_table.c.hits).where(
                    _table.c.key == self._key(key), _table.c.expires_at > time.time()
                )
            ).scalar_one_or_none()
        return int(hits or 0)

    def get_expiry(self, key: str) -> float:
        now = time.time()
        with self.engine.connect() as connection:
            expires = connection.execute(
                select(_table.c.expires_at).where(
                    _table.c.key == self._key(key), _table.c.expires_at > now
                )
            ).scalar_one_or_none()
        return float(expires if expires is not None else now)

    def check(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self._begin() as connection, connection.begin():
            return int(connection.execute(delete(_table)).rowcount or 0)

    def clear(self, key: str) -> None:
        with self._begin() as connection, connection.begin():
            connection.execute(delete(_table).where(_table.c.key == self._key(key)))

    def _sweep(self, now: float) -> None:
        """Delete closed windows, at most once a minute per process."""
        with self._sweep_lock:
            if now < self._next_sweep:
                return
            self._next_sweep = now + SWEEP_SECONDS
        with self._begin() as connection, connection.begin():
            connection.execute(delete(_table).where(_table.c.expires_at <= now))
