"""Slow clients against the real server, started as `make run` starts it (gunicorn with
deploy/gunicorn.conf.py): a client that trickles its request body holds one thread for a bounded
time and then gets 408, and everyone else is served meanwhile (two such clients used to stop the
server: both sync workers held)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
BODY_TIMEOUT = 1.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("served")
    port = _free_port()
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": f"sqlite:///{folder / 'tracker.sqlite3'}",
        "TRACKER_SECRET_KEY": "test",
        "TRACKER_BODY_TIMEOUT_SECONDS": str(BODY_TIMEOUT),
        "WEB_CONCURRENCY": "1",  # one process: slow clients could not hide behind another
        "TRACKER_THREADS": "4",
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    # As `make run` starts it (Makefile, target run): a fixed program with fixed arguments.
    process = subprocess.Popen(  # noqa: S603
        [
            *(str(gunicorn), "--config", "deploy/gunicorn.conf.py"),
            *("--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null", "wsgi:app"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                requests.get(f"{base}/healthz", timeout=10)
                break
            except requests.RequestException:
                time.sleep(0.05)  # the server is starting
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


class SlowBody:
    """POST /login whose form arrives a byte every `interval` seconds; `answer` is what the
    server sent back, and `after` how long its first bytes took."""

    def __init__(self, base: str, length: int = 200, interval: float = 0.1) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.sock = socket.create_connection((host, int(port)))
        self.sock.sendall(
            b"POST /login HTTP/1.1\r\nHost: tracker\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            + f"Content-Length: {length}\r\n\r\n".encode()
        )
        self.length, self.interval = length, interval
        self.started = time.monotonic()
        self.answer = b""
        self.after = 0.0
        self.stopping = threading.Event()
        self.sender = threading.Thread(target=self._trickle, daemon=True)
        self.sender.start()

    def _trickle(self) -> None:
        for _ in range(self.length):
            if self.stopping.wait(self.interval):
                return
            try:
                self.sock.sendall(b"a")
            except OSError:
                return

    def wait_for_answer(self, timeout: float) -> None:
        self.sock.settimeout(timeout)
        try:
            self.answer = self.sock.recv(65536)
            self.after = time.monotonic() - self.started
            while chunk := self.sock.recv(65536):
                self.answer += chunk
        except (TimeoutError, ConnectionResetError):
            pass
        self.stopping.set()
        self.sock.close()


def test_a_trickling_body_is_cut_off_with_408_and_others_are_served_meanwhile(
    server: str,
) -> None:
    slow = [SlowBody(server) for _ in range(3)]  # three of the process's four threads
    time.sleep(0.2)  # the three are being read
    for _ in range(10):
        started = time.monotonic()
        assert requests.get(f"{server}/healthz", timeout=5).status_code == 200
        assert time.monotonic() - started < 0.5
    allowed = BODY_TIMEOUT + 200 / 50_000
    for client in slow:
        client.wait_for_answer(timeout=allowed + 3)
        assert client.answer.upper().startswith(b"HTTP/1.1 408 REQUEST TIMEOUT"), client.answer
        assert b"the request body did not arrive within 1 seconds" in client.answer
        assert client.after < allowed + 1


def test_a_body_sent_in_time_is_read(server: str) -> None:
    response = requests.post(
        f"{server}/login", data={"email": "a@b.c", "password": "x"}, timeout=10
    )
    assert response.status_code == 400  # read whole; refused for its missing CSRF token
