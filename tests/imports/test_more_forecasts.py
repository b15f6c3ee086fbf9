"""Forecasts the extractor proposes: a clause opening a sentence ("While ..., ") is one of its
own when the rest of the sentence makes another, not when the rest only judges it; what traders
and markets "see" ahead is their forecast."""

from __future__ import annotations

import datetime as dt

from tracker.imports.extract import Candidate, extract_candidates


def _forecasts(text: str) -> list[Candidate]:
    published = dt.datetime(2025, 1, 10, tzinfo=dt.UTC)
    return [c for c in extract_candidates(text, published) if c.kind == "forecast"]


def test_an_opening_clause_and_the_clause_after_it_are_two_forecasts() -> None:
    text = (
        "While the council is expected to lose the vote on Monday, the dispute is expected to"
        " drag on for months."
    )
    first, second = _forecasts(text)
    assert first.quote == "While the council is expected to lose the vote on Monday"
    assert second.quote == "the dispute is expected to drag on for months"


def test_a_clause_that_only_judges_the_opening_one_is_the_same_forecast() -> None:
    text = "Although some hope the talks might produce a deal by June, this is unlikely."
    assert len(_forecasts(text)) == 1


def test_what_traders_and_markets_see_ahead_is_their_forecast() -> None:
    [first] = _forecasts("Traders now see rates falling by June.")
    assert first.speaker == "Traders"
    [second] = _forecasts("After the decision, markets see more scope for higher rates ahead.")
    assert second.speaker == "markets"
