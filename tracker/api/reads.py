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

from tracker.models import Claim, ClaimTag, Evidence, Resolution, Source, Speaker, User
from tracker.record import services


def list_claim_records(
    session: Session, *, now: dt.datetime, after_id: int, limit: int, **filters: Any
) -> list[SimpleNamespace]:
    """The claims `services.list_claims` would return, in id order, as plain records with
    `tag_names`, `source.author`/`source.outlet` and `resolutions[].reviewer/evidence`."""
    page = (
        services.claims_query(now=now, **filters)
        .where(Claim.id > after_id)
        .order_by(Claim.id)
        .limit(limit)
    )
    # The page's ids as a subquery: the database finds them again (a short index scan) rather
    # than the driver sending 200 parameters with each of the queries below.
    ids = page.with_only_columns(Claim.id)
    # Sources in their own subqueries: the filters may have joined sources to the page already.
    author = (
        select(Source.author)
        .where(Source.id == Claim.source_id)
        .correlate_except(Source)
        .scalar_subquery()
    )
    outlet = (
        select(Source.outlet)
        .where(Source.id == Claim.source_id)
        .correlate_except(Source)
        .scalar_subquery()
    )
    speaker_name = (
        select(Speaker.name)
        .where(Speaker.id == Claim.speaker_id)
        .correlate_except(Speaker)
        .scalar_subquery()
    )
    speaker_slug = (
        select(Speaker.slug)
        .where(Speaker.id == Claim.speaker_id)
        .correlate_except(Speaker)
        .scalar_subquery()
    )
    claim_rows = session.execute(
        page.with_only_columns(
            *Claim.__table__.columns,
            author.label("_source_author"),
            outlet.label("_source_outlet"),
            speaker_name.label("_speaker_name"),
            speaker_slug.label("_speaker_slug"),
        )
    ).mappings()
    records: list[SimpleNamespace] = []
    by_id: dict[int, SimpleNamespace] = {}
    for row in claim_rows:
        record = SimpleNamespace(**row)
        record.source = SimpleNamespace(author=row["_source_author"], outlet=row["_source_outlet"])
        record.speaker = (
            SimpleNamespace(name=row["_speaker_name"], slug=row["_speaker_slug"])
            if row["_speaker_slug"] is not None
            else None
        )
        record.tag_names = []
        record.resolutions = []
        records.append(record)
        by_id[record.id] = record
    if not records:
        return []
    # The id range as well as the subquery: it tells the planner how few rows to expect, so
    # it walks the claim_id indexes instead of scanning whole tables.
    low, high = records[0].id, records[-1].id
    for claim_id, tag in session.execute(
        select(ClaimTag.claim_id, ClaimTag.tag)
        .where(ClaimTag.claim_id.between(low, high), ClaimTag.claim_id.in_(ids))
        .order_by(ClaimTag.claim_id, ClaimTag.tag)
    ):
        # Each query reads its own snapshot on PostgreSQL: a claim that joined the page's range
        # in between is skipped here and shown on the next page.
        if claim_id in by_id:
            by_id[claim_id].tag_names.append(tag)
    # Each claim shows its question's judgements: the same rows for every claim on it.
    by_question: dict[int, list[SimpleNamespace]] = defaultdict(list)
    for record in records:
        by_question[record.question_id].append(record)
    question_ids = page.with_only_columns(Claim.question_id)
    resolutions: dict[int, SimpleNamespace] = {}
    for row in session.execute(
        select(*Resolution.__table__.columns, User.display_name.label("_reviewer_name"))
        .join(User, User.id == Resolution.reviewer_id)
        .where(Resolution.question_id.in_(question_ids))
        .order_by(Resolution.question_id, Resolution.version, Resolution.id)
    ).mappings():
        if row["question_id"] not in by_question:
            continue
        resolution = SimpleNamespace(**row)
        resolution.reviewer = SimpleNamespace(display_name=row["_reviewer_name"])
        resolution.evidence = []
        resolutions[resolution.id] = resolution
        for record in by_question[resolution.question_id]:
            record.resolutions.append(resolution)
    if resolutions:
        evidence: dict[int, list[SimpleNamespace]] = defaultdict(list)
        for row in session.execute(
            select(*Evidence.__table__.columns)
            .join(Resolution, Resolution.id == Evidence.resolution_id)
            .where(Resolution.question_id.in_(question_ids))
            .order_by(Evidence.id)
        ).mappings():
            evidence[row["resolution_id"]].append(SimpleNamespace(**row))
        for resolution_id, items in evidence.items():
            if resolution_id in resolutions:
                resolutions[resolution_id].evidence = items
    return records
