"""Whose a forecast is when the text names them outside its clause, through the public
extractor: a sentence after it that only gives its source, the sentence after a quotation, a
pronoun that opens a sentence, a passive's agent, and a figure or a pledge tacked on with
"with" (a forecast of its own, of the same speaker)."""

from __future__ import annotations

import pytest

from tests.imports.forecasts import forecasts_in


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("The army could launch a new offensive as early as March. This is reported by Reuters"
         " with reference to officials.", "Reuters"),
        ("Fuel prices will rise by a tenth next year. That's according to the World Bank.",
         "World Bank"),
        ("Exports will fall in the spring. So says the Kiel Institute, which tracks trade.",
         "Kiel Institute"),
    ],
)  # fmt: skip
def test_a_sentence_that_only_gives_the_source_names_the_one_before(
    text: str, speaker: str
) -> None:
    [forecast] = forecasts_in(text)
    assert forecast.speaker == speaker
    assert forecast.attribution_start is None  # named outside the forecast's sentence


def test_a_sentence_after_it_with_content_of_its_own_names_nobody_for_it() -> None:
    text = "Fuel prices will rise by a tenth next year. The World Bank opened an office in May."
    assert [c.speaker for c in forecasts_in(text)] == [None]


def test_a_quotation_goes_on_with_its_speaker_not_whom_the_next_sentence_brings_in() -> None:
    text = (
        "Jane Doe, an economist at Citi, said growth would slow."
        " \u201cWe now expect the central bank to cut rates twice next year.\u201d"
        " John Smith said on Tuesday that wages rose."
    )
    assert [c.speaker for c in forecasts_in(text)] == ["Jane Doe", "Jane Doe"]


def test_a_forecast_of_the_author_before_a_said_sentence_stays_the_authors() -> None:
    text = "Rates will fall next year. Officials said on Monday that wages rose."
    assert forecasts_in(text)[0].speaker is None


def test_they_opening_a_sentence_is_whoever_was_named_last() -> None:
    text = (
        "The health agency is reporting hundreds of new cases every week. They fear the"
        " numbers could keep climbing through the holidays."
    )
    [forecast] = forecasts_in(text)
    assert forecast.speaker == "health agency"


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("Growth of 3% next year, as predicted by the IMF, would be the fastest since 2021.",
         "IMF"),
        ("Inflation will fall to 2% by 2026, concludes the Economic Experts Survey, a"
         " quarterly poll of economists.", "Economic Experts Survey"),
    ],
)  # fmt: skip
def test_a_speaker_named_by_a_passive_or_after_the_verb(text: str, speaker: str) -> None:
    [forecast] = forecasts_in(text)
    assert forecast.speaker == speaker


def test_a_survey_named_with_its_group_is_the_speaker_of_the_share() -> None:
    text = "A survey of 64 experts found that 63% believe the strait will be blockaded by 2030."
    [forecast] = forecasts_in(text)
    assert forecast.speaker == "survey of 64 experts" and forecast.probability == 0.63
    assert forecast.probability_kind == "survey_share"


def test_a_figure_added_with_with_is_a_forecast_of_the_same_speaker() -> None:
    text = (
        "Analysts expected revenue of CHF5.2 billion, with organic growth of 9.2%, according"
        " to estimates compiled by the exchange."
    )
    first, second = forecasts_in(text)
    assert second.quote.startswith("with organic growth of 9.2%")
    assert first.speaker == second.speaker == "Analysts"
    assert first.quote_end <= second.quote_start


@pytest.mark.parametrize(
    "text",
    [
        "Sales will fall by 2% this year, with volumes dipping to 1.39 billion units.",
        "Their targets range from $155 to $225, with the majority above $200.",
    ],
)
def test_with_and_how_the_forecast_goes_is_one_forecast(text: str) -> None:
    assert len(forecasts_in(text)) <= 1


def test_a_pledge_tacked_on_with_with_is_its_makers_forecast() -> None:
    text = (
        "Such growth will continue, with Jane Gould promising to open forty new stores next year."
    )
    first, second = forecasts_in(text)
    assert first.quote == "Such growth will continue"
    assert second.speaker == "Jane Gould" and "promising to" in second.quote


def test_a_figure_with_a_later_date_of_its_own_added_with_with_is_a_forecast() -> None:
    text = "Sales will fall by 9% this year, with sales reaching 400 million by 2028."
    first, second = forecasts_in(text)
    assert first.quote == "Sales will fall by 9% this year"
    assert second.quote.startswith("with sales reaching 400 million by 2028")


def test_according_to_a_role_then_the_name_set_off_by_a_comma_is_the_name() -> None:
    text = "The striker will complete his move this week, according to transfer expert, Jo Lind."
    [forecast] = forecasts_in(text)
    assert forecast.speaker == "Jo Lind" and forecast.speaker_kind == "person"


def test_a_forecast_someone_has_been_making_is_a_forecast() -> None:
    text = "Ana Ruiz is an analyst. She has been forecasting a launch in September for a year."
    [forecast] = forecasts_in(text)
    assert forecast.speaker == "Ana Ruiz" and forecast.phrase == "forecasting"
