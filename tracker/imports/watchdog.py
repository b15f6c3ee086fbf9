"""One deadline over a whole fetch: name resolution, connecting, the TLS handshake, the headers and
the body, however slowly the other server sends them.

Socket timeouts bound each read, not their sum: a server that sends a byte a second never trips a
15-second read timeout, and kept a fetch going for minutes. A `Watchdog` is armed for the fetch;
every socket the fetch opens (through `WatchedPoolManager`'s connections) is registered with it,
and when the deadline passes a timer thread shuts those sockets down, so that whatever read is
blocked on them returns at once and the fetch fails with a timeout. Name resolution, which no
socket timeout covers, runs in a thread that is waited for no longer than the deadline.
"""

from __future__ import annotations

import contextlib
import contextvars
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from types import TracebackType
from typing import Any, TypeVar

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

T = TypeVar("T")

_current: contextvars.ContextVar[Watchdog | None] = contextvars.ContextVar(
    "fetch_watchdog", default=None
)
# Lookups outlive a deadline only until the system resolver gives up (seconds); a few threads
# are enough for the imports an editor starts.
_resolving = ThreadPoolExecutor(max_workers=4, thread_name_prefix="fetch-resolve")


class DeadlinePassed(Exception):
    """The watchdog's deadline passed before the work given to `within` finished."""


class Watchdog:
    """Shuts down every socket registered with it once `seconds` have passed since it was
    armed (`with Watchdog(seconds) as watchdog:`); `expired` says whether it did."""

    def __init__(self, seconds: float) -> None:
        self.seconds = max(seconds, 0.0)
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(self.seconds, self._expire)
        self._timer.daemon = True
        self._token: contextvars.Token[Watchdog | None] | None = None

    def __enter__(self) -> Watchdog:
        self._token = _current.set(self)
        self._timer.start()
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self._timer.cancel()
        if self._token is not None:
            _current.reset(self._token)
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()

    def watch(self, sock: socket.socket) -> None:
        """Shut `sock` down at the deadline (at once if it has passed). A duplicate of the
        socket is kept: TLS wraps the original in a new object and detaches it."""
        with self._lock:
            duplicate = sock.dup()
            self._sockets.append(duplicate)
            if self.expired:
                _shut(duplicate)

    def within(self, work: Callable[[], T], remaining: float) -> T:
        """`work()` run in a thread and waited for at most `remaining` seconds; a blocking call
        that no socket timeout covers (name resolution) cannot outlast the deadline."""
        future = _resolving.submit(contextvars.copy_context().run, work)
        try:
            return future.result(timeout=max(remaining, 0.0))
        except FutureTimeout:
            raise DeadlinePassed from None

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed by the other side or by the fetch
        sock.shutdown(socket.SHUT_RDWR)


def _watched(sock: socket.socket) -> socket.socket:
    watchdog = _current.get()
    if watchdog is not None:
        watchdog.watch(sock)
    return sock


class _WatchedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _watched(super()._new_conn())


class _WatchedHTTPSConnection(HTTPSConnection):
    # The raw socket is watched before the TLS handshake, which a slow server can drag out too.
    def _new_conn(self) -> socket.socket:
        return _watched(super()._new_conn())


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


def watch_pools(poolmanager: Any) -> None:
    """Make a urllib3 PoolManager open its connections under the current watchdog."""
    poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}
