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
from dataclasses import asdict, dataclass
from typing import Any

from tracker.imports import quoting
from tracker.imports.deadlines import Deadline
from tracker.imports.facts import WORD, fact_reason
from tracker.imports.forecasts import Reader
from tracker.imports.sentences import Place, Splitter, page_sentences, split_sentences

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
    # The sentence the quote comes from (the quote is the whole sentence, or one of the
    # forecasts of a sentence that makes several).
    sentence_start: int
    sentence_end: int
    phrase: str | None = None
    probability: float | None = None
    probability_origin: str | None = None
    probability_reason: str | None = None
    hedged: bool = False
    negated: bool = False
    condition: str | None = None
    deadline: Deadline | None = None
    # Whose forecast it is: None for the author's own, else the person or organisation it is
    # reported from, with where the text names them.
    speaker: str | None = None
    speaker_kind: str | None = None
    attribution_start: int | None = None
    attribution_end: int | None = None
    # A stated probability's kind (speaker / survey_share / market) and the words stating it.
    probability_kind: str | None = None
    probability_start: int | None = None
    probability_end: int | None = None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        deadline = data.pop("deadline")
        data["sentence"] = self.quote
        data["deadline"] = deadline["at"] if deadline else None
        data["deadline_origin"] = deadline["origin"] if deadline else None
        data["deadline_reason"] = deadline["reason"] if deadline else None
        return data


# The extractor ---------------------------------------------------------------------------------


# Bump when the rules change what is proposed: pages kept under another version are not reused.
EXTRACTOR_VERSION = 6
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
    from the start gives exactly what `extract_candidates` gives. The page's last sentence is
    read beside the next page's first, as every other sentence is beside the one after it (a
    next sentence naming the source: "..., the bank said."). What a sentence leans on from
    earlier sentences (who "he" is, a survey's size, talk of betting, a quotation still open)
    is read within the page, so a page that starts after such a mention does not know it: one
    page as long as the text gives the same only when no such mention crosses a page's start
    (most articles are one page)."""
    if not 0 <= place.offset <= len(text):
        raise ValueError(f"offset {place.offset} is outside the text")
    if page_chars < 2 * max_sentence_chars:
        # A page then always holds a whole proposable sentence after the one it cut short.
        raise ValueError("a page must hold at least two of the longest sentences proposed")
    published, base_note = _reference_date(published_at, today)
    spans, following = page_sentences(text, place, splitter, page_chars)
    candidates: list[Candidate] = []
    reader = Reader(published, base_note)
    texts = [text[start:end] for start, end in spans]
    open_at_start, closing = quoting.runs(texts)
    for index, (start, end) in enumerate(spans):
        sentence = texts[index]
        if not 12 <= len(sentence) <= max_sentence_chars or not any(c.isalpha() for c in sentence):
            continue
        closer = closing[index]
        forecasts = reader.read(
            sentence,
            open_at_start[index],
            None if closer is None else texts[closer],
            texts[index + 1]
            if index + 1 < len(texts)
            else _first_sentence(text, following, splitter, page_chars, max_sentence_chars),
        )
        for forecast in forecasts:
            fields = dict(forecast.fields)
            for name in ("attribution_start", "attribution_end"):
                if fields.get(name) is not None:
                    fields[name] += start
            for name in ("probability_start", "probability_end"):
                if fields.get(name) is not None:
                    fields[name] += start
            candidates.append(
                Candidate(
                    FORECAST,
                    text[start + forecast.start : start + forecast.end],
                    start + forecast.start,
                    start + forecast.end,
                    forecast.reason,
                    sentence_start=start,
                    sentence_end=end,
                    **fields,
                )
            )
        original = WORD.findall(sentence)
        words = [w.lower().replace("\u2019", "'") for w in original]
        fact = fact_reason(sentence, words, original, published.year, strict=bool(forecasts))
        if fact is not None:
            # A forecast can rest on a past event ("justice for this week's attack"): the
            # sentence is then proposed as a fact too, for the editor to cut down to it.
            reason = fact if not forecasts else "also " + fact
            candidates.append(Candidate(FACT, sentence, start, end, reason, start, end))
    return Page(candidates, following)


def _first_sentence(
    text: str, place: Place | None, splitter: Splitter, page_chars: int, longest: int
) -> str | None:
    """The first sentence the page at `place` reads (None after the last page, or where that
    page reads none): the sentence after the last one of the page before. Read from a stretch
    of two of the longest sentences proposed where a second sentence starts in it (the first
    is then settled), else from the next page's whole stretch."""
    if place is None:
        return None
    if not place.inside_long_sentence:
        start = place.offset
        spans = list(splitter(text[start : start + 2 * longest]))
        if len(spans) > 1:
            return text[start + spans[0][0] : start + spans[0][1]]
    spans, _ = page_sentences(text, place, splitter, page_chars)
    return text[spans[0][0] : spans[0][1]] if spans else None


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
