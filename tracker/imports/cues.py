"""The words that make a sentence a forecast.

Cues are estimative wordings (`tracker.record.wep`: will, likely, may, expects, is set to, is
bound to, hope ...) that speak of the future, "would" in reported speech or under a condition,
verbs of seeing and warning with someone who forecasts ("economists see", "WHO warns"), nouns of
expectation and betting ("forecast", "projection", "favourite", "odds"), present-tense
declaratives that announce a consequence, and stated chances (`chances.py`). Where one forecast
ends and the next begins is `clauses.py`'s.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Iterator

from tracker.record import wep

_DECLARATIVE = re.compile(
    r"\b(?:slams|slam|closes|close|shuts|shut)\s+the\s+door\b"
    r"|\b(?:opens|open)\s+the\s+door\s+to\b"
    r"|\b(?:paves|pave)\s+the\s+way\b"
    r"|\b(?:sets|set)\s+the\s+stage\b"
    r"|\b(?:spells|spell)\s+(?:the\s+end|doom|trouble|disaster)\b"
    r"|\b(?:all\s+but\s+)?(?:guarantees|ensures|dooms)\b"
    r"|\b(?:pours?|poured|throws?)\s+cold\s+water\s+on\b"
    r"|\b(?:is|are)\s+(?:bound|poised|on\s+track|on\s+course|expected|due)\s+to\b",
    re.IGNORECASE,
)
# Words of a forecast that the estimative table does not list: seeing and warning with someone
# who forecasts, nouns of expectation and of betting.
_MORE = re.compile(
    r"\b(?:economists|analysts|strategists|forecasters|experts|traders|investors|markets|we|I|they|"
    r"remainder|\d+)\s+"
    r"(?:(?:from|at|in\s+an?|(?:polled|surveyed|questioned)(?:\s+by)?)\s+(?:[\w&.'\u2019-]+\s+){1,4}?)?"
    r"(?:now\s+|also\s+|still\s+|mostly\s+|largely\s+)?(?:see|sees|seeing)\b"
    r"|\b(?:see|sees|seeing)\s+(?:the\s+)?(?:chance|price|prices|demand|the\s+\w+\s+rate)\b"
    r"|\b(?-i:[A-Z])[\w.&'\u2019-]*\s+(?:now\s+|also\s+|still\s+)?sees\b"
    r"|\b(?:warns?|warned|warning)\s+(?:that|of)\b"
    r"|\b(?:is|are)\s+warning\b"
    r"|\b(?:favou?rites?|top\s+favou?rites|favou?ritism|odds|outright\s+odds|"
    r"in\s+contention|the\s+most\s+options|have\s+a\s+shot|has\s+a\s+shot)\b"
    r"|\b(?:year-end\s+target|price\s+target|shipment\s+target|production\s+forecast)\b"
    r"|\b(?:to\s+be\s+(?:clarified|announced|decided|completed|confirmed|finalised|finalized))\b"
    r"|\b(?:has|have|had|holds|hold|given|with|is|are)\s+(?:an?\s+|only\s+an?\s+|just\s+an?\s+)?"
    r"(?:[\w.%-]+\s+){0,2}(?:chance|probability|likelihood)\s+(?:of|to|that)\b"
    r"|\b(?:the|its|their|his|her)\s+(?:chances|probability|likelihood)\s+of\s+[^.;]*?"
    r"\b(?:is|are|has|have|stands?|rises?|falls?)\b"
    r"|\b(?:is|are)\s+paid\b|\bpaid\s+for\s+each\b"
    # Verbs and nouns of expectation the estimative table leaves out.
    r"|\b(?:foresee|foreseeing|envisage|envisages|envisaging|envision|envisions|envisioning)\b"
    r"|\b(?:promises?|threatens?)\s+to\s+(?:be|become|make|bring|push|drive|keep)\b"
    r"|\b(?:well\s+)?on\s+(?:its|their|his|her|our|the)\s+way\s+to\b"
    r"|\b(?:is|are|seems|looks|appears)\s+(?:all\s+but\s+|almost\s+|virtually\s+)?inevitable\b"
    r"|\binevitably\b|\b(?:only|just)\s+a\s+matter\s+of\s+time\b"
    r"|\b(?:strong|high|real|decent|fair|reasonable|significant)\s+(?:chance|likelihood|"
    r"probability|possibility)\s+(?:of|that)\b"
    # Passive expectation with a time ("is projected as early as 2026", "is expected next week").
    r"|\b(?:is|are|was|were)\s+(?:now\s+|widely\s+|still\s+|also\s+)?(?:expected|projected|"
    r"forecast|predicted|anticipated|seen)\s+(?=(?:as\s+early\s+as|as\s+soon\s+as|in|by|next|this|"
    r"later|before|within|around|to\s+(?:be|have|reach|come))\b)"
    # Idioms of something impending.
    r"|\b(?:on\s+the\s+horizon|in\s+the\s+offing|in\s+the\s+cards|on\s+the\s+cards|"
    r"around\s+the\s+corner|in\s+store\s+for)\b"
    # Plans, pledges and preparations: forecasts of what the one who makes them will do.
    r"|\b(?:is|are|was|were)\s+(?:now\s+|already\s+|reportedly\s+)?(?:planning|preparing|gearing\s+up)"
    r"\s+(?:to|a|an)\b"
    r"|\b(?:intends?|pledged?|pledges|pledging|vows?|vowed|vowing|promised?|promises|promising)\s+to"
    r"\s+(?!be\s+(?:a|an|the)\b)"
    r"|\b(?:points?|pointing)\s+to\s+(?:a|an)\b"
    # Market prices that foresee something: "markets are pricing in three cuts this year".
    r"|\b(?:pricing|priced|price|prices)\s+in\s+(?:an?\s+|the\s+|some\s+|more\s+|at\s+least\s+)?"
    r"(?:\w+\s+){0,3}?(?:cuts?|hikes?|increases?|rises?|reductions?|recession|default|chance|"
    r"probability|odds|moves?)\b"
    # "looks set to", "is set for", "are tipped to", "results are due before midnight".
    r"|\b(?:looks?|looked|seems?|appears?)\s+set\s+to\b"
    r"|\b(?:is|are)\s+(?:now\s+|also\s+)?set\s+for\b"
    # "on course for its first loss", "prices are headed higher", "bracing for strikes", "Look
    # for the Fed to pause".
    r"|\b(?:is|are|was|were)\s+(?:now\s+|already\s+|still\s+)?on\s+(?:course|track)\s+for\b"
    r"|\b(?:is|are)\s+(?:now\s+|still\s+)?head(?:ed|ing)\s+(?:higher|lower|(?:for|toward|towards)"
    r"(?=\s+(?:a|an|another|its|their|defeat|victory|recession)\b))"
    r"|\bbrac(?:e|es|ing)\s+(?:itself\s+|themselves\s+|ourselves\s+)?for\b"
    r"|^\W*(?:look|watch)\s+for(?=\s+(?:[\w'\u2019.-]+\s+){1,4}?to\s+(?!be\s+(?:a|an|the)\b))"
    r"|\b(?:is|are|was|were)\s+(?:\w+\s+)?tipped\s+(?:to|for)\b"
    r"|\b(?:is|are)\s+due\s+(?=(?:before|by|on|in|at|next|this|later|within)\b)"
    # "..., with the official decision due at 2 PM": a scheduled event tacked on with "with"
    r"|\bwith\s+(?:[\w'\u2019-]+\s+){1,4}?due\s+(?=(?:before|by|on|in|at|next|this|later|within)\b)"
    r"|\bas\s+(?:a|the)\s+(?:possible|likely|probable)\s+(?:date|timeline|target|outcome|"
    r"winner|successor|candidate|nominee|venue)\b"
    r"|\bappears?\s+(?:even\s+)?ahead\s+of\b"
    r"|\b(?:bookmakers|bookies|betting\s+sites|oddsmakers)\s+(?:have|make|rate)\s+[^.;]{1,60}?"
    r"\bas\s+(?:the\s+)?(?:leading|top|favou?rite|clear)\b",
    re.IGNORECASE,
)
# Wordings read only where their key words are: most start at words as common as "is", so in
# the big pattern above they would be tried at every one.
_KEYED: list[tuple[tuple[str, ...], re.Pattern[str]]] = [
    (keys, re.compile(pattern, re.IGNORECASE))
    for keys, pattern in [
        # "we're going to lose", "There's definitely going to be", "is still going to": "going
        # to" after a contraction or an adverb ("is going to" itself is an estimative wording)
        (
            ("going",),
            r"(?:['\u2019](?:s|re|m)|\b(?:is|are|am)(?:n['\u2019]t)?)\s+(?:(?:\w+ly|still|also|just|now|not)\s+)?going"
            r"\s+to(?=\s+(?!(?:the|a|an|my|his|her|their|our|your|its|this|that|be\s+(?:a|an|the))"
            r"\b)[a-z]+\b)"
            r"|\bthere(?:['\u2019]s|\s+is|\s+are)\s+(?:(?:\w+ly|still|also|just)\s+)?going\s+to\s+be\b",
        ),
        (
            ("trajectory", "path"),
            r"\bon\s+(?:a|the)\s+(?:\w+\s+)?(?:trajectory|path)\s+to(?=\s+[a-z]+\b)",
        ),
        # "is still on track with future launches", "the rollout remains on track"
        (
            ("track", "schedule"),
            r"\b(?:is|are|remains?|stays?)\s+(?:still\s+)?[\u201c\"]?(?:still\s+)?on\s+"
            r"(?:track|schedule)\b(?!\s+to\b)",
        ),
        # More news verbs of what is ahead: "The strike threatens to drag on", "stands to lose
        # its majority", "is favoured to reach the final", "prices are poised for a rebound",
        # "guided revenue of $4 billion".
        (("threatens",), r"\bthreatens\s+to\s+(?!(?:sue|quit|resign|leave|walk)\b)[a-z]+"),
        (
            ("stand",),
            r"\bstands?\s+to\s+(?:lose|gain|win|benefit|make|earn|receive|get|collect|pocket)\b",
        ),
        (("favored", "favoured"), r"\b(?:is|are)\s+(?:heavily\s+|strongly\s+)?favou?red\s+to\b"),
        (("poised",), r"\b(?:is|are)\s+(?:now\s+)?poised\s+for\b"),
        (
            ("guide",),
            r"\bguided?\s+(?:for\s+)?(?:revenue|sales|earnings|profits?|growth|margins?|shipments)\b",
        ),
        # Schedules: "is due for completion in 2026", "The vote is scheduled for Tuesday",
        # "..., with unemployment set to rise", "has been pushed back to next spring".
        (("due",), r"\b(?:is|are)\s+due\s+for\b"),
        (
            ("scheduled", "slated", "planned", "pencil"),
            r"\b(?:is|are)\s+(?:now\s+)?(?:scheduled|slated|planned|pencil+ed\s+in)\s+for\b",
        ),
        (("set to",), r"\bwith\s+(?:[\w'\u2019-]+\s+){1,4}?set\s+to\s+[a-z]+"),
        (
            ("back", "delayed", "postponed"),
            r"\b(?:pushed|put|moved)\s+back\s+(?:to|until|till)\s+(?=next\b|later\b|20\d\d\b|"
            r"(?:the\s+)?(?:end|start|spring|summer|autumn|fall|winter)\b)"
            r"|\b(?:delayed|postponed)\s+(?:to|until|till)\s+(?=next\b|later\b|20\d\d\b)",
        ),
        # "Demand is seen rising 3% next year", "Output is estimated to grow by 4% in 2025",
        # "the bank sees inflation returning to target".
        (("seen",), r"\b(?:is|are)\s+(?:now\s+)?seen\s+(?=\w+ing\b)"),
        (
            ("estimated",),
            r"\b(?:is|are)\s+(?:now\s+)?estimated\s+to\s+(?:grow|rise|fall|reach|increase|"
            r"decline|drop|hit|top|exceed|shrink|expand|contract)\b",
        ),
        (
            ("sees",),
            r"\b(?:bank|fund|firm|company|agency|government|ministry|group|institute|"
            r"organi[sz]ation|board|council|committee|office|union|researcher|forecaster|lender|"
            r"it)\s+(?:now\s+|also\s+|still\s+)?sees\b",
        ),
        # Fixtures and events a day ahead: "Guardiola's side host Leicester on Wednesday", "the
        # District of Columbia holds the final primary next Tuesday".
        (
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
            r"\b(?:host|hosts|face|faces|travel|travels|visit|visits|welcome|welcomes|hold|holds|"
            r"meet|meets|play|plays|take\s+on|takes\s+on|kick\s+off|kicks\s+off)\b(?=[^.;,]{0,60}?"
            r"\b(?:on|next|this)\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)",
        ),
        # A forecaster's figure named as its call: "Belski's year-end prediction for the S&P 500
        # is still 4,550", "its previous call for USD 80", "a new December 2026 target of $13,000".
        (
            ("prediction", "forecast", "projection", "estimate", "call", "target"),
            r"\b(?:(?:year-end|price|new|previous|earlier|initial|20\d\d)\s+)(?:prediction|forecast|"
            r"projection|estimate|call|target)\s+(?:for\s+[^,;.]{1,40}?\s+)?(?:is|was|of|at|remains|"
            r"for)\s+(?:still\s+|now\s+)?(?:around\s+|about\s+)?(?:USD\s*|[$\u20ac\u00a3])?\d",
        ),
        # "we can potentially deliver 2 billion doses by the end of 2021" (hedged)
        (("potentially",), r"\b(?:can|could|may|might)\s+potentially\b"),
        # "are “confident” in its ability to deliver 2 billion doses"
        # ... and "confirmed its confidence in meeting its 2023 margin goal"
        (
            ("confiden",),
            r"\b(?:is|are|am|remains?)\s+(?:\w+\s+)?[\u201c\"]?confident[\u201d\"]?\s+"
            r"(?:in\s+(?:its|their|our|his|her|the)\s+ability\s+to|of\s+\w+ing)\b"
            r"|\bconfidence\s+in\s+(?=(?:meeting|reaching|achieving|hitting|delivering|returning)\b)",
        ),
        # An injury's or a delay's length: "we are looking at around the six-week mark"
        (
            ("looking at",),
            r"(?:['\u2019]re|\bare|\bis)\s+(?:now\s+)?looking\s+at\s+(?:(?:around|about|roughly|"
            r"up\s+to|at\s+least)\s+)(?:the\s+)?[\w-]*(?:weeks?|months?|days?)\b",
        ),
        # "so hopefully at the end of the season we can be ready" (a hope: hedged)
        (("hopefully",), r"\bhopefully\b(?=[^.;]{0,80}?\b(?:will|can|be|by|next|soon)\b)"),
        # "The Fed is ready to start cutting rates in September", "is prepared to provide 300
        # million shots by the end of July"
        (
            ("ready", "prepared"),
            r"\b(?:is|are)\s+(?:also\s+|now\s+|fully\s+)?(?:ready|prepared)\s+to\s+[a-z]+"
            r"(?=[^.;]{0,80}?\b(?:by|in|next|this|later|from|within)\s)",
        ),
        # "Its peak-to-trough prediction is a fall of at least 25%"
        (
            ("prediction", "forecast", "projection", "estimate", "expectation"),
            r"\b(?:prediction|forecast|projection|estimate|expectation)s?\s+(?:is|are|was|were)\s+"
            r"(?:for\s+|that\s+)?(?:an?|the)\s+(?:\w+\s+)?(?:fall|rise|drop|decline|increase|"
            r"gain|loss|cut|hike)\b",
        ),
    ]
]
# A headline's subject and its infinitive, with no finite verb before it: "Oil to hit $100",
# "House prices 'to keep falling'"; not "How to ...", "Stocks to watch".
_HEADLINE_TO = re.compile(
    r"^[^\w\u2022*-]*(?=[A-Z])(?:(?![\w'\u2019-]*ed\b|(?:is|are|was|were|has|have|had|will|would|said|"
    r"says|plans?|wants?|start|starts|begin|begins|remain|remains|continue|continues|seem|seems|"
    r"appear|appears|try|like|love|prefer|decide|allow|allows|so|as|"
    r"needs?|hopes?|expects?|aims?|set|going|due|likely|expected|able|how|what|where|when|why|"
    r"whether|who|and|but|or|if|in|order|tries|tried|vows?|vowed|agrees?|agreed|refuses?|"
    r"refused|fails?|failed|moves?|bid|push|drive|efforts?|plan|way|ways|things|reasons|tips|"
    r"stocks|places|more|how)\b)[\w$%.,'\u2019&-]+\s+){1,6}?[\u2018'\"]?(?P<to>to)\s+"
    r"(?!(?:be\s+(?:a|an|the)|watch|buy|know|consider|avoid|see|do|try|read|make|get|help|the|a|"
    r"an|his|her|its|their|our|your|this|that|these|those)\b)"
    r"[a-z]+\b(?![^\n]*:\s*$)",
    re.IGNORECASE,
)
_SAYS_AT_END = re.compile(
    r",\s+(?:[\w.'\u2019&-]+\s+){1,5}(?:says|said|predicts|forecasts|warns|expects)\s*\.?\s*$"
)
_PAST_CONTEXT = re.compile(
    r"\s*(?:not\s+|also\s+|already\s+|well\s+)?(?:have|has|had)\s+"
    r"(?!(?:a|an|the|to|no|some|more|less|any|its|their|his|her|our|enough|\d+)\b)\w+",
    re.IGNORECASE,
)
# ... + "have": the future perfect ("will have been vaccinated by June"), a forecast.
_FUTURE_PERFECT = {
    "will",
    "'ll",
    "\u2019ll",
    "won't",
    "won\u2019t",
    "wont",
    "will not",
    "shall",
    "shall not",
}
_PAST_BEFORE = re.compile(r"\b(?:have|has|had|was|were)\s+(?:\w+\s+)?$", re.IGNORECASE)
_NOUN_WILL = re.compile(
    r"\b(?:the|political|free|good|ill|popular|own|his|her|their|its|our|a)\s+$", re.IGNORECASE
)
_MONTH_MAY = re.compile(r"May(?:\s+(?:\d|of\s|19|20)|,)")
# "opened in May", "until late May": the month after a preposition of time.
_BEFORE_MONTH = re.compile(
    r"\b(?:in|since|until|till|through|from|by|before|after|during|early|late|mid|last|next|"
    r"this|of)[\s-]+$"
)
_EPISTEMIC = re.compile(
    r"\s+(?:well\s+)?be\s+(?:right|wrong|true|false|correct|mistaken|the\s+case)\b"
    r"|\s+(?:seem|sound|look|appear)\s+(?:a\s+(?:little|bit)\s+|rather\s+|too\s+|very\s+)?"
    r"(?:high|low|odd|strange|surprising|unlikely|likely|obvious|reasonable|generous|harsh)\b",
    re.I,
)
_WOULD = re.compile(r"\bwould\b", re.IGNORECASE)
# After a modal, what is no forecast: what the outcome depends on ("will depend on how worn out
# the troops are", "will be up to the commanders"), and doubt ("that certainly could change").
_NOT_A_FORECAST = re.compile(
    r"\s+(?:(?:\w+ly|still|all|also)\s+)?(?:depends?\s+on|be\s+up\s+to)\b"
    r"|\s+(?:(?:could|may|might|will|would)\s+)?(?:\w+ly\s+|well\s+|still\s+)?change"
    r"\s*(?:[.,;!]|$|in\s+the\s+coming)",
    re.IGNORECASE,
)
# Wordings that a reported clause puts in the past tense ("were set to", "was likely to").
_REPORTED_PAST = {
    "set to",
    "likely",
    "unlikely",
    "very likely",
    "likely to",
    "is set to",
    "are set to",
    "going to",
    "bound to",
    "due to",
    "expected to",
    "poised to",
    "on track to",
    "on course to",
}
_WAS_SET = re.compile(r"\b(?:was|were)\s+set\s+to\b", re.IGNORECASE)
# ", added Stuart Law", ", said the bank": the reporting verb straight after the comma.
_SAID_NEXT = re.compile(
    r",\s+(?:said|says|added|adds|told|wrote|warned|predicted|argued|noted)\s+(?:[A-Z]|the\s|a\s|an\s)"
)
_WAS_BEFORE = re.compile(r"\b(?:was|were)\s+$", re.IGNORECASE)
_BEFORE_ADVERB = re.compile(
    r"(?:\b(?:is|are|be|almost|nearly|virtually|all\s+but)|['\u2019]s)\s+(?:\w+ly\s+)?$",
    re.IGNORECASE,
)
_COMPARED = re.compile(r"\b(?:than|as|were|was|had|been|worse|better)\s+$", re.IGNORECASE)
_EXPECT_WORDS = {
    "expected",
    "forecast",
    "predicted",
    "projected",
    "anticipated",
    "expects",
    "expect",
    "forecasts",
    "predicts",
    "predict",
    "projects",
    "expecting",
    "predicting",
    "forecasting",
    "projecting",
    "anticipates",
    "anticipate",
    "foresees",
}
# A reporting verb earlier in the clause; a full stop inside an abbreviation ("U.S.") is no
# sentence's end.
_REPORTED = re.compile(
    r"\b(?:said|says|say|told|predicted|predicts|predict|expected|expects|expect|believed|believes|"
    r"believe|warned|warns|thought|thinks|think|forecast|forecasts|projected|estimated|estimates|"
    r"suggested|argued|claimed|noted|added|reported|insisted|insists|signalled|signaled|vowed|"
    r"vows|promised|promises|pledged|feared|fears|fear|reckons|reckoned|assessed|assesses|"
    r"concluded|saying|(?:wrote|writes)(?=\s+(?:in\s+[^.;]{1,60}?\s+)?that\b))\b"
    r"(?:[^.;]|\.(?=\S)|(?<=\b[A-Z])\.)*$",
    re.IGNORECASE,
)
_REPORTED_AFTER = re.compile(
    r",\s+(?:[\w.\u2019'-]+\s+){1,6}(?:said|says|told|predicted|warned|wrote|added|believes)\b"
    # "PM would win 100-seat majority in snap election, says influential pollster"
    r"|,\s+(?:says|said|predicts|warns)\s+(?:an?\s+|the\s+)?[\w.\u2019'-]+"
)
_SHOULD = re.compile(r"\bshould\b(?!\s+(?:have|not\s+have|never\s+have|be\s+allowed)\b)")
_SHOULD_READING = wep.Reading(
    "should", 0.675, False, "likely", '"should" of expectation: read as likely (ICD 203)'
)
_FUTURE_TIME = re.compile(
    r"\b(?:today|tonight|tomorrow|soon|shortly|next\s+\w+|this\s+(?:year|month|week|season|spring|"
    r"summer|autumn|fall|winter|weekend|quarter)|later\s+(?:this|in)\b|by\s+(?:the\s+)?(?:end|year-end|time|"
    r"middle|mid|early|late|\w+\s+\d{4}|\d{4})|in\s+(?:early\s+|late\s+|mid-?)?20\d\d|"
    r"in\s+the\s+(?:coming|next)|within\s+(?:the\s+)?(?:next|\d+|a|two|three|six)|"
    r"in\s+the\s+(?:first|second)\s+half|(?:in|by)\s+the\s+(?:first|second|third|fourth)\s+quarter)\b",
    re.IGNORECASE,
)
_REPORTED_THAT = re.compile(
    r"\b(?:said|says|told\s+\w+(?:\s+\w+)?|predicted|expects|expected|believes|believed|thinks|"
    r"forecast|predicts)\s+(?:that\s+)?(?:[\w'\u2019-]+\s+){1,6}$"
)
_ADVICE = re.compile(r"\b(?:we|you|I|they|one|\w+\s+must|which|who)\s+$", re.IGNORECASE)
# A wording inside a question the text leaves open: "we don't know yet whether we are going to",
# "it is uncertain how the virus will develop", "no clear picture of what that will look like".
_OPEN_QUESTION = re.compile(
    r"\b(?:know|knows|knew|sure|clear|unclear|uncertain|predict|tell|question|wonder|wonders|"
    r"wondered|ask|asks|asked|picture|idea|doubts|depends|guess|see|seen)\b[^.;:]{0,40}?"
    r"\b(?:what|how|whether|which|if)\b[^.;:,]{0,60}$"
    r"|\buncertain\s+that\b[^.;:,]{0,60}$",
    re.IGNORECASE,
)
_CONDITIONAL_ONLY = {"can"}
_LIKELIHOOD = {"likely", "unlikely", "very likely", "very unlikely", "probable", "improbable"}
_LOOK = 120  # characters before a wording that its rules read (two or three words)


def cues(clause: str, conditional: bool, hypothetical: bool = False) -> Iterator[wep.Wording]:
    """Estimative wordings of the clause that speak of the future, left to right; `hypothetical`
    says the sentence before forecast with "would", so a "would" here goes on with it."""
    wordings = list(wep.find_wordings(clause))
    for match in _SHOULD.finditer(clause):
        # "should" of expectation, not of advice: with a time still to come ("should lock up
        # the nomination early today"), and not of what someone ought to do ("we should").
        before = clause[max(0, match.start() - _LOOK) : match.start()]
        if (
            _FUTURE_TIME.search(clause, match.end(), match.end() + 90)
            or _REPORTED_THAT.search(before)
            or _SAID_NEXT.search(clause, match.end())
        ) and not _ADVICE.search(before[-12:]):
            wordings.append(wep.Wording(match.start(), match.end(), _SHOULD_READING))
    for match in _WOULD.finditer(clause):
        wordings.append(wep.Wording(match.start(), match.end(), wep.read_phrase(match.group(0))))
    wordings.sort(key=lambda w: w.start)
    for wording in wordings:
        word = wording.reading.phrase.lower()
        # The rules look a few words either side: a bounded tail keeps a long clause with many
        # wordings linear (searching the whole clause before each wording was quadratic).
        before = clause[max(0, wording.start - _LOOK) : wording.start]
        after = clause[wording.end : wording.end + 40]
        if word in _CONDITIONAL_ONLY and not conditional:
            continue
        if word == "would" and not (
            conditional
            or hypothetical
            or _REPORTED.search(before)
            or _REPORTED_AFTER.search(clause, wording.end)
            or re.match(r"\s+(?:be|likely)\b", after)
            or _FUTURE_TIME.search(clause, wording.end, wording.end + 120)
        ):
            continue  # "would" of the past habit or the counterfactual, unless reported
        if word == "would" and re.match(r"\s+(?:have|like|love|rather)\b", after):
            continue
        if _NOT_A_FORECAST.match(clause, wording.end):
            continue  # "will depend on how ...", "could change": what decides it, or doubt
        if word in {"always", "never", "certain", "possible"} and not _BEFORE_ADVERB.search(before):
            continue  # habitual "never", determiner "certain", "as soon as possible"
        if word == "will" and _NOUN_WILL.search(before):
            continue
        if word == "may" and (
            _MONTH_MAY.match(clause, wording.start)
            or (clause[wording.start] == "M" and _BEFORE_MONTH.search(before))
            # "Theresa May would", "Mrs May went": a name, not the modal
            or (clause[wording.start] == "M" and re.search(r"\b[A-Z][a-z]+\.?\s+$", before))
        ):
            continue
        if (
            word in _EXPECT_WORDS
            and _COMPARED.search(before)
            and not (word.endswith("ing") and re.search(r"\bbeen\s+$", before))
            # "an official said ... troops were expected to take part": reported, not the past
            and not (
                _WAS_BEFORE.search(before)
                and re.match(r"\s+to\b", after)
                and _REPORTED.search(before[:-6])
            )
        ):
            # "than expected", "as forecast", "had predicted" of a past event; but "has been
            # forecasting" goes on forecasting.
            continue
        if word in ("plans to", "plan to") and re.search(r"\b(?:no|any)\s+$", before):
            continue
        if _OPEN_QUESTION.search(before):
            continue  # "no way to predict what course inflation will take": not knowing
        if wording.reading.hedged and _EPISTEMIC.match(clause, wording.end):
            continue  # "they could be right": a judgement about now, not a forecast
        past = _PAST_CONTEXT.match(clause, wording.end) or _PAST_BEFORE.search(before)
        if (
            past
            and not _PAST_CONTEXT.match(clause, wording.end)
            and word in _REPORTED_PAST
            and _reported(clause, before, wording.end)
        ):
            # "Hometrack believed prices were set to fall", "The bottom was likely to occur
            # ..., added Stuart Law": the tense of reported speech, not the past
            past = None
        if word in _FUTURE_PERFECT and not _PAST_BEFORE.search(before):
            past = None  # "will have been vaccinated by June": done by then, a forecast
        if past and word in _LIKELIHOOD and _REPORTED.search(before):
            past = None  # "analysts said an attack was unlikely": a forecast reported in the past
        if past and word not in _EXPECT_WORDS and "chance" not in word and "prospect" not in word:
            continue  # "might have been", "have likely been saved": about the past
        yield wording
    headline = _HEADLINE_TO.match(clause)
    if headline and (not clause.rstrip().endswith(".") or _SAYS_AT_END.search(clause)):
        # "Oil to hit $100 by June, Goldman says", "Economic Growth to Slow": a headline's
        # infinitive is its forecast
        yield wep.Wording(headline.start("to"), headline.end(), wep.read_phrase("will"))
    lower = clause.lower()
    keyed = [m for keys, rx in _KEYED if any(k in lower for k in keys) for m in rx.finditer(clause)]
    for match in itertools.chain(_MORE.finditer(clause), keyed):
        if any(w.start <= match.start() < w.end for w in wordings):
            continue
        reading = wep.read_phrase(match.group(0))
        if match.group(0).lower() == "hopefully":
            reading = dataclasses.replace(wep.read_phrase("hope"), phrase=match.group(0))
        yield wep.Wording(match.start(), match.end(), reading)
    for match in _WAS_SET.finditer(clause):
        # "Hometrack believed prices were set to fall further": "is set to" in reported speech
        if _reported(clause, clause[max(0, match.start() - _LOOK) : match.start()], match.end()):
            yield wep.Wording(match.start(), match.end(), wep.read_phrase(match.group(0)))


def _reported(clause: str, before: str, end: int) -> bool:
    """Whether a reporting verb governs the wording that ends at `end`: before it ("Hometrack
    believed prices were ..."), or after it (", the bank said", ", added Stuart Law")."""
    return bool(
        _REPORTED.search(before)
        or _REPORTED_AFTER.search(clause, end)
        or _SAID_NEXT.search(clause, end)
    )


def declarative(clause: str) -> re.Match[str] | None:
    """A present-tense declarative that announces a consequence ("slams the door on")."""
    return _DECLARATIVE.search(clause)
