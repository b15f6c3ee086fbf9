"""Rate limits count once for the whole installation, not once per worker: in the database by
default, in Redis when configured; gunicorn refuses several workers with a per-process store.
Failed token authentications (bearer and calendar tokens) are limited per address."""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import requests
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tracker.accounts.ratelimits import DatabaseStorage
from tracker.app import create_app
from tracker.config import PROJECT_ROOT
from tracker.db import make_engine
from tracker.models import User
from tracker.reminders import calendars

REDIS_URL = os.environ.get("TRACKER_TEST_REDIS_URL", "redis://127.0.0.1:6379")
BODY = {"title": "T", "text": "It will rain."}


# --- the database store -------------------------------------------------------------------


def test_two_processes_share_one_count(database_url: str) -> None:
    """Two storages on two engines (as two workers have) see one counter."""
    first_engine, second_engine = make_engine(database_url), make_engine(database_url)
    try:
        first, second = DatabaseStorage(engine=first_engine), DatabaseStorage(engine=second_engine)
        assert first.check()
        with time_machine.travel(dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC), tick=False):
            assert [first.incr("login/1.2.3.4", 60), second.incr("login/1.2.3.4", 60)] == [1, 2]
            assert first.get("login/1.2.3.4") == second.get("login/1.2.3.4") == 2
            assert second.get_expiry("login/1.2.3.4") == time.time() + 60
            assert first.incr("login/5.6.7.8", 60) == 1  # another key, another count
        with time_machine.travel(dt.datetime(2030, 1, 1, 12, 1, tzinfo=dt.UTC), tick=False):
            assert second.get("login/1.2.3.4") == 0  # the window has closed
            assert first.incr("login/1.2.3.4", 60) == 1  # and a new one opens
            first.clear("login/1.2.3.4")
            assert second.get("login/1.2.3.4") == 0
        long_key = "x" * 400
        assert first.incr(long_key, 60) == 1 and second.get(long_key) == 1
        # The closed window of 5.6.7.8 was swept away a minute on; the long key remains.
        assert first.reset() == 1
    finally:
        first_engine.dispose()
        second_engine.dispose()


# --- failed token authentication ----------------------------------------------------------


_texts = iter(range(1_000_000))


def _write(client: FlaskClient, token: str) -> object:
    """Archive a source of a text never sent before (the same text twice is refused)."""
    body = {**BODY, "text": f"It will rain on day {next(_texts)}."}
    return client.post("/api/v1/sources", json=body, headers={"Authorization": f"Bearer {token}"})


def test_made_up_bearer_tokens_are_limited_per_address(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., User],
    api_token: Callable[[User], str],
) -> None:
    app.config["TOKEN_FAILURE_RATE_LIMIT"] = "10 per minute"
    good = api_token(make_user("editor"))
    with time_machine.travel(dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC), tick=False):
        codes = [_write(client, f"guess-{n}").status_code for n in range(12)]  # type: ignore[attr-defined]
        assert codes == [401] * 10 + [429] * 2
        blocked = _write(client, good)
        assert blocked.status_code == 429  # type: ignore[attr-defined]
        # (Flask-Limiter, counting writes per token, may round its own reset a second up.)
        assert blocked.headers["Retry-After"] in ("60", "61")  # type: ignore[attr-defined]
        assert blocked.get_json()["error"]["code"] == "rate_limited"  # type: ignore[attr-defined]
        other_address = client.post(
            "/api/v1/sources",
            json=BODY,
            headers={"Authorization": f"Bearer {good}"},
            environ_base={"REMOTE_ADDR": "10.0.0.9"},
        )
        assert other_address.status_code == 201
    with time_machine.travel(dt.datetime(2030, 1, 1, 12, 0, 45, tzinfo=dt.UTC), tick=False):
        retry_after = _write(client, good).headers["Retry-After"]  # type: ignore[attr-defined]
        assert retry_after in ("15", "16")
    with time_machine.travel(dt.datetime(2030, 1, 1, 12, 1, 1, tzinfo=dt.UTC), tick=False):
        assert _write(client, good).status_code == 201  # type: ignore[attr-defined]


def test_requests_without_a_token_are_not_counted_as_guesses(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., User],
    api_token: Callable[[User], str],
) -> None:
    app.config["TOKEN_FAILURE_RATE_LIMIT"] = "3 per minute"
    for _ in range(5):
        assert client.post("/api/v1/sources", json=BODY).status_code == 401
    assert _write(client, api_token(make_user("editor"))).status_code == 201  # type: ignore[attr-defined]
    malformed = [
        client.post("/api/v1/sources", json=BODY, headers={"Authorization": value}).status_code
        for value in ("Basic abc", "Bearer ", "Token x", "Basic abc")
    ]
    assert malformed == [401, 401, 401, 429]


def test_guessed_calendar_addresses_are_limited_too(
    app: Flask, client: FlaskClient, session: Session, make_user: Callable[..., User]
) -> None:
    app.config["TOKEN_FAILURE_RATE_LIMIT"] = "5 per minute"
    real = calendars.issue_token(session, make_user())
    session.commit()
    assert client.get(f"/calendar/{real}.ics").status_code == 200
    codes = [client.get(f"/calendar/guess{n}.ics").status_code for n in range(7)]
    assert codes == [404] * 5 + [429] * 2
    assert client.get(f"/calendar/{real}.ics").status_code == 429


@pytest.mark.parametrize("hops", [0, 1])
def test_behind_a_proxy_the_client_address_counts(app: Flask, hops: int) -> None:
    """With TRACKER_PROXY_HOPS, X-Forwarded-For names the address; without it the header is
    ignored, so a client cannot step out of its limit by sending one."""
    config = {key: app.config[key] for key in ("DATABASE_URL", "SECRET_KEY", "BASE_URL")}
    proxied = create_app({**config, "PROXY_HOPS": hops, "TOKEN_FAILURE_RATE_LIMIT": "2 per minute"})
    try:
        client = proxied.test_client()
        codes = {
            forwarded: [
                client.post(
                    "/api/v1/sources",
                    json=BODY,
                    headers={"Authorization": "Bearer guess", "X-Forwarded-For": forwarded},
                ).status_code
                for _ in range(3)
            ]
            for forwarded in ("203.0.113.7", "198.51.100.9")
        }
    finally:
        proxied.extensions["tracker.engine"].dispose()
    if hops:
        assert codes == {"203.0.113.7": [401, 401, 429], "198.51.100.9": [401, 401, 429]}
    else:
        assert codes == {"203.0.113.7": [401, 401, 429], "198.51.100.9": [429, 429, 429]}


# --- several gunicorn workers --------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(database_url: str, port: int, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.update(
        TRACKER_DATABASE_URL=database_url,
        TRACKER_SECRET_KEY="shared-by-every-worker",
        TRACKER_BASE_URL=f"http://127.0.0.1:{port}",
        TRACKER_LOGIN_RATE_LIMIT="10 per minute",
        TRACKER_TOKEN_FAILURE_RATE_LIMIT="10 per minute",
        TRACKER_ARGON2_TIME_COST="1",
        TRACKER_ARGON2_MEMORY_KIB="1024",
        TRACKER_ARGON2_PARALLELISM="1",
    )
    env.update(extra)
    return env


def _gunicorn(port: int, workers: int, env: dict[str, str]) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py"]
    command += ["--bind", f"127.0.0.1:{port}"]
    return subprocess.Popen(  # noqa: S603  # this interpreter's gunicorn, fixed arguments
        [*command, "--workers", str(workers), "wsgi:app"],
        cwd=PROJECT_ROOT,  # started as `make run` starts it
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@contextmanager
def _served(database_url: str, workers: int, **extra: str) -> Iterator[str]:
    port = _free_port()
    server = _gunicorn(port, workers, _environment(database_url, port, extra))
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # the workers import the whole product first
        while True:
            if server.poll() is not None:
                pytest.fail(f"gunicorn stopped: {server.communicate()[1][-2000:]}")
            try:
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                pytest.fail("gunicorn did not answer within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.communicate(timeout=30)


def _bad_logins(base: str, count: int) -> list[int]:
    browser = requests.Session()
    page = browser.get(f"{base}/login", timeout=10).text
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match
    form = {"email": "nobody@newsroom.test", "password": "wrong password", "csrf_token": match[1]}
    return [
        browser.post(
            f"{base}/login", data=form, headers={"Connection": "close"}, timeout=10
        ).status_code
        for _ in range(count)
    ]


def _bad_tokens(base: str, count: int) -> list[int]:
    return [
        requests.post(
            f"{base}/api/v1/sources",
            json=BODY,
            headers={"Authorization": f"Bearer made-up-{n}", "Connection": "close"},
            timeout=10,
        ).status_code
        for n in range(count)
    ]


def test_several_workers_share_the_count_in_the_database(database_url: str) -> None:
    with _served(database_url, workers=3) as base:
        assert _bad_logins(base, 30) == [401] * 10 + [429] * 20
        assert _bad_tokens(base, 15) == [401] * 10 + [429] * 5


# The count is Redis's here: the database only holds the accounts, so SQLite's will do.
@pytest.mark.parametrize("backend", ["sqlite"])
def test_several_workers_share_the_count_in_redis(database_url: str) -> None:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        if os.environ.get("TRACKER_TEST_REDIS_URL"):
            raise
        pytest.skip(f"no Redis at {REDIS_URL} (set TRACKER_TEST_REDIS_URL)")
    prefix = f"tracker-test-{uuid.uuid4().hex}"
    with _served(
        database_url,
        workers=3,
        TRACKER_RATELIMIT_STORAGE_URI=REDIS_URL,
        TRACKER_RATELIMIT_KEY_PREFIX=prefix,
    ) as base:
        assert _bad_logins(base, 30) == [401] * 10 + [429] * 20
        assert _bad_tokens(base, 15) == [401] * 10 + [429] * 5
    assert redis.Redis.from_url(REDIS_URL).keys(f"*{prefix}*")  # counted there, not here


def test_gunicorn_refuses_several_workers_counting_in_memory(database_url: str) -> None:
    port = _free_port()
    env = _environment(database_url, port, {"TRACKER_RATELIMIT_STORAGE_URI": "memory://"})
    server = _gunicorn(port, 2, env)
    _, errors = server.communicate(timeout=60)
    assert server.returncode == 1
    assert "memory:// counts rate limits in each process" in errors
    assert "2 workers would each allow the full limit" in errors
