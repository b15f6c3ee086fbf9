"""Fixtures: an app per test on a fresh database, on SQLite always and on PostgreSQL when
TRACKER_TEST_DATABASE_URL names a server (a database per run, dropped afterwards)."""

from __future__ import annotations

import copy
import os
import re
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from werkzeug.routing import Rule

from tracker import migrate
from tracker.app import create_app
from tracker.db import normalize_url
from tracker.models import Base, User

PG_ADMIN_URL = os.environ.get("TRACKER_TEST_DATABASE_URL")
# `make thorough` sets it: property tests try every example they name, not a sixth of them.
THOROUGH = os.environ.get("TRACKER_TEST_THOROUGH", "") not in ("", "0")


def examples(thorough: int) -> int:
    """How many examples a costly property test tries: `thorough` under `make thorough`, a
    sixth of it in the everyday suite (`make test`, CI), which must end within minutes."""
    return thorough if THOROUGH else max(10, thorough // 6)


BACKENDS = ["sqlite", "postgresql"]


class PostgresDatabases:
    """Creates and drops throwaway databases on the server named by TRACKER_TEST_DATABASE_URL."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = normalize_url(admin_url)
        self.engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def create(self) -> str:
        name = f"tracker_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with self.engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
            # A test's commits need not wait for the disk: a crash loses nothing a test keeps.
            connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
        self.created.append(name)
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with self.engine.connect() as connection:
            for name in self.created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.engine.dispose()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresDatabases | None]:
    if not PG_ADMIN_URL:
        yield None
        return
    databases = PostgresDatabases(PG_ADMIN_URL)
    try:
        yield databases
    finally:
        databases.drop_all()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests run on SQLite only. They drive the pages through Chromium; the reads
    and writes beneath every page run on both databases in the tests through the test
    client, and a browser test's second run on PostgreSQL took as long as its first (some
    50 s of the suite in all) for no line of the product that SQLite's did not run."""
    dropped = [
        item
        for item in items
        if item.get_closest_marker("browser") is not None
        and getattr(item, "callspec", None) is not None
        and item.callspec.params.get("backend") == "postgresql"  # type: ignore[attr-defined]
    ]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in dropped]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and not PG_ADMIN_URL:
        if os.environ.get("CI"):
            pytest.fail(
                "CI must run every database test on PostgreSQL too: set TRACKER_TEST_DATABASE_URL"
            )
        pytest.skip("TRACKER_TEST_DATABASE_URL is not set: PostgreSQL tests skipped")
    name: str = request.param
    return name


@pytest.fixture
def empty_database_url(backend: str, tmp_path: Path, postgres: PostgresDatabases | None) -> str:
    """A database with no tables at all."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    assert postgres is not None
    return postgres.create()


@pytest.fixture(scope="session")
def _migrated(
    tmp_path_factory: pytest.TempPathFactory, postgres: PostgresDatabases | None
) -> dict[str, str]:
    """One migrated database per backend, made once per run."""
    urls = {}
    template = tmp_path_factory.mktemp("template") / "tracker.sqlite3"
    urls["sqlite"] = f"sqlite:///{template}"
    migrate.upgrade(urls["sqlite"])
    if postgres is not None:
        urls["postgresql"] = postgres.create()
        migrate.upgrade(urls["postgresql"])
    return urls


@pytest.fixture
def database_url(backend: str, _migrated: dict[str, str], tmp_path: Path) -> str:
    """A migrated, empty database for one test: a copy of the SQLite template, or the
    PostgreSQL database with every table emptied."""
    if backend == "sqlite":
        copy = tmp_path / "tracker.sqlite3"
        shutil.copyfile(make_url(_migrated["sqlite"]).database or "", copy)
        return f"sqlite:///{copy}"
    url = _migrated["postgresql"]
    engine = create_engine(normalize_url(url))
    with engine.begin() as connection:
        _empty_postgres(connection)
    engine.dispose()
    return url


# The names of the tables that hold rows, in one query.
PROBE = " UNION ALL ".join(
    f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM {t.name})" for t in Base.metadata.sorted_tables
)
# The audit log refuses DELETE (a trigger): it is emptied by TRUNCATE, which no row trigger sees.
APPEND_ONLY = {"audit_log"}


def _empty_postgres(connection: Connection) -> None:
    """Empty every table the last test wrote to and restart every sequence it drew from, as
    TRUNCATE ... RESTART IDENTITY of every table would. TRUNCATE makes new files for each
    table and index, which took most of a second per test; deleting the few rows a test leaves
    takes milliseconds."""
    tables = [t.name for t in Base.metadata.sorted_tables]
    written = {row[0] for row in connection.execute(text(PROBE))}
    if written & APPEND_ONLY:
        connection.execute(text(f"TRUNCATE {', '.join(sorted(written & APPEND_ONLY))}"))
    for table in reversed(tables):  # rows that others refer to go last
        if table in written - APPEND_ONLY:
            connection.execute(text(f"DELETE FROM {table}"))
    connection.execute(
        text(
            "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value,"
            " false) FROM pg_sequences WHERE last_value IS NOT NULL"
        )
    )
    leftover = connection.execute(text(PROBE)).all()
    assert not leftover, f"tables still hold rows: {leftover}"


class _TemplatesCompiled(BytecodeCache):
    """Every test makes its own app, and each app would compile the templates it renders
    again; they share the compiled code instead (keyed by the template's source checksum)."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


TEMPLATES_COMPILED = _TemplatesCompiled()


def _share_url_builders() -> None:
    """An app's URL rules each compile two builder functions, most of the cost of making an
    app. The function's code depends only on the rule's text, its parsed parts and defaults (it
    reads the rule's converters when called, through its first argument), so apps made by the
    suite share one compiled function per rule."""
    compile_builder = Rule._compile_builder
    built: dict[tuple[Any, ...], Any] = {}

    def shared(self: Rule, append_unknown: bool = True) -> Any:
        key = (
            self.rule,
            tuple(self._trace),
            tuple(sorted((k, repr(v)) for k, v in (self.defaults or {}).items())),
            append_unknown,
        )
        if key not in built:
            built[key] = compile_builder(self, append_unknown)
        return built[key]

    Rule._compile_builder = shared  # type: ignore[method-assign]


_share_url_builders()


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key",
            "BASE_URL": "http://tracker.test",
            # Each test has its own limiter storage; the login-limit test sets a low limit.
            "RATELIMIT_STORAGE_URI": "memory://",
            "LOGIN_RATE_LIMIT": "1000 per minute",
            # Still argon2id, at a cost that keeps hundreds of logins in the suite quick.
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_KIB": 1024,
            "ARGON2_PARALLELISM": 1,
            # Every JSON answer is checked against the model the OpenAPI document names.
            "API_CHECK_ANSWERS": True,
        }
    )
    app.jinja_env.bytecode_cache = TEMPLATES_COMPILED
    yield app
    app.extensions["tracker.engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session on the test's database; tests commit when they mean to."""
    with app.extensions["tracker.sessions"]() as session:
        yield session


T = TypeVar("T")


class Snapshots:
    """What a costly fixture writes, made once per backend and copied into later tests'
    databases: a copy of the SQLite file (the backup API), or every table's rows (COPY) and the
    sequences' positions on PostgreSQL. Only a database nothing was written to yet takes a
    copy; elsewhere the fixture is made again. The fixture's value must be plain data."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.kept: dict[tuple[str, str], tuple[Any, Any]] = {}

    def keep(self, name: str, session: Session, make: Callable[[], T]) -> T:
        session.commit()
        connection = session.connection()
        dialect = connection.dialect.name
        kept = self.kept.get((name, dialect))
        if kept is not None and _is_empty(connection):
            value, rows = kept
            if dialect == "sqlite":
                session.close()
                _sqlite_copy(rows, Path(connection.engine.url.database or ""))
            else:
                _postgres_restore(connection, rows)
                session.commit()
            return copy.deepcopy(value)  # type: ignore[no-any-return]
        value = make()
        session.commit()
        if kept is None:
            if dialect == "sqlite":
                rows = self.folder / f"{name}.sqlite3"
                _sqlite_copy(Path(session.connection().engine.url.database or ""), rows)
            else:
                rows = _postgres_dump(session.connection())
            session.commit()
            self.kept[(name, dialect)] = (copy.deepcopy(value), rows)
        return value


def _is_empty(connection: Connection) -> bool:
    return not connection.execute(text(PROBE)).first()


def _sqlite_copy(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as reading, sqlite3.connect(target) as writing:
        reading.backup(writing)
    reading.close()
    writing.close()


def _postgres_dump(connection: Connection) -> tuple[list[tuple[str, bytes]], list[Any]]:
    raw: Any = connection.connection.driver_connection
    written = {row[0] for row in connection.execute(text(PROBE))}
    tables = []
    with raw.cursor() as cursor:
        for table in Base.metadata.sorted_tables:
            if table.name not in written:
                continue  # nothing to copy back
            with cursor.copy(f"COPY {table.name} TO STDOUT (FORMAT BINARY)") as out:
                data = b"".join(bytes(block) for block in out)
            tables.append((table.name, data))
    sequences = connection.execute(
        text(
            "SELECT format('%I.%I', schemaname, sequencename), last_value FROM pg_sequences"
            " WHERE last_value IS NOT NULL"
        )
    ).all()
    return tables, list(sequences)


def _postgres_restore(
    connection: Connection, rows: tuple[list[tuple[str, bytes]], list[Any]]
) -> None:
    tables, sequences = rows
    raw: Any = connection.connection.driver_connection
    with raw.cursor() as cursor:
        for name, data in tables:  # rows that others refer to first
            with cursor.copy(f"COPY {name} FROM STDIN (FORMAT BINARY)") as into:
                into.write(data)
    for name, value in sequences:
        connection.execute(
            text("SELECT setval(CAST(:name AS regclass), :value)"), {"name": name, "value": value}
        )


@pytest.fixture(scope="session")
def snapshots(tmp_path_factory: pytest.TempPathFactory) -> Snapshots:
    return Snapshots(tmp_path_factory.mktemp("snapshots"))


@pytest.fixture
def seeded(session: Session, snapshots: Snapshots) -> int:
    """The seed article recorded; returns its source id."""
    from tracker.seed import seed

    return snapshots.keep("seeded", session, lambda: seed(session).source_id)


@pytest.fixture
def make_user(session: Session) -> Callable[..., User]:
    """Create an active account with a known password ("correct horse battery")."""
    from tracker.accounts import services as accounts

    counter = iter(range(1, 10_000))

    def make(role: str = "reviewer", email: str | None = None, name: str | None = None) -> User:
        n = next(counter)
        user = accounts.add_user(
            session,
            email=email or f"{role}{n}@newsroom.test",
            role=role,
            display_name=name or f"{role.capitalize()} {n}",
            password=PASSWORD,
        )
        session.commit()
        return user

    return make


PASSWORD = "correct horse battery"


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token of the client's session, read from a form page (after its redirects)."""
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def login(client: FlaskClient) -> Callable[[User], FlaskClient]:
    def do(user: User, the_client: FlaskClient | None = None) -> FlaskClient:
        c = the_client or client
        response = c.post(
            "/login",
            data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(c)},
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return c

    return do


@pytest.fixture
def api_token(session: Session) -> Callable[[User], str]:
    from tracker.accounts import services as accounts

    def make(user: User) -> str:
        token = accounts.create_token(session, user, "test", None)
        session.commit()
        return token

    return make
