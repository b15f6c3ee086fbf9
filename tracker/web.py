"""What every part's views share: the request's database session, the clock, the fetcher,
conditional answers (ETag, Last-Modified, 304), form dates, and the template filters.

Views import this module; services never do (they take a Session and plain values)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol

from flask import Flask, Response, current_app, g, request
from sqlalchemy.orm import Session
from werkzeug.http import http_date, quote_etag

from tracker.db import utcnow
from tracker.errors import Invalid

if TYPE_CHECKING:
    from tracker.imports.sources import Fetcher


def init_app(app: Flask) -> None:
    """Close each request's session at teardown and register the template filters."""
    app.teardown_appcontext(_close_session)
    app.jinja_env.filters["utc"] = format_utc
    app.jinja_env.filters["percent"] = format_percent
    app.jinja_env.filters["score"] = format_score
    app.jinja_env.filters["signed"] = format_signed


def get_session() -> Session:
    """The request's database session, opened on first use and closed at teardown."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["tracker.sessions"]()
    session: Session = g.db_session
    return session


def begin_write() -> Session:
    """The request's session in a transaction that is going to write. SQLite takes its write
    lock at once (BEGIN IMMEDIATE), so what a service checks still holds when it writes and two
    writers take turns instead of one failing; PostgreSQL services lock the rows they decide on."""
    session = get_session()
    if session.get_bind().dialect.name != "sqlite":
        return session
    if session.in_transaction():
        if session.connection().get_execution_options().get("sqlite_begin") == "IMMEDIATE":
            return session
        session.commit()  # only reads so far (the logged-in user): nothing is written
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    return session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def now() -> dt.datetime:
    """The current time; views call this so tests can freeze it."""
    return utcnow()


def get_fetcher() -> Fetcher:
    """How pages are fetched: `app.extensions["tracker.fetcher"]` when a test put one there,
    else the guarded HTTP fetcher made from the configuration as it stands (private addresses
    only with TRACKER_ALLOW_PRIVATE_FETCH)."""
    fetcher: Fetcher | None = current_app.extensions.get("tracker.fetcher")
    if fetcher is None:
        make: Callable[..., Fetcher] = current_app.extensions["tracker.fetcher_factory"]
        fetcher = make(current_app.config)
    return fetcher


def parse_date(value: str, field: str, end_of_day: bool = False) -> dt.datetime | None:
    """A YYYY-MM-DD date from a form as a UTC instant (start or end of that day)."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{field} must be a date like 2020-04-03", {field: "not a date"}) from None
    return dt.datetime.combine(day, dt.time(23, 59, 59) if end_of_day else dt.time(), dt.UTC)


class Versioned(Protocol):
    """One state of the data an answer depends on: a token for ETags and its last change."""

    @property
    def token(self) -> str: ...

    @property
    def last_modified(self) -> dt.datetime: ...


class _Bodies:
    """Rendered answers of this process by ETag; an ETag names one state of the data."""

    def __init__(self, size: int = 128) -> None:
        self.size = size
        self.items: OrderedDict[str, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, etag: str) -> bytes | None:
        with self.lock:
            body = self.items.get(etag)
            if body is not None:
                self.items.move_to_end(etag)
            return body

    def put(self, etag: str, body: bytes) -> None:
        with self.lock:
            self.items[etag] = body
            while len(self.items) > self.size:
                self.items.popitem(last=False)


_bodies = _Bodies()


class _Validators:
    """ETag and Last-Modified headers by path, query and freshness token."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self.items: dict[str, dict[str, str]] = {}
        self.lock = threading.Lock()

    def get(self, variant: str) -> dict[str, str] | None:
        return self.items.get(variant)

    def put(self, variant: str, headers: dict[str, str]) -> dict[str, str]:
        with self.lock:
            if len(self.items) >= self.size:
                self.items.clear()
            self.items[variant] = headers
        return headers


_validators = _Validators()


def conditional(fresh: Versioned, mimetype: str, build: Callable[[], str | bytes]) -> Response:
    """A 304 if the client holds this version; else the body, built at most once per version
    in this process. The ETag covers the path, the query and the data's freshness token."""
    variant = f"{request.path}?{request.query_string.decode('latin-1')}|{fresh.token}"
    headers = _validators.get(variant)
    if headers is None:
        etag = hashlib.sha256(variant.encode()).hexdigest()[:32]
        headers = _validators.put(
            variant,
            {
                "ETag": quote_etag(etag),
                "Last-Modified": http_date(fresh.last_modified),
                # Caches may keep the answer but must ask again each time; the ask is cheap.
                "Cache-Control": "public, no-cache",
            },
        )
    etag = headers["ETag"][1:-1]
    if request.if_none_match:
        not_modified = request.if_none_match.contains(etag)
    else:
        since = request.if_modified_since
        not_modified = since is not None and fresh.last_modified <= since
    if not_modified:
        return Response(status=304, headers=headers)
    body = _bodies.get(etag)
    if body is None:
        built = build()
        body = built.encode("utf-8") if isinstance(built, str) else built
        _bodies.put(etag, body)
    return Response(body, mimetype=mimetype, headers=headers)


CSV_MIMETYPE = "text/csv; charset=utf-8"


def csv_text(rows: Iterable[list[Any]]) -> str:
    """Rows as CSV text with CRLF line ends, as RFC 4180 has it."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: empty for None, true/false, floats in full, and text that a
    spreadsheet would run as a formula (=, +, -, @ first) after a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def format_utc(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M UTC") -> str:
    if value is None:
        return ""
    return value.astimezone(dt.UTC).strftime(fmt)


def format_percent(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value * 100:.1f}".rstrip("0").rstrip(".") + "%"


def format_score(value: float | None, digits: int = 3) -> str:
    """A score for people: fixed decimals, a real minus sign, a dash when there is none."""
    if value is None or not math.isfinite(value):
        return "—"
    text = f"{value:.{digits}f}"
    if text.startswith("-"):
        # Rounding a tiny negative to zero leaves "-0.000".
        text = text[1:] if float(text) == 0 else "\u2212" + text[1:]
    return text


def format_signed(value: float | None, digits: int = 3) -> str:
    text = format_score(value, digits)
    if value is not None and text != "—" and not text.startswith("\u2212") and float(text) != 0:
        return "+" + text
    return text
