"""Whom a sentence's forecast comes from when a neighbouring sentence says so: a next sentence
that only names the source ("This is reported by Bloomberg."), and a source described but not
named ("..., a state public health official said", "according to an influential pollster")
whom the next sentence names ("Sarah Reisetter, deputy director of ...", "Elections analyst
Robert Hayward told Sky News ...")."""

from __future__ import annotations

import re

from tracker.imports import speaker_works as works
from tracker.imports.speaker_memory import Attribution, Speakers
from tracker.imports.speaker_words import GROUP as _GROUP
from tracker.imports.speaker_words import NOT_NAMES as _NOT_NAMES
from tracker.imports.speaker_words import PERSON, speaker_kind
from tracker.imports.speaker_words import ROLE as _ROLE
from tracker.imports.speaker_words import clean_name as _clean
from tracker.imports.speakers import find_attributions


def source_of_previous(following: str, speakers: Speakers) -> Attribution | None:
    """Who the sentence before `following` comes from, when `following` is a sentence that only
    says so ("This is reported by Bloomberg."): else None."""
    line = works.SOURCE_LINE.match(following)
    if not line:
        return None
    if line["np"] or line["alone"]:
        name = _clean(line["np"] or line["alone"])
        return Attribution(name, speaker_kind(name, speakers.person), line.start(), line.end())
    named = find_attributions(following, speakers)
    return named[0] if named else None


# A speaker described but not named: "a state public health official said", "said a senior
# U.S. army vaccine researcher", "one of the nation's best-known pollsters".
_DESCRIBED = re.compile(
    r"^(?:(?:said|says|told|added|according\s+to)\s+)?(?:[Aa]|[Aa]n|[Oo]ne|[Aa]nother)\s+"
    r"(?!of\s+(?:them|those)\b)"
)
# The person a next sentence introduces: "Sarah Reisetter, deputy director of ...", "Dr.
# Anthony Fauci, director of ...", near its start.
_INTRODUCED = re.compile(
    r"^[^.;:\u201c\u201d\"]{0,80}?\b(?:(?:Dr|Prof|Gen|Col|Adm|Sen|Rep|Gov)\.\s+)?"
    r"(?P<name>[A-Z][a-z'\u2019-]+(?:\s+(?:[A-Z]\.|[A-Z][a-z'\u2019-]+|de|van|von)){1,3}),\s+"
    rf"(?:(?:an?|the|its|their)\s+)?(?:[\w'\u2019.-]+\s+){{0,4}}?(?:{_ROLE}|[a-z]+ist|official)s?\b"
)


def named_next(sentence: str, attribution: Attribution, following: str) -> Attribution | None:
    """The person a described, unnamed speaker turns out to be, when the next sentence names
    someone with a role first thing ("..., a state public health official said. Sarah
    Reisetter, deputy director of the state public health department, ..."); else None."""
    span = sentence[attribution.start : attribution.end]
    # A person may be described with where they work ("An executive at Pfizer said"), a work
    # with what it is of ("a new survey and model of the British electorate"); a work that
    # names its author ("a new forecast from ... Gartner") is already named.
    head = attribution.name.split(" of ")[0]
    role = re.split(r"\s(?:of|at|for|from|with)\s", attribution.name)[0]
    if attribution.kind == PERSON or re.search(rf"\b(?:{_ROLE}|official)s?$", role, re.I):
        head = role
    # "a noted Wall Street economist": capitals before a role describe the person
    head = re.sub(rf"^.*?\b(?={_ROLE}s?$)", "", head, flags=re.I) or head
    if _DESCRIBED.match(span) and not re.search(r"\b[A-Z]", head) and not _GROUP.search(head):
        # "..., according to an influential pollster." then "Elections analyst Robert Hayward
        # told Sky News ...": the source the next sentence names is the one described
        named = [
            a
            for a in find_attributions(following, Speakers())
            if re.search(r"\b[A-Z][a-z]", a.name) and a.name.split()[0] not in _NOT_NAMES
        ]
        if named:
            return Attribution(named[0].name, named[0].kind, attribution.start, attribution.end)
    if (
        attribution.kind != PERSON
        or _GROUP.search(attribution.name)
        or not _DESCRIBED.match(span)
        or re.search(r"\b[A-Z][a-z]{2,}", attribution.name)
    ):
        return None
    introduced = _INTRODUCED.match(following)
    if not introduced or introduced["name"].split()[0] in _NOT_NAMES:
        return None
    return Attribution(introduced["name"], PERSON, attribution.start, attribution.end)
