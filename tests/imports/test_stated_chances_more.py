"""Chances as news states them beyond "a 30% chance", through the public extractor: shares of
any group that believes or predicts (in words, fractions and "N in 10"), how often a model's
runs come out one way, even chances, and chances too close to 0 or 1 for four places; a range
of chances (its midpoint), odds "against" and "on", "evens", negative American odds, and
whose a chance put as "odds" is when no one bets."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.imports.forecasts import forecasts_in
from tracker.imports.extract import extract_candidates


@pytest.mark.parametrize(
    ("text", "probability", "kind"),
    [
        ("More than three-fifths of U.S. adults predict prices will rise next year.", 0.6,
         "survey_share"),
        ("Sixty-one percent now believe prices will rise next year.", 0.61, "survey_share"),
        ("Beyond that, nearly 7 in 10 believe the region will enter a recession.", 0.7,
         "survey_share"),
        ("An overwhelming majority\u201498 percent\u2014said they expect a recession next"
         " year.", 0.98, "survey_share"),
        ("In the simulations, the incumbent wins the election 94% of the time.", 0.94,
         "speaker"),
        ("The coach said the striker has a 50-50 chance of making the weekend.", 0.5,
         "speaker"),
        ("The chance of the asteroid hitting the Earth in 2032 is estimated to be one in"
         " 63,000.", 1.58730e-05, "speaker"),
        ("The model puts the probability of no impact in 2032 at about 99.998 percent.",
         0.99998, "speaker"),
    ],
)  # fmt: skip
def test_a_chance_stated_as_news_states_it(text: str, probability: float, kind: str) -> None:
    [forecast] = forecasts_in(text)
    assert forecast.probability_origin == "stated" and forecast.probability_kind == kind
    assert forecast.probability == pytest.approx(probability, rel=1e-4)


def test_a_share_that_believes_something_of_the_present_is_no_forecast() -> None:
    assert forecasts_in("Nearly 7 in 10 believe the economy is weak.") == []


def test_odds_in_a_betting_text_are_one_time_out_of_so_many() -> None:
    text = "Bookmakers make the team 4/1, so it should win the title one time out of five."
    chances = [c.probability for c in forecasts_in(text)]
    assert 0.2 in chances


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Labour looks set to suffer a heavy defeat in Scotland.", "looks set to"),
        ("The asteroid is set for another close encounter in 2032.", "is set for"),
        ("The Reds are tipped to be the closest challengers next season.", "are tipped to"),
        ("The first results are due before midnight.", "are due"),
        ("The talks are all but certain to miss the deadline.", "certain"),
        ("Stocks fell, pointing to an even tighter market next year.", "pointing to an"),
    ],
)
def test_wordings_of_something_impending(text: str, phrase: str) -> None:
    [forecast] = forecasts_in(text)
    assert phrase in (forecast.phrase or "")


def test_a_favourite_tipped_in_a_betting_text_is_the_bookmakers() -> None:
    text = (
        "Bookmakers cut their prices this week. The Reds are tipped to finish second next season."
    )
    assert [c.speaker for c in forecasts_in(text)][-1] == "bookmakers"


def test_a_chance_put_at_a_figure_far_from_its_noun() -> None:
    text = (
        "Economists surveyed by the paper put the probability of the economy being in recession"
        " sometime in the next 12 months at 44%."
    )
    [forecast] = forecasts_in(text)
    assert forecast.probability == 0.44 and forecast.probability_kind == "speaker"


@pytest.mark.parametrize(
    "text",
    [
        "Growth will slow from 5.5% last year to 3.3% in 2022 and 2.3% next year.",
        "Unemployment will rise to 3.7% at the end of 2022 and 4.2% at the end of 2023.",
    ],
)
def test_a_figure_for_a_later_period_is_a_forecast_of_its_own(text: str) -> None:
    first, second = forecasts_in(text)
    assert first.quote_end <= second.quote_start and second.quote.startswith("and ")


def test_odds_alone_do_not_make_a_later_chance_a_betting_price() -> None:
    text = (
        "The model gives the incumbent long odds of losing. In its simulations, the challenger"
        " wins the election only 5% of the time."
    )
    assert forecasts_in(text)[-1].probability_kind == "speaker"
    betting = "Bookmakers have cut the odds. The challenger wins the title 5% of the time."
    assert forecasts_in(betting)[-1].probability_kind == "market"


def test_the_remainder_of_a_survey_is_what_the_sentences_before_left() -> None:
    text = (
        "35/36 economists expect no change in September.\n"
        "24/36 economists see the rate at 0.75% by year-end\n"
        "8/36 economists see the rate at 0.50% by year-end, remainder see no change"
    )
    shares = [c.probability for c in forecasts_in(text)]
    assert shares == [0.9722, 0.6667, 0.2222, 0.1111]


def test_a_share_that_stated_a_forecast() -> None:
    [forecast] = forecasts_in("Asked about timing, 44% stated that the deadline will be 2049.")
    assert forecast.probability == 0.44 and forecast.probability_kind == "survey_share"


@pytest.mark.parametrize(
    ("text", "probability"),
    [
        ("There is more than a 50% chance of a recession next year.", 0.5),
        ("The probability is greater than 50% that there will be a runoff in April.", 0.5),
        ("He put the probability at \u201cless than 50%\u201d, adding that talks would go on.",
         0.5),
        ("Bookmakers make it less than 20% likely that he wins the title.", 0.2),
        ("The market will move against him less than 2% of the time.", 0.02),
    ],
)  # fmt: skip
def test_a_bound_said_of_a_chance_is_the_chance(text: str, probability: float) -> None:
    [forecast] = forecasts_in(text)
    assert (forecast.probability_origin, forecast.probability) == ("stated", probability)


@pytest.mark.parametrize(
    "text",
    [
        "The index is expected to finish the year around 4,627, more than 20% higher than now.",
        "Inflation will reach more than 5% next year.",
        "Sales will grow by less than 3% next year, the company said.",
    ],
)
def test_a_bound_on_a_quantity_is_no_chance(text: str) -> None:
    [forecast] = forecasts_in(text)
    assert forecast.probability_origin == "phrase"


def test_a_past_change_bounded_by_a_percentage_is_a_fact() -> None:
    text = "The index has fallen more than 20% this year, its worst start since 1970."
    assert forecasts_in(text) == []
    assert [c.kind for c in extract_candidates(text, dt.datetime(2025, 1, 10, tzinfo=dt.UTC))] == [
        "fact"
    ]


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("Fed funds futures imply a 65% chance of a hike in July.", "futures markets"),
        ("The CME FedWatch tool shows a 90% probability of a pause in June.", "CME FedWatch"),
        ("On Polymarket, his chances of winning stand at 58%.", "Polymarket"),
        ("Traders are pricing in a 70% chance of a cut by June.", "Traders"),
        ("Bookmakers make Arsenal 2/1 favourites for the title.", "Bookmakers"),
    ],
)
def test_a_market_price_is_the_markets_that_the_sentence_names(text: str, speaker: str) -> None:
    [forecast] = forecasts_in(text)
    assert (forecast.probability_kind, forecast.speaker) == ("market", speaker)


def test_what_markets_price_in_is_their_forecast() -> None:
    [forecast] = forecasts_in("Markets are pricing in three rate cuts this year.")
    assert forecast.speaker == "Markets"
    assert forecasts_in("The company prices in dollars.") == []


@pytest.mark.parametrize(
    ("text", "probability", "origin"),
    [
        ("The race is a toss-up.", 0.5, "phrase"),
        ("It is a coin flip whether the bill passes.", 0.5, "phrase"),
        ("There is a better than even chance of a recession next year.", 0.675, "phrase"),
        ("He rates the chances of success at 1-in-4.", 0.25, "stated"),
        ("The chance that rates fall this year is 40%.", 0.4, "stated"),
        ("There is a 30% chance of rates rising to 5% next year.", 0.3, "stated"),
        ("Her chances of winning the nomination jumped to 66 percent.", 0.66, "stated"),
    ],
)
def test_even_chances_and_chances_put_at_a_figure(
    text: str, probability: float, origin: str
) -> None:
    [forecast] = forecasts_in(text)
    assert (forecast.probability, forecast.probability_origin) == (probability, origin)


def test_a_figure_of_the_event_is_no_chance() -> None:
    found = forecasts_in("The chance that inflation falls below 2% this year is slim.")
    assert all(f.probability_origin != "stated" for f in found)


@pytest.mark.parametrize(
    ("text", "probability", "kind"),
    [
        ("Experts estimate there is a 10 to 20 percent chance of war by 2030.", 0.15, "speaker"),
        ("Analysts see a 30%-40% chance of a default next year.", 0.35, "speaker"),
        ("Economists put the chance of a recession at between 30 and 40 percent.", 0.35,
         "speaker"),
        ("Odds of a deal by Friday stand at 2-1 against.", 0.3333, "market"),
        ("The favourite is 4-1 on.", 0.8, "market"),
        ("Labour are evens to win a majority, according to Ladbrokes.", 0.5, "market"),
        ("The champion is -200 to retain the title.", 0.6667, "market"),
        ("The odds of a ceasefire by June are about 30 percent, analysts said.", 0.3,
         "speaker"),
        ("Man City are the odds-on favourites at 1/2.", 0.6667, "market"),
        ("The Lakers' odds of winning the title are 5-1 at DraftKings.", 0.1667, "market"),
        ("The Warriors have +450 odds to win the championship.", 0.1818, "market"),
    ],
)  # fmt: skip
def test_ranges_odds_and_whose_odds(text: str, probability: float, kind: str) -> None:
    [forecast] = forecasts_in(text)
    assert forecast.probability == probability and forecast.probability_origin == "stated"
    assert forecast.probability_kind == kind


def test_two_chances_for_two_subjects_are_no_range() -> None:
    text = "Polls give Ana a 46.3% and Ben a 45.7% chance of winning."
    assert {f.probability for f in forecasts_in(text)} <= {0.463, 0.457}


def test_odds_on_an_outcome_are_not_odds_on() -> None:
    text = "Bookmakers offer odds of 14/1 on Leeds winning the league this season."
    [forecast] = forecasts_in(text)
    assert forecast.probability == 0.0667
