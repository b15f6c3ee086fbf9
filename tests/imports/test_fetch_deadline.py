"""The fetch's overall deadline holds against a server that trickles its answer a byte at a time
(each read then comes well within the read timeout, so only the deadline can end it), in the
status line, the headers or the body, and against a name lookup that hangs."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tracker.imports.sources import FetchTimedOut, HttpFetcher, allow_any_address
from tracker.models import User

DEADLINE = 1.0
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
BODY = b"Prices will rise. " * 50


class TricklingServer:
    """Answers every request with `answer`, sending its first `fast` bytes at once and the
    rest one byte every `interval` seconds until the client hangs up."""

    def __init__(self, answer: bytes, fast: int, interval: float = 0.05) -> None:
        self.answer, self.fast, self.interval = answer, fast, interval
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}/story"

    def _serve(self) -> None:
        self.listener.settimeout(0.1)
        while not self.stopping.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._trickle, args=(connection,), daemon=True).start()

    def _trickle(self, connection: socket.socket) -> None:
        with connection:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = connection.recv(4096)
                if not chunk:
                    return
                request += chunk
            try:
                connection.sendall(self.answer[: self.fast])
                for at in range(self.fast, len(self.answer)):
                    if self.stopping.wait(self.interval):
                        return
                    connection.sendall(self.answer[at : at + 1])
            except OSError:
                return  # the client hung up: what the deadline is for

    def stop(self) -> None:
        self.stopping.set()
        self.listener.close()
        self.thread.join(timeout=2)


@pytest.fixture
def trickling() -> Iterator[Callable[[bytes, int], TricklingServer]]:
    servers: list[TricklingServer] = []

    def start(answer: bytes, fast: int) -> TricklingServer:
        servers.append(TricklingServer(answer, fast))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


ANSWER = HEAD + f"Content-Length: {len(BODY)}\r\n\r\n".encode() + BODY
# Without a length the body ends when the connection does: cut off, it would look complete.
UNTIL_CLOSED = HEAD + b"Connection: close\r\n\r\n" + BODY


@pytest.mark.parametrize(
    ("where", "answer", "fast"),
    [
        ("the status line", ANSWER, 0),
        ("the headers", ANSWER, len(b"HTTP/1.1 200 OK\r\n")),
        ("the body", ANSWER, len(ANSWER) - len(BODY) + 10),
        ("a body that ends with the connection", UNTIL_CLOSED, len(UNTIL_CLOSED) - len(BODY)),
    ],
)
def test_a_server_trickling_its_answer_is_cut_at_the_deadline(
    trickling: Callable[[bytes, int], TricklingServer], where: str, answer: bytes, fast: int
) -> None:
    server = trickling(answer, fast)
    fetcher = HttpFetcher(address_allowed=allow_any_address, deadline_seconds=DEADLINE)
    started = time.monotonic()
    with pytest.raises(FetchTimedOut, match=f"took longer than {DEADLINE:g} seconds") as caught:
        fetcher.fetch(server.url)
    assert time.monotonic() - started < DEADLINE + 1, where
    assert caught.value.status == 504 and caught.value.fields == {"url": "timed out"}


def test_a_name_lookup_that_hangs_is_cut_at_the_deadline() -> None:
    released = threading.Event()

    def hanging(_host: str, _port: int) -> list[str]:
        released.wait(10)
        return ["127.0.0.1"]

    fetcher = HttpFetcher(
        address_allowed=allow_any_address, resolver=hanging, deadline_seconds=DEADLINE
    )
    started = time.monotonic()
    try:
        with pytest.raises(FetchTimedOut, match="took longer than"):
            fetcher.fetch("http://slow-dns.example/story")
        assert time.monotonic() - started < DEADLINE + 1
    finally:
        released.set()


def test_an_answer_that_ends_in_time_is_kept(
    trickling: Callable[[bytes, int], TricklingServer],
) -> None:
    server = trickling(ANSWER, len(ANSWER) - 5)  # the last five bytes at 50 ms each
    fetched = HttpFetcher(address_allowed=allow_any_address, deadline_seconds=DEADLINE).fetch(
        server.url
    )
    assert fetched.body == BODY


def test_an_import_from_a_trickling_server_answers_504_in_time(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., User],
    api_token: Callable[[User], str],
    trickling: Callable[[bytes, int], TricklingServer],
) -> None:
    server = trickling(ANSWER, len(ANSWER) - len(BODY))
    app.extensions["tracker.fetcher"] = HttpFetcher(
        address_allowed=allow_any_address, deadline_seconds=DEADLINE
    )
    token = api_token(make_user(role="editor"))
    started = time.monotonic()
    response = client.post(
        "/api/v1/sources",
        json={"url": server.url, "title": "Slow"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert time.monotonic() - started < DEADLINE + 1
    assert response.status_code == 504
    error = response.get_json()["error"]
    assert error["code"] == "fetch_timed_out"
    assert error["message"] == f"fetching {server.url} took longer than 1 seconds"
