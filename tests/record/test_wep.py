"""Wording to probability, as ../wep.md's default mapping states it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.record import wep


@pytest.mark.parametrize(
    ("phrase", "low", "high", "hedged"),
    [
        ("is likely", 0.55, 0.80, False),
        ("very likely", 0.80, 0.95, False),
        ("unlikely", 0.20, 0.45, False),
        ("very unlikely", 0.05, 0.20, False),
        ("almost certainly", 0.95, 0.99, False),
        ("remote", 0.01, 0.05, False),
        ("roughly even odds", 0.45, 0.55, False),
    ],
)
def test_icd_203_phrases_fall_in_their_range(
    phrase: str, low: float, high: float, hedged: bool
) -> None:
    reading = wep.read_phrase(phrase)
    assert low <= reading.probability <= high
    assert reading.hedged is hedged
    assert "ICD 203" in reading.reference


@pytest.mark.parametrize(
    ("phrase", "probability"),
    [("might", 0.40), ("may", 0.40), ("could", 0.40), ("possibly", 0.45), ("can", 0.40)],
)
def test_hedges(phrase: str, probability: float) -> None:
    reading = wep.read_phrase(phrase)
    assert reading.hedged and reading.probability == probability


@pytest.mark.parametrize("phrase", ["will", "They\u2019ll", "won\u2019t", "slams the door"])
def test_assertions_are_ninety_percent(phrase: str) -> None:
    reading = wep.read_phrase(phrase)
    assert reading.probability == 0.90 and not reading.hedged


def test_words_inside_other_words_do_not_count() -> None:
    assert wep.find_wording("an uncertain, mayoral, willing campaign") is None
    found = wep.find_wording("A campaign of uncertain duration is likely.")
    assert found is not None and found.category == "likely"


@given(st.text(max_size=200))
def test_any_text_reads_to_a_scorable_probability(text: str) -> None:
    reading = wep.read_phrase(text)
    assert 0 < reading.probability < 1
