"""Whose a forecast is, in more of the ways news names a speaker, through the public extractor:
a subject with "does not", "is only" or "doesn't" before its verb, a work the text calls "the
report" after naming its author, a person set off by a role, "according to her", "quoted ... as
saying", verbs beyond "said", "in X's view", unnamed sources in the singular."""

from __future__ import annotations

import pytest

from tests.imports.forecasts import forecasts_in


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("Dr. Ana Ruiz does not believe the vaccine will be ready before March.",
         "Dr. Ana Ruiz"),
        ("Traders are only expecting one cut next year.", "Traders"),
        ("The union doesn't expect the strike to end soon.", "union"),
    ],
)  # fmt: skip
def test_a_subject_with_a_word_between_it_and_its_verb(text: str, speaker: str) -> None:
    [forecast] = forecasts_in(text)
    assert forecast.speaker == speaker


def test_the_report_is_its_authors_whom_the_sentence_before_opens_with() -> None:
    text = (
        "The Kiel Institute published a review on Monday."
        " The report claims that two lenders will fail next year."
    )
    [forecast] = forecasts_in(text)
    assert forecast.speaker == "Kiel Institute" and forecast.speaker_kind == "organization"


def test_a_person_set_off_with_a_role_and_no_article_is_whom_she_means() -> None:
    text = (
        "Ann Cole, the mayor, spoke first. Jo Marsh, head of the flood office at the agency in"
        " Leeds, England, briefed reporters. \u201cThe river will crest on Friday,\u201d she said."
    )
    [forecast] = forecasts_in(text)
    assert forecast.speaker == "Jo Marsh"


def test_a_name_said_to_be_who_did_something_is_a_person() -> None:
    text = (
        "But Hale, who chaired the inquiry, told MPs that talks would fail."
        " She put the chances of a deal at less than 30%."
    )
    first, second = forecasts_in(text)
    assert first.speaker == second.speaker == "Hale"
    assert first.speaker_kind == second.speaker_kind == "person"


def test_according_to_a_pronoun_is_whom_the_pronoun_means() -> None:
    text = (
        "Jane Doe, a diplomat, said the talks had stalled."
        " According to her, the ceasefire could collapse within weeks."
    )
    [forecast] = forecasts_in(text)
    assert forecast.speaker == "Jane Doe" and forecast.speaker_kind == "person"


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("The state news agency quoted a member of the negotiating team as saying that a deal"
         " would be impossible by Sunday.", "member of the negotiating team"),
        ("The paper quoted an aide to the minister as saying the bill will pass.",
         "aide to the minister"),
    ],
)  # fmt: skip
def test_whom_an_outlet_quotes_as_saying_is_the_speaker(text: str, speaker: str) -> None:
    [forecast] = forecasts_in(text)
    assert forecast.speaker == speaker and forecast.speaker_kind == "person"


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        # Verbs of saying and of belief beyond "said".
        ("Ruth Kemp expressed confidence that the plant will reopen by May.", "Ruth Kemp"),
        ("Ruth Kemp conceded that the plant will not reopen by May.", "Ruth Kemp"),
        ("Ruth Kemp made clear that the plant will reopen by May.", "Ruth Kemp"),
        ("Ruth Kemp has long said the plant will reopen by May.", "Ruth Kemp"),
        # Whose view a sentence gives.
        ("In Ruth Kemp's view, the plant will reopen by May.", "Ruth Kemp"),
        ("Nomura's base case is that the yen will weaken by June.", "Nomura"),
        ("Ruth Kemp runs the plant. In her view, it will reopen by May.", "Ruth Kemp"),
        # Two names, one verb.
        ("Both Nomura and Barclays expect the yen to weaken by June.", "Nomura and Barclays"),
        # Roles and unnamed sources in the singular.
        ("Frost will return next week, the agency's chief meteorologist said.",
         "agency's chief meteorologist"),
        ("The plant will reopen by May, a source close to the talks said.",
         "source close to the talks"),
        ("The plant will reopen by May, a person familiar with the matter said.",
         "person familiar with the matter"),
        # A work and where it appeared, before its verb.
        ("Sea levels could rise by a metre by 2100, a new study published in Nature warns.",
         "new study published in Nature"),
    ],
)  # fmt: skip
def test_more_ways_of_naming_the_speaker(text: str, speaker: str) -> None:
    forecast = forecasts_in(text)[-1]
    assert forecast.speaker == speaker


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        # A team named with four words before it.
        ("The central bank's own research team has said rates will peak at 4% next year.",
         "central bank's own research team"),
        # "Their study" is the work of those the text named, not the journal it appeared in.
        ("Researchers at the University of Leeds said the ice was thinning fast. Their new"
         " study in Nature Climate predicts the shelf could collapse by 2040.",
         "University of Leeds"),
        # "identified" reports what a firm found.
        ("The Kiel Institute released its annual review on Monday. The firm identified three"
         " sectors expected to shrink next year.", "Kiel Institute"),
        # "they" after a clause about a group is that group.
        ("In Leeds, while doctors are already seeing more cases, they predict an even bigger"
         " rise by Friday.", "doctors"),
    ],
)  # fmt: skip
def test_whom_a_team_a_work_or_they_stands_for(text: str, speaker: str) -> None:
    forecast = forecasts_in(text)[-1]
    assert forecast.speaker == speaker


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("Acme Motor Company reported earnings on Thursday. The carmaker expects sales to grow"
         " by 5% next quarter.", "Acme Motor Company"),
        ("The Financial Conduct Authority opened a probe on Monday. The watchdog expects to"
         " finish it by June.", "Financial Conduct Authority"),
        ("Nomura cut its forecast on Monday. The Tokyo-based bank sees the yen at 160 by June.",
         "Nomura"),
        ("Nomura cut its forecast on Monday. Analysts at the bank see the yen at 160 by June.",
         "Nomura"),
    ],
)  # fmt: skip
def test_what_a_text_calls_an_organisation_it_has_named(text: str, speaker: str) -> None:
    forecast = forecasts_in(text)[-1]
    assert forecast.speaker == speaker


def test_the_central_bank_is_not_the_bank_named_before() -> None:
    text = "Nomura cut its forecast on Monday. The central bank expects inflation to ease by June."
    assert forecasts_in(text)[-1].speaker == "central bank"


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("Acme Motor Company beat estimates on Thursday and forecast that sales would grow by 5%"
         " next quarter.", "Acme Motor Company"),
        ("The Fed held rates steady but signalled it will cut twice this year.", "Fed"),
        ("Farmers protested in the capital and warned that food prices would rise.", "Farmers"),
    ],
)  # fmt: skip
def test_a_name_opening_the_sentence_is_the_subject_of_a_verb_joined_by_and(
    text: str, speaker: str
) -> None:
    [forecast] = forecasts_in(text)
    assert forecast.speaker == speaker


def test_a_possessive_opening_the_sentence_is_not_the_subject() -> None:
    text = "Spain's largest bank cut jobs in May and expects profits to fall next year."
    assert forecasts_in(text)[0].speaker != "Spain's"


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("Jane Doe, an economist at ING, said growth was weak. Ann Lee said prices rose."
         " The economist expects rates to fall by June.", "Jane Doe"),
        ("ING economist Jane Doe said growth was weak. Ann Lee said prices rose. Rates will"
         " fall by June, said the economist.", "Jane Doe"),
        ("A senior U.S. official said growth was weak. Ann Lee said prices rose. Rates will"
         " fall by June, the official said.", "senior U.S. official"),
        ("Fed Chair Jerome Powell spoke on Tuesday. Inflation would ease by June, the Fed chair"
         " said.", "Fed Chair Jerome Powell"),
    ],
)  # fmt: skip
def test_the_role_is_the_person_the_text_named_with_it(text: str, speaker: str) -> None:
    forecast = forecasts_in(text)[-1]
    assert forecast.speaker == speaker and forecast.speaker_kind == "person"


def test_a_line_that_only_names_who_reported_the_line_before_is_its_source() -> None:
    text = "The court will rule against the plan before summer,\nThe Ledger reported."
    [forecast] = forecasts_in(text)
    assert forecast.speaker == "Ledger"


def test_a_line_that_brings_in_what_follows_is_not_the_source_of_the_line_before() -> None:
    text = "The court will rule against the plan before summer.\nThe Ledger reports:"
    [forecast] = forecasts_in(text)
    assert forecast.speaker is None


def test_what_is_expected_to_happen_is_not_who_expects_it() -> None:
    text = (
        "There are also analysts claiming that the launch will slip to October, with the"
        " cheaper phones expected to go on sale in September."
    )
    assert [c.speaker for c in forecasts_in(text)] == ["analysts", "analysts"]


@pytest.mark.parametrize(
    ("text", "speaker", "kind"),
    [
        ("One-year interest rate swaps are pricing in a rise to 3% a year from now.",
         "One-year interest rate swaps", "organization"),
        ("A European official who spoke to reporters on condition of anonymity said a deal"
         " would be impossible by Sunday.", "European official", "person"),
    ],
)  # fmt: skip
def test_instruments_that_price_in_and_a_speaker_described_with_who(
    text: str, speaker: str, kind: str
) -> None:
    [forecast] = forecasts_in(text)
    assert forecast.speaker == speaker and forecast.speaker_kind == kind


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("As flu cases climb, health officials have a grim warning: February could be worse.",
         "health officials"),
        ("Officials began to see the summit as a likely date for the launch.", "Officials"),
        ("Though the ruling is near, many believe the court will strike the law down.", "many"),
    ],
)  # fmt: skip
def test_a_warning_had_a_verb_begun_and_many_who_believe(text: str, speaker: str) -> None:
    forecast = forecasts_in(text)[-1]
    assert forecast.speaker == speaker


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("Doe was blunt: \u201cRates will fall by June.\u201d", "Doe"),
        ("Said Jane Doe: \u201cRates will fall by June.\u201d", "Jane Doe"),
        ("Doe, 54, said rates would fall by June.", "Doe"),
        ("Doe, 54, a former central banker, said rates would fall by June.", "Doe"),
        ("Jane Doe (pictured) said rates would fall by June.", "Jane Doe"),
        ("Doe disagrees and expects rates to fall by June.", "Doe"),
        ("The consensus among economists is that rates will fall by June.", "economists"),
    ],
)  # fmt: skip
def test_a_colon_before_a_quotation_an_age_and_a_consensus(text: str, speaker: str) -> None:
    [forecast] = forecasts_in(text)
    assert forecast.speaker == speaker


def test_whom_the_speaker_spoke_to_before_the_name_is_not_the_speaker() -> None:
    text = (
        "Speaking to the Ledger, Ann Lee, chief analyst at Acme, said the market points to"
        " a slump next year."
    )
    assert forecasts_in(text)[0].speaker == "Ann Lee"


def test_the_report_is_of_whom_the_text_said_released_it() -> None:
    text = (
        "The review was released by the Kiel Institute on Tuesday."
        " According to the report, exports will fall by 2030."
    )
    [forecast] = forecasts_in(text)
    assert forecast.speaker == "Kiel Institute"


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("Oil will hit $100 by June - Goldman Sachs", "Goldman Sachs"),
        ("Rents will keep rising through 2026: analysts", "analysts"),
        ("One analyst expects oil to hit $100 by June.", "One analyst"),
        ("OPEC+ expects oil demand to rise by 2 million barrels a day next year.", "OPEC+"),
        ("China's central bank expects growth of 5% next year.", "China's central bank"),
    ],
)  # fmt: skip
def test_a_headlines_source_one_analyst_and_a_countrys_bank(text: str, speaker: str) -> None:
    [forecast] = forecasts_in(text)
    assert forecast.speaker == speaker


def test_a_possessive_before_report_is_not_the_subject_of_report_the_verb() -> None:
    text = "Wednesday's report will still show the full impact of the new tariffs."
    assert [c.speaker for c in forecasts_in(text)] == [None]


def test_the_company_is_the_company_not_the_estimates_quoted_since() -> None:
    text = (
        "Shares of Acme Foods rose on Tuesday. Analysts expected revenue of $5 billion,"
        " according to consensus estimates compiled by LSEG. Results for the year will be"
        " reported on March 5, the company said."
    )
    assert forecasts_in(text)[-1].speaker == "Acme Foods"


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("Ann Lee was quoted by the Ledger as saying that the deal would close in March.",
         "Ann Lee"),
        ("Roger W. Smith, Jr., the council's vice chairman, said the deal would close in March.",
         "Roger W. Smith, Jr."),
    ],
)  # fmt: skip
def test_quoted_as_saying_and_a_name_with_its_suffix(text: str, speaker: str) -> None:
    [forecast] = forecasts_in(text)
    assert forecast.speaker == speaker
