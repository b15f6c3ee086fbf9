"""What-the-words-meant benchmark: gunicorn (2 workers) under wrk, on a database of resolved
forecasts whose probabilities were read from their wording.

    python -m bench.wording --claims 100000 --database-url URL [--skip-populate]

Builds the database with bench.populate, then gives every forecast a phrase from PHRASES (in
several spellings) with the probability the wording table gives it, as the record would have
read it. Measures the aggregate itself (median ms to compute the numbers afresh, overall and
for one outlet and one speaker), then GET /healthz, /wording, /api/v1/wording and
/wording?outlet=... under wrk. Target: /wording at least half /healthz's request rate.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
import urllib.request

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.populate import populate
from bench.scorecard import (
    ROUNDS,
    WRK_CONNECTIONS,
    WRK_SECONDS,
    free_port,
    gunicorn,
    median_run,
    wrk,
)
from tracker.db import make_engine, make_sessionmaker, normalize_url
from tracker.record import wep, wording
from tracker.scorecard import services as scorecard

# Phrases as articles spell them; several fold into one ("Likely", "likely").
PHRASES = (
    "will", "Will", "is going to", "won't", "likely", "Likely", "very likely", "almost certainly",
    "probably", "unlikely", "very unlikely", "might", "may", "could", "possibly", "maybe",
    "roughly even chance", "almost no chance", "we believe", "certain",
)  # fmt: skip


def give_phrases(url: str) -> float:
    """Every forecast worded with one of PHRASES (by id), its probability read from it, and
    the scorecard's sums counted again; returns the seconds taken."""
    started = time.perf_counter()
    engine = make_engine(url)
    with engine.begin() as connection:
        for index, phrase in enumerate(PHRASES):
            reading = wep.read_phrase(phrase)
            connection.execute(
                text(
                    "UPDATE claims SET phrase = :phrase, probability = :p, hedged = :hedged,"
                    " probability_origin = 'phrase', probability_reason = :reason"
                    " WHERE id % :k = :r"
                ),
                {
                    "phrase": phrase,
                    "p": reading.probability,
                    "hedged": reading.hedged,
                    "reason": f"{reading.category}: {reading.reference}",
                    "k": len(PHRASES),
                    "r": index,
                },
            )
    with make_sessionmaker(engine)() as session:
        scorecard.rebuild(session)
        session.commit()
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()
    return time.perf_counter() - started


def compute_timings(url: str, rounds: int = 15) -> dict[str, float]:
    """Median ms to compute the numbers afresh (no answer kept), for three filters."""
    engine = make_engine(url)
    results: dict[str, float] = {}
    with make_sessionmaker(engine)() as session:
        for name, filters in (
            ("overall", wording.WordingFilters()),
            ("outlet", wording.WordingFilters(outlet="outlet-3")),
            ("speaker", wording.WordingFilters(speaker="author-7")),
        ):
            times = []
            for _ in range(rounds):
                started = time.perf_counter()
                wording.compute_wording(session, filters)
                times.append(time.perf_counter() - started)
                session.rollback()
            results[name] = statistics.median(times) * 1000
    engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--skip-populate", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: `make bench` installs it (apt-get install wrk)")
    url = args.database_url
    backend = make_url(normalize_url(url)).get_backend_name()
    print(f"== {backend}: {url}")
    if not args.skip_populate:
        timings = populate(url, args.claims)
        worded = give_phrases(url)
        print(
            f"populated {args.claims:,} resolved forecasts: insert {timings['insert_s']:.1f}s,"
            f" phrases and sums {worded:.1f}s"
        )
    computed = compute_timings(url)
    print(
        "compute afresh    "
        + ", ".join(f"{name} {ms:.1f} ms" for name, ms in computed.items())
        + " (median; once per change of the record, then kept)"
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    paths = {
        "health": "/healthz",
        "page": "/wording",
        "api": "/api/v1/wording",
        "outlet": "/wording?outlet=outlet-3",
    }
    with gunicorn(url, port):
        for path in paths.values():
            for _ in range(4):  # each worker computes and renders each answer once
                urllib.request.urlopen(base + path, timeout=60).read()
        # Interleaved rounds, medians reported: the machine is shared, its load drifts.
        runs: dict[str, list[tuple[float, float, str]]] = {name: [] for name in paths}
        for _ in range(ROUNDS):
            for name, path in paths.items():
                runs[name].append(wrk(base + path))
    results = {name: median_run(r) for name, r in runs.items()}
    health = results["health"]
    print(f"wrk: 2 threads, {WRK_CONNECTIONS} connections, {ROUNDS} rounds of {WRK_SECONDS}s each")
    for name, path in paths.items():
        rate, p99, note = results[name]
        share = "" if name == "health" else f"  = {rate / health[0]:.0%} of /healthz"
        print(f"GET {path:26} {rate:8.0f} req/s  p99 {p99:6.1f} ms  ({note}){share}")
    print("target: /wording >= 50% of /healthz")


if __name__ == "__main__":
    main()
