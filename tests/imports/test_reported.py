"""Reported forecasts as news writes them, through the public extractor: who is speaking
(names set off by commas, roles, reports and their authors, people familiar with a matter, a
group the text named before, quoted paragraphs), chances stated as odds, shares of a group or a
list, and wordings of expectation beyond "will"."""

from __future__ import annotations

import pytest

from tests.imports.forecasts import forecasts_in


@pytest.mark.parametrize(
    ("text", "speaker", "kind"),
    [
        # A name set off by commas after a role.
        ("The company's chief executive, Tim Cook, said sales would rebound in the second half.",
         "Tim Cook", "person"),
        # A role with no name is a person.
        ("A spokesman for the ministry said the bridge would open in October.",
         "spokesman for the ministry", "person"),
        # A report is its author's.
        ("The report, published by the Institute for Fiscal Studies, warns that taxes will have"
         " to rise.", "Institute for Fiscal Studies", "organization"),
        # "per" as "according to".
        ("The Lakers are +450 to win the NBA Finals, per DraftKings.", "DraftKings",
         "organization"),
        # Unnamed sources.
        ("The central bank is likely to raise rates in March, three people familiar with the"
         " matter said.", "three people familiar with the matter", "person"),
        # A group and who polled it.
        ("Economists surveyed by Reuters see growth slowing to 1.2% in 2025.",
         "Economists surveyed by Reuters", "person"),
        # A group and where its members work.
        ("Strategists from major Wall Street firms see stocks recovering by year-end.",
         "Strategists from major Wall Street firms", "person"),
        # "she" is the person the sentence before named as its subject.
        ("Sarah Lee runs the fund. She expects returns to fall next year.", "Sarah Lee",
         "person"),
        # "they" is the group the sentence named before it.
        ("Goldman Sachs economists said that they expect the central bank to raise rates in"
         " July.", "Goldman Sachs economists", "person"),
        # A headline that names whose claim it is.
        ("Experts: Flu season expected to be severe this year", "Experts", "person"),
        # A model named by its owner.
        ("Nate Silver's model gives Harris a 56% chance of winning.", "Nate Silver's model",
         "organization"),
        # A group named after the verb, where they work.
        ("The bank will cut rates in March, wrote economists at Capital Economics.",
         "economists at Capital Economics", "person"),
        # Officials of an organisation are its voice.
        ("Officials at the Department of Energy expect gasoline prices to fall this summer.",
         "Department of Energy", "organization"),
        # An institution that "sees" a figure, beside a month that is no one.
        ("The IMF now sees global growth of 3.1% in 2025, up from its October forecast.", "IMF",
         "organization"),
        # A pledge and a bet are forecasts of their makers.
        ("Chancellor Jeremy Hunt has promised that taxes will fall before the next election.",
         "Chancellor Jeremy Hunt", "person"),
        ("Investors are betting the Fed will cut rates three times this year.", "Investors",
         "person"),
        # A lawmaker's party and state after the name.
        ("\u201cWe will finish the bill this week,\u201d Senate Majority Leader Charles Schumer"
         " (D-N.Y.) said.", "Senate Majority Leader Charles Schumer (D-N.Y.)", "person"),
        # Odds nobody is named for are the bookmakers' prices.
        ("Manchester City are 8/11 favourites to win the league.", "bookmakers",
         "organization"),
        # A person and where they work: the person speaks.
        ("Rents will keep rising next year, Jane Okafor from the University of Leeds said.",
         "Jane Okafor", "person"),
        ("\u201cThe sea will rise by two metres by 2100,\u201d lead author Prof. Ann Bell at"
         " the University of Bristol told the BBC.", "Prof. Ann Bell", "person"),
        # A person who says what an organisation believes speaks for it.
        ("Washington believes the talks could fail by March, Secretary of State Ann Bell"
         " said.", "Secretary of State Ann Bell", "person"),
        # When, between the subject and its verb.
        ("The IMF on Tuesday predicted that growth will slow to 2.9% next year.", "IMF",
         "organization"),
        # Forecasters named only as such are the organisation the sentence then names.
        ("Forecasters are predicting a 60% chance of an above-normal season this year, the"
         " National Weather Service announced.", "National Weather Service", "organization"),
        # A role with an abbreviation in it.
        ("The strike could come within weeks, a U.S. defense official said Thursday.",
         "U.S. defense official", "person"),
        # A person described, then a verb of theirs joined by "and".
        ("Ann Okoro is an economist at the University of Lagos, and expects inflation to ease"
         " next year.", "Ann Okoro", "person"),
        # "would" in what someone wrote, however they wrote it.
        ("Sarah Chen, head of rates at BNP Paribas, wrote in a note to clients that yields"
         " would peak in April.", "Sarah Chen", "person"),
        ("Writing in the Telegraph, the former chancellor predicted that taxes would rise.",
         "former chancellor", "person"),
        # An organisation named by what it is.
        ("The union said the strike would last until at least Friday.", "union",
         "organization"),
        # A title that syntok would end the sentence at.
        ("\u201cThere will be no Republican votes for this bill,\u201d Rep. Eric Cantor of"
         " Virginia said.", "Rep. Eric Cantor of Virginia", "person"),
    ],
)  # fmt: skip
def test_whose_reported_forecast_it_is(text: str, speaker: str, kind: str) -> None:
    [candidate] = forecasts_in(text)
    assert (candidate.speaker, candidate.speaker_kind) == (speaker, kind)


def test_the_group_a_later_sentence_calls_the_economists_is_the_one_named_before() -> None:
    text = (
        "JPMorgan's economists said the Fed would raise rates in September. The economists said"
        " the increases would stop in 2023. They predicted inflation will fall next year."
    )
    assert [c.speaker for c in forecasts_in(text)] == ["JPMorgan's economists"] * 3


def test_a_quoted_paragraph_in_straight_single_marks_goes_on_with_its_speaker() -> None:
    text = (
        "'We know he has had some problems,' Koeman told reporters. 'He has a lot of confidence"
        " in the doctor. He will be fit for the weekend.'"
    )
    [candidate] = forecasts_in(text)
    assert candidate.quote == "He will be fit for the weekend.'"
    assert candidate.speaker == "Koeman"


def test_a_he_after_a_person_named_with_an_irregular_verb_is_that_person() -> None:
    text = (
        "Mark Carney spoke at length about the economy. \u201cRates will stay high for"
        " longer,\u201d he said."
    )
    assert [c.speaker for c in forecasts_in(text)] == ["Mark Carney"]


def test_whoever_made_predictions_goes_on_as_the_speaker_of_those_that_follow() -> None:
    text = (
        "Gartner has made some bold predictions about AI. By 2027, most models will be specific"
        " to an industry. Gartner predicts that by 2028, 30% of projects will be optimised."
    )
    found = forecasts_in(text)
    assert [c.speaker for c in found] == ["Gartner", "Gartner"]
    assert found[1].quote.startswith("Gartner predicts that by 2028, 30%")


def test_a_fact_sourced_according_to_someone_starts_no_thread_of_reporting() -> None:
    text = (
        "This gives her 2,357 delegates, according to the AP's delegate count. She is forecast"
        " to win the state."
    )
    [candidate] = forecasts_in(text)
    assert candidate.speaker is None


@pytest.mark.parametrize(
    ("text", "probability", "kind"),
    [
        ("Arsenal are 7-2 to win the title.", 0.2222, "market"),
        ("Liverpool are priced at 3.5 to win the Premier League.", 0.2857, "market"),
        ("The Celtics are -150 favourites to win the series.", 0.6, "market"),
        ("Mercedes are out to 10/3 third favourites to win the title.", 0.2308, "market"),
        ("The Jets are at 150-to-1, for an implied percentage of 0.5%.", 0.005, "market"),
        ("The chance of a recession next year is one in three, according to Goldman Sachs.",
         0.3333, "speaker"),
        ("Forecasters are predicting a 75-percent chance of an above-normal season.", 0.75,
         "speaker"),
        ("Two in five voters expect prices to rise.", 0.4, "survey_share"),
        ("About six-in-ten voters (61%) now see Obama winning the election.", 0.61,
         "survey_share"),
        ("Only 6% thought the 1.5C limit would be met.", 0.06, "survey_share"),
    ],
)  # fmt: skip
def test_chances_stated_in_the_ways_news_states_them(
    text: str, probability: float, kind: str
) -> None:
    [candidate] = forecasts_in(text)
    assert (candidate.probability, candidate.probability_kind) == (probability, kind)
    assert candidate.probability_origin == "stated"


def test_a_share_of_any_group_is_the_surveys_finding_not_the_groups_forecast() -> None:
    text = (
        "Eighty-seven percent of Democrats expect Joe Biden to win, while 84 percent of"
        " Republicans expect Donald Trump to win, finds a survey of US households."
    )
    found = forecasts_in(text)
    assert [(c.probability, c.probability_kind) for c in found] == [
        (0.87, "survey_share"),
        (0.84, "survey_share"),
    ]
    assert {c.speaker for c in found} == {"survey of US households"}


def test_what_a_share_believes_about_the_present_is_no_forecast() -> None:
    assert forecasts_in("The majority, 84% believe China is willing to wait for unification.") == []


def test_a_list_of_chances_and_a_list_of_figures_give_a_forecast_each() -> None:
    chances = (
        "There is a 35 percent chance of an above-normal season, a 40 percent chance of a"
        " near-normal season, and a 25 percent chance of a below-normal season."
    )
    assert [c.probability for c in forecasts_in(chances)] == [0.35, 0.4, 0.25]
    figures = (
        "In the USA, inflation is expected to reach 3.2%, in the United Kingdom 4.3% and in"
        " Ireland 3.0%."
    )
    found = forecasts_in(figures)
    assert [c.quote[-4:] for c in found] == ["3.2%", "4.3%", "3.0%"]
    assert all(c.phrase == "is expected to" for c in found)
    odds = (
        "William Hill say there's a 57% chance of Verstappen winning, ahead of Leclerc who is 4/1"
        " to win the race."
    )
    assert [c.probability for c in forecasts_in(odds)] == [0.57, 0.2]


@pytest.mark.parametrize(
    "text",
    [
        "Clinton should lock up the nomination early today.",
        "Senator Joe Manchin told CNN that the bill should win strong support.",
        "Almost 80% of the scientists foresee warming of at least 2.5C.",
        "A peak in global oil demand is still on the horizon.",
        "In China this decline is projected as early as 2026.",
        "Russia is planning a major push in the next six months.",
        "The deal is well on its way to closing.",
        "One analyst gave the deal a strong chance of completion.",
        "I don't think it's distinctly possible to close this off by December.",
        "The company is on course for its first annual loss.",
        "Prices are headed higher in the coming months.",
        "The economy is headed for a recession.",
        "Residents are bracing for another storm this weekend.",
        "Look for the Fed to pause in March.",
    ],
)
def test_wordings_of_expectation_beyond_will(text: str) -> None:
    assert len(forecasts_in(text)) == 1


@pytest.mark.parametrize(
    "text",
    [
        "He braced for impact.",
        "The train is headed for Boston.",
        "Look for signs of stress in the data.",
        "She wrote a book that would change the field.",
    ],
)
def test_where_something_goes_or_went_is_no_forecast(text: str) -> None:
    assert forecasts_in(text) == []


def test_how_something_may_seem_now_is_no_forecast() -> None:
    assert forecasts_in("That might seem a little high to you.") == []
    assert forecasts_in("The plan may look odd at first.") == []
    assert len(forecasts_in("Shares may look cheap by next year.")) == 1


def test_the_future_perfect_is_a_forecast_and_a_modal_past_is_not() -> None:
    for text in (
        "Four in five adults will have been vaccinated by the end of June.",
        "By 2030 most of the coal plants will have closed.",
        "The company says it'll have hired 500 engineers by June 2027.",
        "The company says it\u2019ll have hired 500 engineers by June 2027.",
        "The ministry says the line shall not have opened before 2030.",
        "Critics say the council wont have finished the bridge by 2028.",
    ):
        assert len(forecasts_in(text)) == 1, text
    for text in ("The war might have been avoided.", "The deal would have cost more."):
        assert forecasts_in(text) == [], text


@pytest.mark.parametrize(
    "text",
    ["We should invest more in schools.", "The board should have acted sooner last year."],
)
def test_should_of_advice_is_no_forecast(text: str) -> None:
    assert forecasts_in(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "We don't know yet whether we are going to be facing a recession.",
        "She stresses that it is uncertain how the virus will develop.",
        "There is no clear picture of what that will look like.",
        "Economists are uncertain that it will quickly curtail inflation.",
    ],
)
def test_a_question_left_open_is_no_forecast(text: str) -> None:
    assert forecasts_in(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "The central bank is widely expected to hold rates steady at its meeting on Thursday.",
        "The bill is now widely expected to pass.",
    ],
)
def test_what_is_widely_expected_is_not_the_speaker(text: str) -> None:
    [forecast] = forecasts_in(text)
    assert forecast.speaker is None


def test_an_organisations_own_people_speak_for_it() -> None:
    text = (
        "Oil prices will climb above $100 a barrel by the summer, according to Goldman Sachs. "
        "The bank's analysts said demand would outstrip supply. "
        "Morgan Stanley is less bullish. "
        "Its strategists see prices averaging $85 this year."
    )
    assert [f.speaker for f in forecasts_in(text)] == ["Goldman Sachs", "Goldman Sachs",
                                                     "Morgan Stanley"]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("I doubt the ceasefire will hold.", None),
        ("Nobody expects the Fed to move in March.", None),
        ("Few expect the talks to succeed.", None),
        ("Analysts doubt the merger will be approved.", "Analysts"),
    ],
)
def test_a_doubted_forecast_is_unlikely(text: str, speaker: str | None) -> None:
    [forecast] = forecasts_in(text)
    assert (forecast.probability, forecast.speaker) == (0.325, speaker)


@pytest.mark.parametrize(
    "text",
    ["There is little doubt that prices will rise.", "He has no doubts that prices will rise."],
)
def test_no_doubt_is_no_doubt(text: str) -> None:
    [forecast] = forecasts_in(text)
    assert forecast.probability == 0.9


def test_what_remains_to_be_seen_is_not_forecast() -> None:
    assert forecasts_in("It remains to be seen whether the deal will survive.") == []


@pytest.mark.parametrize(
    ("text", "forecasts"),
    [
        ("Click here to subscribe to our newsletter, which will be delivered every morning.", 0),
        ("Sign up and we'll send you the best stories.", 0),
        ("This article will explain why inflation matters.", 0),
        ("Readers will remember the crisis of 2008.", 0),
        ("Subscribers to the service will rise to 10 million by 2026, the company said.", 1),
        ("More countries will sign up to the deal next year.", 1),
    ],
)
def test_what_a_page_says_to_its_reader_is_no_forecast(text: str, forecasts: int) -> None:
    assert len(forecasts_in(text)) == forecasts


@pytest.mark.parametrize(
    ("text", "condition"),
    [
        ("Without a deal, prices would soar.", "without a deal"),
        ("Absent a ceasefire, the fighting will spread.", "absent a ceasefire"),
        ("Unless Congress acts, the government will shut down.", "unless Congress acts"),
        ("Without doubt, prices will rise.", None),
        ("If talks fail then prices will rise by June.", "talks fail"),
        ("Analysts say that if talks fail then prices will rise by June.", "talks fail"),
        (
            "In their view, if emissions continue then the seas would probably rise by 2100.",
            "emissions continue",
        ),
    ],
)
def test_a_forecast_on_a_condition_keeps_it(text: str, condition: str | None) -> None:
    [forecast] = forecasts_in(text)
    assert forecast.condition == condition
