"""The wordings that name a work and who it is from ("a report by the IFS", "the ISW released an
analysis", "finds a survey of US households", "per DraftKings", "Experts: ..."), and a sentence
that only says where the one before it comes from ("This is reported by Bloomberg")."""

from __future__ import annotations

import re

from tracker.imports.speaker_words import ACRONYM, GROUPS, MODIFIER, NAME

POLL = re.compile(
    r"\b(?:a|the)\s+(?:latest\s+|new\s+)?(?P<np>(?:[A-Z][\w.]*\s+){1,3}(?:poll|survey))\b"
    r"|\b(?P<np2>[A-Z][\w.'\u2019]*(?:\s+[A-Z][\w.]*)*\s+(?:poll|survey))\b"
)

# "a report by the IFS", "a new study from Stanford University", "a note from Goldman Sachs".
WORK_BY = re.compile(
    r"\b(?:report|study|survey|poll|analysis|note|forecast|assessment|outlook|paper|projection|"
    r"review|estimate|warning|prediction|expectation|comment|remark|statement|announcement|"
    r"guidance)s?,?\s+(?:(?:published|released|issued|compiled|conducted|carried\s+out|made)\s+)?"
    rf"(?:by|from)\s+(?:the\s+)?(?P<np>{NAME}{ACRONYM})"
)
# "as reported by Bloomberg", "growth of 3% predicted by the IMF": the agent of a passive.
BY = re.compile(
    r"\b(?:reported|stated|announced|published|written|predicted|forecast|projected|estimated|"
    r"released|issued|compiled|conducted|commissioned|produced)"
    rf"\s+by\s+(?:the\s+)?(?P<np>{NAME}{ACRONYM})"
)
# A sentence that only says where the one before it comes from: "This is reported by
# Bloomberg", "That's according to the IMF", "So says the bank".
SOURCE_LINE = re.compile(
    r"^\W*(?:(?:This|That|It|These|Those|Such\s+\w+|The\s+(?:news|information|forecast|report|"
    r"prediction|estimate|projection|warning|view|assessment)s?)\s+(?:is|was|were|are|has\s+been|"
    r"have\s+been|had\s+been|comes?|came)\s+(?:\w+\s+)?(?:reported|stated|announced|claimed|"
    r"predicted|forecast|written|published|according|from)\b"
    r"|(?:That|This|It)(?:['\u2019]s|\s+is|\s+was)\s+according\s+to\b"
    r"|(?:That|This|Such)(?:['\u2019]s|\s+is|\s+was)\s+(?:also\s+)?the\s+(?:\w+\s+)?(?:view|forecast|"
    r"prediction|assessment|verdict|conclusion|estimate|expectation|projection|suggestion|"
    r"finding|message|warning|outlook)\s+(?:of|from)\b"
    r"|(?:So|Thus)\s+(?:says|said|writes|wrote|reports|reported|predicts|predicted)\s+(?:the\s+)?"
    rf"(?P<np>{NAME}{ACRONYM})"
    # A line of its own, where a page broke the sentence: "..., <br> The Hill reported."
    rf"|(?:The\s+)?(?P<alone>{NAME}{ACRONYM})\s+(?:reported|reports|said|says|wrote|writes)"
    r"\s*[.!]?\s*$)"  # not "The Hill reports:", which brings in what follows
)

# "the ISW released an analysis suggesting ...": the author of a work the sentence reports.
RELEASED = re.compile(
    rf"(?P<np>{NAME}{ACRONYM})\s+(?:has\s+|have\s+)?(?:released|published|issued|put\s+out|made|"
    r"unveiled|shared|offered)\s+(?:a|an|its|their|the|some|several|new)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:report|analysis|study|forecasts?|outlook|note|survey|paper|assessment|projections?|"
    r"estimates?|predictions?)\b"
)
# "..., finds a survey of US households", "shows a new Gallup poll": the work after its verb.
FINDS = re.compile(
    r"\b(?:finds|found|shows|showed|suggests|suggested|according\s+to)\s+(?:a|an|the)\s+"
    r"(?P<np>(?:[\w'\u2019-]+\s+){0,3}?(?:survey|poll|study|report|analysis)"
    r"(?:\s+(?:of|by|from)\s+[^,.;]{2,50}?)?)(?=\s*(?:[,.;]|$))"
)
# A headline that names whose claim it is: "Experts: Flu season expected to be severe".
HEADLINE = re.compile(rf"^\W*(?P<np>(?:{MODIFIER}(?i:{GROUPS})|{NAME}{ACRONYM}))\s*:\s+(?=[A-Z])")
# "+450 to win the title, per DraftKings": American usage of "according to".
PER = re.compile(rf"(?:^|,\s+|\(\s*)per\s+(?P<np>(?:the\s+)?{NAME})")
DAY_POLL = re.compile(
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Today|Yesterday)['\u2019]s?\s"
)
# "it has been reported that ...": the press's report, not the author's own.
REPORTED = re.compile(
    r"\bit\s+(?:has\s+been|is|was|had\s+been)\s+(?:widely\s+)?(?:reported|understood)\b"
)
