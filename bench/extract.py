"""Extractor benchmark: speed on a 10,000-word article (target: under 1 second), the cost of one
page of proposals on a source of the largest size and on text made to be slow (target: under
0.25 second, since anyone may ask for any page), and forecast recall/precision on the labelled
articles with each sentence splitter and past-tense test.

Run: .venv/bin/python bench/extract.py   (or `make bench`); `--corpus` prints only the figures on
the hand-labelled corpus's development part, `--test` adds its held-out test part.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pysbd

from tracker.imports import extract
from tracker.imports import facts as fact_rules
from tracker.imports.sentences import Place
from tracker.record.quotes import find_quote
from tracker.record.services import MAX_TEXT_CHARS
from tracker.seed import fixture

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "imports" / "data"
TARGET_SECONDS = 1.0
PAGE_TARGET_SECONDS = 0.25


def _time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def articles() -> list[tuple[str, str, dt.datetime, list[str], list[str]]]:
    """(name, text, published, forecast quotes, fact quotes)."""
    seed = fixture()
    found = [
        (
            "seed (Soleimani)",
            seed["source"]["text"],
            _time(seed["source"]["published_at"]),
            [c["quote"] for c in seed["claims"] if c["kind"] == "forecast"],
            [c["quote"] for c in seed["claims"] if c["kind"] == "fact"],
        )
    ]
    for name in ("reservoir", "ferry"):
        labels = json.loads((DATA / f"{name}-labels.json").read_text(encoding="utf-8"))
        found.append(
            (
                name,
                (DATA / f"{name}-article.txt").read_text(encoding="utf-8"),
                _time(labels["published_at"]),
                [f["quote"] for f in labels["forecasts"]],
                list(labels["facts"]),
            )
        )
    return found


def pysbd_sentences(text: str) -> Iterator[tuple[int, int]]:
    """pysbd within each line, offsets found in order."""
    segmenter = pysbd.Segmenter(language="en", clean=False)
    for line in re.finditer(r"[^\n]+", text):
        cursor = line.start()
        for piece in segmenter.segment(line.group(0)):
            sentence = piece.strip()
            at = text.find(sentence, cursor, line.end()) if sentence else -1
            if at >= 0:
                cursor = at + len(sentence)
                yield at, cursor


_NAIVE = re.compile(r"[^.!?\n]+(?:[.!?]+[\"'\u201d\u2019)]*|$)")


def regex_sentences(text: str) -> Iterator[tuple[int, int]]:
    """The hand-written baseline: a sentence ends at . ! or ? (so "U.S." ends one)."""
    for match in _NAIVE.finditer(text):
        piece = match.group(0)
        stripped = piece.strip()
        if stripped:
            start = match.start() + piece.index(stripped)
            yield start, start + len(stripped)


SPLITTERS: dict[str, Callable[[str], Iterable[tuple[int, int]]]] = {
    "syntok (kept)": extract.split_sentences,
    "pysbd": pysbd_sentences,
    "regex baseline": regex_sentences,
}

_IRREGULAR = {
    "was",
    "were",
    "had",
    "did",
    "went",
    "came",
    "saw",
    "took",
    "made",
    "said",
    "got",
    "gave",
    "found",
    "thought",
    "told",
    "became",
    "left",
    "felt",
    "brought",
    "began",
    "kept",
    "held",
    "wrote",
    "stood",
    "heard",
    "let",
    "meant",
    "set",
    "met",
    "ran",
    "paid",
    "sat",
    "spoke",
    "lay",
    "led",
    "grew",
    "lost",
    "fell",
    "sent",
    "built",
    "understood",
    "drew",
    "broke",
    "spent",
    "cut",
    "rose",
    "drove",
    "bought",
    "wore",
    "chose",
    "fought",
    "threw",
    "caught",
    "taught",
    "sold",
    "won",
}


def hand_past_form(word: str) -> tuple[bool, bool]:
    """The hand-written baseline for the past-tense test: -ed or a list of irregular verbs."""
    past = word in _IRREGULAR or (len(word) > 4 and word.endswith("ed"))
    return past, past


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    shared = min(a[1], b[1]) - max(a[0], b[0])
    return shared > 0 and shared >= 0.5 * min(a[1] - a[0], b[1] - b[0])


def score(
    splitter: Callable[[str], Iterable[tuple[int, int]]], kind: str = "forecast"
) -> tuple[int, int, int, int, int]:
    """(labels, found, proposed, correct, labelled quotes cut across two sentences)."""
    labels = found = proposed = correct = cut = 0
    for _, text, published, forecasts, facts in articles():
        quotes = forecasts if kind == "forecast" else facts
        spans = []
        for quote in quotes:
            span = find_quote(text, quote)
            assert span is not None, quote
            spans.append((span.start, span.end))
        sentences = list(splitter(text))
        cut += sum(1 for s in spans if not any(a <= s[0] and s[1] <= b for a, b in sentences))
        candidates = [
            (c.quote_start, c.quote_end)
            for c in extract.extract_candidates(text, published, splitter=splitter)
            if c.kind == kind
        ]
        labels += len(spans)
        found += sum(1 for s in spans if any(_overlap(s, c) for c in candidates))
        proposed += len(candidates)
        correct += sum(1 for c in candidates if any(_overlap(s, c) for s in spans))
    return labels, found, proposed, correct, cut


def long_article() -> str:
    """About 10,000 words: the labelled articles repeated, paragraph by paragraph."""
    texts = [text for _, text, _, _, _ in articles()]
    words = 0
    parts = []
    while words < 10_000:
        for text in texts:
            parts.append(text)
            words += len(text.split())
    return "\n\n".join(parts)


BOUNDARIES = [
    ("Mr. Smith went to Washington, D.C. He said it would rain.", 2),
    ("The U.S. Embassy in Baghdad was attacked. Nobody died.", 2),
    ("Prices rose 3.5% in Jan. 2020 and fell in Feb. The end.", 2),
    ("He said: \u201cWe will win.\u201d Then he left.", 2),
    ("Ships use the Strait, e.g. tankers. Others do not.", 2),
    ("No. 10 Downing St. is the address. It is old.", 2),
    ("The meeting ends at 5 p.m. Tuesday. Then we vote.", 2),
    ("Dr. Jones et al. found it. They were right.", 2),
    ("It will happen!Really? Yes.", 3),
    ("Gov. Abbott and Sen. Cruz spoke. Rep. Ocasio-Cortez did not.", 2),
    ("The plan (see Fig. 2) will fail. Why? Money.", 3),
    ("In 2019 the U.K. left. The E.U. stayed.", 2),
]


def boundaries() -> None:
    print("sentence boundaries on abbreviation-heavy cases:")
    for name, splitter in SPLITTERS.items():
        right = sum(1 for text, n in BOUNDARIES if len(list(splitter(text))) == n)
        print(f"  {name:<15} {right}/{len(BOUNDARIES)}")


def timing() -> None:
    text = long_article()
    published = dt.datetime(2025, 3, 10, tzinfo=dt.UTC)
    print(f"article: {len(text.split()):,} words, {len(text):,} characters")
    cold = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, time, datetime as dt; t = time.perf_counter();"
            "from tracker.imports.extract import extract_candidates;"
            "text = sys.stdin.read();"
            "extract_candidates(text, dt.datetime(2025, 3, 10, tzinfo=dt.UTC));"
            "print(time.perf_counter() - t)",
        ],
        input=text,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    print(f"  cold (fresh process: imports, tables, first call): {float(cold.stdout):.3f} s")
    alone: dict[str, list[float]] = {name: [] for name in SPLITTERS}
    for _ in range(5):  # interleaved, so a busy moment on a shared machine hits them all
        for name, splitter in SPLITTERS.items():
            started = time.perf_counter()
            list(splitter(text))
            alone[name].append(time.perf_counter() - started)
    for name, runs in alone.items():
        print(f"  splitting alone, {name:<15} best of 5 {min(runs):.3f} s")
    for name, splitter in SPLITTERS.items():
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            count = len(extract.extract_candidates(text, published, splitter=splitter))
            runs.append(time.perf_counter() - started)
        verdict = "ok" if statistics.median(runs) < TARGET_SECONDS else "TOO SLOW"
        print(
            f"  warm, {name:<15} median of 5 {statistics.median(runs):.3f} s"
            f" (best {min(runs):.3f}), {count} candidates  [{verdict}]"
        )


def _page_costs(text: str) -> list[float]:
    """Seconds for each page of `text`, in order."""
    published = dt.datetime(2025, 3, 10, tzinfo=dt.UTC)
    costs = []
    place: Place | None = Place()
    while place is not None:
        started = time.perf_counter()
        page = extract.extract_page(text, place, published)
        costs.append(time.perf_counter() - started)
        place = page.next
    return costs


def pages() -> None:
    """One page's cost, whatever the source: the labelled articles repeated to the largest
    text a source may have, and stretches written to be slow for the rules (long sentences
    full of estimative wording and time words, one line without a full stop)."""
    article = "\n\n".join(text for _, text, _, _, _ in articles()) + "\n\n"
    largest = (article * (MAX_TEXT_CHARS // len(article) + 1))[:MAX_TEXT_CHARS]
    started = time.perf_counter()
    costs = _page_costs(largest)
    whole = time.perf_counter() - started
    print(
        f"pages of a {len(largest):,}-character source: {len(costs)} pages, whole text"
        f" {whole:.1f} s; a page: median {statistics.median(costs) * 1000:.0f} ms,"
        f" slowest {max(costs) * 1000:.0f} ms"
    )
    sentence = "It will probably rain by June 2027 if it might snow, a 30% chance, and "
    slow = {
        "long sentences of wording": (sentence * 28)[:1_990] + ".\n",
        "one line, no full stop": "and it will rain by 2027 ",
        "short sentences of wording": "It will probably rain by June 2027, analysts said in 2019. ",
    }
    for name, unit in slow.items():
        text = (unit * (3 * extract.PAGE_CHARS // len(unit) + 1))[: 3 * extract.PAGE_CHARS]
        worst = max(_page_costs(text))
        verdict = "ok" if worst < PAGE_TARGET_SECONDS else "TOO SLOW"
        print(f"  {name:<28} slowest page {worst * 1000:.0f} ms  [{verdict}]")


def quality() -> None:
    print("forecasts over the labelled articles (seed, reservoir, ferry):")
    for name, splitter in SPLITTERS.items():
        labels, found, proposed, correct, cut = score(splitter)
        print(
            f"  {name:<15} recall {found}/{labels} = {found / labels:.2f}"
            f"  precision {correct}/{proposed} = {correct / proposed:.2f}"
            f"  labelled quotes cut across sentences: {cut}"
        )
    print("facts (recall over labelled facts; precision against them, a lower bound):")
    for past_name, past_test in (
        ("lemminflect (kept)", fact_rules._past_form),
        ("hand rule -ed", hand_past_form),
    ):
        original = fact_rules._past_form
        fact_rules._past_form = past_test  # type: ignore[assignment]
        try:
            labels, found, proposed, correct, _ = score(extract.split_sentences, "fact")
        finally:
            fact_rules._past_form = original
        print(
            f"  {past_name:<18} recall {found}/{labels} = {found / labels:.2f}"
            f"  precision {correct}/{proposed} = {correct / proposed:.2f}"
        )


def corpus(splits: tuple[str, ...]) -> None:
    """Figures on the hand-labelled corpus (tests/imports/corpus): the development part always;
    the held-out test part only when asked (`--test`), since every look at it spends it."""
    from tests.imports.corpus_score import score as corpus_score

    print("hand-labelled corpus (tests/imports/corpus/README.md):")
    for split in splits:
        result = corpus_score(split)
        figures = "  ".join(f"{k} {v:.3f}" for k, v in result.figures().items())
        print(f"  {split:<5} {figures}")
        print(f"        {result.counts()}")


if __name__ == "__main__":
    if "--corpus" in sys.argv:
        corpus(("dev", "test") if "--test" in sys.argv else ("dev",))
        sys.exit(0)
    timing()
    pages()
    quality()
    boundaries()
    corpus(("dev", "test") if "--test" in sys.argv else ("dev",))
