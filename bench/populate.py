"""Fill a fresh database with resolved forecasts for the scorecard benchmark.

    python -m bench.populate --claims 100000 --database-url URL

The database is emptied first (a SQLite file is deleted; a PostgreSQL database is dropped and
created again), migrated, filled with bulk inserts, and the scorecard's sums are built.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import math
import random
import time
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from tracker import migrate
from tracker.db import make_engine, make_sessionmaker, normalize_url
from tracker.models import Claim, ClaimTag, Question, Source, Speaker
from tracker.questions import retrieval
from tracker.scorecard import services as scorecard

TAGS = [f"topic-{i}" for i in range(20)]
CLAIMS_PER_QUESTION = 3
START = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)


def recreate(url: str) -> None:
    """An empty, migrated database at `url`."""
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            name = parsed.database
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    migrate.upgrade(url)


def populate(
    url: str,
    claims: int,
    sources: int = 1000,
    authors: int = 200,
    outlets: int = 50,
    seed: int = 6,
) -> dict[str, float]:
    """Recreate the database at `url` with `claims` resolved forecasts; returns timings."""
    rng = random.Random(seed)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    recreate(url)
    timings["migrate_s"] = time.perf_counter() - started

    engine = make_engine(url)
    per_source = math.ceil(claims / sources)
    started = time.perf_counter()
    source_rows = []
    texts: list[tuple[str, list[tuple[int, int]]]] = []
    for s in range(sources):
        lines = [f"Forecast {s}-{i}: event {s}-{i} will happen." for i in range(per_source)]
        body = "\n".join(lines)
        spans = []
        offset = 0
        for line in lines:
            start = line.index("event")
            spans.append((offset + start, offset + len(line) - 1))
            offset += len(line) + 1
        texts.append((body, spans))
        author = s % authors
        source_rows.append(
            {
                "id": s + 1,
                "url": f"https://bench.example/{s}",
                "title": f"Bench article {s}",
                "outlet": f"Outlet {s % outlets}",
                "outlet_slug": f"outlet-{s % outlets}",
                "author": f"Author {author}",
                "author_slug": f"author-{author}",
                "published_at": START + dt.timedelta(days=rng.randrange(3650)),
                "text": body,
                "text_sha256": hashlib.sha256(body.encode()).hexdigest(),
                "fetched_at": START,
                "created_at": START,
            }
        )
    claim_rows = []
    tag_rows = []
    now = dt.datetime.now(dt.UTC)
    # Several speakers forecast each event: claims n, n + Q and n + 2Q (from sources far apart,
    # so by different authors) are about question n mod Q, resolved once.
    shared = max(1, math.ceil(claims / CLAIMS_PER_QUESTION))
    question_rows: list[dict[str, object]] = []
    chances: list[float] = []
    happenings: list[bool] = []
    for q in range(shared):
        chances.append(rng.uniform(0.05, 0.95))
        happenings.append(rng.random() < chances[-1])
        deadline_at = START + dt.timedelta(days=rng.randrange(3650), hours=rng.randrange(24))
        # Resolved once; every claim on it holds the result (all of them `for` it).
        question_rows.append(
            {
                "id": q + 1,
                "kind": "forecast",
                "text": f"Will event {q} happen?",
                "deadline_at": deadline_at,
                "status": "resolved",
                "outcome": "true" if happenings[-1] else "false",
                "resolution_version": 1,
                "resolved_at": deadline_at + dt.timedelta(days=rng.randrange(1, 30)),
                "created_at": START,
                "updated_at": START,
            }
        )
    for n in range(claims):
        s, i = divmod(n, per_source)
        body, spans = texts[s]
        start, end = spans[i]
        q = n % shared
        # Forecasters a little overconfident: they stray from the event's real chance.
        probability = round(min(0.98, max(0.02, chances[q] + rng.gauss(0, 0.2))), 3)
        happened = happenings[q]
        deadline = question_rows[q]["deadline_at"]
        claim_rows.append(
            {
                "id": n + 1,
                "source_id": s + 1,
                "question_id": q + 1,
                "stance": "for",
                "speaker_id": s % authors + 1,
                "key": f"event-{s}-{i}",
                "kind": "forecast",
                "quote": body[start:end],
                "quote_start": start,
                "quote_end": end,
                "question": f"Will event {s}-{i} happen?",
                "deadline_at": deadline,
                "deadline_origin": "explicit",
                "probability": probability,
                "probability_origin": "stated",
                "hedged": rng.random() < 0.15,
                "status": "resolved",
                "outcome": "true" if happened else "false",
                "resolution_version": 1,
                "resolved_at": question_rows[q]["resolved_at"],
                "created_at": now,
                "updated_at": now,
            }
        )
        for tag in rng.sample(TAGS, rng.randrange(3)):
            tag_rows.append({"claim_id": n + 1, "tag": tag})
    speaker_rows = [
        {"id": a + 1, "name": f"Author {a}", "slug": f"author-{a}", "kind": "person",
         "created_at": START}
        for a in range(authors)
    ]  # fmt: skip
    with engine.begin() as connection:
        connection.execute(insert(Source), source_rows)
        connection.execute(insert(Speaker), speaker_rows)
        for chunk in range(0, len(question_rows), 10_000):
            connection.execute(insert(Question), question_rows[chunk : chunk + 10_000])
        for chunk in range(0, len(claim_rows), 10_000):
            connection.execute(insert(Claim), claim_rows[chunk : chunk + 10_000])
        for chunk in range(0, len(tag_rows), 10_000):
            connection.execute(insert(ClaimTag), tag_rows[chunk : chunk + 10_000])
        if connection.dialect.name == "postgresql":
            for table in ("sources", "speakers", "questions", "claims"):
                connection.execute(
                    text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
                )
    timings["insert_s"] = time.perf_counter() - started

    started = time.perf_counter()
    with engine.begin() as connection:
        retrieval.rebuild(connection)  # the words each question is found by
    timings["terms_s"] = time.perf_counter() - started

    started = time.perf_counter()
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        counted = scorecard.rebuild(session)
        session.commit()
    timings["sums_s"] = time.perf_counter() - started
    timings["forecasts"] = counted
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("ANALYZE"))
        else:
            connection.execute(text("ANALYZE"))
    engine.dispose()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--authors", type=int, default=200)
    parser.add_argument("--outlets", type=int, default=50)
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    timings = populate(args.database_url, args.claims, args.sources, args.authors, args.outlets)
    print(
        f"{int(timings['forecasts']):,} resolved forecasts in {args.database_url}: "
        f"migrate {timings['migrate_s']:.1f}s, insert {timings['insert_s']:.1f}s, "
        f"scorecard sums {timings['sums_s']:.1f}s"
    )


if __name__ == "__main__":
    main()
