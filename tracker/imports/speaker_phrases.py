"""Smaller wordings that name whose a forecast is: a person by title ("analyst Ming-Chi Kuo"),
whose view or promise it is ("In Nomura's view", "the bank's forecast", "in her opinion"),
who prices a bet ("with several online betting sites", "bookmakers make"), a group's view ("for
health experts"), "Some expect", whom an outlet "quoted as saying", the group a sentence
speaks of before its "they", a subject joined to its verb by "and" ("Acme beat estimates and
forecast"), a colon before a quotation, a headline's source after a dash, and what a text calls
a person or an organisation it has named ("the economist", "the carmaker")."""

from __future__ import annotations

import re

from tracker.imports.speaker_words import GROUPS, MODIFIER, NAME, ROLE, VERB

# "Some expect ...": some of the group the text last reported.
SOME = re.compile(
    r"(?:^|(?<=[.;,]\s))(?P<np>Some|Many|Most|Others|some|many|most|others)\s+(?:also\s+)?"
    r"(?=expect|predict|think|believe|see|forecast|warn|say)"
)
POSSESSIVE = re.compile(
    r"(?:\b(?:In|As|For|By|From|With|Under|Despite|Given)\s+)?"  # "In Bourla's view"
    rf"(?P<np>{NAME})['\u2019]s?\s+(?:\w+\s+)?(?:promise|prediction|forecast|warning|pledge|"
    r"expectation|view|projection|estimate|claim|case|scenario|outlook|bet|call|thesis|words|"
    r"opinion|judge?ment|assessment|estimation|belief|reckoning)s?\b"
)
# "In the bank's view", "in his opinion": whose view the sentence gives.
IN_VIEW = re.compile(
    r"\b[Ii]n\s+(?P<np>the\s+(?:[\w-]+\s+){0,2}?[\w-]+['\u2019]s?|his|her|its|their)\s+(?:own\s+)?"
    r"(?:view|opinion|words|estimation|judge?ment|assessment|reckoning)\b"
)
POSSESSOR = {"his": "he", "her": "she", "its": "it", "their": "they"}
TITLE = (
    r"(?:analyst|economist|strategist|director|CEO|chief|minister|spokes(?:man|woman|person)|"
    r"president|secretary|researcher|professor|chairman|chairwoman|chair|governor|Dr\.?|Col\.?|"
    r"Gen\.?|Sen\.?|Rep\.?|Gov\.?|coach|manager|founder|executive|officer|scientist)"
)
TITLED = re.compile(
    rf"\b{TITLE}\s+(?P<name>[A-Z][\w'\u2019-]+(?:\s+[A-Z][\w'\u2019-]+){{1,3}})"
    r"(?!\s*(?:[A-Z]|&|of\b))"
)
# Who prices a betting market: "at 5/1 with several online betting sites", "for all bookmakers".
VENUE = re.compile(
    r"\b(?:with|for|at|by|among)\s+(?:all|several|most|many|some|the|various|major|leading)?\s*"
    r"(?P<np>(?:(?:online|major|leading|UK|US|British)\s+)?(?:betting\s+sites|bookmakers|bookies|"
    r"sportsbooks|betting\s+firms|sites))\b"
    r"|\bin\s+the\s+case\s+of\s+(?P<one>[A-Z][\w'\u2019-]*(?:\s+[A-Z][\w'\u2019-]*)*)"
)
BETTING_SUBJECT = re.compile(
    r"\b(?P<np>(?:the\s+)?(?:bookmakers|bookies|betting\s+sites|sportsbooks|oddsmakers|"
    r"(?:betting|prediction)\s+markets?|bettors|punters))\s+"
    r"(?:have|has|make|rate|put|puts|see|list|price|give|gives|now\s+give|favou?r)\b",
    re.IGNORECASE,
)
# "for health experts this is the lull before the storm": the view of a group.
FOR_GROUP = re.compile(
    rf"\b[Ff]or\s+(?:many\s+|most\s+|some\s+)?(?P<np>(?:health\s+)?(?:{GROUPS}))\b"
)
ROLE_THEN_NAME = re.compile(
    r",\s+(?P<name>[A-Z][\w'\u2019-]+(?:\s+(?:[A-Z][\w'\u2019-]+|de|van|von|al)){1,3})(?=\s*(?:[,.;]|$))"
)
# The group a sentence speaks of before its "they": "While doctors are seeing more cases, they".
GROUP_BEFORE = re.compile(rf"^\W*(?:[\w,]+\s+){{0,8}}?(?P<np>(?i:{GROUPS}))\b[^.;:]*,\s*$")
OBJECT_PRONOUN = {"him": "he", "her": "she", "them": "they", "it": "it"}
# "the agency quoted an unnamed official as saying": the one quoted speaks, not who quotes.
QUOTED_AS = re.compile(
    r"\bquot(?:ed|es|ing)\s+(?!by\s)(?P<np>[^,;.:\u201c\u201d\"]{2,100}?)\s+as\s+"
    r"(?:saying|telling|warning)\b"
)
# "Apple beat estimates on Thursday and forecast ...", "The Fed held rates but signalled ...": a
# name opening the sentence is the subject of the reporting verb it joins with "and" or "but".
SUBJECT_AND = re.compile(
    rf"^\W*(?P<np>{NAME})\s+(?!(?:{VERB})\b)[a-z]+\b[^.;\u201c\u201d\"]{{0,80}}?,?\s+(?:and|but)\s+"
    rf"(?:also\s+|now\s+|still\s+|then\s+)?(?P<verb>{VERB})\b"
)
# "Doe was blunt: “Rates will fall.”", "Said Jane Doe: “...”": who opens a sentence
# whose colon brings in a quotation.
COLON_QUOTE = re.compile(
    rf"^\W*(?:But\s+|And\s+)?(?:(?P<np>{NAME})\s+(?:is|was|were|are|sounded|seemed|remained)\b"
    rf"[^:\u201c\u201d\"]{{0,50}}|(?:Said|Says|Added|Adds|Warned|Warns|Explained)\s+(?P<np2>{NAME}))"
    r"\s*:\s*[\u201c\"]"
)
# "The consensus among economists is that ...": the group's view, or the consensus's.
CONSENSUS = re.compile(
    r"\b[Tt]he\s+(?:\w+\s+)?consensus(?:\s+(?:among|of)\s+(?P<np>[^,.;]{2,40}?))?\s+"
    r"(?:is|was|remains)\s+(?:that|for)\b"
)
# "Oil will hit $100 by June - Goldman", "...: analysts": a headline's source after a dash or a
# colon that ends it.
TRAILING_SOURCE = re.compile(
    rf"(?:\s+[-\u2013\u2014]|\s*[\u2014:])\s+(?P<np>{MODIFIER}(?i:{GROUPS})|{NAME})\s*$"
)
ROLE_WORD = re.compile(rf"\b(?:{ROLE}|official|diplomat)\b", re.I)
# "the economist", "the Fed chair", "the ING analyst": a person named before by that role.
THE_ROLE = re.compile(
    rf"(?:[Tt]he\s+)?(?:[\w.'\u2019-]+\s+){{0,2}}?(?P<role>(?i:{ROLE}|official|diplomat|chair))"
)
# Words that only an organisation is called by: "the firm", "the iPhone maker", "the watchdog".
# Before "bank" or "firm" only a name or a hyphened word ("the Zurich-based bank"): "the central
# bank" is another bank.
THE_ORGANIZATION = re.compile(
    r"(?:[Tt]he\s+)?(?:(?:[A-Z][\w.'\u2019-]*|[\w.]+-[\w.-]+)\s+){0,2}?(?:firm|company|bank|"
    r"consultancy|organi[sz]ation|agency)"
    r"|(?:[Tt]he\s+)?(?:[\w.'\u2019-]+\s+){0,2}?(?:[a-z]*maker|watchdog|regulator|lender|insurer|"
    r"airline|retailer|giant|conglomerate)"
    r"|(?:[Tt]he\s+)?report",
)
# A company whose shares the text speaks of: "Shares of Lindt & Spruengli rose".
SHARES_OF = re.compile(rf"\b[Ss]hares\s+(?:of|in)\s+(?P<name>{NAME})")
# "He attended the hearing and believes ...", "Emma Rasiel is a professor at Duke, and expects
# ...": the subject of a verb joined by "and".
PRONOUN_AND = re.compile(
    rf"(?:^|(?<=[.;]\s))\W*(?P<np>He|She|They|{NAME}(?=\s+(?:is|was)\s+an?\s))\b[^.;,\u201c\u201d\"]{{1,80}}?,?\s+and\s+"
    rf"(?:also\s+|now\s+|still\s+)?(?:{VERB})\b"
)
# The name of a work, not of who made it: "consensus estimates compiled by LSEG", "a poll".
WORK_NAME = re.compile(
    r"\b(?:estimates?|consensus|poll|survey|report|study|model|data|figures|forecasts?)\b", re.I
)
