"""The words of reported speech that the speaker rules are written in: reporting verbs, groups
of people, words of organisations and roles, how a name is written, whether a name is a
person's or an organisation's, and the wordings that name whose a forecast is ("the view of",
"has cut its forecast")."""

from __future__ import annotations

import re

PERSON = "person"
ORGANIZATION = "organization"

VERB = (
    r"(?:said|says|say|told|tells|tell|predicted|predicts|predict|predicting|expects|expect|"
    r"expected|expecting|forecasts|forecast|forecasted|forecasting|warned|warns|warn|warning|"
    r"believes|believe|sees|see|think|thinks|estimates|estimated|projects|project|projected|"
    r"noted|notes|added|adds|claims|claimed|claiming|cautioned|cautions|argued|argues|wrote|"
    r"writes|reckons|reported|reports|confirmed|mentioned|stated|anticipates|anticipate|"
    r"flagged|vowed|outlined|found|finds|shows|showed|suggests|suggested|concluded|assumes|"
    r"identifies|identified|puts|gives|rates|report|revised|adjusted|raised|lowered|estimate|suggest|"
    r"assigns|assigned|attaches|attached|targets|calls\s+for|called\s+for|"
    r"imply|implies|implied|pricing\s+in|priced\s+in|price\s+in|prices\s+in|"
    r"put|give|assess|assesses|assessed|insisted|insists|insist|stressed|stresses|indicated|"
    r"indicates|signalled|signaled|announced|announces|acknowledged|admitted|explained|"
    r"reiterated|contends|contended|envisage|envisages|foresee|foresees|"
    r"calculated|calculates|reckoned|reckon|believed|thought|feared|fears|fear|doubt|doubts|"
    r"doubted|hope|hopes|hoped|anticipated|agreed|agree|agrees|pointed\s+to|points\s+to|"
    r"promised|promises|pledged|pledges|betting|wagering|reporting|saying|estimating|"
    r"projecting|cautioning|suggesting|arguing|noting|concludes|promising|pledging|vowing|"
    r"conceded|concedes|hinted|hints|tweeted|tweets|assured|assures|"
    r"declared|declares|made\s+(?:it\s+)?clear|went\s+on\s+to\s+say|considers|considered|"
    r"(?:expressed|expresses|voiced|voices)\s+(?:\w+\s+)?(?:confidence|hope|optimism|doubts?|"
    r"concerns?|fears?|scepticism|skepticism)|"
    r"(?:was|were|is|has\s+been)\s+quoted\s+(?:by\s+[^,.;]{2,40}?\s+)?as\s+saying|"
    r"(?:have|has|had|issued|issues|gave|sounded|sounds)\s+(?:a|an)\s+(?:[\w-]+\s+)?"
    r"(?:warning|prediction|forecast)|"
    r"(?:is|are|was|were|remains?|remained)\s+(?:\w+\s+)?(?:confident|convinced|sure|optimistic|"
    r"pessimistic|adamant|hopeful)|(?:has|have|had)\s+no\s+doubts?)"
)
AUX = (
    r"(?:(?:also|additionally|previously|now|still|further|even|had|have|has|is|are|was|"
    r"already|repeatedly|increasingly|privately|publicly|reportedly|recently|long|"
    r"were|been|not|widely|broadly|largely|generally|does|do|did|only|just|"
    r"(?:does|do|did|is|are|was|were|has|have)n['\u2019]t|"
    r"(?:began|begin|begins|continue|continues|continued|seem|seems|seemed)\s+to)\s+)*"
)
GROUPS = (
    r"analysts|economists|strategists|experts|officials|forecasters|diplomats|researchers|"
    r"investors|traders|scientists|executives|observers|pollsters|bookmakers|bookies|punters|"
    r"insiders|sources|commentators|critics|officers|advisers|advisors|authorities|markets|"
    r"respondents|models|reports|modellers|modelers|experts|doctors|epidemiologists|"
    r"health\s+experts|betting\s+sites|sites|bankers|managers|CEOs|regulators|lawmakers|"
    r"legislators|policymakers|pundits|agencies|prosecutors|negotiators|campaigners|activists|"
    r"climatologists|meteorologists|virologists|physicians|scouts|"
    r"(?:people|persons)(?=\s+(?:familiar|close|briefed|with\s+knowledge))|"
    r"intelligence(?:\s+(?:community|services|agencies))?|senators|MPs|ministers|leaders|"
    r"members|governors|judges|justices|supporters|voters|fans|delegates|participants|swaps"
)
GROUP = re.compile(rf"\b(?:{GROUPS})\b", re.IGNORECASE)
ORG_WORDS = re.compile(
    r"\b(?:bank|poll|polls|survey|model|models|reuters|bloomberg|organi[sz]ation|administration|"
    r"agency|inc|corp|group|research|institute|fund|committee|department|ministry|office|"
    r"commission|council|markets?|bookmakers|betting|report|reports|firm|company|consultancy|"
    r"government|reserve|federal|university|sachs|morgan|stanley|citi|ubs|imf|who|eia|opec|"
    r"supercomputer|algorithms?|sites?|media|newspaper|the\s+\w+\s+times|team|club|board|"
    r"ratings|agencies|capital|partners|securities|holdings|llc|ltd|plc|ag|sa|"
    r"intelligence|office|ministry|service|center|centre|authority|study|journal)\b",
    re.IGNORECASE,
)
CAP = r"(?!I\b)(?:[A-Z][\w.&'\u2019-]*|[A-Z]{2,}\+?|[a-z]+[A-Z][\w]*)"  # "OPEC+"
LINK = r"(?:\s+(?:of|for)(?:\s+the)?\s+|\s+(?:and|&|de|van|von|der|al|bin)\s+|\s+)"
NAME = rf"{CAP}(?:{LINK}{CAP})*"
MODIFIER = (
    r"(?:[A-Z][\w.'\u2019-]*\s+|senior\s+|top\s+|some\s+|many\s+|most\s+|other\s+|"
    r"several\s+|leading\s+|(?:two|three|four|five|several|\d+)\s+)*"
    r"(?:\b(?!(?:of|the|a|an|and|or|to|in|on|at|for|with|by|from|that|than|as|but|who|which|"
    r"whom|all|if|when|while|because|so|said|says|say|are|is|was|were|be|been|also|there)\b)"
    r"[a-z]+\s+){0,2}?"
)
# Roles a person is named by when the text gives no name ("a spokesman for the ministry said").
ROLE = (
    r"spokes(?:man|woman|person)|executive|chief|minister|president|director|economist|"
    r"strategist|source|adviser|advisor|representative|officer|head|chairman|chairwoman|CEO|"
    r"governor|expert|scientist|envoy|negotiator|commander|lawmaker|senator|aide|insider|"
    r"manager|coach|analyst|epidemiologist|doctor|professor|researcher|ambassador|chancellor|"
    r"member|chair|meteorologist|climatologist|virologist|forecaster|pollster"
)
# "(WHO)", and a lawmaker's party and state: "(D-N.Y.)", "(R-Texas)".
ACRONYM = r"(?:\s+\((?:[A-Z][A-Za-z]{1,7}|[DRI]-[A-Z][\w.]*|[^\x00-\x7f]{1,12})\))?"
DROP = re.compile(
    r"^(?:the|a|an|and|but|so|also|while|as|that|however|meanwhile|moreover|thus|though|both|"
    r"although|yet|still|because|since|when|whereas|where)\s+",
    re.IGNORECASE,
)
# Capitalised words that start sentences and clauses, not names.
NOT_NAMES = frozenset(
    re.findall(
        r"\w+",
        "In On At By For If But And The This That These There It As So While When After Before "
        "Since Currently Now Thus However Moreover Looking Some Most Many No Only Then Both My "
        "Our Your His Her Their Its We They I What Who How Why Even Still Yet January February "
        "March April May June July August September October November December Monday Tuesday "
        "Wednesday Thursday Friday Saturday Sunday Today Tomorrow Yesterday Last Next To Nobody "
        "Few None All Each Every Any Several Almost Nearly Meanwhile Indeed Instead MORE READ "
        "WATCH RELATED UPDATE BREAKING",
    )
)


SPELLED_OUT = re.compile(
    r"(?P<words>(?:[A-Z][\w.'\u2019-]*\s+)*[A-Z][\w.'\u2019-]*)\s+\((?P<short>[A-Z][A-Za-z]{1,7})\)"
)


def short_form(match: re.Match[str]) -> str:
    """ "World Health Organization (WHO)" -> "WHO"; "U.S. Energy Information Administration
    (EIA)" -> "U.S. EIA": the name as the text abbreviates it, from the word it starts with."""
    words = match["words"].split()
    for index, word in enumerate(words):
        if word[0] == match["short"][0]:
            return " ".join([*words[:index], match["short"]])
    return match.group(0)


def clean_name(name: str) -> str:
    name = re.sub(r"(?<=[a-z]{2})\.$", "", name.strip(" ,;:\u201c\u201d\"'"))
    name = SPELLED_OUT.sub(short_form, name)
    while True:
        dropped = DROP.sub("", name)
        if dropped == name:
            return name
        name = dropped


# A name ending in a role is a person's: "a U.S. defense official", "the bank's chief economist".
_ROLE_END = re.compile(rf"\b(?:{ROLE}|official|diplomat)$", re.IGNORECASE)


# A title, then a person's name last: "Director of U.S. National Intelligence Avril Haines".
_TITLED_NAME = re.compile(
    r"^(?:Director|Secretary|Minister|President|Governor|Chairman|Chairwoman|Chair|Chief|Head|"
    r"Commissioner|Ambassador|Senator|Speaker|Leader)\b.*\s(?!(?:Agency|Office|Bank|Council|"
    r"Department|Ministry|Service|Intelligence|Affairs|Health|Defense|Defence|State)\b)"
    r"[A-Z][a-z'\u2019-]+\s+[A-Z][a-z'\u2019-]+$"
)


def names_group(name: str) -> bool:
    """Whether a name speaks of a group of people ("analysts at Citi", "Intelligence
    officials"), not of an organisation whose proper name holds a group word ("the Defense
    Intelligence Agency", "Director of National Intelligence")."""
    for match in GROUP.finditer(name):
        before = name[: match.start()].split()
        if match.group(0)[:1].isupper() and before and before[-1][:1].isupper():
            continue
        return True
    return False


def speaker_kind(name: str, known_person: str | None = None) -> str | None:
    """Whether a name is a person's or an organisation's, by its words."""
    if _ROLE_END.search(name) or _TITLED_NAME.search(name):
        return PERSON
    if names_group(name) and not re.search(
        r"\b(?:markets|bookmakers|bookies|sites|models|reports|swaps)\b", name, re.I
    ):
        return PERSON
    if ORG_WORDS.search(name) or re.fullmatch(r"[A-Z]{2,}\S*", name):
        return ORGANIZATION
    words = name.split()
    if known_person and words and words[-1] in known_person.split():
        return PERSON
    capitalised = [w for w in words if w[:1].isupper()]
    return PERSON if len(capitalised) >= 2 else ORGANIZATION


# The people of an organisation the text has named: "the bank's analysts", "its strategists".
OWN_GROUP = re.compile(
    r"(?:(?:the\s+)?(?:firm|company|bank|consultancy|organi[sz]ation|agency|group|lender|"
    r"broker|brokerage|institute|fund)['\u2019]s?|its)\s+(?:[\w-]+\s+)?(?:analysts|economists|"
    r"strategists|researchers|experts|forecasters|executives|officials|team)",
    re.IGNORECASE,
)
# "are predicted to", "is widely expected to": a passive, whose subject is what is forecast.
PASSIVE_BEFORE = re.compile(
    r"\b(?:is|are|was|were|been|be)\s+(?:(?:now|still|also|already|widely|broadly|largely|"
    r"generally|increasingly|reportedly|not|even|further)\s+)*$"
)


# What a text calls an organisation it has named: "the researcher", "the Paris-based agency",
# "the iPhone maker", "the watchdog".
ORG_NOUNS = (
    r"researcher|research\s+(?:firm|house|group)|forecaster|lender|institute|tracker|insurer|"
    r"carrier|[a-z]*maker|retailer|broker|brokerage|manufacturer|producer|supplier|provider|"
    r"operator|group|organi[sz]ation|agency|firm|company|bank|consultancy|watchdog|regulator|"
    r"giant|airline|fund|conglomerate|miner|developer|publisher|broadcaster|designer|startup"
)
BACK_TO_ORGANIZATION = re.compile(
    rf"(?!central\s)(?:[\w.'\u2019-]+\s+){{0,2}}?(?:{ORG_NOUNS})", re.IGNORECASE
)  # "the central bank" is another bank

# "the view of analyst firm CCS Insight", "CCS Insight has cut its forecast": whose view,
# forecast or expectations the text names.
VIEW_OF = re.compile(
    r"\bthe\s+(?:\w+\s+)?(?:view|forecast|prediction|assessment|verdict|conclusion|estimate|"
    r"expectation|projection)s?\s+of\s+(?:(?:the\s+)?(?:analyst|research|consulting|market|"
    rf"analysis|investment)\s+(?:firm|house|group|company)\s+|the\s+)?(?P<np>{NAME}{ACRONYM})"
)
REVISED = re.compile(
    rf"(?P<np>{NAME}{ACRONYM})\s+(?:has\s+|have\s+|had\s+)?(?:also\s+)?(?:raised|cut|"
    r"lowered|trimmed|downgraded|upgraded|revised|lifted|slashed|reiterated|maintained|kept|"
    r"ramped\s+up|scaled\s+back|pared\s+back|updated|boosted|hiked)\s+"
    r"(?:(?:its|their|the|his|her)\s+)?(?:[\w-]+\s+){0,2}?(?:forecasts?|expectations|outlook|"
    r"estimates?|projections?|guidance|targets?|predictions?)\b"
)
WORK_WORDS = re.compile(
    r"\b(?:by|view|forecasts?|predictions?|assessment|verdict|conclusion|estimates?|expectations?|"
    r"projections?|outlook|guidance|targets?)\b"
)
# A person the text names as a sentence's subject ("Sarah Lee runs the fund.") or with a role
# set off by commas ("Paul De Sa, an analyst at Bernstein Research"): whom a later "she" means.
PERSON_SUBJECT = re.compile(
    r"^\W*(?P<name>[A-Z][a-z'\u2019-]+(?:\s+(?:[A-Z][a-z'\u2019-]+|de|De|van|von)){1,3})"
    r"(?:,\s+[^,]{3,80},)?\s+(?:is|was|has|had|[a-z]+s|[a-z]+ed|spoke|said|told|met|wrote|"
    r"gave|took|made|saw|led|won|lost|held|kept|thought|began|became|sat|stood|went|came)\b"
)
PERSON_APPOSED = re.compile(
    r"(?P<name>[A-Z][a-z'\u2019-]+(?:\s+(?:[A-Z][a-z'\u2019-]+|de|De|van|von)){1,3}),\s+"
    rf"(?:(?:an?|the|its|their)\s+)?(?:[\w'\u2019-]+\s+){{0,3}}?(?:{ROLE}|[a-z]+ist)\b"
)
