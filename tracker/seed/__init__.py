"""The seed article (Washington Examiner, 2020-01-03) and its forecasts and fact claims."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.models import Claim, Source
from tracker.record import services
from tracker.text import sha256_text

FIXTURE = "soleimani.json"


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
