"""The forecasts of one sentence: where each begins and ends, the wording that carries its
confidence and the probability it gives, a stated chance, its condition and deadline, and whose
forecast it is.

A `Reader` reads a text's sentences in order and remembers what later sentences need: the people
and organisations named (for "he said"), a survey's size (for "Thirteen said") and whether the
text speaks of betting (for "Currently sitting at 5/1").
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from tracker.imports import chances, clauses, cues, odds, quoting
from tracker.imports.deadlines import read_deadline
from tracker.imports.speaker_memory import Attribution, Speakers
from tracker.imports.speaker_nearby import named_next, source_of_previous
from tracker.imports.speakers import find_attributions, nearest
from tracker.record import wep

_NEGATION = re.compile(
    r"\b(?:not|never|no\s+longer|neither|nor)\b|n['\u2019]t\b|^\W*(?:no|none)\b", re.IGNORECASE
)
_NEGATING_WORD = re.compile(
    r"n['\u2019]t\b|\bnot\b|\bnever\b|\blittle\b|\bno\s+way\b", re.IGNORECASE
)
_COPULA = re.compile(r"\b(?:is|are|was|were|seems|looks|appears|remains)\s+(?:very\s+)?$")
_FIRST_PERSON = re.compile(r"\b(?:I|I['\u2019]m|we|We|my|our|Our|My)\b")
_PAIRED = re.compile(r"\s+(?:and|or)\s+")
_SURVEY_NAME = re.compile(r"\b(?:poll|polls|survey|surveys|study)\b", re.IGNORECASE)
_SECOND_CLAUSE = re.compile(
    r",\s+|\s+(?=(?:who|which|while|whereas|with|ahead\s+of|behind|followed\s+by|but)\b)"
)
_ACCORDING_ONLY = re.compile(r"\baccording\s+to\b", re.IGNORECASE)
_LISTED = re.compile(r",\s+(?:and\s+|or\s+|while\s+|with\s+)?$")
_CHANCE_NOUN = re.compile(r"\b(?:chances?|probability|likelihood|odds)\b", re.IGNORECASE)
_BETTING = re.compile(
    r"\b(?:bet|bets|betting|bookmakers?|bookies|oddsmakers|punters|wagers?|smarkets|betfair|"
    r"sportsbooks?|bet365|draftkings|fanduel|ladbrokes|paddy\s+power|william\s+hill|"
    r"prediction\s+markets?|polymarket|kalshi|intrade|\d{1,3}/\d{1,3}\s+(?:favou?rites?|shot|"
    r"to\s+win))\b",
    re.IGNORECASE,
)
_SHARE_VERB = re.compile(r"[\s\u2014\u2013,-]*(?:[a-z]+\s+){0,3}")
# What a page says of itself and to its reader, not of the world: "Sign up and we'll send you
# the best stories", "This article will explain ...", "you can visit our website".
_SITE_TEXT = re.compile(
    r"\b(?:subscribe\s+(?:to\s+(?:our|the|this)\b|now|today|here)|sign\s+up\s+(?:now|here|today|"
    r"and\s+(?:we|you)|(?:for|to)\s+(?:our|my)\b)|(?:our|this)\s+newsletter|click\s+here|"
    r"our\s+(?:website|site|app)|"
    r"(?:this|the\s+following)\s+(?:article|story|post|piece|guide|page|series|report\s+below)\s+"
    r"(?:will|would|is\s+going\s+to)|readers\s+will|in\s+this\s+(?:article|post|piece|guide))\b",
    re.IGNORECASE,
)
_FAVOURITE = re.compile(r"\b(?:favou?rit|tipped)", re.IGNORECASE)
# Markets that are not bookmakers, by the name a sentence gives them.
_MARKETS = [
    (re.compile(r"\b(?:polymarket|kalshi|predictit|smarkets|betfair)\b", re.I), None),
    (re.compile(r"\bfedwatch\b", re.I), "CME FedWatch"),
    (re.compile(r"\b(?:fed\s+funds\s+)?futures\b", re.I), "futures markets"),
    (re.compile(r"\b(?:prediction|financial|money|betting)\s+markets?\b", re.I), None),
]


def _market_of(sentence: str) -> str:
    """Who a market price nobody is named for comes from: the prediction market or futures
    the sentence names, else the bookmakers."""
    for pattern, name in _MARKETS:
        found = pattern.search(sentence)
        if found:
            return name or found.group(0)
    return "bookmakers"


_KIND_REASONS = {
    chances.SPEAKER: "stated in the source",
    chances.SURVEY: "the share of a surveyed group, not the speaker's own confidence",
    chances.MARKET: "betting odds or market prices: the implied probability, without the margin",
}


@dataclass(frozen=True)
class Forecast:
    """One forecast of a sentence; offsets are within the sentence."""

    start: int
    end: int
    reason: str
    fields: dict[str, Any]


_WOULD = re.compile(r"\bwould\b", re.IGNORECASE)


@dataclass
class Reader:
    """What a text has said so far that its later sentences lean on."""

    published: dt.date
    base_note: str = ""
    speakers: Speakers = field(default_factory=Speakers)
    survey: chances.Survey = field(default_factory=chances.Survey)
    market: bool = False
    # Whether the last sentence reported someone (named them, or went on with whoever was
    # named): a sentence of the author's own between breaks the thread.
    reporting: bool = False
    # Whether the last sentence forecast with "would": "If an election were held today, YouGov
    # predicts that the Conservatives would win 359 seats. This would deliver a majority of
    # 68." goes on with the same hypothetical.
    hypothetical: bool = False

    def read(
        self,
        sentence: str,
        open_at_start: bool = False,
        closer: str | None = None,
        following: str | None = None,
    ) -> list[Forecast]:
        """The forecasts of the next sentence of the text, left to right. `open_at_start` says
        the sentence goes on with a quotation an earlier one opened; `closer` is the later
        sentence that closes the quotation this one is inside of; `following` is the next sentence,
        which may say whom this one comes from ("This is reported by Bloomberg.")."""
        regions, open_at_end = quoting.quoted(sentence, open_at_start)
        quote = (open_at_start or open_at_end) and bool(regions)
        named = len(self.speakers.named)
        if sentence.rstrip().endswith("?") or _SITE_TEXT.search(sentence):
            found: list[Forecast] = []
        else:
            found = self._forecasts(sentence, regions, closer if quote else None, following)
        # A quoted sentence goes on with whoever the text was reporting ("'We know ...,' Koeman
        # told evertontv. 'He has a lot of confidence ...").
        quoted_on = self.reporting and bool(regions) and regions[0][0] <= _lead(sentence)
        self.reporting = (
            quoted_on
            # A fact the author sources ("according to the AP's count") starts no thread.
            or (
                len(self.speakers.named) > named
                and (bool(found) or not _ACCORDING_ONLY.search(sentence))
            )
            or any(f.fields.get("speaker") is not None for f in found)
        )
        self.hypothetical = bool(found) and _WOULD.search(sentence) is not None
        # Talk of betting carries over to later sentences; "odds" alone does not (a model's
        # or economists' odds are their own chance).
        self.market = self.market or bool(_BETTING.search(sentence))
        return found

    def _forecasts(
        self,
        sentence: str,
        regions: list[tuple[int, int]],
        closer: str | None,
        following: str | None = None,
    ) -> list[Forecast]:
        condition, main_start, main_end = clauses.split_condition(sentence)
        main = sentence[main_start:main_end]
        stated = chances.find_chances(main, self.survey, self.market)
        wordings = sorted(
            cues.cues(main, condition is not None, self.hypothetical), key=lambda w: w.start
        )
        joined = clauses.coordinated(main, wordings)
        wordings = sorted(wordings + joined, key=lambda w: w.start)
        stated = [
            c
            for c in stated
            if not c.needs_cue or any(c.end <= w.start < c.end + 150 for w in wordings)
        ]
        carried = self._carried(sentence, regions, closer, bool(stated), following)
        attributions = find_attributions(sentence, self.speakers)
        self.speakers.mention(sentence)
        for named in attributions:
            self.speakers.remember(named)
        # A declarative that announces a consequence is a forecast of its own beside a wording
        # in another clause ("pours cold water on job cuts, but doesn't deny there will be ...").
        declared = cues.declarative(main)
        if declared is not None and any(
            declared.start() <= w.start < declared.end() for w in wordings
        ):
            declared = None
        if not wordings and not stated and declared is None:
            return []
        # "98 percent—said they expect": the group's verb goes with its share, whatever
        # the punctuation between.
        anchors = [
            w.start
            for w in wordings
            if not any(
                c.kind == chances.SURVEY and _SHARE_VERB.fullmatch(main, c.end, w.start)
                for c in stated
            )
        ] + [c.start for c in stated]
        if declared is not None:
            anchors.append(declared.start())
        # "with a 46.3% and 45.7% chance, respectively": a forecast for each of two subjects.
        # "a 35% chance of X, a 40% chance of Y and a 25% chance of Z": one for each outcome.
        paired = [
            b.start
            for a, b in itertools.pairwise(stated)
            if _PAIRED.fullmatch(main, a.end, b.start)
            or (
                _LISTED.search(main, a.end, b.start) is not None
                and a.kind == b.kind
                and all(_CHANCE_NOUN.search(main[c.start : c.end + 12]) for c in (a, b))
            )
        ]
        # Two chances with no break between ("a 57% chance of winning, ahead of Leclerc who is
        # 4/1"): each outcome its own forecast, cut where the second one's clause begins.
        for a, b in itertools.pairwise(stated):
            if (
                b.start in paired
                or _PAIRED.fullmatch(main, a.end, b.start)
                or chances.SURVEY in (a.kind, b.kind)
            ):
                continue
            cuts = list(_SECOND_CLAUSE.finditer(main, a.end, b.start))
            if cuts:
                paired.append(cuts[-1].end())
        stretches = clauses.clauses(main, anchors, [w.start for w in joined] + paired)
        forecasts: list[Forecast] = []
        shared = {w.start for w in joined}
        for start, end in stretches:
            inside = [w for w in wordings if start <= w.start < end]
            chance = next((c for c in stated if start <= c.start < end), None)
            fields = self._fields(main, inside, chance, declared, condition)
            if fields is None:
                continue
            reason, values = fields
            if len(stretches) == 1:
                at, to = 0, len(sentence)
            else:
                at, to = main_start + start, main_start + end
            anchor = min([main_start + w.start for w in inside] + [at + len(sentence)])
            if chance is not None:
                anchor = min(anchor, main_start + chance.start)
            attribution: Attribution | None = nearest(attributions, at, to, anchor)
            if (
                attribution is not None
                and attribution.start >= to
                and re.match(r"\s*that\b", sentence[attribution.end :])
            ):
                attribution = None  # "..., while it has been reported that ...": the next one's
            if chance is not None and chance.kind == chances.SURVEY:
                # "87% of Democrats expect ..., finds a survey": the survey's finding, not the
                # surveyed group's own forecast.
                attribution = _survey(attributions, self.speakers) or attribution
            if attribution is not None and attribution.start >= 0 and following is not None:
                # "..., a state public health official said." then "Sarah Reisetter, deputy
                # director of the state public health department, ...": the one described
                attribution = named_next(sentence, attribution, following) or attribution
            attribution = attribution or carried
            if forecasts and chance is None and inside and all(w.start in shared for w in inside):
                # A forecast that shares the one before's wording is that one's speaker's.
                attribution = _speaker_of(forecasts[-1])
            if attribution is None and (
                (chance is not None and chance.kind == chances.MARKET)
                or (
                    (self.market or odds.MARKET_WORDS.search(sentence))
                    and _FAVOURITE.search(str(values.get("phrase") or ""))
                )
            ):
                # Betting odds and favourites nobody is named for are the bookmakers', or the
                # market's the sentence names ("Fed funds futures imply ...").
                attribution = Attribution(_market_of(sentence), "organization", -1, -1)
            outside = attribution is not None and not at <= attribution.start < to
            if outside and _FIRST_PERSON.search(quoting.unquoted(sentence, regions, at, to)):
                attribution = None  # "..., and I think ...": the author's own
            if attribution is not None:
                known = attribution.start >= 0
                values.update(
                    speaker=attribution.name,
                    speaker_kind=attribution.kind,
                    attribution_start=attribution.start if known else None,
                    attribution_end=attribution.end if known else None,
                )
            if chance is not None:
                values.update(
                    probability_start=main_start + chance.start,
                    probability_end=main_start + chance.end,
                )
            values["deadline"] = read_deadline(sentence[at:to], self.published, self.base_note)
            forecasts.append(Forecast(at, to, reason, values))
        return forecasts

    def _carried(
        self,
        sentence: str,
        regions: list[tuple[int, int]],
        closer: str | None,
        stated: bool,
        following: str | None = None,
    ) -> Attribution | None:
        """Whose forecasts a sentence that names nobody goes on reporting: in a quotation, whoever
        the sentence closing it names ("..., Wei said."); else whoever the text named last, if
        the sentence before went on reporting or this one states a chance (a model's table of
        chances, odds), and unless the author speaks in the first person."""
        if closer is not None:
            named = find_attributions(closer, self.speakers)
            if named:
                return Attribution(named[-1].name, named[-1].kind, -1, -1)
        if following is not None:
            # The next sentence says where this one comes from ("This is reported by
            # Bloomberg."). A next sentence that opens with someone who said something is
            # not read so: after a quotation it often brings in a new speaker.
            source = source_of_previous(following, self.speakers)
            if source is not None:
                return Attribution(source.name, source.kind, -1, -1)
        last = self.speakers.last
        if (
            last is None
            or not (self.reporting or stated)
            or _FIRST_PERSON.search(quoting.unquoted(sentence, regions, 0, len(sentence)))
        ):
            return None
        return Attribution(last.name, last.kind, -1, -1)

    def _fields(
        self,
        main: str,
        wordings: list[wep.Wording],
        chance: chances.Chance | None,
        declared: re.Match[str] | None,
        condition: str | None,
    ) -> tuple[str, dict[str, Any]] | None:
        values: dict[str, Any] = {"condition": condition}
        cue = _first_cue(main, wordings)
        if cue is None and chance is None and declared is None:
            return None
        if cue is not None:
            reading = cue.reading
            phrase = reading.phrase
            copula = _COPULA.search(main[: cue.start])
            if copula and reading.category not in ("assertive",):
                phrase = main[copula.start() : cue.end]
            after = main[cue.end :]
            # "won't" and "will not" deny the event; "probably not" and "unlikely" carry a
            # number for the event itself, so they are not negations here.
            negated = (
                bool(_NEGATING_WORD.search(phrase))
                and reading.category not in ("probably not", "almost certainly not")
            ) or bool(_NEGATION.search(after.split(",")[0]))
        elif chance is not None:
            reading = wep.read_phrase(main[chance.start : chance.end])
            phrase = main[chance.start : chance.end]
            negated = bool(_NEGATION.search(main[chance.end :].split(",")[0]))
        else:
            assert declared is not None
            reading = wep.read_phrase(declared.group(0))
            phrase = declared.group(0)
            negated = bool(_NEGATION.search(main[: declared.start()][-12:]))
        hedged = reading.hedged or (condition is not None and phrase.lower() == "can")
        values.update(phrase=phrase, hedged=hedged, negated=negated)
        if chance is not None:
            quoted = main[chance.start : chance.end]
            values.update(
                probability=chance.value,
                probability_origin="stated",
                probability_kind=chance.kind,
                probability_reason=f"{_KIND_REASONS[chance.kind]} (\u201c{quoted}\u201d)",
            )
            reason = "a stated probability"
        else:
            values.update(
                probability=reading.probability,
                probability_origin="phrase",
                probability_reason=f"{reading.category}: {reading.reference}",
            )
            reason = "estimative wording" if cue is not None else "a declarative that forecasts"
        if condition is not None:
            reason += " under a condition"
        return reason, values


def _speaker_of(forecast: Forecast) -> Attribution | None:
    """Whose a forecast is, as an attribution (named where the forecast names them)."""
    fields = forecast.fields
    if fields.get("speaker") is None:
        return None
    start = fields.get("attribution_start")
    end = fields.get("attribution_end")
    return Attribution(
        fields["speaker"],
        fields.get("speaker_kind"),
        -1 if start is None else start,
        -1 if end is None else end,
    )


def _survey(attributions: list[Attribution], speakers: Speakers) -> Attribution | None:
    """The survey a share of a group comes from: named in the sentence, or earlier."""
    for found in attributions:
        if _SURVEY_NAME.search(found.name):
            return found
    if speakers.poll is not None:
        return Attribution(speakers.poll, "organization", -1, -1)
    return None


def _lead(sentence: str) -> int:
    return len(sentence) - len(sentence.lstrip())


def _first_cue(main: str, wordings: list[wep.Wording]) -> wep.Wording | None:
    """The wording that carries the forecast's confidence: the first, or "will probably" and
    "probably won't" read as one (the adverb says how sure, the verb when)."""
    cue = wordings[0] if wordings else None
    if (
        cue is not None
        and len(wordings) > 1
        and not main[cue.end : wordings[1].start].strip()
        and (cue.reading.category == "assertive") != (wordings[1].reading.category == "assertive")
    ):
        second = wordings[1]
        sure = second.reading if cue.reading.category == "assertive" else cue.reading
        return wep.Wording(
            cue.start,
            second.end,
            wep.Reading(
                main[cue.start : second.end],
                sure.probability,
                sure.hedged,
                sure.category,
                sure.reference,
            ),
        )
    return cue
