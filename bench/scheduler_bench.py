"""Scheduler benchmarks (run by `make bench`; not part of the test suite).

1. One tick over 10,000 and over 1,000,000 claims of which 1,000 are due, on SQLite and (when
   TRACKER_BENCH_DATABASE_URL or TRACKER_TEST_DATABASE_URL names a PostgreSQL server) on
   PostgreSQL. Targets: the steady tick under 100 ms, and the 1,000,000-claim tick no more than
   twice the 10,000-claim one. The first tick (which plans, composes and sends the 1,000 due
   prompts) is reported too.
2. 10,000 webhook deliveries to a local receiver (a separate process) against a bare
   `requests.Session().post` loop to the same receiver in the same run. Target: at least half
   its rate.

The machine may be shared: the figures are pessimistic.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker import migrate
from tracker.db import make_engine, normalize_url
from tracker.reminders.notify import Delivery, Message, WebhookNotifier
from tracker.reminders.scheduler import Scheduler
from tracker.reminders.timing import FixedClock, Settings, TickResult

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
DUE = 1_000
REVIEWERS = 50
SECRET = "whsec_" + "YmVuY2htYXJrLWJlbmNobWFyay1iZW5jaG1hcmstYmVuY2g="


class NullNotifier:
    channel = "email"

    def deliver(self, message: Message) -> Delivery:
        return Delivery.delivered()


def _sqlite_time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def fill(url: str, claims: int, due: int = DUE) -> None:
    """`claims` forecasts, `due` of them past their deadline, each assigned to a reviewer;
    written with executemany (SQLite) or COPY (PostgreSQL)."""
    engine = make_engine(url)
    postgres = engine.dialect.name == "postgresql"
    stamp: Any = NOW if postgres else _sqlite_time(NOW)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO sources (title, text, text_sha256, fetched_at, created_at)"
                " VALUES ('Bench', 'x', :sha, :at, :at)"
            ),
            {"sha": "0" * 64, "at": stamp},
        )
        users = [
            (f"r{i}@bench.test", f"Reviewer {i}", "reviewer", True, 1, stamp)
            for i in range(REVIEWERS)
        ]
        users.append(("admin@bench.test", "Admin", "admin", True, 1, stamp))
        connection.exec_driver_sql(
            "INSERT INTO users (email, display_name, role, is_active, session_version,"
            " created_at) VALUES "
            + ("(%s, %s, %s, %s, %s, %s)" if postgres else "(?, ?, ?, ?, ?, ?)"),
            users,
        )

    def deadline(i: int) -> dt.datetime:
        if i < due:
            return NOW - dt.timedelta(seconds=10 + i % 50)  # just fell due
        return NOW + dt.timedelta(minutes=1 + i)  # future deadlines, spread out

    columns = (
        "source_id, key, kind, quote, quote_start, quote_end, deadline_at, deadline_origin,"
        " probability, probability_origin, hedged, status, resolution_version, created_at,"
        " updated_at, question_id, stance"
    )
    # A question per claim (same id), which reviewers are assigned to and prompted about.
    question_columns = (
        "id, kind, text, deadline_at, status, resolution_version, created_at, updated_at"
    )
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if postgres:
            with cursor.copy(f"COPY questions ({question_columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for i in range(claims):
                    copy.write_row((i + 1, "forecast", f"Q{i}?", deadline(i), "open", 1, NOW, NOW))
            with cursor.copy(f"COPY claims ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for i in range(claims):
                    copy.write_row(
                        (
                            1,
                            f"c{i}",
                            "forecast",
                            "x",
                            0,
                            1,
                            deadline(i),
                            "explicit",
                            0.5,
                            "stated",
                            False,
                            "open",
                            1,
                            NOW,
                            NOW,
                            i + 1,
                            "for",
                        )
                    )
            with cursor.copy(
                "COPY assignments (question_id, user_id, assigned_at) FROM STDIN"
            ) as copy:  # type: ignore[attr-defined]
                for i in range(claims):
                    copy.write_row((i + 1, 1 + i % REVIEWERS, NOW))
        else:
            cursor.execute("BEGIN")
            batch = 50_000
            for start in range(0, claims, batch):
                cursor.executemany(
                    f"INSERT INTO questions ({question_columns}) VALUES"
                    " (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (i + 1, "forecast", f"Q{i}?", _sqlite_time(deadline(i)), "open", 1,
                         stamp, stamp)
                        for i in range(start, min(claims, start + batch))
                    ],
                )  # fmt: skip
                cursor.executemany(
                    f"INSERT INTO claims ({columns}) VALUES"
                    " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            1,
                            f"c{i}",
                            "forecast",
                            "x",
                            0,
                            1,
                            _sqlite_time(deadline(i)),
                            "explicit",
                            0.5,
                            "stated",
                            0,
                            "open",
                            1,
                            stamp,
                            stamp,
                            i + 1,
                            "for",
                        )
                        for i in range(start, min(claims, start + batch))
                    ],
                )
                cursor.executemany(
                    "INSERT INTO assignments (question_id, user_id, assigned_at) VALUES (?, ?, ?)",
                    [
                        (i + 1, 1 + i % REVIEWERS, stamp)
                        for i in range(start, min(claims, start + batch))
                    ],
                )
            cursor.execute("COMMIT")
        raw.commit()
    finally:
        raw.close()
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()


def new_database(kind: str, pg_admin: str | None, tmp: Path | None) -> str:
    if kind == "sqlite":
        assert tmp is not None
        return f"sqlite:///{tmp / f'bench-{uuid.uuid4().hex[:6]}.sqlite3'}"
    assert pg_admin is not None
    admin = create_engine(normalize_url(pg_admin), isolation_level="AUTOCOMMIT")
    name = f"tracker_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return (
        make_url(normalize_url(pg_admin)).set(database=name).render_as_string(hide_password=False)
    )


def drop_database(url: str, pg_admin: str | None) -> None:
    if url.startswith("sqlite") or pg_admin is None:
        return
    admin = create_engine(normalize_url(pg_admin), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def tick_figures(url: str) -> dict[str, float]:
    engine = make_engine(url)
    clock = FixedClock(NOW)
    ticker = Scheduler(engine, {"email": NullNotifier()}, Settings(), clock)
    started = time.perf_counter()
    first = ticker.tick()
    first_ms = (time.perf_counter() - started) * 1000
    assert first.sent == DUE, first
    steady = []
    for _ in range(7):
        clock.advance(dt.timedelta(seconds=30))
        started = time.perf_counter()
        result: TickResult = ticker.tick()
        steady.append((time.perf_counter() - started) * 1000)
        assert result.sent == 0 and result.planned == 0, result
    engine.dispose()
    return {"first_ms": first_ms, "steady_ms": statistics.median(steady)}


RECEIVER = r"""
import socket
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def setup(self):
        super().setup()
        # Headers and body go out in two writes: without this, delayed ACKs add 40 ms each.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


def webhook_figures(tmp: Path, count: int) -> dict[str, float]:
    receiver = subprocess.Popen([sys.executable, "-c", RECEIVER], stdout=subprocess.PIPE, text=True)
    try:
        assert receiver.stdout is not None
        url = f"http://127.0.0.1:{receiver.stdout.readline().strip()}/hook"
        payload = {"text": "Claim 1 is due for review: http://tracker.test/claims/1/resolve"}
        with requests.Session() as session:
            started = time.perf_counter()
            for _ in range(count):
                session.post(url, json=payload, timeout=(3.05, 10)).close()
            bare = count / (time.perf_counter() - started)

        db = f"sqlite:///{tmp / 'webhooks.sqlite3'}"
        migrate.upgrade(db)
        fill(db, count, due=count)
        engine = make_engine(db)
        clock = FixedClock(NOW)
        ticker = Scheduler(
            engine,
            {"webhook": WebhookNotifier(url, SECRET)},
            Settings(batch_size=200),
            clock,
        )
        # Reminders go by chat only for this run.
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO reminder_settings (user_id, email_enabled, webhook_enabled,"
                    " updated_at) SELECT id, 0, 1, :at FROM users"
                ),
                {"at": _sqlite_time(NOW)},
            )
        # 50 reviewers: on time, each due claim is a message of its own.
        result = TickResult()
        ticker._plan(clock.now(), result)
        started = time.perf_counter()
        ticker._deliver_all(result)
        elapsed = time.perf_counter() - started
        ticker.close()
        assert result.sent == count, result
        engine.dispose()
        return {"bare_per_s": bare, "scheduler_per_s": count / elapsed, "composed": result.composed}
    finally:
        receiver.terminate()
        receiver.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--webhooks", type=int, default=10_000)
    parser.add_argument("--skip-ticks", action="store_true")
    args = parser.parse_args()
    pg_admin = os.environ.get("TRACKER_BENCH_DATABASE_URL") or os.environ.get(
        "TRACKER_TEST_DATABASE_URL"
    )
    backends = ["sqlite"] + (["postgresql"] if pg_admin else [])
    failures = []
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        if not args.skip_ticks:
            for backend in backends:
                figures = {}
                for size in (args.small, args.big):
                    url = new_database(backend, pg_admin, tmp)
                    try:
                        migrate.upgrade(url)
                        started = time.perf_counter()
                        fill(url, size)
                        filled = time.perf_counter() - started
                        figures[size] = tick_figures(url)
                    finally:
                        drop_database(url, pg_admin)
                    print(
                        f"{backend:<10} {size:>9,} claims ({DUE} due; filled in {filled:5.1f} s):"
                        f" first tick {figures[size]['first_ms']:7.1f} ms (plans, composes and"
                        f" sends {DUE}), steady tick {figures[size]['steady_ms']:6.1f} ms",
                        flush=True,
                    )
                small, big = figures[args.small]["steady_ms"], figures[args.big]["steady_ms"]
                ok = big < 100 and big <= 2 * small
                print(
                    f"{backend:<10} steady tick {big:.1f} ms at {args.big:,} claims vs"
                    f" {small:.1f} ms at {args.small:,}: ratio {big / small:.2f}"
                    f" -> {'met' if ok else 'MISSED'} (target < 100 ms and ratio <= 2)",
                    flush=True,
                )
                if not ok:
                    failures.append(backend)
        web = webhook_figures(tmp, args.webhooks)
        ratio = web["scheduler_per_s"] / web["bare_per_s"]
        print(
            f"webhooks   bare requests loop {web['bare_per_s']:7.0f}/s; scheduler"
            f" {web['scheduler_per_s']:7.0f}/s ({web['composed']:.0f} signed messages, results"
            f" recorded): {ratio:.2f} of bare -> {'met' if ratio >= 0.5 else 'MISSED'}"
            " (target >= 0.5)",
            flush=True,
        )
        if ratio < 0.5:
            failures.append("webhooks")
    print("(shared machine: these figures are pessimistic)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
