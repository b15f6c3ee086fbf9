"""Whose forecast a sentence reports: the person or organisation named with a reporting verb
("X predicted that ...", "according to Y", "Z told W", "said the diplomat", "analysts warn",
"24/36 economists see", "a Reuters poll found"), or a pronoun ("he said", "the firm predicts")
read as the last person or organisation the text named. None is the author's own.

The rules look at the words around the verb: a name is a run of capitalised words (with "of",
"for", "and", "&" between them and a possessive before them), or a group of people ("analysts",
"economists polled by Reuters", "strategists from Wall Street firms", "people familiar with the
matter"), or a role ("a spokesman for the ministry"); a comma-closed description between name
and verb ("Jeff Pu, an analyst at Haitong, said") is passed over, and a name set off by commas
after a role ("The company's chief executive, Tim Cook, said") is the speaker. A work speaks for
its author ("a report by the IFS", "the ISW released an analysis", "Nate Silver's model gives",
"finds a survey of US households"); "the economists" and "they" are the group last named; a
headline may name its source ("Experts: ...").
"""

from __future__ import annotations

import re

from tracker.imports import number_words, odds
from tracker.imports import speaker_phrases as phrases
from tracker.imports import speaker_works as works
from tracker.imports.speaker_memory import (
    PRONOUN,
    Attribution,
    Speakers,
    resolve_definite,
    resolve_pronoun,
)
from tracker.imports.speaker_words import (
    ACRONYM as _ACRONYM,
)
from tracker.imports.speaker_words import (
    AUX as _AUX,
)
from tracker.imports.speaker_words import (
    GROUP as _GROUP,
)
from tracker.imports.speaker_words import (
    GROUPS as _GROUPS,
)
from tracker.imports.speaker_words import (
    MODIFIER as _MODIFIER,
)
from tracker.imports.speaker_words import (
    NAME as _NAME,
)
from tracker.imports.speaker_words import (
    NOT_NAMES as _NOT_NAMES,
)
from tracker.imports.speaker_words import (
    ORG_NOUNS,
    ORGANIZATION,
    PASSIVE_BEFORE,
    PERSON,
    REVISED,
    VIEW_OF,
    WORK_WORDS,
    speaker_kind,
)
from tracker.imports.speaker_words import (
    ROLE as _ROLE,
)
from tracker.imports.speaker_words import (
    VERB as _VERB,
)
from tracker.imports.speaker_words import (
    clean_name as _clean,
)

# When, between a subject and its verb: "OPEC on Monday forecast higher demand".
_WHEN = (
    r"(?:on\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|yesterday|today|"
    r"(?:last|this)\s+(?:week|month)|earlier\s+this\s+(?:week|month|year))"
)
_DAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_WORK = (
    r"(?:study|report|model|analysis|survey|paper|research|forecasts?|projections?|outlook|note)"
)
# A capitalised determiner is no name of its own: "The report claims" is the report's.
_DETERMINER = r"(?:The|An?|This|That|These|Those|Its|Their|His|Her)"
_SUBJECT = re.compile(
    rf"\b(?P<np>(?:(?:{_NAME})(?:['\u2019]s?)?\s+(?:team\s+of\s+)?)?{_MODIFIER}(?i:{_GROUPS})(?:\s+(?:(?:polled|surveyed|questioned|interviewed)(?:\s+by\s+{_NAME})?|(?:at|from|with|of)\s+(?:[a-z]+\s+){{0,2}}{_NAME}(?:\s+(?:firms|banks|companies))?|in\s+an?\s+{_NAME}\s+(?:poll|survey)|led\s+by\s+{_NAME}|(?:familiar\s+with|close\s+to|briefed\s+on|with\s+knowledge\s+of)\s+(?:the\s+|their\s+|his\s+|her\s+)?[a-z]+(?:\s+[a-z]+)?))?"
    rf"|(?!{_DETERMINER}\s+[a-z]){_NAME}{_ACRONYM}(?:\s+(?:and|&)\s+{_NAME}{_ACRONYM})?"
    rf"|{_NAME}['\u2019]s?\s+(?:[\w-]+\s+){{0,2}}?(?:model|forecast|projection|analysis|survey|"
    rf"poll|study|simulation|supercomputer|algorithm|tracker|index|report|research|team|bank|"
    rf"ministry|government|regulator|agency|office|institute|committee|council)"
    rf"|\b(?:he|she|they|it|we|I)\b"
    # "their new study in Nature predicts": the work of whom the pronoun means
    rf"|\b(?:[Tt]heir|[Ii]ts|[Hh]is|[Hh]er)\s+(?:[\w-]+\s+){{0,2}}?{_WORK}"
    rf"(?:\s+(?:in|for|on|of)\s+[^,;.]{{2,60}}?)?"
    rf"|\b(?:[Tt]he|[Aa]n?|[Oo]ne|[Aa]nother|[Hh]is|[Hh]er|[Tt]heir)\s+(?:(?!(?:and|or|but|that|which|who)\s)[\w'\u2019.-]+\s+){{0,4}}?(?:firm|company|bank|consultancy|report|model|poll|"
    rf"survey|organi[sz]ation|agency|researcher|analyst|diplomat|official|strategists|"
    rf"bookmakers|forecasters|analysts|economists|experts|officials|supercomputer|computer|"
    rf"algorithm|algorithms|study|researchers|office|ministry|department|government|"
    rf"commission|council|institute|committee|regulator|court|campaign|club|statement|union|"
    rf"party|association|federation|alliance|coalition|team|person|{_ROLE}|{ORG_NOUNS})"
    rf"(?:\s+(?:for|of|at|with|from|in|close\s+to|familiar\s+with|briefed\s+on)\s+"
    rf"(?:the\s+|their\s+|its\s+)?(?:{_NAME}|[a-z]+(?:\s+[a-z]+)?)"
    # "a new study published in Nature warns", "the survey taken at polling stations suggests"
    rf"|\s+(?:published|released|conducted|carried\s+out|issued|taken|compiled|led|funded|"
    rf"commissioned|produced)(?:\s+{_DAY})?\s+(?:in|by|on|at|from|for|among|across)\s+[^,;.]{{2,60}}?)?)"
    rf"(?P<apposition>(?:,\s+\d{{1,3}})?,\s+[^,]{{2,90}},|\s+\([a-z][^()]{{0,30}}\)|,\s+who"
    rf"|\s+who\s+[^,.;\u201c\u201d\"]{{3,80}}?)?(?:\s+{_WHEN})?"
    rf"\s+{_AUX}(?P<verb>{_VERB})\b",
)
# What a subject is compared with ("faster than scientists had thought") is no one reporting
# ("as analysts expect" is: it attributes what it goes with).
_COMPARED = re.compile(r"\bthan\s+(?:(?:the|many|most|some)\s+)?$")
# A standfirst that goes on from its headline without a subject: "Says new OS will ...".
_STANDFIRST = re.compile(r"^\W*(?:Says|Warns|Predicts|Expects|Believes|Thinks|Adds)\b")
# A forecast named as someone's: "Belski's official year-end prediction for the S&P 500 is".
_OWN_CALL = re.compile(
    rf"\b(?P<np>{_NAME})['\u2019]s\s+(?:[\w-]+\s+){{0,3}}?(?:prediction|forecast|projection|"
    r"estimate|outlook)\b"
)
_COMPARED_WITH = re.compile(
    r"\b(?:above|below|beat|beats|beating|missed|misses|missing|topped|tops|exceeded|exceeds|"
    r"than|versus|vs\.?|with)\s+$"
)
_BETTING_NOUN = re.compile(r"\s+(?:markets?|odds|sites?|exchanges?|lines|public|favou?rites?)\b")
# Reporting verbs that are also nouns: with nothing after them they are the nouns.
_NOUN_VERBS = {"estimates", "forecasts", "projections", "reports", "forecast", "estimate"}
# "Gove, who oversaw the talks, told MPs": a name "who" is said of is a person's.
_WHO = re.compile(r",?\s+who\b")
_SURNAME = re.compile(r"[A-Z][a-z'\u2019-]+$")
_ANY_VERB = re.compile(rf"\b{_VERB}\b")
# A person named just before an organisation that is a subject: "Jane Smith from the University
# of Leeds said", "Prof. Jonathan Bamber at Bristol University told the BBC".
_PERSON_FROM = re.compile(rf"(?P<name>{_NAME})\s+(?:from|at)\s+(?:the\s+)?$")
_ACCORDING = re.compile(
    # "according to the U.S. intelligence chief": an initial's full stop ends no name
    r"\b(?:according\s+to|as\s+per)\s+(?P<np>(?:[^,;.]|(?<=\b[A-Z])\.(?=[A-Z]\.|\s+[a-z]))"
    r"{2,120}?)(?=\s*(?:[,;]|\.(?!(?<=\b[A-Z]\.)(?:[A-Z]\.|\s+[a-z]))|$|\s+(?:a|the)\s+majority|"
    r"\s+(?:there|it|he|she|they|which|who|is|are|was|were|has|have)\b))",
    re.IGNORECASE,
)
_SAID_AFTER = re.compile(
    r"(?:\bsaid|\bsays|\bsay|\bwrote|\bwrites|\bwarned|\bwarns|\badded|\badds|\bexplained|\bnoted|"
    r"\bnotes|\bstated|\bconcluded|\bconcludes|\bpredicted|\bpredicts|\bcautioned|\binsisted|"
    r"\bcontinued|\bargued|\breported|\breports)\s+"
    # "said retired Air Force Gen. Joe Ralston": a description in lower case before the name
    r"(?:(?!(?:on|in|at|during|after|before|to|the|a|an|that|this|last|by|for|with|from|of|and|"
    r"but|it|he|she|they|we|when|while|as|earlier|later|then|recently)\b)[a-z]+\s+){0,2}"
    r"(?P<np>(?:the\s+(?=[A-Z]))?(?!(?:In|On|At|Last|This|Next|January|February|March|April|May|June|July|August|"
    r"September|October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
    r"Sunday)\b)[A-Z][\w.'\u2019-]*(?:\s+(?:[A-Z][\w.'\u2019-]*|[a-z]+(?=\s+[A-Z]))){0,6}"
    r"|the\s+(?:\w+\s+){0,3}(?:diplomat|official|analyst|source|researcher|expert|economist|"
    r"strategist)"
    rf"|(?:{_MODIFIER})(?i:{_GROUPS})(?:\s+(?:at|from|with)\s+(?:the\s+)?{_NAME})?)",
)
# "The company's chief executive, Tim Cook, said": the name set off by commas before the verb.
_APPOSED = re.compile(
    rf"(?:^|[,;]\s+|\bthat\s+)(?:[\w'\u2019-]+\s+){{0,6}}?(?:{_ROLE}|[a-z]+ist|[a-z]+er)s?"
    rf"(?:\s+(?:for|of|at|with|from)\s+(?:the\s+)?[\w&'\u2019.-]+(?:\s+[\w&'\u2019.-]+){{0,3}}?)?"
    rf",\s+(?P<np>[A-Z][\w'\u2019.-]+(?:\s+[A-Z][\w'\u2019.-]+){{1,3}}),\s+{_AUX}(?:{_VERB})\b"
)


# Reporting verbs that are no nouns: after "Moody's" they make it a name, not a possessive.
_ONLY_VERBS = {"said", "says", "told", "warns", "predicts", "expects", "believes", "thinks", "sees"}
# "Citing unnamed officials, the newspaper reported ...": the cited source, not the outlet.
_CITING = re.compile(
    r"\b[Cc]iting\s+(?P<np>(?:an?\s+|unnamed\s+|anonymous\s+|several\s+|two\s+|three\s+)*"
    r"[^,;.:]{2,60}?)(?=\s*(?:[,;.:]|$)|\s+(?:as\s+saying|who)\b)"
)
_CITED_SOURCE = re.compile(
    r"\b(?:sources?|people|person|official|report|statement|documents?|spokes\w+|insiders?|"
    r"memo|letter|filing)\b",
    re.IGNORECASE,
)
_OUTLET = re.compile(
    r"\b(?:newspaper|paper|outlet|agency|news|media|daily|times|journal|post|broadcaster|website|"
    r"magazine|tv|radio|reuters|bloomberg|afp|ap|cnn|bbc|report|reports)\b",
    re.IGNORECASE,
)
_PARTICIPLES = {"expected", "predicted", "forecast", "projected", "estimated", "anticipated"}
# Verbs that report only with a chance or a forecast as their object ("put the odds at").
_NOT_SAYING = {"put", "give", "puts", "gives", "rates", "report", "shows", "showed", "found"}


def find_attributions(sentence: str, speakers: Speakers) -> list[Attribution]:
    """Every attribution in a sentence, left to right; pronouns read against `speakers`."""
    found: list[Attribution] = []
    pronouns: list[tuple[str, int, int]] = []

    def add(name: str, kind: str | None, start: int, end: int) -> None:
        if not name or any(start < a.end and a.start < end for a in found):
            return
        found.append(Attribution(name, kind, start, end))

    for match in _ACCORDING.finditer(sentence):
        name = _clean(match["np"])
        if name.lower() in phrases.OBJECT_PRONOUN:  # "according to them": whom they mean
            pronouns.append((phrases.OBJECT_PRONOUN[name.lower()], match.start(), match.end()))
            continue
        name = re.split(r",\s+", name)[0]
        end = match.end()
        kind: str | None
        holder = phrases.ROLE_THEN_NAME.match(sentence, end)
        if holder and not any(c.isupper() for c in name):
            # "according to transfer expert, Fabrizio Romano": the role, then who holds it.
            name, kind, end = holder["name"], PERSON, holder.end()
        elif (
            re.fullmatch(r"(?:these|those)\s+\w+|reports?|(?:the\s+)?data", name, re.I)
            or (match["np"].startswith("the ") and name.split()[-1].islower())
            or (_GROUP.match(name) and re.search(r"\s(?:at|of|from)\s+(?:the\s+)?[A-Z]", name))
        ):  # "according to the research agency": the one the text named; "according to
            # analysts at UBS": the bank's
            name, kind = resolve_definite(name, speakers)
        else:
            kind = speaker_kind(name, speakers.person)
        add(name, kind, match.start(), end)
    for match in phrases.QUOTED_AS.finditer(sentence):
        name, kind = resolve_definite(_clean(match["np"]), speakers)
        add(name, kind, match.start(), match.end())
    for match in _APPOSED.finditer(sentence):
        name = _clean(match["np"])
        if name.split()[0] not in _NOT_NAMES:
            add(name, speaker_kind(name, name), match.start("np"), match.end())
    patterns = [works.FINDS, works.RELEASED, works.WORK_BY, works.PER, works.HEADLINE]
    # The costlier patterns only where their verb or noun is.
    if WORK_WORDS.search(sentence):
        patterns += [works.BY, VIEW_OF, REVISED, _OWN_CALL]
    for pattern in patterns:
        for match in pattern.finditer(sentence):
            name = _clean(match["np"])
            if pattern is works.HEADLINE and (
                not (
                    _GROUP.search(name) or len(name.split()) > 1 or re.fullmatch(r"[A-Z]{2,}", name)
                )
                or re.fullmatch(r"[A-Z]+(?:\s+[A-Z]+)+", name)
            ):
                continue  # "Update: ...", "Analysis: ...", "TRACKING THE TROPICS: ..."
            if name and name.split()[0] not in _NOT_NAMES:
                add(name, speaker_kind(name, speakers.person), match.start(), match.end())
    for match in _SAID_AFTER.finditer(sentence):
        name = _clean(match["np"])
        if name.split()[0] in _NOT_NAMES:
            continue
        if not re.search(r"[,\u201d\u2019\"]\s*$", sentence[: match.start()]) and not re.match(
            r"\s*(?:[,.;:]|$)", sentence[match.end() :]
        ):
            continue  # "officials say North Korea may ...": whoever follows is what they say of
        end = match.end() - (match["np"].endswith(".") and not name.endswith("."))
        if match["np"].startswith("the "):  # "said the diplomat": the one named before
            add(*resolve_definite(name, speakers), match.start(), end)
        else:
            add(name, speaker_kind(name, speakers.person), match.start(), end)
    # A subject needs its verb: most sentences have none, and the subject rule is the costly one.
    subjects = _SUBJECT.finditer(sentence) if _ANY_VERB.search(sentence) else iter(())
    for match in subjects:
        np = match["np"]
        pronoun = np.lower() in ("he", "she", "they", "it", "we", "i")
        if not pronoun and (
            np in _NOT_NAMES or np.split()[0] in ("In", "On", "At", "By", "For", "If", "When")
        ):
            continue
        if _COMPARED.search(sentence, 0, match.start()) and not _WHO.match(
            match["apposition"] or ""
        ):
            # "melting faster than scientists had thought": a comparison, not a report; but
            # "more cautious than investors, who are betting that ...": the investors'
            continue
        if match["verb"].endswith("ing") and _BETTING_NOUN.match(sentence, match.end()):
            continue  # "The F1 betting markets tab Norris as favourite": a noun, not a verb
        if match["verb"] in _NOUN_VERBS and (
            re.match(r"\s*[,.;)]", sentence[match.end() :])
            or _COMPARED_WITH.search(sentence, 0, match.start())
        ):
            # "could blow away Wall Street estimates, according to BMO", "revenue above Wall
            # Street estimates on Thursday": a noun
            continue
        verb = match["verb"].lower()
        if not verb.split()[0].endswith("ing") and PASSIVE_BEFORE.search(
            match.group(0)[: -len(verb)]
        ):
            # "are predicted to", "is widely expected to": the subject is what is forecast,
            # not who forecasts
            continue
        if (
            verb in _PARTICIPLES
            and match.group(0) == match["np"] + " " + match["verb"]
            and (re.match(r"\s+to\b", sentence[match.end() :]))
        ):
            continue  # "with other models expected to go on sale": what is forecast
        if verb in ("puts", "gives", "rates") and not re.search(
            r"\b(?:odds|chance|favourite|favorite|target|forecast|probability|likelihood|shot)",
            sentence,
            re.I,
        ):
            continue
        if number_words.number(np) is not None or np.lower() in ("remainder", "the remainder"):
            if speakers.poll:  # "Thirteen said": a count of the survey's group
                add(speakers.poll, ORGANIZATION, match.start(), match.end())
            continue
        start, end = match.start(), match.end()
        possessor = phrases.POSSESSOR.get(np.split()[0].lower())
        if pronoun or possessor:
            pronouns.append((possessor or np, start, end))
            continue
        name = _clean(np)
        if name in ("Jr.", "Sr.", "Jr", "Sr", "II", "III"):  # "Roger W. Ferguson, Jr., ... said"
            whose = re.search(rf"({_NAME}),\s+$", sentence[: match.start()])
            name, start = (whose[1] + ", " + name, whose.start(1)) if whose else ("", start)
        if not name or (name.split()[0] in _NOT_NAMES and not _GROUP.search(name)):
            continue
        if re.search(r"['\u2019]s?$", name) and not (
            re.search(r"['\u2019]s$", name)
            and (verb.endswith("ed") or verb in _ONLY_VERBS)
            and name.split()[0] not in _NOT_NAMES
        ):
            # "Wednesday's report will ...": a possessive is no subject of "report"; but a name
            # with its "'s" before a word that is only a verb is the subject ("Moody's warned")
            continue
        resolved_name, kind = resolve_definite(name, speakers)
        person = _PERSON_FROM.search(sentence, 0, match.start("np"))
        if (
            kind == ORGANIZATION
            and person
            and speaker_kind(person["name"]) == PERSON
            and not _GROUP.fullmatch(person["name"])  # "Analysts at the bank": the bank's
        ):
            # "Jane Smith from the University of Leeds said": she speaks, not her university
            resolved_name, kind, start = _clean(person["name"]), PERSON, person.start("name")
        elif (
            kind == ORGANIZATION and _WHO.match(match["apposition"] or "") and _SURNAME.match(name)
        ):
            kind = PERSON  # "Gove, who oversaw the deal, told MPs": "who" is said of a person
        if re.match(r"(?:[Tt]he|[Tt]hese|[Tt]hose)\s", np) and _GROUP.fullmatch(name):
            # "the economists said": the group the text last named ("JPMorgan's economists")
            named = [a for a in speakers.named if re.search(rf"\b{name}\b", a.name, re.I)]
            if named and named[-1].name.lower() != name.lower():
                resolved_name, kind = named[-1].name, named[-1].kind
        add(resolved_name, kind, start, end)
    standfirst = _STANDFIRST.match(sentence)
    if standfirst:
        pronouns.append(("he", standfirst.start(), standfirst.end()))
    for match in phrases.PRONOUN_AND.finditer(sentence):
        if match["np"] in ("He", "She", "They"):
            pronouns.append((match["np"], match.start(), match.end()))
        elif match["np"].split()[0] not in _NOT_NAMES:
            name = _clean(match["np"])
            add(name, speaker_kind(name, speakers.person), match.start(), match.end())
    for match in phrases.SUBJECT_AND.finditer(sentence):
        name = _clean(match["np"])
        if (
            name.split()[0] not in _NOT_NAMES
            and name not in ("He", "She")  # "He ... and believes" is the pronoun rule's
            and not re.search(r"['\u2019]s?$", name)  # "Israel's third-largest bank"
            and match["verb"] not in _NOT_SAYING
        ):
            add(name, speaker_kind(name, speakers.person), match.start(), match.end())
    for match in phrases.TRAILING_SOURCE.finditer(sentence):
        name = _clean(match["np"])
        if name.split()[0] not in _NOT_NAMES:
            add(name, speaker_kind(name, speakers.person), match.start("np"), match.end())
    for match in phrases.COLON_QUOTE.finditer(sentence):
        name = _clean(match["np"] or match["np2"])
        if name in ("He", "She", "They"):
            pronouns.append((name, match.start(), match.end()))
        elif name.split()[0] not in _NOT_NAMES:
            add(name, speaker_kind(name, speakers.person), match.start(), match.end())
    for match in phrases.CONSENSUS.finditer(sentence):
        add(_clean(match["np"] or "consensus"), PERSON, match.start(), match.end())
    for match in phrases.POSSESSIVE.finditer(sentence):
        name = _clean(match["np"])
        if name and name.split()[0] not in _NOT_NAMES:
            add(name, speaker_kind(name, speakers.person), match.start(), match.end())
    for match in phrases.IN_VIEW.finditer(sentence):
        np = match["np"]
        if np.lower() in phrases.POSSESSOR:
            pronouns.append((phrases.POSSESSOR[np.lower()], match.start(), match.end()))
        else:
            name, kind = resolve_definite(_clean(re.sub(r"['\u2019]s?$", "", np)), speakers)
            add(name, kind, match.start(), match.end())
    for match in works.POLL.finditer(sentence):
        name = _clean(match["np"] or match["np2"])
        if works.DAY_POLL.match(name) and speakers.poll:
            name = speakers.poll  # "Friday's poll": the poll the text has named
        if name.split()[0] not in _NOT_NAMES:
            add(name, ORGANIZATION, match.start(), match.end())
    for match in works.REPORTED.finditer(sentence):
        add("media reports", ORGANIZATION, match.start(), match.end())
    last = speakers.last
    for match in phrases.SOME.finditer(sentence):
        if last is not None and _GROUP.search(last.name):
            group = _GROUP.findall(last.name)[-1].lower()
            add(f"{match['np'].lower()} {group}", PERSON, match.start(), match.end())
        else:  # "many believe the court will ...": many people, not the author
            add(match["np"].lower(), PERSON, match.start(), match.end())
    for pattern in (phrases.BETTING_SUBJECT, phrases.VENUE, phrases.FOR_GROUP):
        for match in pattern.finditer(sentence):
            name = _clean(match["np"] or match.groupdict().get("one") or "")
            if name.lower() == "sites" and not odds.MARKET_WORDS.search(sentence):
                continue
            kind = PERSON if pattern is phrases.FOR_GROUP else ORGANIZATION
            add(name, kind, match.start(), match.end())
    for word, start, end in pronouns:
        # "Kehl said that he expected": a pronoun is first whoever its sentence named before it.
        earlier = [a for a in found if a.end <= start and a.kind == PRONOUN.get(word.lower())]
        if word.lower() == "they":
            earlier = [a for a in found if a.end <= start]
        if earlier and word.lower() in ("he", "she", "it", "they"):
            add(earlier[-1].name, earlier[-1].kind, start, end)
            continue
        group = phrases.GROUP_BEFORE.search(sentence, 0, start) if word.lower() == "they" else None
        if group:  # "While doctors are seeing more cases, they predict ...": the doctors
            add(group["np"], PERSON, start, end)
            continue
        resolved = resolve_pronoun(word, speakers)
        if resolved is not None:
            add(resolved[0], resolved[1], start, end)
    cited = [
        Attribution(
            _clean(re.sub(r"^(?:unnamed|anonymous)\s+", "", m["np"])), PERSON, m.start(), m.end()
        )
        for m in _CITING.finditer(sentence)
        # who is cited, not what: "citing LG and Sharp as delaying factors" gives reasons
        if (_GROUP.search(m["np"]) or _CITED_SOURCE.search(m["np"])) and " as " not in m["np"]
    ]
    if cited:
        # an outlet that cites its source relays the source's forecast
        found = [a for a in found if not _OUTLET.search(a.name)]
        for citing in cited:
            if not any(citing.start < a.end and a.start < citing.end for a in found):
                found.append(citing)
    return sorted(found, key=lambda a: a.start)


def nearest(
    attributions: list[Attribution], start: int, end: int, anchor: int | None = None
) -> Attribution | None:
    """The attribution of the forecast at text[start:end] of its sentence whose wording is at
    `anchor`: the last one inside it before the wording ("TSMC warned that ... would ...,
    Bloomberg reported" is TSMC's), else the first inside it after the wording ("“...,” she
    said"), else the last before it, else the first after it."""
    anchor = end if anchor is None else anchor
    inside = [a for a in attributions if start <= a.start < end]
    ahead = [a for a in inside if a.start < anchor]
    if ahead:
        later = [a for a in inside if a.start >= anchor]
        spokesman = [a for a in later if a.kind == PERSON]
        if ahead[-1].kind == ORGANIZATION and spokesman:
            return spokesman[-1]  # "The U.S. believes ..., Jake Sullivan said": who said so
        named = [a for a in later if not _GROUP.fullmatch(a.name)]
        if _GROUP.fullmatch(ahead[-1].name) and named:
            return named[-1]  # "Forecasters are predicting ..., NOAA announced": whose they are
        return ahead[-1]
    if inside:
        return inside[0]
    before = [a for a in attributions if a.start < start]
    if before:
        return before[-1]
    return attributions[0] if attributions else None
