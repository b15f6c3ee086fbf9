"""What a process keeps of its answers (scorecards, wording tables, rendered pages), so that
one asked for again is not worked out again."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


class Cache(Generic[Key, Value]):
    """Values by key, least recently used going first, bounded by their number (`size`) and by
    their summed weight (`budget`, each weighed by `weigh`). A key names one state of the data
    (a freshness token is part of it), so an entry never goes stale: it stops being asked for.

    Unweighed, each value weighs one: the bound is their number. The weight matters for
    scorecards because every object a process keeps lengthens each full pass of
    Python's garbage collector: a scorecard over a date range lists every author, speaker and
    outlet with their bins, some fifteen objects per group."""

    def __init__(
        self, size: int, budget: int | None = None, weigh: Callable[[Value], int] | None = None
    ) -> None:
        self.size = size
        self.budget = budget if budget is not None else size
        self.weigh = weigh or _one
        self.held = 0  # the summed weight of the values kept
        self.items: OrderedDict[Key, Value] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Key) -> Value | None:
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key: Key, value: Value) -> None:
        with self.lock:
            replaced = self.items.pop(key, None)
            if replaced is not None:
                self.held -= self.weigh(replaced)
            self.items[key] = value
            self.held += self.weigh(value)
            # The newest is kept whatever its weight (the next reading of it is free).
            while len(self.items) > 1 and (len(self.items) > self.size or self.held > self.budget):
                _, dropped = self.items.popitem(last=False)
                self.held -= self.weigh(dropped)


def _one(_value: object) -> int:
    return 1
