"""What a process keeps of its answers: bounded by their number and by their weight."""

from __future__ import annotations

from tracker.cache import Cache


def test_the_least_recently_used_go_first_when_the_budget_is_spent() -> None:
    cache: Cache[str, list[int]] = Cache(size=10, budget=5, weigh=len)
    cache.put("a", [1, 2])
    cache.put("b", [1, 2])
    assert cache.get("a") == [1, 2]  # now the most recently used
    cache.put("c", [1, 2])  # 6 > 5: "b" goes
    assert cache.get("b") is None
    assert (cache.get("a"), cache.get("c"), cache.held) == ([1, 2], [1, 2], 4)
    cache.put("a", [1])  # replaced: its old weight is given back
    assert cache.held == 3


def test_the_newest_is_kept_whatever_its_weight_and_the_number_is_bounded_too() -> None:
    cache: Cache[str, list[int]] = Cache(size=2, budget=3, weigh=len)
    cache.put("small", [1])
    cache.put("big", [1] * 10)
    assert (cache.get("small"), cache.get("big"), cache.held) == (None, [1] * 10, 10)
    for key in "xyz":
        cache.put(key, [])
    assert list(cache.items) == ["y", "z"]


def test_unweighed_values_are_bounded_by_their_number() -> None:
    cache: Cache[int, str] = Cache(size=2)
    for key in range(3):
        cache.put(key, "x" * 100)
    assert (list(cache.items), cache.held) == ([1, 2], 2)
