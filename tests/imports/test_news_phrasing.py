"""Ways news words and attributes forecasts, written for the purpose (not corpus text): the
rules added when a fresh sample of the corpus was read (tests/imports/corpus/README.md)."""

from __future__ import annotations

import pytest

from tests.imports.forecasts import forecasts_in


@pytest.mark.parametrize(
    ("text", "speakers"),
    [
        # A source described first and named in the next sentence.
        ("The Greens are on course to win ten seats, according to an influential pollster."
         " Polling expert Jane Doe told the BBC the party would gain in the cities.",
         ["Jane Doe", "Jane Doe"]),
        # A bank's proper name is no "the bank" meaning the one before.
        ("Acme Bank expects prices to rise. Deutsche Bank points to weak demand. The bank sees"
         " a deficit in 2026.", ["Acme Bank", "Deutsche Bank"]),
        # A group word inside a name: the agency, not a group of people.
        ("The Defense Intelligence Agency believes the army will probably retreat by May.",
         ["Defense Intelligence Agency"]),
        # A relative clause after a comparison names who is betting.
        ("Economists are more cautious than investors, who are betting that rates will fall"
         " in July.", ["investors"]),
        # Analysts at a bank, then the bank described.
        ("Prices are likely to rise next year, according to analysts at Acme. Demand is"
         " expected to grow, the Swiss bank said.", ["Acme", "Acme"]),
        # Someone's named call is theirs.
        ("Jane Doe's official year-end prediction for the index is still 4,550.", ["Jane Doe"]),
    ],
)  # fmt: skip
def test_whose_forecast_a_news_sentence_reports(text: str, speakers: list[str]) -> None:
    assert [c.speaker for c in forecasts_in(text)] == speakers


@pytest.mark.parametrize(
    ("text", "quotes"),
    [
        # A replaced figure is a forecast of its own.
        ("Forecasters expect inflation to reach 2.6% this year, down from 2.7% in the previous"
         " survey.", ["Forecasters expect inflation to reach 2.6% this year",
                      "down from 2.7% in the previous survey"]),
        # The same event again at a later time.
        ("Economists expect the bank to cut rates in September, and again in December.",
         ["Economists expect the bank to cut rates in September", "and again in December"]),
        # A model's table in "would" goes on after its first sentence.
        ("If an election were held today, the model predicts the Greens would win 40 seats."
         " Labour would lose 12 seats.",
         ["If an election were held today, the model predicts the Greens would win 40 seats.",
          "Labour would lose 12 seats."]),
        # Fixtures a day ahead.
        ("The side host Leeds on Wednesday.", ["The side host Leeds on Wednesday."]),
        ("It isn't going to happen.", ["It isn't going to happen."]),
    ],
)  # fmt: skip
def test_more_news_wordings_are_forecasts(text: str, quotes: list[str]) -> None:
    assert [c.quote for c in forecasts_in(text)] == quotes


def test_a_past_habit_after_a_fact_is_no_forecast() -> None:
    text = "The club was founded in 1900. Fans would walk to the ground every week."
    assert forecasts_in(text) == []


@pytest.mark.parametrize(
    ("text", "probability", "kind"),
    [
        ("The probability of a normal rainfall during the June-September period is 41 percent,"
         " the agency said.", 0.41, "speaker"),
        ("There is a 9 percent possibility of excess rainfall, the agency estimates.", 0.09,
         "speaker"),
        ("72 of 108 economists expect a cut in June. Meanwhile, 17 (16%) said May.", 0.16,
         "survey_share"),
        ("A further 36 per cent predicted a majority of more than 100.", 0.36, "survey_share"),
    ],
)  # fmt: skip
def test_stated_chances_in_news_wording(text: str, probability: float, kind: str) -> None:
    last = forecasts_in(text)[-1]
    assert (last.probability, last.probability_origin, last.probability_kind) == (
        probability,
        "stated",
        kind,
    )


def test_a_name_may_is_no_modal() -> None:
    [candidate] = forecasts_in("Theresa May would win a majority, the pollster said.")
    assert not candidate.hedged
