"""JSON read from outside: its depth is counted without parsing, and too deep is refused."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.text import TooDeep, json_depth, load_json

_LEAVES = st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab\u00e9\n')
_JSON = st.recursive(
    _LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=30,
)


def _depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    return 0


@given(_JSON)
def test_depth_is_counted_without_parsing(value: Any) -> None:
    """Brackets inside strings (escaped quotes included) do not count."""
    text = json.dumps(value)
    assert json_depth(text) == json_depth(text.encode()) == _depth(value)
    assert load_json(text) == value


@pytest.mark.parametrize("levels", [65, 1_000, 100_000])
def test_json_deeper_than_64_levels_is_refused(levels: int) -> None:
    with pytest.raises(TooDeep, match="deeper than 64 levels"):
        load_json("[" * levels + "]" * levels)
    with pytest.raises(ValueError):  # callers that catch bad JSON catch this too
        load_json('{"a": ' + "{" * levels + "}" * levels + "}")


def test_json_64_levels_deep_is_read() -> None:
    assert _depth(load_json("[" * 64 + "]" * 64)) == 64
