"""What every part's views share: the request's database session, the clock, the fetcher,
conditional answers (ETag, Last-Modified, 304), answers kept so that anonymous readers cannot
make the server build them again and again (exports on disk, recent answers in memory), form
dates, and the template filters.

Views import this module; services never do (they take a Session and plain values)."""

from __future__ import annotations

import atexit
import csv
import datetime as dt
import hashlib
import io
import math
import os
import re
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol, TextIO
from urllib.parse import urlencode

from flask import Flask, Response, current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.http import http_date, quote_etag
from werkzeug.routing import IntegerConverter, Map
from werkzeug.wsgi import wrap_file

from tracker.cache import Cache
from tracker.db import MAX_ID, utcnow
from tracker.errors import BadRequest, Invalid, Unavailable
from tracker.text import plural

if TYPE_CHECKING:
    from tracker.imports.sources import Fetcher


class IdConverter(IntegerConverter):
    """A row id in a path (`<id:claim_id>`): 1 to 2**31 - 1. Anything else matches no route, so
    the answer is 404, never a database error on a number too large for the column."""

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


def init_app(app: Flask) -> None:
    """Register the `id` URL converter (before any blueprint uses it), close each request's
    session at teardown, keep the app's exports, and register the template filters."""
    app.url_map.converters["id"] = IdConverter
    app.before_request(_refuse_nul_in_address)
    app.teardown_appcontext(_close_session)
    app.extensions["tracker.exports"] = _Exports()
    app.extensions["tracker.recent"] = _Recent()
    app.jinja_env.filters["utc"] = format_utc
    app.jinja_env.filters["percent"] = format_percent
    app.jinja_env.filters["score"] = format_score
    app.jinja_env.filters["signed"] = format_signed
    app.jinja_env.filters["plural"] = plural


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _refuse_nul_in_address() -> None:
    """A NUL character in the path or the query string is refused before any page reads it:
    no database stores one (PostgreSQL refuses it outright), and no name or slug holds one."""
    args = request.args.items(multi=True)
    if "\x00" in request.path or any("\x00" in f"{k}{v}" for k, v in args):
        raise BadRequest(
            "the address contains a NUL character (%00), which no page takes",
            {"url": "NUL character"},
        )


def get_session() -> Session:
    """The request's database session, opened on first use and closed at teardown.

    On SQLite a request that may write (any method but GET, HEAD, OPTIONS) begins each of its
    transactions with BEGIN IMMEDIATE: it takes the write lock up front and waits its turn
    (the busy timeout) instead of reading first and then failing with "database is locked"
    when another writer got in between."""
    if "db_session" not in g:
        factory = current_app.extensions["tracker.sessions"]
        engine = current_app.extensions["tracker.engine"]
        writing = has_request_context() and request.method not in READ_METHODS
        if engine.dialect.name == "sqlite" and writing:
            session = factory(bind=engine.execution_options(sqlite_begin="IMMEDIATE"))
        else:
            session = factory()
        event.listen(session, "after_commit", _note_commit)
        g.db_session = session
    db_session: Session = g.db_session
    return db_session


def _note_commit(_session: Session) -> None:
    g.db_committed = True


def commit_bookkeeping(session: Session) -> None:
    """Commit what the request records about itself (a token's last use), not what it sent:
    an error page after this still says that nothing sent was saved."""
    committed = g.get("db_committed", False)
    session.commit()
    g.db_committed = committed


def before_error_page() -> None:
    """Undo what a failed request left in its session and read on without the write lock, so
    that showing the error page (who is logged in, for the header) neither fails nor waits."""
    session: Session | None = g.get("db_session")
    if session is not None:
        session.rollback()
        session.bind = current_app.extensions["tracker.engine"]


def request_committed() -> bool:
    """Whether this request has saved anything yet (an error page says so, or that it has not)."""
    return bool(g.get("db_committed"))


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


# Rendered answers of this process by ETag; an ETag names one state of the data.
_bodies: Cache[str, bytes] = Cache(128)


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


def validators(fresh: Versioned, query: str | None = None) -> dict[str, str]:
    """ETag and Last-Modified of this request's answer at the data's `fresh` state: the ETag
    covers the path, the query (as the view reads it, when it says: parameters it ignores
    then make no new answer) and the freshness token."""
    if query is None:
        query = request.query_string.decode("latin-1")
    variant = f"{request.path}?{query}|{fresh.token}"
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
    return headers


def is_current(fresh: Versioned, headers: dict[str, str]) -> bool:
    """Whether the client already holds the answer `headers` (from `validators`) describe."""
    if request.if_none_match:
        return request.if_none_match.contains(headers["ETag"][1:-1])
    since = request.if_modified_since
    return since is not None and fresh.last_modified <= since


def conditional(
    fresh: Versioned,
    mimetype: str,
    build: Callable[[], str | bytes],
    query: dict[str, str] | None = None,
) -> Response:
    """A 304 if the client holds this version; else the body, built at most once per version
    in this process. The ETag covers the path, the query (`query`, the parameters the view
    read, when given) and the data's freshness token."""
    headers = validators(fresh, None if query is None else urlencode(sorted(query.items())))
    if is_current(fresh, headers):
        return Response(status=304, headers=headers)
    etag = headers["ETag"][1:-1]
    body = _bodies.get(etag)
    if body is None:
        built = build()
        body = built.encode("utf-8") if isinstance(built, str) else built
        _bodies.put(etag, body)
    return Response(body, mimetype=mimetype, headers=headers)


class _Exports:
    """Exports written by this process, kept on disk by what they are of (the filters and the
    data's freshness token), the last `keep` of them: however many ask for an export, it is
    written once per state of the data, one at a time, and then sent from its file."""

    def __init__(self, keep: int = 4) -> None:
        self.keep = keep
        self.files: OrderedDict[str, Path] = OrderedDict()
        self.folder: Path | None = None
        self.lock = threading.Lock()
        self.writing = threading.Lock()

    def _find(self, key: str) -> BinaryIO | None:
        with self.lock:
            path = self.files.get(key)
            if path is None:
                return None
            self.files.move_to_end(key)
            return path.open("rb")  # opened under the lock: eviction unlinks, never cuts

    def open(self, key: str, write: Callable[[TextIO], None], wait: float) -> BinaryIO:
        """The export `key` as a binary file to send, written by `write` if not yet kept;
        Unavailable when another export is being written for longer than `wait` seconds."""
        found = self._find(key)
        if found is not None:
            return found
        if not self.writing.acquire(timeout=wait):
            raise Unavailable(
                "another export is being written on this server: try again shortly",
                retry_after=int(wait),
            )
        try:
            found = self._find(key)  # written meanwhile by the request we waited for
            if found is not None:
                return found
            if self.folder is None:
                self.folder = Path(tempfile.mkdtemp(prefix="tracker-exports-"))
                atexit.register(shutil.rmtree, self.folder, ignore_errors=True)
            descriptor, name = tempfile.mkstemp(dir=self.folder, suffix=".part")
            path = Path(name)
            try:
                with open(descriptor, "w", encoding="utf-8", newline="") as out:
                    write(out)
            except BaseException:
                path.unlink(missing_ok=True)
                raise
            with self.lock:
                self.files[key] = path
                while len(self.files) > self.keep:
                    _, dropped = self.files.popitem(last=False)
                    dropped.unlink(missing_ok=True)  # a download in progress keeps reading
                return path.open("rb")
        finally:
            self.writing.release()


def kept_export(
    key: str, write: Callable[[TextIO], None], mimetype: str, headers: dict[str, str]
) -> Response:
    """An export answered from its file (see _Exports), sent as the server sends files."""
    exports: _Exports = current_app.extensions["tracker.exports"]
    handle = exports.open(key, write, wait=float(current_app.config["EXPORT_WAIT_SECONDS"]))
    size = os.fstat(handle.fileno()).st_size
    response = Response(
        wrap_file(request.environ, handle),
        mimetype=mimetype,
        headers={**headers, "Content-Length": str(size)},
        direct_passthrough=True,
    )
    return response


class _Recent:
    """Answers this process built lately, by name: one is built again only when its key
    changes or `seconds` have passed, and only one request builds it while the others wait."""

    def __init__(self) -> None:
        self.entries: dict[str, tuple[Any, float, bytes]] = {}
        self.locks: dict[str, threading.Lock] = {}
        self.guard = threading.Lock()

    def get(self, name: str, key: Any, seconds: float, build: Callable[[], bytes]) -> bytes:
        with self.guard:
            lock = self.locks.setdefault(name, threading.Lock())
        with lock:
            entry = self.entries.get(name)
            if entry is not None and entry[0] == key and time.monotonic() - entry[1] < seconds:
                return entry[2]
            body = build()
            self.entries[name] = (key, time.monotonic(), body)
            return body


def recent(name: str, key: Any, seconds: float, build: Callable[[], bytes]) -> bytes:
    """The answer `name` as built for `key` within the last `seconds` (see _Recent)."""
    memo: _Recent = current_app.extensions["tracker.recent"]
    return memo.get(name, key, seconds, build)


CSV_MIMETYPE = "text/csv; charset=utf-8"

# What a spreadsheet runs as a formula at the start of a cell (ASCII and full-width forms),
# and what it may split a line on: whichever separator a reader picks (or their locale picks
# for them), a piece of a cell that follows one becomes a cell of its own.
_FORMULA = "=+-@\uff1d\uff0b\uff0d\uff20"
_SEPARATORS = ",;\t|\r\n"
_BLANKS = " \t\r\n"
_FORMULA_AFTER_SEPARATOR = re.compile(f"[{re.escape(_SEPARATORS)}][ \t]*[{re.escape(_FORMULA)}]")
_FORMULA_AFTER_SEPARATOR_AT = re.compile(
    f"([{re.escape(_SEPARATORS)}][ \t]*)(?=[{re.escape(_FORMULA)}])"
)


def csv_text(rows: Iterable[list[Any]]) -> str:
    """Rows as CSV text with CRLF line ends, as RFC 4180 has it. Every cell goes through
    `csv_cell`, and every text cell is quoted (numbers are not), so a cell's separators and
    line breaks stay inside it for any reader that honours quotes."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return out.getvalue()


# CSV exports are read by people (in a spreadsheet): numbers with a fraction are rounded to
# this many significant digits. The JSON API keeps every number in full precision.
CSV_SIGNIFICANT_DIGITS = 4


def round_for_people(value: float, digits: int = CSV_SIGNIFICANT_DIGITS) -> str:
    """A number rounded to `digits` significant digits, written without an exponent:
    0.009999999999999995 -> "0.01", -0.6931471805599453 -> "-0.6931"."""
    if not math.isfinite(value):
        return ""
    rounded = Decimal(f"{value:.{digits}g}")
    text = format(rounded, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: empty for None, true/false, numbers with a fraction rounded to
    4 significant digits (written as numbers, so unquoted), and text that a spreadsheet would
    run as a formula made inert with an apostrophe, whatever separator the spreadsheet splits
    the line on:

    - a cell that starts with = + - @ (after any blanks), a tab or a CR gets one in front;
    - inside a cell, each , ; tab | or line break followed by one of = + - @ (after any
      blanks) gets one before that character, since a spreadsheet that splits on that
      separator, or reads the text without its quotes, starts a cell there.

    The apostrophe is what spreadsheets themselves use to mark text; the rest of the text is
    unchanged. Applying this twice changes nothing more."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        rounded = round_for_people(value)
        return Decimal(rounded) if rounded else ""
    if not isinstance(value, str) or not value:
        return value
    if (
        value[0] in _FORMULA
        or value[0] in "\t\r"
        or (value[0] in _BLANKS and value.lstrip(_BLANKS)[:1] in tuple(_FORMULA))
    ):
        value = "'" + value
    if _FORMULA_AFTER_SEPARATOR.search(value) is None:  # the common case, and the quick one
        return value
    return _FORMULA_AFTER_SEPARATOR_AT.sub(r"\1'", value)


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
