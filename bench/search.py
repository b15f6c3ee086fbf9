"""Search over 100,000 claims and 30,000 sources with their archived texts: the time per query
(one word, two words, a phrase; first page of 20) as a client sees it from gunicorn, and the
index's size on disk per 1,000 sources, on SQLite and on PostgreSQL.

The data set is built once per database (bulk inserts, then `index.rebuild`, timed) and kept
for the next run; --fresh builds it again. Texts are sentences of the real articles in
tests/imports/corpus, shuffled, with one word in eight replaced by a word from a 60,000-word
made-up vocabulary drawn Zipf-like, so each text has words of its own, as news does (names,
places, numbers). Queries are drawn from that data with a fixed seed:
  one word   a third among the 100 most frequent words (not stop words), a third among the
             next 2,000, a third from the rest;
  two words  two words of one sentence of a random text;
  phrase     three consecutive words of a random text, in quotes.
/healthz is timed in the same loop first, as a reference for the machine's load at the time;
the server's CPU time per search (its workers' user + system time over the timed pass) is
printed beside the times, as what a search costs whatever else the machine is doing (on
PostgreSQL without the database server's own time).
Usage: python -m bench.search [--database-url URL] [--sources N] [--claims N] [--queries N]
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import itertools
import json
import os
import random
import re
import statistics
import time
import urllib.parse
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import Engine, create_engine, insert, text

from bench.scorecard import free_port, gunicorn
from tracker import migrate
from tracker.db import make_engine, normalize_url
from tracker.models import Claim, Question, Source, Speaker, User
from tracker.search import index
from tracker.search.terms import is_stop_word, words
from tracker.text import sha256_text

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "imports" / "corpus" / "articles"
START = dt.datetime(2018, 1, 1, tzinfo=dt.UTC)
SYLLABLES = ["ka", "ro", "mi", "tan", "sel", "vor", "qui", "bar", "nek", "lo", "dra", "fen",
             "zu", "pol", "ash", "rin", "tov", "gha", "mer", "isk"]  # fmt: skip
TARGET_MS = 50.0


def sentences() -> list[str]:
    found: list[str] = []
    for path in sorted(CORPUS.glob("*.json")):
        article = json.loads(path.read_text(encoding="utf-8"))
        for sentence in re.split(r"(?<=[.!?])\s+", article["text"]):
            sentence = " ".join(sentence.split())
            if 40 <= len(sentence) <= 300:
                found.append(sentence)
    return found


def vocabulary(rng: random.Random, size: int = 60_000) -> list[str]:
    made: set[str] = set()
    while len(made) < size:
        made.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(made)


def build(url: str, n_sources: int, n_claims: int, seed: int = 15) -> dict[str, float]:
    """Fill an empty, migrated database; returns how long the inserts and the index took."""
    rng = random.Random(seed)
    pool = sentences()
    made = vocabulary(rng)
    cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(made))))
    engine = make_engine(url)
    started = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(insert(User), [{"id": 1, "email": "editor@example.org",
            "display_name": "Editor", "role": "editor", "password_hash": "$argon2id$bench",
            "is_active": True, "session_version": 1, "created_at": START}])  # fmt: skip
        n_speakers = 3000
        connection.execute(insert(Speaker), [
            {"id": i + 1, "name": f"{made[i * 7].capitalize()} {made[i * 13 + 1].capitalize()}",
             "slug": f"speaker-{i}", "kind": "person", "created_at": START}
            for i in range(n_speakers)
        ])  # fmt: skip
        per_source = n_claims // n_sources + 1
        claim_id = 0
        for first in range(1, n_sources + 1, 500):
            source_rows: list[dict[str, Any]] = []
            claim_rows: list[dict[str, Any]] = []
            question_rows: list[dict[str, Any]] = []
            for s in range(first, min(first + 500, n_sources + 1)):
                chosen = []
                for sentence in rng.sample(pool, 22):
                    tokens = sentence.split(" ")
                    for _ in range(max(1, len(tokens) // 8)):
                        word = rng.choices(made, cum_weights=cumulative)[0]
                        tokens[rng.randrange(len(tokens))] = word
                    chosen.append(" ".join(tokens))
                body = " ".join(chosen)
                published = START + dt.timedelta(hours=s)
                source_rows.append({
                    "id": s, "url": f"https://news.example.org/{s}",
                    "title": " ".join(chosen[0].split()[:8]), "outlet": f"Outlet {s % 40}",
                    "outlet_slug": f"outlet-{s % 40}", "author": None, "author_slug": None,
                    "published_at": published, "text": body, "text_sha256": sha256_text(body),
                    "fetched_at": published, "created_at": published, "recorded_by_id": 1,
                })  # fmt: skip
                offset = 0
                for i, sentence in enumerate(chosen[:per_source]):
                    if claim_id >= n_claims:
                        break
                    claim_id += 1
                    deadline = published + dt.timedelta(days=90)
                    claim_rows.append({
                        "id": claim_id, "source_id": s, "question_id": claim_id, "stance": "for",
                        "speaker_id": rng.randrange(n_speakers) + 1, "key": f"claim-{i}",
                        "kind": "forecast", "quote": sentence, "quote_start": offset,
                        "quote_end": offset + len(sentence), "question": f"Will {sentence}?",
                        "resolution_criteria": None, "deadline_at": deadline,
                        "deadline_origin": "explicit", "deadline_reason": None,
                        "probability": 0.7, "probability_origin": "stated",
                        "probability_reason": None, "phrase": None, "hedged": False,
                        "condition": None, "status": "open", "void_reason": None,
                        "snoozed_until": None, "snooze_reason": None, "outcome": None,
                        "verdict": None, "resolution_version": 1, "resolved_at": None,
                        "recorded_by_id": 1, "created_at": published, "updated_at": published,
                    })  # fmt: skip
                    question_rows.append({
                        "id": claim_id, "kind": "forecast", "text": f"Will {sentence}?",
                        "resolution_criteria": None, "deadline_at": deadline,
                        "created_by_id": 1, "created_at": published, "updated_at": published,
                    })  # fmt: skip
                    offset += len(sentence) + 1
            connection.execute(insert(Source), source_rows)
            if claim_rows:
                connection.execute(insert(Question), question_rows)
                connection.execute(insert(Claim), claim_rows)
        if connection.dialect.name == "postgresql":
            for table in ("sources", "claims", "questions", "speakers", "users"):
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT max(id) FROM {table}))"))  # fmt: skip
    inserted = time.perf_counter() - started
    started = time.perf_counter()
    with engine.begin() as connection:
        counts = index.rebuild(connection)
    indexed = time.perf_counter() - started
    if engine.dialect.name == "postgresql":
        with create_engine(normalize_url(url), isolation_level="AUTOCOMMIT").connect() as c:
            c.execute(text("VACUUM ANALYZE"))
    else:
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    print(f"  built: {inserted:.0f} s of inserts; index rebuilt in {indexed:.0f} s {counts}")
    return {"insert_s": inserted, "index_s": indexed}


def counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        sources = connection.scalar(text("SELECT count(*) FROM sources")) or 0
        claims = connection.scalar(text("SELECT count(*) FROM claims")) or 0
    return int(sources), int(claims)


def index_bytes(engine: Engine) -> tuple[int, int]:
    """(bytes of the search index on disk, bytes of the sources' texts as stored)."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            size = connection.scalar(text("SELECT pg_total_relation_size('search_entries')"))
            texts = connection.scalar(text("SELECT sum(pg_column_size(text)) FROM sources"))
        else:
            size = connection.scalar(text(
                "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search_fts%'"
                " OR name = 'search_entries' OR name LIKE 'sqlite_autoindex_search_entries%'"
            ))  # fmt: skip
            texts = connection.scalar(text("SELECT sum(length(CAST(text AS BLOB))) FROM sources"))
    return int(size or 0), int(texts or 0)


def queries(engine: Engine, n: int, seed: int = 7) -> dict[str, list[str]]:
    rng = random.Random(seed)
    with engine.connect() as connection:
        sample = [row[0] for row in connection.execute(
            text("SELECT text FROM sources WHERE id % 97 = 1 ORDER BY id"))]  # fmt: skip
    frequency = collections.Counter(
        w for body in sample for w in set(words(body)) if len(w) > 2 and not is_stop_word(w)
    )
    ranked = [w for w, _ in frequency.most_common()]
    third = n // 3
    one = (rng.sample(ranked[:100], third) + rng.sample(ranked[100:2100], third)
           + rng.sample(ranked[2100:], n - 2 * third))  # fmt: skip
    two, phrase = [], []
    while len(two) < n or len(phrase) < n:
        body = rng.choice(sample)
        sentence = [w for w in rng.choice(re.split(r"(?<=[.!?])\s+", body)).split() if w]
        plain = [w for w in sentence if re.fullmatch(r"[A-Za-z]{3,}", w) and not is_stop_word(
            w.lower())]  # fmt: skip
        if len(plain) >= 2 and len(two) < n:
            two.append(" ".join(rng.sample(plain, 2)))
        start = rng.randrange(max(1, len(sentence) - 3))
        run = sentence[start : start + 3]
        usable = len(run) == 3 and all(re.fullmatch(r"[A-Za-z]+", w) for w in run)
        if usable and len(phrase) < n and not all(is_stop_word(w.lower()) for w in run):
            phrase.append('"' + " ".join(run) + '"')
    return {"one word": one, "two words": two, "phrase": phrase}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def workers_cpu_ms(master: int) -> float:
    """CPU time (user + system, ms) that gunicorn's workers have used so far."""
    total = 0
    for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total * 1000 / os.sysconf("SC_CLK_TCK")


def measure(base: str, classes: dict[str, list[str]], master: int) -> dict[str, dict[str, float]]:
    """Each query twice in turn (the second pass is timed), one client, first page of 20."""
    client = requests.Session()
    results: dict[str, dict[str, float]] = {}
    # The same loop over /healthz, which does next to nothing: what the machine and the HTTP
    # round trip cost at the time, to read the search figures against.
    reference = []
    for _ in range(2):
        reference = []
        for _ in range(150):
            started = time.perf_counter()
            client.get(f"{base}/healthz", timeout=30)
            reference.append((time.perf_counter() - started) * 1000)
    results["/healthz"] = {"p50": statistics.median(reference),
                           "p99": percentile(reference, 0.99)}  # fmt: skip
    for name, items in classes.items():
        for q in items:  # warm the caches as a running site would be
            client.get(f"{base}/api/v1/search", params={"q": q}, timeout=30)
        timings, found = [], []
        cpu_before = workers_cpu_ms(master)
        for q in items:
            started = time.perf_counter()
            response = client.get(f"{base}/api/v1/search", params={"q": q}, timeout=30)
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{q!r}: {response.status_code} {response.text[:200]}")
            found.append(len(response.json()["items"]))
        cpu = (workers_cpu_ms(master) - cpu_before) / len(items)
        worst = max(range(len(items)), key=lambda i: timings[i])
        results[name] = {
            "n": len(items), "p50": statistics.median(timings), "p95": percentile(timings, 0.95),
            "p99": percentile(timings, 0.99),
            "max": max(timings), "cpu": cpu,
            "with_results": sum(1 for f in found if f) / len(found),
            "worst": items[worst],  # type: ignore[dict-item]
        }  # fmt: skip
    return results


def run(url: str, n_sources: int, n_claims: int, n_queries: int, fresh: bool) -> bool:
    engine = make_engine(url)
    built: dict[str, float] = {}
    if fresh or counts_or_none(engine) != (n_sources, n_claims):
        engine.dispose()
        recreate(url)
        migrate.upgrade(url)
        built = build(url, n_sources, n_claims)
        engine = make_engine(url)
    size, texts = index_bytes(engine)
    classes = queries(engine, n_queries)
    engine.dispose()
    port = free_port()
    with gunicorn(url, port) as server:
        results = measure(f"http://127.0.0.1:{port}", classes, server.pid)
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"{backend}: {n_sources:,} sources, {n_claims:,} claims, {n_claims:,} questions")
    if built:
        print(f"  index rebuilt in {built['index_s']:.0f} s")
    per_1000 = size / (n_sources / 1000)
    print(f"  index on disk: {size / 2**20:.0f} MiB = {per_1000 / 2**20:.2f} MiB per 1,000 "
          f"sources with their claims, questions and speakers (texts: "
          f"{texts / (n_sources / 1000) / 2**20:.2f} MiB per 1,000 sources)")  # fmt: skip
    ok = True
    reference = results.pop("/healthz")
    print(f"  /healthz  : p50 {reference['p50']:5.1f} ms  p99 {reference['p99']:5.1f} ms"
          " (the same client loop on a page that does nothing: the machine's state)")  # fmt: skip
    for name, r in results.items():
        good = r["p99"] < TARGET_MS
        ok = ok and good
        print(
            f"  {name:9s}: p50 {r['p50']:5.1f} ms  p95 {r['p95']:5.1f} ms  p99 {r['p99']:5.1f} ms"
            f"  max {r['max']:5.1f} ms  server CPU {r['cpu']:4.1f} ms/search"
            f"  ({r['n']} queries, {r['with_results']:.0%} with results; slowest "
            f"{r['worst']!r})  {'ok' if good else 'OVER'} (target p99 < {TARGET_MS:.0f} ms)"
        )
    return ok


def counts_or_none(engine: Engine) -> tuple[int, int] | None:
    try:
        return counts(engine)
    except Exception:  # no tables yet: the data set is to be built
        return None


def recreate(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(urllib.parse.urlsplit(url).path)
        path.unlink(missing_ok=True)
        return
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with create_engine(normalize_url(admin), isolation_level="AUTOCOMMIT").connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{name}"'))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", action="append", help="repeat for several")
    parser.add_argument("--sources", type=int, default=30_000)
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=150)
    parser.add_argument("--fresh", action="store_true", help="build the data set again")
    args = parser.parse_args()
    urls = args.database_url or [
        "sqlite:////tmp/tracker-search-bench.sqlite3",
        "postgresql://postgres@127.0.0.1:5432/tracker_search_bench",
    ]
    ok = all([run(u, args.sources, args.claims, args.queries, args.fresh) for u in urls])
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
