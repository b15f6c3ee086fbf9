"""Proposing questions for a new claim among 100,000: how fast, and whether the right one still
comes first.

    python -m bench.retrieval --database-url sqlite:///instance/retrieval.sqlite3
    python -m bench.retrieval --database-url postgresql://postgres@127.0.0.1:5432/retrieval

The database is emptied and migrated, then filled with the 50 labelled events of
tests/questions/data as questions (each with its labelled claims linked, as bench.matching
assumes) among `--questions` made-up ones whose wording is drawn from the same words, the
events' names and deadlines, so that common words collide as they would in a real record.
Every labelled claim is then proposed questions as a new claim would be (its own claim left
out of its question), timed one by one: p50/p99/max in milliseconds, and the held-out figures
of bench.matching, measured through the database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import statistics
import time
from typing import Any

from sqlalchemy import insert, text

from bench.matching import DATA, _date, load_cases
from bench.populate import recreate
from tracker.db import make_engine, make_sessionmaker
from tracker.models import Claim, Question, Source
from tracker.questions import matching, retrieval

START = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)


def _vocabulary(cases: list[Any], rng: random.Random) -> list[str]:
    """The labelled texts' words, and made-up names as many again, most common first."""
    words: dict[str, int] = {}
    for case in cases:
        for word in case.claim.quote.split():
            clean = word.strip(".,;:!?\"'()\u201c\u201d")
            if clean:
                words[clean] = words.get(clean, 0) + 1
    common = sorted(words, key=lambda w: -words[w])
    syllables = ["ka", "lo", "mer", "tan", "vi", "sol", "dra", "pen", "qu", "ri", "zon", "bel"]
    names = {
        "".join(rng.choice(syllables) for _ in range(rng.randrange(2, 4))).capitalize()
        for _ in range(20_000)
    }
    return common + sorted(names)


def build(url: str, questions: int, seed: int = 13) -> dict[str, float]:
    """Recreate the database with the labelled events and `questions` made-up questions."""
    rng = random.Random(seed)
    cases = load_cases()
    started = time.perf_counter()
    recreate(url)
    engine = make_engine(url)
    vocabulary = _vocabulary(cases, rng)
    # Zipf-like: the i-th word is drawn with weight 1 / (i + 1).
    weights = [1.0 / (i + 1) for i in range(len(vocabulary))]
    events: dict[str, dict[str, Any]] = {}
    for event in json.loads((DATA / "events.json").read_text(encoding="utf-8")):
        events[event["id"]] = event
    question_rows: list[dict[str, Any]] = []
    for q in range(questions):
        words = rng.choices(vocabulary, weights, k=rng.randrange(8, 16))
        year = rng.randrange(2016, 2030)
        question_rows.append(
            {
                "id": q + 1,
                "kind": "forecast",
                "text": f"Will {' '.join(words)} by {year}?",
                "deadline_at": START + dt.timedelta(days=rng.randrange(5000)),
                "created_at": START,
                "updated_at": START,
            }
        )
    event_ids: dict[str, int] = {}
    for n, (event_id, event) in enumerate(sorted(events.items()), start=questions + 1):
        event_ids[event_id] = n
        deadline = _date(event["deadline"]) or dt.date(2030, 1, 1)
        question_rows.append(
            {
                "id": n,
                "kind": "forecast",
                "text": event["question"],
                "resolution_criteria": event["resolution_criteria"],
                "deadline_at": dt.datetime.combine(deadline, dt.time(23, 59, 59), dt.UTC),
                "created_at": START,
                "updated_at": START,
            }
        )
    # Each labelled claim about an event is recorded against it, from a source of its own.
    source_rows, claim_rows = [], []
    claim_ids: dict[str, int] = {}
    for n, case in enumerate((c for c in cases if c.event), start=1):
        quote = case.claim.quote
        published = case.claim.published or dt.date(2020, 1, 1)
        source_rows.append(
            {
                "id": n,
                "title": f"Labelled claim {case.claim_id}",
                "text": quote,
                "text_sha256": hashlib.sha256(quote.encode()).hexdigest(),
                "published_at": dt.datetime.combine(published, dt.time(), dt.UTC),
                "fetched_at": START,
                "created_at": START,
            }
        )
        claim_ids[case.claim_id] = n
        claim_rows.append(
            {
                "id": n,
                "source_id": n,
                "question_id": event_ids[case.event],
                "stance": "for",
                "key": f"labelled-{n}",
                "kind": "forecast",
                "quote": quote,
                "quote_start": 0,
                "quote_end": len(quote),
                "deadline_at": question_rows[event_ids[case.event] - 1]["deadline_at"],
                "deadline_origin": "explicit",
                "probability": 0.5,
                "probability_origin": "stated",
                "status": "open",
                "created_at": START,
                "updated_at": START,
            }
        )
    with engine.begin() as connection:
        for chunk in range(0, len(question_rows), 10_000):
            connection.execute(insert(Question), question_rows[chunk : chunk + 10_000])
        connection.execute(insert(Source), source_rows)
        connection.execute(insert(Claim), claim_rows)
        if connection.dialect.name == "postgresql":
            for table in ("sources", "questions", "claims"):
                connection.execute(
                    text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
                )
    inserted = time.perf_counter() - started
    started = time.perf_counter()
    with engine.begin() as connection:
        retrieval.rebuild(connection)
    # As autovacuum leaves a PostgreSQL table in service: its visibility map set (index-only
    # scans) and its statistics current.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(
            text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")
        )
    indexed = time.perf_counter() - started
    engine.dispose()
    return {"insert_s": inserted, "index_s": indexed}


def measure(url: str, questions: int) -> None:
    cases = load_cases()
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with engine.connect() as connection:
        ids: dict[str, int] = dict(
            connection.execute(
                text("SELECT text, id FROM questions WHERE id > :n"), {"n": questions}
            ).all()
        )
        claim_ids = dict(connection.execute(text("SELECT quote, id FROM claims")).all())
    events = {}
    for event in json.loads((DATA / "events.json").read_text(encoding="utf-8")):
        events[event["id"]] = ids[event["question"]]
    timings: list[float] = []
    # matched, first, unmatched, none above the threshold, right question among the candidates
    figures = {"dev": [0, 0, 0, 0, 0], "test": [0, 0, 0, 0, 0]}
    with sessions() as session:
        for round_ in range(2):  # the first round warms the caches
            for case in cases:
                # A labelled claim is matched as if new: out of its question, whose words are
                # indexed again without it (rolled back after).
                own = claim_ids.get(case.claim.quote)
                if own is not None:
                    session.delete(session.get_one(Claim, own))
                    session.flush()
                started = time.perf_counter()
                proposals = retrieval.propose(
                    session, case.claim, kind="forecast", limit=retrieval.CANDIDATES
                )
                elapsed = (time.perf_counter() - started) * 1000
                session.rollback()
                if round_ == 0:
                    continue
                timings.append(elapsed)
                top = proposals[0] if proposals else None
                counts = figures[case.split]
                if case.event is None:
                    counts[2] += 1
                    counts[3] += top is None or top.score <= matching.LINK_THRESHOLD
                else:
                    counts[0] += 1
                    counts[1] += top is not None and top.question_id == events[case.event]
                    counts[4] += events[case.event] in {p.question_id for p in proposals}
    engine.dispose()
    timings.sort()
    p50 = statistics.median(timings)
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    print(
        f"{engine.dialect.name}: {len(timings)} claims proposed questions among "
        f"{questions + len(events):,}: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {timings[-1]:.1f} ms"
    )
    for split, (matched, first, unmatched, none, found) in figures.items():
        print(
            f"  {split:4} right question among the {retrieval.CANDIDATES} candidates scored for "
            f"{found}/{matched} ({found / matched:.1%}), "
            f"first for {first}/{matched} ({first / matched:.1%}); "
            f"no proposal above the threshold for {none}/{unmatched} ({none / unmatched:.1%})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true", help="measure the database as it is")
    args = parser.parse_args()
    if not args.reuse:
        built = build(args.database_url, args.questions)
        print(f"built in {built['insert_s']:.1f} s, indexed in {built['index_s']:.1f} s")
    measure(args.database_url, args.questions)


if __name__ == "__main__":
    main()
