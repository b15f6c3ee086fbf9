"""How the application meets its web server: a deadline on reading a request's body.

gunicorn's threaded workers give each request a thread, and the thread reads the body as the
application asks for it. A client that sends a login form a byte a second holds that thread for
as long as it likes: socket timeouts bound each read, not their sum. `BodyDeadline` gives every
body a deadline (a base allowance plus time for its length at a modest rate); when it passes, a
watchdog thread shuts the connection for reading, the blocked read returns, and the client gets
408 Request Timeout. A reverse proxy that buffers bodies (deploy/nginx.conf) keeps slow clients
from reaching the application at all; this holds when nothing stands in front.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.exceptions import RequestTimeout

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _Watch:
    """One body being read: its connection, and whether its deadline passed."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock = sock
        self.deadline = deadline
        self.expired = False
        self.done = False


class _Watchdog:
    """One thread per process that shuts, for reading, the connections whose deadline passed."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, _Watch]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def watch(self, sock: socket.socket, seconds: float) -> _Watch:
        watch = _Watch(sock, time.monotonic() + seconds)
        with self._wake:
            heapq.heappush(self._heap, (watch.deadline, next(self._order), watch))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="body-deadline", daemon=True)
                self._thread.start()
            self._wake.notify()
        return watch

    def release(self, watch: _Watch) -> None:
        with self._wake:
            watch.done = True

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._heap and self._heap[0][2].done:
                    heapq.heappop(self._heap)
                wait = self._heap[0][0] - time.monotonic() if self._heap else None
                if wait is None or wait > 0:
                    self._wake.wait(wait)
                    continue
                _, _, watch = heapq.heappop(self._heap)
                watch.expired = True
                with contextlib.suppress(OSError):  # the client may have gone already
                    # Reading only: the 408 answer still goes out on the same connection.
                    watch.sock.shutdown(socket.SHUT_RD)


_watchdog = _Watchdog()


class _TimedInput:
    """wsgi.input that answers 408 once its body's deadline has passed."""

    def __init__(self, stream: Any, watch: _Watch, seconds: float) -> None:
        self._stream = stream
        self._watch = watch
        self._seconds = seconds

    def _checked(self, data: Any) -> Any:
        if self._watch.expired:
            raise RequestTimeout(
                f"the request body did not arrive within {self._seconds:.0f} seconds"
            )
        return data

    def read(self, *args: Any) -> bytes:
        return self._checked(self._stream.read(*args))  # type: ignore[no-any-return]

    def readline(self, *args: Any) -> bytes:
        return self._checked(self._stream.readline(*args))  # type: ignore[no-any-return]

    def readlines(self, *args: Any) -> list[bytes]:
        return self._checked(self._stream.readlines(*args))  # type: ignore[no-any-return]

    def __iter__(self) -> _TimedInput:
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line


class BodyDeadline:
    """WSGI middleware: the body of a request must arrive within `seconds`, plus one second
    for each `min_rate` bytes it declares. Applies where the server hands over its socket
    (gunicorn's `gunicorn.socket`); elsewhere (tests, other servers) it stands aside."""

    def __init__(self, app: WSGIApp, seconds: float, min_rate: float) -> None:
        self.app = app
        self.seconds = seconds
        self.min_rate = min_rate

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        sock = environ.get("gunicorn.socket")
        length = str(environ.get("CONTENT_LENGTH") or "0")
        chunked = "chunked" in str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower()
        if sock is None or (not chunked and (not length.isdigit() or int(length) == 0)):
            return self.app(environ, start_response)
        declared = int(length) if length.isdigit() else 0
        allowed = self.seconds + declared / self.min_rate
        watch = _watchdog.watch(sock, allowed)
        environ["wsgi.input"] = _TimedInput(environ["wsgi.input"], watch, allowed)
        try:
            return self.app(environ, start_response)
        finally:
            _watchdog.release(watch)
