"""The scheduler's sense of time and its settings: clocks (the system's, or one that stands
still for tests and `tick --now`), tick and lease lengths, retry backoff, and what a tick did."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from tracker.db import utcnow


class Clock(Protocol):
    def now(self) -> dt.datetime: ...


class SystemClock:
    def now(self) -> dt.datetime:
        return utcnow()


@dataclass
class FixedClock:
    """A clock that stands still until moved: tests and `tick --now` use it."""

    at: dt.datetime

    def now(self) -> dt.datetime:
        return self.at

    def advance(self, delta: dt.timedelta) -> None:
        self.at += delta


@dataclass(frozen=True)
class Settings:
    base_url: str = "http://127.0.0.1:5000"
    tick_seconds: float = 30.0
    lease_seconds: float = 120.0
    batch_size: int = 50
    give_up_after: dt.timedelta = dt.timedelta(hours=72)
    backoff_base: dt.timedelta = dt.timedelta(seconds=30)
    backoff_cap: dt.timedelta = dt.timedelta(hours=2)

    @property
    def late_after(self) -> dt.timedelta:
        """A reminder this far past its time was missed (the scheduler was down): it goes into
        the recipient's digest instead of a message of its own. Three ticks, as /readyz."""
        return dt.timedelta(seconds=3 * self.tick_seconds)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        return cls(
            base_url=str(config.get("BASE_URL") or cls.base_url).rstrip("/"),
            tick_seconds=float(config.get("TICK_SECONDS") or cls.tick_seconds),
            lease_seconds=float(config.get("LEASE_SECONDS") or cls.lease_seconds),
            batch_size=int(config.get("DELIVERY_BATCH") or cls.batch_size),
        )


@dataclass
class TickResult:
    planned: int = 0
    moved: int = 0
    cancelled: int = 0
    composed: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0
    stopped: bool = False

    def __str__(self) -> str:
        return (
            f"planned {self.planned}, moved {self.moved}, cancelled {self.cancelled}, "
            f"messages {self.composed}, sent {self.sent}, failed {self.failed}, dead {self.dead}"
        )


def backoff(attempt: int, settings: Settings, rng: random.Random) -> dt.timedelta:
    """Exponential backoff with jitter: half the step fixed, half random (never zero)."""
    step: dt.timedelta = min(
        settings.backoff_cap, settings.backoff_base * (2 ** max(0, min(attempt, 30) - 1))
    )
    wait: dt.timedelta = step / 2 + step / 2 * rng.random()
    return wait
