"""Whose a forecast is, in more of the ordinary ways news attributes one, through the public
extractor: a description in lower case between "said" and the name, "as per", a comparison
that names a group without quoting it, "the company" after one of its officers spoke, a
quotation that opens with a name it talks about, a forecast "ramped up", and a next sentence
that says whose suggestion the one before was."""

from __future__ import annotations

import pytest

from tests.imports.forecasts import forecasts_in
from tracker.imports.extract import Candidate


def _named_by(text: str, forecast: Candidate) -> str | None:
    if forecast.attribution_start is None or forecast.attribution_end is None:
        return None
    return text[forecast.attribution_start : forecast.attribution_end]


@pytest.mark.parametrize(
    ("text", "speaker", "named_by"),
    [
        ("Rates will fall by June, said retired Gen. Ann Cole, a former adviser to the council.",
         "Gen. Ann Cole", "said retired Gen. Ann Cole"),
        ("Prices will rise again, said former chair Ben Ortiz.", "Ben Ortiz",
         "said former chair Ben Ortiz"),
        ("As per Morgan Stanley, copper could hit $12,000 next year.", "Morgan Stanley",
         "As per Morgan Stanley"),
        ("Harbor Bank ramped up its forecast on Monday, calling for gold to hit $3,000 by June.",
         "Harbor Bank", "Harbor Bank ramped up its forecast"),
        ("Acme Bank assigns a 40% probability to a hard landing next year.", "Acme Bank",
         "Acme Bank assigns"),
        ("The model puts the probability of a recession at 35%.", "model", "The model puts"),
        ("Gallup's model gives the Democrats a 3-in-4 shot at keeping the Senate.",
         "Gallup's model", "Gallup's model gives"),
    ],
)  # fmt: skip
def test_who_a_sentence_names_with_its_verb(text: str, speaker: str, named_by: str) -> None:
    [forecast] = forecasts_in(text)
    assert forecast.speaker == speaker and _named_by(text, forecast) == named_by


def test_a_group_a_forecast_is_compared_with_is_not_its_speaker() -> None:
    text = "Glaciers will melt faster than scientists had thought, a new study in Nature says."
    [forecast] = forecasts_in(text)
    assert forecast.speaker is not None and "study" in forecast.speaker
    assert forecast.speaker_kind == "organization"
    assert _named_by(text, forecast) != "scientists had thought"
    alone = forecasts_in("Glaciers will melt faster than scientists had thought.")
    assert [f.speaker for f in alone] == [None]


def test_the_company_is_the_one_whose_officer_the_text_quoted() -> None:
    text = (
        "\u201cWe had a good year,\u201d said Jo Park, Acme Foods\u2019 chief financial officer."
        " The Ohio-based company expects revenue of $2 billion next year."
    )
    [forecast] = forecasts_in(text)
    assert forecast.speaker == "Acme Foods" and forecast.speaker_kind == "organization"
    assert _named_by(text, forecast) == "The Ohio-based company expects"
    # A person's spokesman is not a company's.
    other = (
        "\u201cNo comment,\u201d said Jo Park, Ben Ortiz\u2019s spokesman."
        " The company expects revenue of $2 billion next year."
    )
    [forecast] = forecasts_in(other)
    assert forecast.speaker != "Ben Ortiz"


def test_a_name_a_quotation_opens_with_is_not_who_he_is() -> None:
    text = (
        "Radio host Tunde Bello has predicted that Villa will win the league."
        " \u201cAston Villa is going to win the title. We will win,\u201d he said."
    )
    assert [f.speaker for f in forecasts_in(text)] == ["Tunde Bello"] * 3


def test_the_source_a_next_sentence_says_the_suggestion_came_from() -> None:
    text = (
        "Coal use will peak by 2030."
        " That\u2019s the suggestion from a report by the Energy Council, which says demand"
        " will fall."
    )
    first, second = forecasts_in(text)
    assert first.speaker == second.speaker == "Energy Council"
    assert first.attribution_start is None


@pytest.mark.parametrize("opening", ["All", "Several", "MORE", "Almost all"])
def test_a_quantifier_or_a_page_label_opening_a_sentence_is_no_name(opening: str) -> None:
    text = f"{opening} expect the bill to pass next week."
    [forecast] = forecasts_in(text)
    assert forecast.speaker not in (opening, opening.split()[-1])


def test_a_standfirst_without_a_subject_is_the_headlines_speakers() -> None:
    text = (
        "Acme boss Jo Park targets January launch\nSays new phone will revive the ailing company\n"
    )
    forecasts = forecasts_in(text)
    assert forecasts[-1].speaker == "Jo Park"


def test_a_page_label_in_capitals_is_no_source() -> None:
    text = (
        "TRACKING THE TROPICS: Hurricane Center | Hurricane Guide\n"
        "The season will bring 17 named storms."
    )
    [forecast] = forecasts_in(text)
    assert forecast.speaker is None


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("The virus will peak within three weeks, a state health official said on Sunday."
         " Sara Ruiz, deputy director of the state health department, added a caveat.",
         "Sara Ruiz"),
        ("America will see more cases, a top US health official said. Pointing to Italy,"
         " Dr. Ann Lee, director of the institute, spoke of deaths.", "Ann Lee"),
        ("A senior army researcher said a vaccine will be ready by December."
         " Defense Secretary Mark Esper made a promise in May.",
         "senior army researcher"),
        ("Prices will rise next year, analysts said. Jo Park, an economist at Acme, disagreed.",
         "analysts"),
    ],
)  # fmt: skip
def test_a_described_speaker_is_whom_the_next_sentence_names_with_a_role(
    text: str, speaker: str
) -> None:
    forecast = forecasts_in(text)[0]
    assert forecast.speaker == speaker
    assert _named_by(text, forecast) is not None


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("Oil to hit $100 by June, Goldman says", "Goldman"),
        ("Moody's warned that it may downgrade the country's rating next month.", "Moody's"),
        ("Citing unnamed officials, the newspaper reported that the summit will take place in"
         " May.", "officials"),
        ("The summit will take place in May, the newspaper reported, citing sources close to"
         " the talks.", "sources close to the talks"),
        ("Misek said the launch will slip to 2014, citing LG and Sharp as delaying factors.",
         "Misek"),
    ],
)  # fmt: skip
def test_headlines_names_with_an_s_and_cited_sources(text: str, speaker: str) -> None:
    [forecast] = forecasts_in(text)
    assert forecast.speaker == speaker
