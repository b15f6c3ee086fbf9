"""Who a text has named so far, and whom its back references mean: the person, organisation
and poll last named (`Speakers`), a person named by title or an organisation a sentence opens
with though it reports nothing ("Apple analyst Ming-Chi Kuo", "Morgan Stanley is less bullish"),
a pronoun ("he", "it", "they") and a definite description ("the firm", "the report", "the
economist", "analysts at Citi") read against them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracker.imports import speaker_phrases as phrases
from tracker.imports.speaker_words import (
    BACK_TO_ORGANIZATION,
    GROUP,
    NAME,
    NOT_NAMES,
    ORG_WORDS,
    ORGANIZATION,
    OWN_GROUP,
    PERSON,
    PERSON_APPOSED,
    PERSON_SUBJECT,
    ROLE,
    clean_name,
    names_group,
    speaker_kind,
)

_OPENS_QUOTE = re.compile(r"^\W*?[\u201c\"]")
_OFFICER = re.compile(r"president|CEO|chairman|chairwoman|founder|chief")
# A company's officer: "Navistar's president and CEO", "Acme's chief financial officer".
_ORG_OF_ROLE = re.compile(
    rf"(?P<org>{NAME})['\u2019]s?\s+(?:(?:[a-z]+\s+){{0,2}}(?:president|CEO|chairman|"
    r"chairwoman|founder)|chief\s+(?:[a-z]+\s+)?(?:executive|officer))\b"
)
PRONOUN = {"he": PERSON, "she": PERSON, "they": None, "it": ORGANIZATION}
# A person called by their nationality: "the Norwegian", "the Spaniard", "the Portuguese".
_DEMONYM = re.compile(r"(?:[Tt]he\s+)?(?!Guardian\b)[A-Z][a-z]+(?:ian|ean|ese|ard|ish|lander)")
# A forecaster's work named without its author: the organisation the text named last.
_ITS_WORK = re.compile(r"(?:[Tt]he\s+)?(?:[Ff]orecasts|[Pp]rojections|[Ee]stimates)")


@dataclass(frozen=True)
class Attribution:
    """Who a reported forecast is from, and where the text names them."""

    name: str
    kind: str | None
    start: int
    end: int


@dataclass
class Speakers:
    """The people and organisations a text has named so far, for its pronouns."""

    person: str | None = None
    organization: str | None = None
    poll: str | None = None
    # The organisation last named that is no work ("consensus estimates", "a poll"): "the firm".
    company: str | None = None
    last: Attribution | None = None
    named: list[Attribution] = field(default_factory=list)
    # The person last named with each role ("economist": "Jane Doe"), for "the economist said".
    roles: dict[str, str] = field(default_factory=dict)

    def _person(self, name: str, described: str) -> None:
        self.person = name
        for role in phrases.ROLE_WORD.findall(described):
            self.roles[role.lower()] = name

    def remember(self, attribution: Attribution) -> None:
        if attribution.kind == PERSON and not names_group(attribution.name):
            # "he" and "she" are one person, not "analysts"
            self._person(attribution.name, attribution.name)
        elif attribution.kind == ORGANIZATION and not phrases.THE_ORGANIZATION.fullmatch(
            attribution.name
        ):  # a bare "company" the text named no company for says nothing of the next
            self.organization = attribution.name
            if not phrases.WORK_NAME.search(attribution.name):
                self.company = attribution.name
        if re.search(r"\b(?:poll|survey)\b", attribution.name, re.I):
            self.poll = attribution.name
        self.last = attribution
        self.named.append(attribution)

    def mention(self, sentence: str) -> None:
        """A person the sentence names by title ("Apple analyst Ming-Chi Kuo has released his
        report"), for a "he" or "she" that follows, though the sentence reports nothing; an
        organisation it opens with ("Morgan Stanley is less bullish."), for an "its"."""
        quoted = bool(_OPENS_QUOTE.match(sentence))
        for pattern in (PERSON_SUBJECT, PERSON_APPOSED, phrases.TITLED):
            if quoted and pattern is PERSON_SUBJECT:
                # "“Manchester United is going to win,” he said": who a quotation opens with is
                # what the speaker talks of, not the speaker
                continue
            for match in pattern.finditer(sentence):
                name = re.sub(r"^The\s+(?=\S)", "", match["name"])  # "The Kiel Institute"
                if name.split()[0] in NOT_NAMES:
                    continue
                organization = ORG_WORDS.search(name) or speaker_kind(name) == ORGANIZATION
                if organization and pattern is PERSON_SUBJECT:
                    self.organization = self.company = name
                elif not organization:
                    self._person(name, match.group(0))
        for match in phrases.SHARES_OF.finditer(sentence):
            self.organization = self.company = match["name"]  # "Shares of Acme rose"
        officers = _ORG_OF_ROLE.finditer(sentence) if _OFFICER.search(sentence) else iter(())
        for match in officers:
            # "Troy Clarke, Navistar's president and CEO": the company a person speaks for, for
            # a later "the company"
            name = clean_name(match["org"])
            if name.split()[0] not in NOT_NAMES:
                self.company = name


def resolve_pronoun(word: str, speakers: Speakers) -> tuple[str, str | None] | None:
    """A pronoun's speaker: the last person ("he", "she") or organisation ("it") named, or
    whoever was named last ("they"); "I" and "we" are the author's own."""
    lower = word.lower()
    if lower in ("i", "we"):
        return None
    kind = PRONOUN.get(lower)
    if kind == PERSON and speakers.person:
        return speakers.person, PERSON
    if kind == ORGANIZATION and speakers.organization:
        return speakers.organization, ORGANIZATION
    if speakers.last is not None:
        return speakers.last.name, speakers.last.kind
    return None


def resolve_definite(name: str, speakers: Speakers) -> tuple[str, str | None]:
    """ "the firm", "the report": the organisation named last; "the diplomat": the person."""
    if phrases.THE_ORGANIZATION.fullmatch(name):
        report = name.lower().endswith("report")
        named = (speakers.company if not report else None) or speakers.organization
        if named:
            return named, ORGANIZATION
    last = speakers.last
    if (
        last is not None
        and last.kind == ORGANIZATION
        and last.name == speakers.organization
        and BACK_TO_ORGANIZATION.fullmatch(name)
        and name.split()[-1].islower()  # "Deutsche Bank" is a name, not "the bank"
    ):
        return last.name, ORGANIZATION  # "TrendForce said ... , the Taipei-based researcher said"
    if _DEMONYM.fullmatch(name) and speakers.person:
        return speakers.person, PERSON  # "the Norwegian added": the manager named before
    if _ITS_WORK.fullmatch(name) and speakers.organization:
        return speakers.organization, ORGANIZATION  # "Forecasts suggest": its forecasts
    if OWN_GROUP.fullmatch(name) and speakers.organization:
        return speakers.organization, ORGANIZATION  # "the bank's analysts", "its strategists"
    if re.fullmatch(r"(?:these|those)\s+\w+", name, re.I) and speakers.last is not None:
        return speakers.last.name, speakers.last.kind  # "according to these algorithms"
    if re.fullmatch(r"(?:\w+\s+)?respondents", name, re.I) and speakers.poll:
        return speakers.poll, ORGANIZATION  # the survey's respondents: the survey's finding
    at = re.search(
        rf"\b(?:at|of|from|with)\s+(?:the\s+)?(?:\w+['\u2019]s?\s+)?(?P<org>{NAME})$", name
    )
    if at and GROUP.match(name):
        return at["org"], ORGANIZATION  # "analysts at Citi": the bank's forecast
    role = phrases.THE_ROLE.fullmatch(name)
    if role and role["role"].lower() in speakers.roles:
        return speakers.roles[role["role"].lower()], PERSON  # "the economist": Jane Doe
    if re.search(rf"\b(?:{ROLE})s?\b", name.split(" for ")[0].split(" of ")[0], re.I):
        return name, PERSON  # "the company's chief executive", "a spokesman for the ministry"
    return name, speaker_kind(name, speakers.person)
