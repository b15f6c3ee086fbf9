"""Rows of an archive as the database takes them: JSON values decoded by column type, and
written through the driver in batches."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    Table,
)
from sqlalchemy.exc import DBAPIError

from tracker.db import UTCDateTime
from tracker.errors import TrackerError

# Columns left out on purpose: secrets never leave the installation.
EXCLUDED_COLUMNS = {
    "users": ("password_hash", "invite_token_sha256", "invite_expires_at"),
    "reminder_settings": ("calendar_token_sha256",),
}


def archived_columns(table: Table) -> list[Column[Any]]:
    excluded = EXCLUDED_COLUMNS.get(table.name, ())
    return sorted((c for c in table.columns if c.name not in excluded), key=lambda c: c.name)


def dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class ArchiveError(TrackerError):
    """The archive file cannot be read, or the database cannot take it."""

    status = 422
    code = "invalid_archive"


def time_text(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def decoder(column: Column[Any]) -> Callable[[Any], Any]:
    name = f"{column.table.name}.{column.name}"

    def fail(value: Any, kind: str) -> ArchiveError:
        return ArchiveError(f"{name} must be {kind}, not {dump(value)[:80]}")

    if isinstance(column.type, UTCDateTime | DateTime):

        def time_value(v: Any) -> dt.datetime | None:
            if v is None:
                return None
            if not isinstance(v, str) or not v.endswith("Z"):
                raise fail(v, "a UTC time like 2020-01-03T05:00:00.000000Z")
            try:
                return dt.datetime.fromisoformat(v).astimezone(dt.UTC)
            except ValueError:
                raise fail(v, "a UTC time like 2020-01-03T05:00:00.000000Z") from None

        return time_value
    if isinstance(column.type, LargeBinary):

        def bytes_value(v: Any) -> bytes | None:
            if v is None:
                return None
            if not isinstance(v, str):
                raise fail(v, "base64 text")
            try:
                return base64.b64decode(v, validate=True)
            except binascii.Error:
                raise fail(v, "base64 text") from None

        return bytes_value
    if isinstance(column.type, Boolean):

        def bool_value(v: Any) -> bool | None:
            if v is None or isinstance(v, bool):
                return v
            raise fail(v, "true or false")

        return bool_value
    if isinstance(column.type, Integer):

        def int_value(v: Any) -> int | None:
            if v is None or (isinstance(v, int) and not isinstance(v, bool)):
                return v
            raise fail(v, "a whole number")

        return int_value
    if isinstance(column.type, Float):

        def float_value(v: Any) -> float | None:
            if v is None:
                return None
            if isinstance(v, int | float) and not isinstance(v, bool):
                return float(v)
            raise fail(v, "a number")

        return float_value

    def text_value(v: Any) -> str | None:
        if v is None or isinstance(v, str):
            return v
        raise fail(v, "text")

    return text_value


class Writer:
    """Inserts one table's rows through the driver: COPY on PostgreSQL, executemany on SQLite.
    SQLAlchemy's per-row statement handling would cost more than the database does."""

    def __init__(self, connection: Connection, table: Table) -> None:
        self.connection = connection
        self.table = table
        dialect = connection.dialect
        columns = archived_columns(table)
        self.names = [c.name for c in columns]
        self.index = {name: i for i, name in enumerate(self.names)}
        self.converters = [_converter(c, dialect) for c in columns]
        quote = dialect.identifier_preparer.quote
        column_list = ", ".join(quote(name) for name in self.names)
        if dialect.name == "postgresql":
            self.copy_sql = f"COPY {quote(table.name)} ({column_list}) FROM STDIN"
        else:
            marks = ", ".join("?" for _ in self.names)
            self.insert_sql = f"INSERT INTO {quote(table.name)} ({column_list}) VALUES ({marks})"  # noqa: S608 (names from the models)

    def row(self, record: dict[str, Any]) -> tuple[Any, ...]:
        values = [None] * len(self.names)
        for key, value in record.items():
            i = self.index[key]
            values[i] = self.converters[i](value)
        return tuple(values)

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        errors: tuple[type[BaseException], ...] = (
            DBAPIError,
            self.connection.dialect.loaded_dbapi.Error,
        )
        try:
            if self.connection.dialect.name == "postgresql":
                driver: Any = self.connection.connection.driver_connection
                with driver.cursor() as cursor, cursor.copy(self.copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                self.connection.exec_driver_sql(self.insert_sql, rows)
        except errors as error:
            original = getattr(error, "orig", None) or error
            reason = str(original).strip().splitlines()[0]
            raise ArchiveError(
                f"{self.table.name} rows break a rule of the database: {reason}"
            ) from None


def _converter(column: Column[Any], dialect: Any) -> Callable[[Any], Any]:
    """The archive's JSON value to what the driver takes for this column."""
    decode = decoder(column)
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return decode

    def convert(value: Any) -> Any:
        decoded = decode(value)
        return None if decoded is None else process(decoded)

    return convert
