"""Proposing the claims an archived text makes: forecasts with the wording that carries their
confidence, a probability and a deadline, and past-tense facts. The editor accepts, edits or
rejects each proposal; nothing here records anything.

Sentences come from syntok (rule-based segmentation that knows "U.S." and "Dr." do not end
sentences; it matched pysbd on the labelled articles and on tricky abbreviations, at about twice
the speed: bench/extract.py), a page of the text at a time (`sentences.py`), so that proposing
costs the same per page for a text of any length; past-tense verbs from lemminflect's English
inflection tables; estimative wording and its probability from `tracker.wep`. The tense and
modality rules on top are this module's own, measured against the labelled articles in the
tests (bench/extract.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import lemminflect

from tracker.imports.deadlines import Deadline, read_deadline
from tracker.imports.sentences import Place, Splitter, page_sentences, split_sentences
from tracker.record import wep

FORECAST = "forecast"
FACT = "fact"


@dataclass(frozen=True)
class Candidate:
    """One proposed claim. `quote` is text[quote_start:quote_end] of the archived text.

    For a forecast, `probability` is the chance that the sentence as worded comes true;
    `negated` says the wording denies the event ("won't", "not"), so a question asking whether
    the event happens takes 1 - probability."""

    kind: str
    quote: str
    quote_start: int
    quote_end: int
    reason: str
    phrase: str | None = None
    probability: float | None = None
    probability_origin: str | None = None
    probability_reason: str | None = None
    hedged: bool = False
    negated: bool = False
    condition: str | None = None
    deadline: Deadline | None = None

    @property
    def sentence(self) -> str:
        return self.quote

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        deadline = data.pop("deadline")
        data["sentence"] = self.quote
        data["deadline"] = deadline["at"] if deadline else None
        data["deadline_origin"] = deadline["origin"] if deadline else None
        data["deadline_reason"] = deadline["reason"] if deadline else None
        return data


# Words -----------------------------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)*")
_MODALS = {"will", "would", "shall", "should", "can", "could", "may", "might", "must", "to"}
_DETERMINERS = {"a", "an", "the", "this", "its", "his", "her", "their", "our", "my"}
_PRESENT_BE = {"is", "are", "am", "be", "being", "been", "get", "gets"}
_PAST_AUX = {"was", "were", "had", "did", "wasn't", "weren't", "hadn't", "didn't"}
_PERFECT = {"has", "have", "hasn't", "haven't"}
_NOT_VERBS = {"could", "might", "ought", "left"}


@lru_cache(maxsize=20_000)
def _past_form(word: str) -> tuple[bool, bool]:
    """(is a past-tense form, is a past participle) of some English verb, per lemminflect."""
    lemmas = lemminflect.getAllLemmas(word, upos="VERB").get("VERB", ())
    past = participle = False
    for lemma in lemmas:
        if word in lemminflect.getInflection(lemma, tag="VBD"):
            past = True
        if word in lemminflect.getInflection(lemma, tag="VBN"):
            participle = True
    return past, participle


def _past_verb(words: list[str], original: list[str]) -> str | None:
    """The first verb in past tense (or present perfect) that is not a modifier, if any."""
    for index, word in enumerate(words):
        previous = words[index - 1] if index else ""
        if word in _PAST_AUX:
            return original[index]
        if word in _MODALS or word in _NOT_VERBS:
            continue  # "would" is will's past form, but speaks of the hypothetical
        if index and original[index][0].isupper():
            continue  # a name ("United", "Ahmed") is not a verb
        past, participle = _past_form(word)
        if not (past or participle):
            continue
        if previous in _MODALS or previous in _DETERMINERS or previous in _PRESENT_BE:
            continue  # "will have", "a failed plot", "is required"
        if index > 1 and words[index - 2] in _PRESENT_BE:
            continue  # "is still fenced off"
        if past or previous in _PERFECT:
            return original[index]
    return None


# Forecast cues ---------------------------------------------------------------------------------

_STATED = re.compile(
    r"(?P<phrase>(?:an?\s+)?(?P<num>\d{1,3}(?:\.\d+)?)\s*(?:%|percent|per\s+cent)\s+"
    r"(?:chance|probability|likelihood|risk|odds)"
    r"|(?:chance|probability|likelihood|odds|risk)(?:\s+(?:of|that)\s+[^.;%\d]{1,80}?)?"
    r"\s+(?:of|at|is|stands\s+at|to\s+be)\s+(?:about\s+|around\s+|roughly\s+|only\s+)?"
    r"(?P<num2>\d{1,3}(?:\.\d+)?)\s*(?:%|percent|per\s+cent)"
    r"|(?P<num3>\d{1,3}(?:\.\d+)?)\s*(?:%|percent|per\s+cent)\s+(?:likely|certain|sure))",
    re.IGNORECASE,
)
# Present-tense declaratives that announce a consequence ("slams the door on diplomacy").
_DECLARATIVE = re.compile(
    r"\b(?:slams|slam|closes|close|shuts|shut)\s+the\s+door\b"
    r"|\b(?:opens|open)\s+the\s+door\s+to\b"
    r"|\b(?:paves|pave)\s+the\s+way\b"
    r"|\b(?:sets|set)\s+the\s+stage\b"
    r"|\b(?:spells|spell)\s+(?:the\s+end|doom|trouble|disaster)\b"
    r"|\b(?:all\s+but\s+)?(?:guarantees|ensures|dooms)\b"
    r"|\b(?:is|are)\s+(?:bound|poised|on\s+track|on\s+course|expected|due)\s+to\b",
    re.IGNORECASE,
)
_PAST_CONTEXT = re.compile(
    r"\s*(?:not\s+|also\s+|already\s+|well\s+)?(?:have|has|had)\s+\w+", re.IGNORECASE
)
_PAST_BEFORE = re.compile(r"\b(?:have|has|had|was|were)\s+(?:\w+\s+)?$", re.IGNORECASE)
_NOUN_WILL = re.compile(
    r"\b(?:the|political|free|good|ill|popular|own|his|her|their|its|our|a)\s+$", re.IGNORECASE
)
_MONTH_MAY = re.compile(r"May(?:\s+(?:\d|of\s|19|20)|,)")
_NEGATION = re.compile(
    r"\b(?:not|never|no\s+longer|neither|nor)\b|n['\u2019]t\b|^\W*(?:no|none)\b", re.IGNORECASE
)
_NEGATING_WORD = re.compile(r"n['\u2019]t\b|\bnot\b|\bnever\b", re.IGNORECASE)
_COPULA = re.compile(r"\b(?:is|are|was|were|seems|looks|appears|remains)\s+(?:very\s+)?$")
_CONDITIONAL_ONLY = {"can", "would"}
_EPISTEMIC = re.compile(
    r"\s+(?:well\s+)?be\s+(?:right|wrong|true|false|correct|mistaken|the\s+case)\b", re.I
)


_WOULD = re.compile(r"\bwould\b", re.IGNORECASE)
_BEFORE_ADVERB = re.compile(r"\b(?:is|are|almost|nearly|virtually)\s+$")
_LOOK = 120  # characters before a wording that its rules read (two or three words)


def _cues(clause: str, conditional: bool) -> Iterator[wep.Wording]:
    """Estimative wordings of the clause that speak of the future."""
    wordings = list(wep.find_wordings(clause))
    if conditional:
        wordings += [
            wep.Wording(m.start(), m.end(), wep.read_phrase(m.group(0)))
            for m in _WOULD.finditer(clause)
        ]
        wordings.sort(key=lambda w: w.start)
    for wording in wordings:
        word = wording.reading.phrase.lower()
        # The rules look a few words either side: a bounded tail keeps a long clause with many
        # wordings linear (searching the whole clause before each wording was quadratic).
        before = clause[max(0, wording.start - _LOOK) : wording.start]
        if word in _CONDITIONAL_ONLY and not conditional:
            continue
        if word in {"always", "never", "certain", "possible"} and not _BEFORE_ADVERB.search(before):
            continue  # habitual "never", determiner "certain", "as soon as possible"
        if word == "will" and _NOUN_WILL.search(before):
            continue
        if word == "may" and _MONTH_MAY.match(clause, wording.start):
            continue
        if wording.reading.hedged and _EPISTEMIC.match(clause, wording.end):
            continue  # "they could be right": a judgement about now, not a forecast
        if _PAST_CONTEXT.match(clause, wording.end) or _PAST_BEFORE.search(before):
            continue  # "might have been", "have likely been saved": about the past
        yield wording


_CONDITION_FIRST = re.compile(
    r"^(?P<lead>\W*(?:but|and|so|yet|still|now)?,?\s*)"
    r"(?P<word>if|unless|should|provided\s+that|as\s+long\s+as)\s+"
    r"(?P<condition>[^,;]+?),\s*(?:then\s+)?(?P<main>.+)$",
    re.IGNORECASE | re.DOTALL,
)
_CONDITION_LAST = re.compile(
    r"^(?P<main>.+?),?\s+(?P<word>if|unless|provided\s+that|as\s+long\s+as)\s+"
    r"(?P<condition>[^,;]+?)[.!]?$",
    re.IGNORECASE | re.DOTALL,
)
_NOT_CONDITIONAL = re.compile(r"\b(?:ask|asks|asked|wonder|wonders|know|see|whether|even)\s*$")


def _split_condition(sentence: str) -> tuple[str | None, int, int]:
    """(condition, start, end of the main clause) of "if ..., then ..." and "... if ..."."""
    first = _CONDITION_FIRST.match(sentence)
    if first:
        condition = first.group("condition").strip()
        if first.group("word").lower() == "unless":
            condition = "unless " + condition
        return condition, first.start("main"), len(sentence)
    last = _CONDITION_LAST.match(sentence)
    if last and not _NOT_CONDITIONAL.search(last.group("main")):
        condition = last.group("condition").strip()
        if last.group("word").lower() == "unless":
            condition = "unless " + condition
        return condition, 0, last.end("main")
    return None, 0, len(sentence)


# Facts -----------------------------------------------------------------------------------------

_YEAR_NUMBER = re.compile(r"\b(?:1[89]|20)\d{2}\b")
_DATE_WORDS = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|"
    r"january|february|march|april|june|july|august|september|october|november|december|"
    r"last\s+(?:week|month|year|summer|spring|autumn|fall|winter|night)|"
    r"(?:this|last)\s+week['\u2019]s|earlier\s+this\s+(?:week|month|year)|ago|recent(?:ly)?)\b",
    re.IGNORECASE,
)
_COUNT = re.compile(
    r"\d|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
    r"thirty|forty|fifty|hundred|hundreds|thousand|thousands|million|millions|billion|billions|"
    r"dozen|dozens|half|third|quarter|percent)\b",
    re.IGNORECASE,
)
_EVENT = re.compile(
    r"\b(?:attacks?|killings?|plots?|bombings?|strikes?|wars?|elections?|votes?|referendums?|"
    r"summits?|invasions?|coups?|assassinations?|protests?|agreements?|treaty|treaties|ruling|"
    r"verdicts?|crash|earthquakes?|floods?|fires?|droughts?|shootings?|raids?|sieges?|"
    r"ceasefires?|sanctions|resignations?|mergers?|acquisitions?|outbreaks?|pandemic|hearings?|"
    r"trials?|storms?|hurricanes?|explosions?|sale|closure|launch|recall|bankruptcy|strike)\b",
    re.IGNORECASE,
)
_PAST_MARKER = re.compile(
    r"\b(?:recent|last|ago|earlier|yesterday|(?:this|last)\s+week['\u2019]s|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    re.IGNORECASE,
)


def _fact_reason(
    sentence: str, words: list[str], original: list[str], year: int, strict: bool = False
) -> str | None:
    """Why the sentence states a checkable fact about the past, or None. `strict` (for a
    sentence that also forecasts) asks for a date or a named past event."""
    verb = _past_verb(words, original)
    years = [int(y) for y in _YEAR_NUMBER.findall(sentence)]
    past_years = [y for y in years if y <= year]
    without_years = _YEAR_NUMBER.sub(" ", sentence)
    if verb is not None:
        dated = [y for y in past_years if y < year] if strict else past_years
        if dated or _DATE_WORDS.search(without_years):
            return f"past tense (\u201c{verb}\u201d) with a date"
        if not strict:
            if _COUNT.search(without_years):
                return f"past tense (\u201c{verb}\u201d) with a number"
            event = _EVENT.search(sentence)
            if event:
                return (
                    f"past tense (\u201c{verb}\u201d) about an event (\u201c{event.group(0)}\u201d)"
                )
            return None
    event = _EVENT.search(sentence)
    if event and (any(y < year for y in past_years) or _PAST_MARKER.search(sentence)):
        return f"names a past event (\u201c{event.group(0)}\u201d)"
    return None


# The extractor ---------------------------------------------------------------------------------


def _forecast(
    sentence: str, start: int, published: dt.date, base_note: str
) -> tuple[str, dict[str, Any]] | None:
    """The forecast fields of one sentence, or None when it forecasts nothing."""
    if sentence.rstrip().endswith("?"):
        return None  # a question asks, it does not forecast
    condition, main_start, main_end = _split_condition(sentence)
    main = sentence[main_start:main_end]
    stated = _STATED.search(main)
    fields: dict[str, Any] = {"condition": condition}
    if stated:
        number = float(stated["num"] or stated["num2"] or stated["num3"])
        probability = min(max(number / 100, 0.01), 0.99)
        after = main[stated.end() :]
        fields.update(
            phrase=stated["phrase"].strip(),
            probability=round(probability, 4),
            probability_origin="stated",
            probability_reason="stated in the source"
            + (
                "; clipped into (0, 1) so that it can be scored"
                if probability != number / 100
                else ""
            ),
            hedged=False,
            negated=bool(_NEGATION.search(after)),
        )
        reason = "a stated probability"
    else:
        cues = list(_cues(main, condition is not None))
        cue = cues[0] if cues else None
        if (
            cue is not None
            and len(cues) > 1
            and not main[cue.end : cues[1].start].strip()
            and (cue.reading.category == "assertive") != (cues[1].reading.category == "assertive")
        ):
            # "will probably", "probably won't": the adverb says how sure, the verb when.
            second = cues[1]
            sure = second.reading if cue.reading.category == "assertive" else cue.reading
            cue = wep.Wording(
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
        declarative = _DECLARATIVE.search(main) if cue is None else None
        if cue is None and declarative is None:
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
        else:
            assert declarative is not None
            reading = wep.read_phrase(declarative.group(0))
            phrase = declarative.group(0)
            negated = bool(_NEGATION.search(main[: declarative.start()][-12:]))
        hedged = reading.hedged or (condition is not None and phrase.lower() == "can")
        fields.update(
            phrase=phrase,
            probability=reading.probability,
            probability_origin="phrase",
            probability_reason=f"{reading.category}: {reading.reference}",
            hedged=hedged,
            negated=negated,
        )
        reason = "estimative wording" if cue is not None else "a declarative that forecasts"
        if condition is not None:
            reason += " under a condition"
    fields["deadline"] = read_deadline(sentence, published, base_note)
    return reason, fields


# Bump when the rules change what is proposed: pages kept under another version are not reused.
EXTRACTOR_VERSION = 2
# A page reads at most this much text (about 3,000 words; most articles fit in one page), so
# reading one costs the same however long the source is (bench/extract.py measures it).
PAGE_CHARS = 20_000
# Longer "sentences" (lists, tables, text without full stops) are not proposed: a claim is a
# sentence or part of one, and the rules cost more than linear time in a sentence's length.
MAX_SENTENCE_CHARS = 2_000


@dataclass(frozen=True)
class Page:
    """The candidates whose sentences start in one stretch of the text, and where the next
    stretch starts (None after the last)."""

    candidates: list[Candidate]
    next: Place | None


def _reference_date(published_at: dt.datetime | None, today: dt.date | None) -> tuple[dt.date, str]:
    """The day deadlines count from, and the note a deadline's reason carries about it."""
    if published_at is not None:
        return published_at.astimezone(dt.UTC).date(), ""
    return (
        today or dt.datetime.now(dt.UTC).date(),
        " (the publication date is unknown: counted from the import date)",
    )


def extract_page(
    text: str,
    place: Place,
    published_at: dt.datetime | None = None,
    *,
    today: dt.date | None = None,
    splitter: Splitter = split_sentences,
    page_chars: int = PAGE_CHARS,
    max_sentence_chars: int = MAX_SENTENCE_CHARS,
) -> Page:
    """The forecasts and facts stated in the page of `text` that starts at `place`, in text
    order. The work is bounded by `page_chars` whatever the text's length; following `next`
    from the start gives exactly what `extract_candidates` gives, and what one page as long as
    the text would give."""
    if not 0 <= place.offset <= len(text):
        raise ValueError(f"offset {place.offset} is outside the text")
    if page_chars < 2 * max_sentence_chars:
        # A page then always holds a whole proposable sentence after the one it cut short.
        raise ValueError("a page must hold at least two of the longest sentences proposed")
    published, base_note = _reference_date(published_at, today)
    spans, following = page_sentences(text, place, splitter, page_chars)
    candidates: list[Candidate] = []
    for start, end in spans:
        sentence = text[start:end]
        if not 12 <= len(sentence) <= max_sentence_chars or not any(c.isalpha() for c in sentence):
            continue
        forecast = _forecast(sentence, start, published, base_note)
        if forecast is not None:
            reason, fields = forecast
            candidates.append(Candidate(FORECAST, sentence, start, end, reason, **fields))
        original = _WORD.findall(sentence)
        words = [w.lower().replace("\u2019", "'") for w in original]
        fact = _fact_reason(sentence, words, original, published.year, strict=forecast is not None)
        if fact is not None:
            # A forecast can rest on a past event ("justice for this week's attack"): the
            # sentence is then proposed as a fact too, for the editor to cut down to it.
            reason = fact if forecast is None else "also " + fact
            candidates.append(Candidate(FACT, sentence, start, end, reason))
    return Page(candidates, following)


def extract_candidates(
    text: str,
    published_at: dt.datetime | None = None,
    *,
    today: dt.date | None = None,
    splitter: Splitter = split_sentences,
    page_chars: int = PAGE_CHARS,
    max_sentence_chars: int = MAX_SENTENCE_CHARS,
) -> list[Candidate]:
    """The forecasts and facts the text states, in text order: every page of `extract_page`.
    `splitter` gives sentence offsets (syntok by default; bench/extract.py measures others)."""
    candidates: list[Candidate] = []
    place: Place | None = Place()
    while place is not None:
        page = extract_page(
            text,
            place,
            published_at,
            today=today,
            splitter=splitter,
            page_chars=page_chars,
            max_sentence_chars=max_sentence_chars,
        )
        candidates += page.candidates
        place = page.next
    return candidates
