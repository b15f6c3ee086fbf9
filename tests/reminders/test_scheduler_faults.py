"""Fault tests of the scheduler: two at once over 10,000 reminders, one killed mid-send 20
times over, one stopped by SIGTERM mid-send. Receivers dedupe on the message id, as the
product promises effects once at such a receiver."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import signal
import threading
import time
from collections import Counter

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug import Request, Response

from tests.reminders.factories import T0, RecordingNotifier, bulk_due_claims
from tracker.db import make_engine
from tracker.models import OutboxMessage, Reminder
from tracker.reminders.notify import WebhookNotifier
from tracker.reminders.scheduler import Scheduler, run_forever
from tracker.reminders.timing import FixedClock, Settings, SystemClock

FORK = multiprocessing.get_context("fork")


def _count(database_url: str, *where: object) -> int:
    engine = make_engine(database_url)
    with Session(engine) as session:
        value = session.scalar(select(func.count()).select_from(Reminder).where(*where))  # type: ignore[arg-type]
    engine.dispose()
    return int(value or 0)


def test_two_schedulers_at_once_over_10000_due_reminders(database_url: str) -> None:
    setup = make_engine(database_url)
    bulk_due_claims(setup, 10_000, T0)
    receiver = RecordingNotifier()
    clock = FixedClock(T0 + dt.timedelta(seconds=30))
    tickers = [
        Scheduler(
            make_engine(database_url),
            {"email": receiver},
            Settings(batch_size=200),
            clock,
            name=f"host-{n}",
        )
        for n in range(2)
    ]
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run(ticker: Scheduler) -> None:
        try:
            start.wait()
            ticker.tick()
            ticker.tick()  # a second pass finds nothing left to do
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(t,)) for t in tickers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors
    with Session(setup) as session:
        due_ids = set(session.scalars(select(Reminder.id).where(Reminder.kind == "due")).all())
        statuses = Counter(session.scalars(select(OutboxMessage.status)).all())
    assert len(due_ids) == 10_000
    assert statuses == {"sent": 10_000}
    # Every reminder reached the receiver, and no message was delivered twice.
    assert Counter(receiver.reminder_ids) == Counter(due_ids)
    assert max(receiver.attempts_per_uid.values()) == 1
    assert len(receiver.attempts_per_uid) == 10_000
    for ticker in tickers:
        ticker.engine.dispose()
    setup.dispose()


def _child_tick(database_url: str, hook_url: str, at: dt.datetime) -> None:
    engine = make_engine(database_url)
    Scheduler(
        engine,
        {"webhook": WebhookNotifier(hook_url, None, read_timeout=30)},
        Settings(lease_seconds=60, batch_size=5),
        FixedClock(at),
    ).tick()
    os._exit(0)


def test_a_scheduler_killed_mid_delivery_20_times_loses_nothing(
    database_url: str, httpserver: HTTPServer
) -> None:
    setup = make_engine(database_url)
    bulk_due_claims(setup, 30, T0)
    received: list[tuple[str, tuple[int, ...]]] = []
    in_child = Counter[str]()
    kill_now = threading.Event()
    killed = threading.Event()
    killing = {"on": True}

    def handler(request: Request) -> Response:
        body = request.get_json()
        ids = tuple(i for r in body["reminders"] for i in r["ids"])
        received.append((request.headers["webhook-id"], ids))
        in_child["requests"] += 1
        if killing["on"] and in_child["requests"] == 2:
            # The message has reached the receiver; its sender dies before recording it.
            kill_now.set()
            killed.wait(10)
        return Response("ok")

    httpserver.expect_request("/hook").respond_with_handler(handler)
    hook = httpserver.url_for("/hook")
    at = T0
    kills = 0
    for _ in range(20):
        in_child.clear()
        child = FORK.Process(target=_child_tick, args=(database_url, hook, at))
        child.start()
        while child.is_alive() and not kill_now.wait(0.02):
            pass
        if kill_now.is_set():
            os.kill(child.pid or 0, signal.SIGKILL)
            kills += 1
        child.join(10)
        kill_now.clear()
        killed.set()  # the handler answers the dead connection
        killed.clear()
        at += dt.timedelta(seconds=61)  # past the lease of the killed process
    assert kills == 20
    killing["on"] = False
    child = FORK.Process(target=_child_tick, args=(database_url, hook, at))
    child.start()
    child.join(60)
    assert child.exitcode == 0

    with Session(setup) as session:
        due_ids = set(session.scalars(select(Reminder.id).where(Reminder.kind == "due")))
        statuses = Counter(session.scalars(select(OutboxMessage.status)))
        uids = set(session.scalars(select(OutboxMessage.uid)))
    assert statuses == {"sent": 30}
    effects = {uid: ids for uid, ids in received}  # the receiver dedupes on webhook-id
    assert set(effects) == uids
    assert sorted(i for ids in effects.values() for i in ids) == sorted(due_ids)
    # Only what a killed sender had sent and not yet recorded (two messages here) went out again.
    assert len(received) - len(effects) <= 2 * kills
    setup.dispose()


def _child_run(database_url: str, hook_url: str) -> None:
    engine = make_engine(database_url)
    run_forever(
        Scheduler(
            engine,
            {"webhook": WebhookNotifier(hook_url, None)},
            Settings(batch_size=10, tick_seconds=3600),
            SystemClock(),
        )
    )
    os._exit(0)


def test_sigterm_finishes_the_delivery_in_flight_and_hands_back_the_rest(
    database_url: str, httpserver: HTTPServer
) -> None:
    setup = make_engine(database_url)
    bulk_due_claims(setup, 5, dt.datetime.now(dt.UTC) - dt.timedelta(seconds=10))
    arrived = threading.Event()
    answer = threading.Event()

    def handler(request: Request) -> Response:
        arrived.set()
        answer.wait(10)
        return Response("ok")

    httpserver.expect_request("/hook").respond_with_handler(handler)
    child = FORK.Process(target=_child_run, args=(database_url, httpserver.url_for("/hook")))
    child.start()
    assert arrived.wait(30)
    os.kill(child.pid or 0, signal.SIGTERM)
    time.sleep(0.5)  # the signal lands while the receiver still holds the request
    answer.set()
    child.join(20)
    assert child.exitcode == 0
    with Session(setup) as session:
        rows = session.execute(select(OutboxMessage.status, OutboxMessage.lease_until)).all()
    assert sorted(status for status, _ in rows) == ["pending"] * 4 + ["sent"]
    assert all(lease is None for _, lease in rows)  # the rest can go at once elsewhere
    assert len(httpserver.log) == 1
    setup.dispose()


def test_a_tick_waits_for_sqlites_write_lock_longer_than_a_request_does(
    database_url: str, backend: str
) -> None:
    """SQLite: another scheduler planning thousands of reminders holds the write lock for
    seconds; a tick waits for it rather than failing as a web request would after its wait."""
    if backend != "sqlite":
        pytest.skip("PostgreSQL schedulers take turns planning by an advisory lock")
    setup = make_engine(database_url)
    bulk_due_claims(setup, 5, T0)
    receiver = RecordingNotifier()
    ticker = Scheduler(
        make_engine(database_url, lock_timeout=0.2),
        {"email": receiver},
        Settings(batch_size=200),
        FixedClock(T0 + dt.timedelta(seconds=30)),
        name="host-1",
    )
    held = threading.Event()

    def hold_the_lock() -> None:
        writer = setup.connect().execution_options(sqlite_begin="IMMEDIATE")
        with writer, writer.begin():
            held.set()
            time.sleep(1.5)

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    held.wait(10)
    result = ticker.tick()
    holder.join()
    assert (result.planned, result.sent) == (15, 5)
    setup.dispose()
