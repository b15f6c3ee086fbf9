"""Resolving a question that 1,000 claims are linked to, with the scorecard's sums.

    python -m bench.question_sums --claims 100000 --sqlite /tmp/tracker-question.sqlite3 \
        --postgres postgresql://postgres@127.0.0.1:5432/tracker_question

For each database: `bench.populate` fills it with CLAIMS resolved forecasts (three claims per
question), then one more question gets 1,000 claims (from 100 sources by 250 speakers, for
and against, assorted outlets and tags). Each round then gives the question a new result (true,
false, re-opened, true, void, ...): every claim takes it (an `against` claim the opposite) in two
UPDATE statements, the scorecard's sums follow with `on_question_changed` (every claim's peer
score changes with the others'), and the transaction commits. Reported: the whole round and the
sums' part, median and max, and the CPU time of this process (the database's own work not
included on PostgreSQL); then one claim's outcome changed on its own (its question's 1,000
forecasts counted again). Target: a round under 1 s. At the end the kept sums are compared
with a recount of every forecast.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import hashlib
import os
import random
import statistics
import time
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from bench.populate import START, TAGS, populate
from tracker.db import make_engine, make_sessionmaker, utcnow
from tracker.models import CELL_FIELDS, Claim, ClaimTag, Question, ScoreCell, Source, Speaker
from tracker.scorecard import services as scorecard

CLAIMS_ON_QUESTION = 1000
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "12"))
RESULTS = ("true", "false", None, "true", "void", "false")
OPPOSITE = {"true": "false", "false": "true"}


def add_question(session: Session, claims: int, rng: random.Random) -> int:
    """One question with `claims` claims on it, all open; returns its id."""
    first_source = int(session.scalar(select(func.max(Source.id))) or 0) + 1
    first_claim = int(session.scalar(select(func.max(Claim.id))) or 0) + 1
    first_speaker = int(session.scalar(select(func.max(Speaker.id))) or 0) + 1
    existing_speakers = int(session.scalar(select(func.count()).select_from(Speaker)) or 0)
    deadline = START + dt.timedelta(days=3000)
    question = Question(kind="forecast", text="Will the big event happen?", deadline_at=deadline)
    session.add(question)
    session.flush()
    speakers = [
        {"id": first_speaker + i, "name": f"Research house {i}", "slug": f"research-house-{i}",
         "kind": "organization", "created_at": START}
        for i in range(50)
    ]  # fmt: skip
    per_source = 10
    sources, rows, tags = [], [], []
    for s in range(claims // per_source):
        lines = [f"Forecast {s}-{i}: the big event will happen." for i in range(per_source)]
        body = "\n".join(lines)
        sources.append(
            {
                "id": first_source + s,
                "url": f"https://bench.example/big-event/{s}",
                "title": f"On the big event {s}",
                "outlet": f"Outlet {s % 30}",
                "outlet_slug": f"outlet-{s % 30}",
                "author": f"Author {s % 200}",
                "author_slug": f"author-{s % 200}",
                "published_at": START + dt.timedelta(days=2900),
                "text": body,
                "text_sha256": hashlib.sha256(body.encode()).hexdigest(),
                "fetched_at": START,
                "created_at": START,
            }
        )
        offset = 0
        for i, line in enumerate(lines):
            n = first_claim + len(rows)
            start = offset + line.index("the big")
            offset += len(line) + 1
            named = rng.random() < 0.3  # an attributed quote: a research house's, not the author's
            rows.append(
                {
                    "id": n,
                    "source_id": first_source + s,
                    "question_id": question.id,
                    "stance": "for" if rng.random() < 0.6 else "against",
                    "speaker_id": first_speaker + rng.randrange(50)
                    if named
                    else 1 + rng.randrange(existing_speakers),
                    "key": f"big-event-{s}-{i}",
                    "kind": "forecast",
                    "quote": line[line.index("the big") :],
                    "quote_start": start,
                    "quote_end": start + len(line[line.index("the big") :]),
                    "question": "Will the big event happen?",
                    "deadline_at": deadline + dt.timedelta(days=rng.choice((0, 0, 1, 31))),
                    "deadline_origin": "explicit",
                    "probability": round(rng.uniform(0.02, 0.98), 3),
                    "probability_origin": "stated",
                    "hedged": rng.random() < 0.15,
                    "status": "open",
                    "resolution_version": 1,
                    "created_at": START,
                    "updated_at": START,
                }
            )
            for tag in rng.sample(TAGS, rng.randrange(3)):
                tags.append({"claim_id": n, "tag": tag})
    connection = session.connection()
    connection.execute(insert(Speaker), speakers)
    connection.execute(insert(Source), sources)
    connection.execute(insert(Claim), rows)
    connection.execute(insert(ClaimTag), tags)
    if connection.dialect.name == "postgresql":
        for table in ("sources", "speakers", "claims"):
            connection.execute(
                text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
            )
    scorecard.on_question_changed(session, question.id)
    session.commit()
    return question.id


def give_result(session: Session, question_id: int, result: str | None) -> None:
    """Every claim on the question takes its result, as resolving the question does."""
    now = utcnow()
    for stance in ("for", "against"):
        outcome = OPPOSITE.get(result or "", result) if stance == "against" else result
        values: dict[str, Any] = {
            "status": "open",
            "outcome": None,
            "void_reason": None,
            "resolved_at": None,
        }
        if result == "void":
            values.update(status="void", void_reason="duplicate")
        elif result is not None:
            values.update(status="resolved", outcome=outcome, resolved_at=now)
        session.execute(
            update(Claim)
            .where(Claim.question_id == question_id, Claim.stance == stance)
            .values(**values, updated_at=now)
            .execution_options(synchronize_session=False)
        )


def checksums(session: Session) -> list[tuple[Any, ...]]:
    """Every sum added up per period length and dimension: equal sums, equal cells (nearly
    certainly; the tests compare every cell)."""
    cells: Any = ScoreCell.__table__
    length = func.length(cells.c.period)
    return [
        tuple(row)
        for row in session.execute(
            select(
                length,
                cells.c.dimension,
                func.count(),
                *(func.sum(cells.c[name]) for name in CELL_FIELDS),
            )
            .where(func.abs(cells.c.n) + func.abs(cells.c.n_unscored) > 0)
            .group_by(length, cells.c.dimension)
            .order_by(length, cells.c.dimension)
        )
    ]


def measure(url: str, claims: int) -> dict[str, Any]:
    started = time.perf_counter()
    populate(url, claims)
    populated = time.perf_counter() - started
    gc.collect()  # what filling the database left behind is no part of a resolution's cost
    rng = random.Random(13)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        question_id = add_question(session, CLAIMS_ON_QUESTION, rng)
        rounds: list[float] = []
        sums: list[float] = []
        cpu: list[float] = []
        for k in range(ROUNDS):
            began, cpu_began = time.perf_counter(), time.process_time()
            give_result(session, question_id, RESULTS[k % len(RESULTS)])
            session.flush()
            counted = time.perf_counter()
            scorecard.on_question_changed(session, question_id)
            sums.append(time.perf_counter() - counted)
            session.commit()
            rounds.append(time.perf_counter() - began)
            cpu.append(time.process_time() - cpu_began)
        give_result(session, question_id, "true")
        scorecard.on_question_changed(session, question_id)
        session.commit()
        one: list[float] = []
        ids = session.scalars(select(Claim.id).where(Claim.question_id == question_id)).all()
        for claim_id in rng.sample(list(ids), 10):
            claim = session.get(Claim, claim_id)
            assert claim is not None
            began = time.perf_counter()
            claim.outcome = OPPOSITE[claim.outcome or "true"]
            scorecard.on_outcome_changed(session, claim)
            session.commit()
            one.append(time.perf_counter() - began)
        card = scorecard.compute(session, scorecard.Filters())
        kept = checksums(session)
        scorecard.rebuild(session)
        session.commit()
        same = checksums(session) == kept
    engine.dispose()
    return {
        "populate_s": populated,
        "round_ms": [x * 1000 for x in rounds],
        "sums_ms": [x * 1000 for x in sums],
        "cpu_ms": [x * 1000 for x in cpu],
        "one_claim_ms": [x * 1000 for x in one],
        "peer_overall": card.group.comparative.peer,
        "n_peer": card.group.comparative.n_peer,
        "kept_equals_recount": same,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--sqlite", help="SQLite file to (re)create")
    parser.add_argument("--postgres", help="PostgreSQL database URL to (re)create")
    args = parser.parse_args()
    targets = [(n, u) for n, u in (("sqlite", args.sqlite), ("postgresql", args.postgres)) if u]
    if not targets:
        parser.error("give --sqlite FILE and/or --postgres URL")
    for name, url in targets:
        if name == "sqlite":
            url = f"sqlite:///{url}"
        figures = measure(url, args.claims)
        med = statistics.median
        print(
            f"{name}: {args.claims:,} forecasts + one question with {CLAIMS_ON_QUESTION:,} "
            f"claims; populated in {figures['populate_s']:.0f} s\n"
            f"  resolving the question, {ROUNDS} rounds: median "
            f"{med(figures['round_ms']):.0f} ms, max {max(figures['round_ms']):.0f} ms "
            f"(the sums: median {med(figures['sums_ms']):.0f} ms, "
            f"max {max(figures['sums_ms']):.0f} ms; this process's CPU: median "
            f"{med(figures['cpu_ms']):.0f} ms)\n"
            f"  one claim's outcome changed: median {med(figures['one_claim_ms']):.0f} ms, "
            f"max {max(figures['one_claim_ms']):.0f} ms\n"
            f"  forecasts with a peer score: {figures['n_peer']:,}; "
            f"kept sums equal a recount: {figures['kept_equals_recount']}\n"
            f"  load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
        if not figures["kept_equals_recount"]:
            raise SystemExit(f"{name}: the kept sums differ from a recount")


if __name__ == "__main__":
    main()
