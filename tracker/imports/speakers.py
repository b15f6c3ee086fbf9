"""Whose forecast a sentence reports: the person or organisation named with a reporting verb
("X predicted that ...", "according to Y", "Z told W", "said the diplomat", "analysts warn",
"24/36 economists see", "a Reuters poll found"), or a pronoun ("he said", "the firm predicts")
read as the last person or organisation the text named. None is the author's own.

The rules look at the words around the verb: a name is a run of capitalised words (with "of",
"and", "&" between them and a possessive before them), or a group of people ("analysts",
"economists polled", "U.S. officials"); a comma-closed description between name and verb ("Jeff
Pu, an analyst at Haitong, said") is passed over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.imports import chances

PERSON = "person"
ORGANIZATION = "organization"

_VERB = (
    r"(?:said|says|say|told|tells|tell|predicted|predicts|predict|predicting|expects|expect|"
    r"expected|expecting|forecasts|forecast|forecasted|forecasting|warned|warns|warn|warning|"
    r"believes|believe|sees|see|think|thinks|estimates|estimated|projects|project|projected|"
    r"noted|notes|added|adds|claims|claimed|claiming|cautioned|cautions|argued|argues|wrote|"
    r"writes|reckons|reported|reports|confirmed|mentioned|stated|anticipates|anticipate|"
    r"flagged|vowed|outlined|found|finds|shows|showed|suggests|suggested|concluded|assumes|"
    r"identifies|puts|gives|rates)"
)
_AUX = (
    r"(?:(?:also|additionally|previously|now|still|further|even|had|have|has|is|are|was|"
    r"were|been|not|widely|broadly|largely|generally)\s+)*"
)
_GROUPS = (
    r"analysts|economists|strategists|experts|officials|forecasters|diplomats|researchers|"
    r"investors|traders|scientists|executives|observers|pollsters|bookmakers|bookies|punters|"
    r"insiders|sources|commentators|critics|officers|advisers|advisors|authorities|markets|"
    r"respondents|models|reports|modellers|modelers|experts|doctors|epidemiologists|"
    r"health\s+experts|betting\s+sites|sites|bankers|managers|CEOs"
)
_GROUP = re.compile(rf"\b(?:{_GROUPS})\b", re.IGNORECASE)
_ORG_WORDS = re.compile(
    r"\b(?:bank|poll|polls|survey|model|models|reuters|bloomberg|organi[sz]ation|administration|"
    r"agency|inc|corp|group|research|institute|fund|committee|department|ministry|office|"
    r"commission|council|markets?|bookmakers|betting|report|reports|firm|company|consultancy|"
    r"government|reserve|federal|university|sachs|morgan|stanley|citi|ubs|imf|who|eia|opec|"
    r"supercomputer|algorithms?|sites?|media|newspaper|the\s+\w+\s+times|team|club|board)\b",
    re.IGNORECASE,
)
_CAP = r"(?:[A-Z][\w.&'\u2019-]*|[A-Z]{2,}|[a-z]+[A-Z][\w]*)"
_LINK = r"(?:\s+(?:of|and|&|de|van|von|der|al|bin)\s+|\s+)"
_NAME = rf"{_CAP}(?:{_LINK}{_CAP})*"
_MODIFIER = (
    r"(?:[A-Z][\w.'\u2019-]*\s+|senior\s+|top\s+|some\s+|many\s+|most\s+|other\s+|"
    r"several\s+|leading\s+)*"
)
_SUBJECT = re.compile(
    rf"(?P<np>(?:(?:{_NAME})(?:['\u2019]s?)?\s+)?{_MODIFIER}(?:{_GROUPS})(?:\s+(?:polled|surveyed|at\s+{_NAME}))?"
    rf"|{_NAME}"
    rf"|\b(?:he|she|they|it|we|I)\b"
    rf"|\b(?:the|a|an)\s+(?:\w+\s+){{0,3}}?(?:firm|company|bank|consultancy|report|model|poll|"
    rf"survey|organi[sz]ation|agency|researcher|analyst|diplomat|official|strategists|"
    rf"bookmakers|forecasters|analysts|economists|experts|officials))"
    rf"(?P<apposition>,\s+[^,]{{3,90}},)?\s+{_AUX}(?P<verb>{_VERB})\b",
)
_ACCORDING = re.compile(
    r"\baccording\s+to\s+(?P<np>[^,;.]{2,120}?)(?=\s*(?:[,;.]|$|\s+(?:a|the)\s+majority|"
    r"\s+(?:there|it|he|she|they|which|who)\b))",
    re.IGNORECASE,
)
_SAID_AFTER = re.compile(
    r"(?:\bsaid|\bsays|\bsay|\bwrote|\bwarned|\badded|\bexplained)\s+"
    r"(?P<np>(?!(?:In|On|At|Last|This|Next|January|February|March|April|May|June|July|August|"
    r"September|October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
    r"Sunday)\b)[A-Z][\w.'\u2019-]*(?:\s+(?:[A-Z][\w.'\u2019-]*|[a-z]+(?=\s+[A-Z]))){0,6}"
    r"|the\s+(?:\w+\s+){0,3}(?:diplomat|official|analyst|source|researcher|expert|economist|"
    r"strategist))",
)
_POLL = re.compile(
    r"\b(?:a|the)\s+(?:latest\s+|new\s+)?(?P<np>(?:[A-Z][\w.]*\s+){1,3}(?:poll|survey))\b"
    r"|\b(?P<np2>[A-Z][\w.]*(?:\s+[A-Z][\w.]*)*\s+(?:poll|survey))\b"
)
_POSSESSIVE = re.compile(
    rf"(?P<np>{_NAME})['\u2019]s?\s+(?:\w+\s+)?(?:promise|prediction|forecast|warning|pledge|"
    r"expectation|view|projection|estimate|claim)s?\b"
)
_PRONOUN = {"he": PERSON, "she": PERSON, "they": None, "it": ORGANIZATION}
_DROP = re.compile(
    r"^(?:the|a|an|and|but|so|also|while|as|that|however|meanwhile|moreover|thus)\s+",
    re.IGNORECASE,
)
_NOT_NAMES = {
    "In",
    "On",
    "At",
    "By",
    "For",
    "If",
    "But",
    "And",
    "The",
    "This",
    "That",
    "These",
    "There",
    "It",
    "As",
    "So",
    "While",
    "When",
    "After",
    "Before",
    "Since",
    "Currently",
    "Now",
    "Thus",
    "However",
    "Moreover",
    "Looking",
    "Some",
    "Most",
    "Many",
    "No",
    "Only",
    "Then",
    "Both",
}


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
    last: Attribution | None = None

    def remember(self, attribution: Attribution) -> None:
        if attribution.kind == PERSON:
            self.person = attribution.name
        elif attribution.kind == ORGANIZATION:
            self.organization = attribution.name
        if re.search(r"\b(?:poll|survey)\b", attribution.name, re.I):
            self.poll = attribution.name
        self.last = attribution


def _clean(name: str) -> str:
    name = re.sub(r"(?<=[a-z]{2})\.$", "", name.strip(" ,;:\u201c\u201d\"'"))
    while True:
        dropped = _DROP.sub("", name)
        if dropped == name:
            return name
        name = dropped


def speaker_kind(name: str, known_person: str | None = None) -> str | None:
    """Whether a name is a person's or an organisation's, by its words."""
    if _GROUP.search(name) and not re.search(
        r"\b(?:markets|bookmakers|bookies|sites|models|reports)\b", name, re.I
    ):
        return PERSON
    if _ORG_WORDS.search(name) or re.fullmatch(r"[A-Z]{2,}\S*", name):
        return ORGANIZATION
    words = name.split()
    if known_person and words and words[-1] in known_person.split():
        return PERSON
    capitalised = [w for w in words if w[:1].isupper()]
    return PERSON if len(capitalised) >= 2 else ORGANIZATION


def _resolve(word: str, speakers: Speakers) -> tuple[str, str | None] | None:
    """A pronoun's speaker: the last person ("he", "she") or organisation ("it") named, or
    whoever was named last ("they"); "I" and "we" are the author's own."""
    lower = word.lower()
    if lower in ("i", "we"):
        return None
    kind = _PRONOUN.get(lower)
    if kind == PERSON and speakers.person:
        return speakers.person, PERSON
    if kind == ORGANIZATION and speakers.organization:
        return speakers.organization, ORGANIZATION
    if speakers.last is not None:
        return speakers.last.name, speakers.last.kind
    return None


def _definite(name: str, speakers: Speakers) -> tuple[str, str | None]:
    """ "the firm", "the report": the organisation named last; "the diplomat": the person."""
    if (
        re.fullmatch(
            r"(?:the\s+)?(?:firm|company|bank|consultancy|organi[sz]ation|agency)", name, re.I
        )
        and speakers.organization
    ):
        return speakers.organization, ORGANIZATION
    return name, speaker_kind(name, speakers.person)


def find_attributions(sentence: str, speakers: Speakers) -> list[Attribution]:
    """Every attribution in a sentence, left to right; pronouns read against `speakers`."""
    found: list[Attribution] = []

    def add(name: str, kind: str | None, start: int, end: int) -> None:
        if not name or any(start < a.end and a.start < end for a in found):
            return
        found.append(Attribution(name, kind, start, end))

    for match in _ACCORDING.finditer(sentence):
        name = _clean(match["np"])
        name = re.split(r",\s+", name)[0]
        if re.fullmatch(r"(?:these|those)\s+\w+|reports?|(?:the\s+)?data", name, re.I):
            name, kind = _definite(name, speakers)
        else:
            kind = speaker_kind(name, speakers.person)
        add(name, kind, match.start(), match.end())
    for match in _SAID_AFTER.finditer(sentence):
        name = _clean(match["np"])
        if name.split()[0] in _NOT_NAMES:
            continue
        end = match.end() - (match["np"].endswith(".") and not name.endswith("."))
        add(name, speaker_kind(name, speakers.person), match.start(), end)
    for match in _SUBJECT.finditer(sentence):
        np = match["np"]
        if np in _NOT_NAMES or np.split()[0] in ("In", "On", "At", "By", "For", "If", "When"):
            continue
        verb = match["verb"].lower()
        if re.search(r"\b(?:is|are|was|were|been|be)\s+$", match.group(0)[: -len(verb)]):
            continue  # "are predicted to": the subject is what is forecast, not who forecasts
        if verb in ("puts", "gives", "rates") and not re.search(
            r"\b(?:odds|chance|favourite|favorite|target|forecast)", sentence, re.I
        ):
            continue
        if chances.number(np) is not None or np.lower() in ("remainder", "the remainder"):
            if speakers.poll:  # "Thirteen said": a count of the survey's group
                add(speakers.poll, ORGANIZATION, match.start(), match.end())
            continue
        start, end = match.start(), match.end()
        if np.lower() in ("he", "she", "they", "it", "we", "i"):
            resolved = _resolve(np, speakers)
            if resolved is None:
                continue
            add(resolved[0], resolved[1], start, end)
            continue
        name = _clean(np)
        if not name or (name.split()[0] in _NOT_NAMES and not _GROUP.search(name)):
            continue
        resolved_name, kind = _definite(name, speakers)
        add(resolved_name, kind, start, end)
    for match in _POSSESSIVE.finditer(sentence):
        name = _clean(match["np"])
        if name and name.split()[0] not in _NOT_NAMES:
            add(name, speaker_kind(name, speakers.person), match.start(), match.end())
    for match in _POLL.finditer(sentence):
        name = _clean(match["np"] or match["np2"])
        if name.split()[0] not in _NOT_NAMES:
            add(name, ORGANIZATION, match.start(), match.end())
    return sorted(found, key=lambda a: a.start)


def nearest(attributions: list[Attribution], start: int, end: int) -> Attribution | None:
    """The attribution of the forecast at text[start:end] of its sentence: one inside it or
    just before it, else the first after it."""
    before = [a for a in attributions if a.start < end]
    if before:
        return before[-1]
    return attributions[0] if attributions else None
