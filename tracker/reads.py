"""Pages of claims for the JSON API, read as plain rows.

A page of 200 claims with their tags, sources and resolutions as ORM objects costs most of its
time building identity-mapped instances and collections; these rows carry the same attributes
(so `api.claim_json` serialises either) at a fraction of the cost. Read only: nothing here is
tracked by the session.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import services
from tracker.models import Claim, ClaimTag, Evidence, Resolution, Source, User


def list_claim_records(
    session: Session, *, now: dt.datetime, after_id: int, limit: int, **filters: Any
) -> list[SimpleNamespace]:
    """The claims `services.list_claims` would return, in id order, as plain records with
    `tag_names`, `source.author`/`source.outlet` and `resolutions[].reviewer/evidence`."""
    ids_query = (
        services.claims_query(now=now, **filters)
        .where(Claim.id > after_id)
        .order_by(Claim.id)
        .limit(limit)
        .with_only_columns(Claim.id)
    )
    ids = list(session.scalars(ids_query))
    if not ids:
        return []
    claim_rows = session.execute(
        select(
            *Claim.__table__.columns,
            Source.author.label("_source_author"),
            Source.outlet.label("_source_outlet"),
        )
        .join(Source, Source.id == Claim.source_id)
        .where(Claim.id.in_(ids))
        .order_by(Claim.id)
    ).mappings()
    records: list[SimpleNamespace] = []
    by_id: dict[int, SimpleNamespace] = {}
    for row in claim_rows:
        record = SimpleNamespace(**row)
        record.source = SimpleNamespace(author=row["_source_author"], outlet=row["_source_outlet"])
        record.tag_names = []
        record.resolutions = []
        records.append(record)
        by_id[record.id] = record
    for claim_id, tag in session.execute(
        select(ClaimTag.claim_id, ClaimTag.tag)
        .where(ClaimTag.claim_id.in_(ids))
        .order_by(ClaimTag.claim_id, ClaimTag.tag)
    ):
        by_id[claim_id].tag_names.append(tag)
    resolutions: dict[int, SimpleNamespace] = {}
    for row in session.execute(
        select(*Resolution.__table__.columns, User.display_name.label("_reviewer_name"))
        .join(User, User.id == Resolution.reviewer_id)
        .where(Resolution.claim_id.in_(ids))
        .order_by(Resolution.claim_id, Resolution.version, Resolution.id)
    ).mappings():
        resolution = SimpleNamespace(**row)
        resolution.reviewer = SimpleNamespace(display_name=row["_reviewer_name"])
        resolution.evidence = []
        resolutions[resolution.id] = resolution
        by_id[resolution.claim_id].resolutions.append(resolution)
    if resolutions:
        evidence: dict[int, list[SimpleNamespace]] = defaultdict(list)
        for row in session.execute(
            select(*Evidence.__table__.columns)
            .where(Evidence.resolution_id.in_(list(resolutions)))
            .order_by(Evidence.id)
        ).mappings():
            evidence[row["resolution_id"]].append(SimpleNamespace(**row))
        for resolution_id, items in evidence.items():
            resolutions[resolution_id].evidence = items
    return records
