"""Forecasts the extractor proposes: a clause opening a sentence ("While ..., ") is one of its
own when the rest of the sentence makes another, not when the rest only judges it; what traders
and markets "see" ahead is their forecast; "going to" after a contraction or an adverb, "on a
trajectory to", a scheduled event tacked on with "with ... due"; and what is no forecast though
it has a modal: what the outcome "will depend on", whom it "will be up to", and "could change".
"""

from __future__ import annotations

import pytest

from tests.imports.forecasts import forecasts_in


def test_an_opening_clause_and_the_clause_after_it_are_two_forecasts() -> None:
    text = (
        "While the council is expected to lose the vote on Monday, the dispute is expected to"
        " drag on for months."
    )
    first, second = forecasts_in(text)
    assert first.quote == "While the council is expected to lose the vote on Monday"
    assert second.quote == "the dispute is expected to drag on for months"


def test_a_clause_that_only_judges_the_opening_one_is_the_same_forecast() -> None:
    text = "Although some hope the talks might produce a deal by June, this is unlikely."
    assert len(forecasts_in(text)) == 1


def test_what_traders_and_markets_see_ahead_is_their_forecast() -> None:
    [first] = forecasts_in("Traders now see rates falling by June.")
    assert first.speaker == "Traders"
    [second] = forecasts_in("After the decision, markets see more scope for higher rates ahead.")
    assert second.speaker == "markets"


@pytest.mark.parametrize(
    "text",
    [
        "No matter what, we're going to lose a lot of the glaciers.",
        "There's definitely going to be a pause before the assault.",
        "The company is still going to cut 300 jobs.",
        "The virus is on a trajectory to peak in the state within three weeks.",
    ],
)
def test_going_to_and_trajectories_forecast(text: str) -> None:
    [forecast] = forecasts_in(text)
    assert forecast.negated is False


def test_a_scheduled_event_tacked_on_with_due_is_a_forecast_of_its_own() -> None:
    text = "The Fed is expected to cut rates this afternoon, with the decision due at 2 PM ET."
    first, second = forecasts_in(text)
    assert first.quote == "The Fed is expected to cut rates this afternoon"
    assert second.quote == "with the decision due at 2 PM ET"


@pytest.mark.parametrize(
    "text",
    [
        "The timetable for an attack will depend on how tired the troops are.",
        "Whether that takes days or hours will be up to the commanders.",
        "So that certainly could change.",
        "The projection may well change in the coming weeks.",
        "We're going to the stadium.",
    ],
)
def test_what_decides_an_outcome_and_doubt_about_a_projection_are_no_forecasts(text: str) -> None:
    assert forecasts_in(text) == []


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("Hometrack believed prices were set to fall further next year.", "Hometrack"),
        ("The bottom of the market was likely to occur after the summer, added Stuart Law.",
         "Stuart Law"),
        ("The agency said the rollout remains on track.", "agency"),
        ("Acme told reporters it is \u201cstill on track\u201d with its launches.", "Acme"),
        ("The bank said its central prediction is a fall of 10% next year.", "bank"),
    ],
)  # fmt: skip
def test_reported_speech_in_the_past_tense_and_plans_on_track(text: str, speaker: str) -> None:
    [forecast] = forecasts_in(text)
    assert forecast.speaker == speaker


@pytest.mark.parametrize(
    "text",
    [
        "The meeting was set to start at nine, but it began late.",
        "Prices were likely to have risen by then.",
        "The project was on track until the funding ran out.",
    ],
)
def test_the_past_tense_outside_reported_speech_is_no_forecast(text: str) -> None:
    assert forecasts_in(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Inflation should ease in the second half of the year, the governor said.",
        "The company guided revenue of $4 billion for the full year.",
        "The strike threatens to drag on for weeks.",
        "Prices are poised for a rebound.",
        "The team is favoured to reach the final.",
        "The outlook for next year remains bleak, with unemployment set to rise.",
        "The project is due for completion in 2026.",
        "The vote is scheduled for Tuesday.",
        "Demand is seen rising 3% next year.",
        "Output is estimated to grow by 4% in 2025.",
        "The bank sees inflation returning to target by 2026.",
        "The launch has been pushed back to next spring.",
        "The ruling party stands to lose its majority.",
    ],
)
def test_more_ways_news_words_what_is_ahead(text: str) -> None:
    assert len(forecasts_in(text)) == 1


@pytest.mark.parametrize(
    "text",
    [
        "The union threatened to strike in 2019 but settled.",
        "Rates should be cut, the union said.",
        "The output cut aim to 2.1 million barrels was agreed in May.",
        "The death toll is estimated at 300.",
    ],
)
def test_what_only_resembles_those_wordings_is_no_forecast(text: str) -> None:
    assert forecasts_in(text) == []


@pytest.mark.parametrize(
    ("text", "forecasts"),
    [
        ("Economic Growth to Slow", 1),
        ("House prices 'to keep falling'", 1),
        ("How to invest in 2024", 0),
        ("Stocks to watch this week", 0),
        ("Efforts to curb inflation have failed.", 0),
        ("Republicans remain resolutely opposed to the legislation", 0),
        ("\u2022 Tobacco control to prevent 25% of cancer deaths", 0),
    ],
)
def test_a_headlines_infinitive_is_its_forecast(text: str, forecasts: int) -> None:
    assert len(forecasts_in(text)) == forecasts


def test_a_list_of_counts_after_one_wording_is_a_forecast_for_each() -> None:
    text = "Forecasters expect 17 named storms, 9 hurricanes and four major hurricanes."
    quotes = [f.quote for f in forecasts_in(text)]
    assert quotes == [
        "Forecasters expect 17 named storms",
        "9 hurricanes",
        "and four major hurricanes",
    ]
    for forecast in forecasts_in(text):
        assert text[forecast.quote_start : forecast.quote_end] == forecast.quote


def test_a_parenthesis_between_dashes_does_not_hide_the_list() -> None:
    text = (
        "The forecast \u2014 one of the most trusted \u2014 calls for 17 named storms,"
        " 9 hurricanes and four major hurricanes."
    )
    assert len(forecasts_in(text)) == 3
