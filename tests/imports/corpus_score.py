"""Scoring the extractor on the hand-labelled corpus (tests/imports/corpus/README.md).

A labelled forecast entry is found when a forecast candidate's quote overlaps the entry's span;
each candidate (one per distinct pair of offsets) finds at most one entry, so two forecasts in
one sentence need two candidates with offsets of their own (a maximum matching pairs them). The
figures per split:

* recall: entries found / entries; precision: candidates that found an entry / forecast
  candidates;
* hedged: found entries whose candidate reads the hedge as labelled;
* stated: entries with a stated probability whose candidate has `probability_origin = stated`,
  the same value (to the label's three decimals) and the same kind (speaker / survey_share /
  market); `stated_extra` counts candidates stating a probability where the label has none;
* speakers: found attributed entries whose candidate names the labelled speaker (a normalised
  name match, `same_speaker`); `speaker_strict` divides by every attributed entry instead;
  `author_named` counts found entries of the author's own whose candidate names someone else;
* deadlines: found entries with labelled deadline words whose candidate's deadline is read
  from those words (explicit, and the words its reason quotes overlap the label's).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from tracker.imports.extract import Candidate, extract_candidates

CORPUS = Path(__file__).parent / "corpus" / "articles"


@dataclass(frozen=True)
class Entry:
    """One labelled forecast with its span's offsets in the article's text."""

    article: str
    start: int
    end: int
    label: dict[str, Any]


@dataclass
class Article:
    id: str
    split: str
    text: str
    published: dt.datetime
    sentences: list[tuple[int, int, dict[str, Any]]]
    entries: list[Entry] = field(default_factory=list)


def _published(value: str) -> dt.datetime:
    parts = [int(p) for p in value.split("-")] + [1, 1]
    return dt.datetime(parts[0], parts[1], parts[2], tzinfo=dt.UTC)


@cache
def articles() -> tuple[Article, ...]:
    """Every article of the corpus, its sentences and entries placed in its text."""
    found = []
    for path in sorted(CORPUS.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        text = data["text"]
        article = Article(data["id"], data["split"], text, _published(data["published"]), [])
        cursor = 0
        for sentence in data["sentences"]:
            at = text.find(sentence["text"], cursor)
            if at < 0:
                raise ValueError(f"{data['id']}: sentence not in the text: {sentence['text']}")
            article.sentences.append((at, at + len(sentence["text"]), sentence))
            cursor = at + len(sentence["text"])
            for label in sentence.get("forecasts") or []:
                inside = sentence["text"].find(label["span"])
                if inside < 0:
                    raise ValueError(f"{data['id']}: span not in its sentence: {label['span']}")
                start = at + inside
                article.entries.append(Entry(data["id"], start, start + len(label["span"]), label))
        found.append(article)
    return tuple(found)


_STOP = {"the", "a", "an", "of", "at", "and", "from", "by", "in", "to", "for", "s", "its"}


def _tokens(name: str) -> set[str]:
    name = re.sub(r"\([^)]*\)", " ", name.replace("\u2019", "'")).lower()
    name = re.sub(r"'s\b", "", name)
    return {w[:5] for w in re.findall(r"[a-z0-9]+", name) if w not in _STOP}


def _initials(name: str) -> set[str]:
    """ "World Health Organization" -> {"who"}: the acronym of a name's capitalised words."""
    words = [w for w in re.findall(r"[A-Z][\w'\u2019-]*", re.sub(r"\([^)]*\)", " ", name))]
    return {"".join(w[0] for w in words).lower()} if len(words) >= 2 else set()


def same_speaker(found: str | None, labelled: str) -> bool:
    """A normalised name match: the names share a word (case, possessives, "the", plural and
    "-ed" endings aside; a label's parenthesised affiliation is not part of its name), or one
    is the other's acronym ("World Health Organization" and "WHO")."""
    if found is None:
        return False
    return bool(
        _tokens(found) & _tokens(labelled)
        or _initials(found) & _tokens(labelled)
        or _initials(labelled) & _tokens(found)
    )


def _matching(entries: list[Entry], candidates: list[Candidate]) -> dict[int, Candidate]:
    """Entry index -> candidate, a maximum one-to-one matching of overlapping pairs."""
    edges = [
        [j for j, c in enumerate(candidates) if c.quote_start < e.end and e.start < c.quote_end]
        for e in entries
    ]
    owner: dict[int, int] = {}

    def place(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or place(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(entries)):
        place(i, set())
    return {i: candidates[j] for j, i in owner.items()}


@dataclass
class Score:
    entries: int = 0
    found: int = 0
    candidates: int = 0
    correct: int = 0
    hedge_right: int = 0
    stated: int = 0
    stated_right: int = 0
    stated_extra: int = 0
    attributed: int = 0
    attributed_found: int = 0
    speaker_right: int = 0
    author_entries: int = 0
    author_named: int = 0
    deadline_words: int = 0
    deadline_right: int = 0
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, float]:
        def ratio(a: int, b: int) -> float:
            return round(a / b, 3) if b else 1.0

        return {
            "recall": ratio(self.found, self.entries),
            "precision": ratio(self.correct, self.candidates),
            "hedged": ratio(self.hedge_right, self.found),
            "stated": ratio(self.stated_right, self.stated),
            "speakers": ratio(self.speaker_right, self.attributed_found),
            "speaker_strict": ratio(self.speaker_right, self.attributed),
            "deadlines": ratio(self.deadline_right, self.deadline_words),
        }

    def counts(self) -> str:
        return (
            f"entries {self.entries}, found {self.found}; forecast candidates {self.candidates},"
            f" correct {self.correct}; stated {self.stated_right}/{self.stated}"
            f" (+{self.stated_extra} stated where none is); speakers {self.speaker_right}/"
            f"{self.attributed_found} found of {self.attributed} attributed; author's own named"
            f" as someone's: {self.author_named}/{self.author_entries}; deadlines read from their"
            f" words {self.deadline_right}/{self.deadline_words}"
        )


def _stated_right(label: dict[str, Any], candidate: Candidate) -> bool:
    return (
        candidate.probability_origin == "stated"
        and candidate.probability is not None
        and abs(candidate.probability - label["stated_probability"]) < 0.0015
        and candidate.probability_kind == label["probability_kind"]
    )


_QUOTED = re.compile("\u201c([^\u201d]*)\u201d")


def _deadline_right(words: str, candidate: Candidate) -> bool:
    """The candidate's deadline is read from the labelled deadline words."""
    deadline = candidate.deadline
    if deadline is None or deadline.origin != "explicit":
        return False
    label = words.lower()
    return any(
        read.lower() in label or label in read.lower()
        for read in _QUOTED.findall(deadline.reason)
        if read.strip()
    )


def score(split: str) -> Score:
    """The extractor's figures on one split ("dev" or "test")."""
    result = Score()
    for article in articles():
        if article.split != split:
            continue
        found = extract_candidates(article.text, article.published)
        distinct: dict[tuple[int, int], Candidate] = {}
        for candidate in found:
            if candidate.kind == "forecast":
                distinct.setdefault((candidate.quote_start, candidate.quote_end), candidate)
        candidates = list(distinct.values())
        matches = _matching(article.entries, candidates)
        result.entries += len(article.entries)
        result.found += len(matches)
        result.candidates += len(candidates)
        result.correct += len(matches)
        matched = {id(c) for c in matches.values()}
        for candidate in candidates:
            if id(candidate) not in matched:
                result.extras.append(f"{article.id}: {candidate.quote}")
                if candidate.probability_origin == "stated":
                    result.stated_extra += 1
        for index, entry in enumerate(article.entries):
            label = entry.label
            hit = matches.get(index)
            stated = label["stated_probability"] is not None
            result.stated += stated
            result.attributed += label["speaker"] is not None
            if hit is None:
                result.misses.append(f"{article.id}: {label['span']}")
                continue
            result.hedge_right += hit.hedged == label["hedged"]
            if label["deadline_words"]:
                result.deadline_words += 1
                result.deadline_right += _deadline_right(label["deadline_words"], hit)
            if stated and _stated_right(label, hit):
                result.stated_right += 1
            elif stated:
                result.wrong.append(
                    f"{article.id}: stated {label['stated_probability']}"
                    f" {label['probability_kind']} read {hit.probability}"
                    f" {hit.probability_origin} {hit.probability_kind}: {label['probability_span']}"
                )
            elif hit.probability_origin == "stated":
                result.stated_extra += 1
            if label["speaker"] is None:
                result.author_entries += 1
                result.author_named += hit.speaker is not None
            else:
                result.attributed_found += 1
                if same_speaker(hit.speaker, label["speaker"]):
                    result.speaker_right += 1
                else:
                    result.wrong.append(
                        f"{article.id}: speaker {label['speaker']!r} read {hit.speaker!r}:"
                        f" {label['span'][:60]}"
                    )
    return result
