"""A large, realistic database for the benchmarks: N claims over N/100 sources, with tags,
resolutions, evidence and a verifying audit chain. Written with bulk inserts, not the services,
so that building 100,000 claims takes seconds rather than minutes."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import Engine, insert

from tracker import audit, migrate
from tracker.db import make_engine
from tracker.models import (
    AuditEntry,
    Claim,
    ClaimTag,
    Evidence,
    Question,
    Resolution,
    Source,
    Speaker,
    User,
)
from tracker.text import sha256_text

CLAIMS_PER_SOURCE = 100
START = dt.datetime(2019, 1, 1, tzinfo=dt.UTC)
TAGS = ("iran", "iraq", "oil", "élection", "economy", "climate", "health", "Zeta")


def build(url: str, claims: int, seed: int = 8) -> Engine:
    """Migrate the database at `url` and fill it with `claims` claims."""
    migrate.upgrade(url)
    engine = make_engine(url)
    rng = random.Random(seed)
    sources = max(1, claims // CLAIMS_PER_SOURCE)
    with engine.begin() as connection:
        connection.execute(
            insert(User),
            [
                {
                    "id": i,
                    "email": f"reviewer{i}@example.org",
                    "display_name": f"Reviewer {i}",
                    "role": "reviewer" if i > 2 else "editor",
                    "password_hash": "$argon2id$not-exported",
                    "is_active": True,
                    "session_version": 1,
                    "created_at": START,
                }
                for i in range(1, 11)
            ],
        )
        connection.execute(
            insert(Speaker),
            [
                {"id": a + 1, "name": f"Author {a}", "slug": f"author-{a}", "kind": "person",
                 "created_at": START}
                for a in range(50)
            ],
        )  # fmt: skip
        claim_id = 0
        resolution_id = 0
        audit_rows: list[dict[str, Any]] = []
        prev = audit.GENESIS
        for s in range(1, sources + 1):
            sentences = [
                f"Source {s} sentence {i}: the outlet says event {rng.randrange(10**6)} "
                f"will happen by {2020 + i % 5}."
                for i in range(CLAIMS_PER_SOURCE)
            ]
            text = " ".join(sentences)
            published = START + dt.timedelta(hours=s)
            connection.execute(
                insert(Source),
                [
                    {
                        "id": s,
                        "url": f"https://news.example.org/{s}",
                        "title": f"Article {s}",
                        "outlet": f"Outlet {s % 20}",
                        "outlet_slug": f"outlet-{s % 20}",
                        "author": f"Author {s % 50}",
                        "author_slug": f"author-{s % 50}",
                        "published_at": published,
                        "text": text,
                        "text_sha256": sha256_text(text),
                        "fetched_at": published,
                        "created_at": published,
                        "recorded_by_id": 1,
                    }
                ],
            )
            claim_rows, tag_rows, resolution_rows, evidence_rows = [], [], [], []
            question_rows: list[dict[str, Any]] = []
            offset = 0
            for i, sentence in enumerate(sentences):
                if claim_id >= claims:
                    break
                claim_id += 1
                forecast = i % 2 == 0
                resolved = i % 5 == 0
                row: dict[str, Any] = {
                    "id": claim_id,
                    "source_id": s,
                    "question_id": claim_id,
                    "stance": "for",
                    "speaker_id": s % 50 + 1,
                    "key": f"claim-{i}",
                    "kind": "forecast" if forecast else "fact",
                    "quote": sentence,
                    "quote_start": offset,
                    "quote_end": offset + len(sentence),
                    "question": f"Will event {claim_id} happen?" if forecast else None,
                    "resolution_criteria": None,
                    "deadline_at": published + dt.timedelta(days=30 + i) if forecast else None,
                    "deadline_origin": "explicit" if forecast else None,
                    "deadline_reason": None,
                    "probability": round(rng.uniform(0.05, 0.95), 3) if forecast else None,
                    "probability_origin": "stated" if forecast else None,
                    "probability_reason": None,
                    "phrase": "likely" if forecast else None,
                    "hedged": i % 7 == 0,
                    "condition": None,
                    "status": "resolved" if resolved else "open",
                    "void_reason": None,
                    "outcome": ("true" if rng.random() < 0.5 else "false")
                    if resolved and forecast
                    else None,
                    "verdict": "mixed" if resolved and not forecast else None,
                    "resolution_version": 1,
                    "resolved_at": published + dt.timedelta(days=60) if resolved else None,
                    "recorded_by_id": 1,
                    "created_at": published,
                    "updated_at": published,
                }
                claim_rows.append(row)
                question_rows.append(
                    {
                        "id": claim_id,
                        "kind": row["kind"],
                        "text": row["question"] or sentence,
                        "resolution_criteria": None,
                        "deadline_at": row["deadline_at"],
                        "created_by_id": 1,
                        "created_at": published,
                        "updated_at": published,
                        **{
                            name: row[name]
                            for name in (
                                "status",
                                "outcome",
                                "verdict",
                                "resolution_version",
                                "resolved_at",
                                "void_reason",
                            )
                        },
                    }
                )
                offset += len(sentence) + 1
                tag_rows.append({"claim_id": claim_id, "tag": TAGS[claim_id % len(TAGS)]})
                if resolved:
                    resolution_id += 1
                    resolution_rows.append(
                        {
                            "id": resolution_id,
                            "question_id": claim_id,
                            "version": 1,
                            "reviewer_id": 3 + claim_id % 8,
                            "outcome": row["outcome"],
                            "verdict": row["verdict"],
                            "rationale": "Reported by two wires.",
                            "is_settlement": False,
                            "created_at": row["resolved_at"],
                        }
                    )
                    evidence_rows.append(
                        {
                            "id": resolution_id,
                            "resolution_id": resolution_id,
                            "url": f"https://wire.example.org/{claim_id}",
                            "title": "Wire report",
                            "publisher": "Wire",
                            "published_at": row["resolved_at"],
                            "stance": "supports",
                            "archived_sha256": None,
                        }
                    )
                at = published + dt.timedelta(seconds=i)
                data = audit._canonical({"key": row["key"]})
                digest = audit.entry_hash(prev, at, 1, "claim.recorded", "claim", claim_id, data)
                audit_rows.append(
                    {
                        "id": claim_id,
                        "at": at,
                        "actor_id": 1,
                        "action": "claim.recorded",
                        "entity": "claim",
                        "entity_id": claim_id,
                        "data": data,
                        "prev_hash": prev,
                        "hash": digest,
                    }
                )
                prev = digest
            connection.execute(insert(Question), question_rows)
            connection.execute(insert(Claim), claim_rows)
            connection.execute(insert(ClaimTag), tag_rows)
            if resolution_rows:
                connection.execute(insert(Resolution), resolution_rows)
                connection.execute(insert(Evidence), evidence_rows)
            if len(audit_rows) >= 5000:
                connection.execute(insert(AuditEntry), audit_rows)
                audit_rows = []
        if audit_rows:
            connection.execute(insert(AuditEntry), audit_rows)
        if connection.dialect.name == "postgresql":
            from tracker.archive import _advance_sequences

            _advance_sequences(connection)
    with engine.connect() as connection:
        # Fresh statistics, as autovacuum would gather them on a database in use.
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    return engine


if __name__ == "__main__":
    import sys

    if len(sys.argv) != 3:
        # `make bench` runs every script here: this one only builds data for the others.
        print("usage: dataset.py DATABASE_URL CLAIMS  (builds data for the benchmarks)")
        sys.exit(0)
    build(sys.argv[1], int(sys.argv[2])).dispose()
