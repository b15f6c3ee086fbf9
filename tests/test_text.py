"""Slugs of names however their punctuation is printed, and JSON read from outside: its depth is
counted without parsing, and too deep is refused."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.text import TooDeep, former_slugs, json_depth, load_json, slugify, speaker_slug

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


# Apostrophes and dashes as typed, and as published text prints them.
APOSTROPHES = ["'", "\u2019", "\u2018", "\u02bb", "\u02bc", "\u2032"]
DASHES = ["-", "\u2010", "\u2013", "\u2014", "\u2212"]


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Ann O'Neil", "ann-o-neil"),
        ("Ann O\u2019Neil", "ann-o-neil"),
        ("Trump\u2013Biden", "trump-biden"),
        ("M\u00fcller\u00a0&\u00a0S\u00f6hne", "muller-sohne"),
        ("\u201cThe Economist\u201d", "the-economist"),
        ("\u0411\u0435\u043b\u0433\u0440\u0430\u0434 FC", "fc"),
    ],
)
def test_a_slug_parts_words_at_any_punctuation_and_drops_accents(name: str, slug: str) -> None:
    assert slugify(name) == slug


@given(
    words=st.lists(st.text(alphabet="abcdefghijXYZ\u00e9\u00fc019", min_size=1), min_size=1),
    marks=st.data(),
)
def test_a_name_spelt_with_either_apostrophe_or_dash_has_one_slug(
    words: list[str], marks: st.DataObject
) -> None:
    ascii_marks = [marks.draw(st.sampled_from(["'", "-"])) for _ in words[1:]]
    typed = words[0] + "".join(m + w for m, w in zip(ascii_marks, words[1:], strict=True))
    printed = words[0] + "".join(
        marks.draw(st.sampled_from(APOSTROPHES if m == "'" else DASHES)) + w
        for m, w in zip(ascii_marks, words[1:], strict=True)
    )
    assert slugify(printed) == slugify(typed)
    assert speaker_slug(printed) == speaker_slug(typed)


def test_the_slugs_names_had_before_are_still_worked_out() -> None:
    assert former_slugs("Ann O\u2019Neil") == ["ann-oneil"]
    assert former_slugs("Ann O'Neil") == ["ann-oneil"]
    assert former_slugs("Smith\u2013Jones") == ["smithjones"]
    assert former_slugs("Ann O'Neil-Smith") == ["ann-oneil-smith"]
    assert former_slugs("Ann Smith") == former_slugs("Smith-Jones") == []
