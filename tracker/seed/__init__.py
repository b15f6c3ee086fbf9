"""The seed article (Washington Examiner, 2020-01-03) and its forecasts and fact claims."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.models import Claim, Question, Source
from tracker.record import services
from tracker.text import sha256_text

FIXTURE = "soleimani.json"
# Other coverage forecasting one of the seed's events, each claim its own speaker's.
RELATED = "related.json"


def _parse_time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def fixture() -> dict[str, Any]:
    """The seed fixture with the article text loaded."""
    folder = resources.files(__name__)
    document: dict[str, Any] = json.loads(folder.joinpath(FIXTURE).read_text(encoding="utf-8"))
    document["source"]["text"] = folder.joinpath(document["source"]["text_file"]).read_text(
        encoding="utf-8"
    )
    return document


@dataclass(frozen=True)
class SeedResult:
    source_id: int
    source_created: bool
    claims_created: int
    claims_present: int


def seed(session: Session) -> SeedResult:
    """Record the seed article and every claim of it that is not there yet. Running it again
    changes nothing."""
    document = fixture()
    meta = document["source"]
    digest = sha256_text(meta["text"])
    source = session.scalar(
        select(Source).where(Source.url == meta["url"], Source.text_sha256 == digest)
    )
    created = source is None
    if source is None:
        source = services.record_source(
            session,
            title=meta["title"],
            text=meta["text"],
            url=meta["url"],
            outlet=meta["outlet"],
            author=meta["author"],
            published_at=_parse_time(meta["published_at"]),
        )
    present = set(session.scalars(select(Claim.key).where(Claim.source_id == source.id)))
    new = 0
    for item in document["claims"]:
        if item["key"] in present:
            continue
        services.record_claim(
            session,
            source.id,
            kind=item["kind"],
            key=item["key"],
            quote=item["quote"],
            phrase=item.get("phrase"),
            question=item.get("question"),
            deadline=_parse_time(item["deadline"]) if item.get("deadline") else None,
            deadline_origin=item.get("deadline_origin"),
            deadline_reason=item.get("deadline_reason"),
            condition=item.get("condition"),
            tags=item.get("tags", ()),
        )
        new += 1
    return SeedResult(source.id, created, new, len(present))


def seed_related(session: Session, seed_source_id: int) -> int:
    """Record the short excerpts of other coverage in the seed and link their forecasts to the
    seed's question they are about, each under its named speaker; returns how many claims were
    added (running it again adds none)."""
    document = json.loads(resources.files(__name__).joinpath(RELATED).read_text(encoding="utf-8"))
    question_id = session.scalar(
        select(Claim.question_id).where(
            Claim.source_id == seed_source_id, Claim.key == document["question_of"]
        )
    )
    if question_id is None:
        return 0
    deadline = session.scalar(select(Question.deadline_at).where(Question.id == question_id))
    added = 0
    for meta in document["sources"]:
        digest = sha256_text(meta["text"])
        source = session.scalar(
            select(Source).where(Source.url == meta["url"], Source.text_sha256 == digest)
        )
        if source is None:
            source = services.record_source(
                session,
                title=meta["title"],
                text=meta["text"],
                url=meta["url"],
                outlet=meta["outlet"],
                author=meta["author"],
                published_at=_parse_time(meta["published_at"]),
            )
        present = set(session.scalars(select(Claim.key).where(Claim.source_id == source.id)))
        for item in meta["claims"]:
            if item["key"] in present:
                continue
            services.record_claim(
                session,
                source.id,
                kind="forecast",
                key=item["key"],
                quote=item["quote"],
                phrase=item["phrase"],
                deadline=deadline,
                speaker=item["speaker"],
                speaker_kind=item["speaker_kind"],
                question_id=question_id,
                stance=item["stance"],
            )
            added += 1
    return added
