"""What the record's hashes and offsets promise, checked: each source's archived text and
fetched page match their sha256, and each claim's quote is its source's text at its offsets.

`tracker restore` refuses an archive that breaks a promise (someone edited a text or a quote and
kept the hash); `tracker audit verify` checks the same promises in the database."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, Select, func, select
from sqlalchemy.orm import Session

from tracker import audit
from tracker.models import Claim, Source
from tracker.text import sha256_text


@dataclass(frozen=True)
class Mismatch:
    """One broken promise: which row of which table, which field, and how."""

    table: str
    row_id: int
    field: str
    problem: str

    def __str__(self) -> str:
        return f"{self.table} row {self.row_id}: {self.field} {self.problem}"


def check_source(
    row_id: int,
    text: str | None,
    text_sha256: str | None,
    raw_body: bytes | None,
    raw_sha256: str | None,
) -> Mismatch | None:
    """The first of a source's hashes that does not match what it hashes, if any."""
    if text is not None and sha256_text(text) != text_sha256:
        return Mismatch(
            "sources", row_id, "text", "does not match its text_sha256 (text or hash changed)"
        )
    if raw_body is not None and hashlib.sha256(raw_body).hexdigest() != raw_sha256:
        return Mismatch(
            "sources", row_id, "raw_body", "does not match its raw_sha256 (page or hash changed)"
        )
    return None


def _quote_mismatch() -> Select[int]:
    """Claims whose quote is not the source's text between quote_start and quote_end (SQL
    substr counts characters from 1, as Python's offsets count code points from 0)."""
    return (
        select(Claim.id)
        .join(Source, Source.id == Claim.source_id)
        .where(
            func.substr(Source.text, Claim.quote_start + 1, Claim.quote_end - Claim.quote_start)
            != Claim.quote
        )
        .order_by(Claim.id)
        .limit(1)
    )


def first_bad_quote(connection: Connection | Session) -> Mismatch | None:
    """The first claim (by id) whose quote is not its source's text at its offsets."""
    claim_id = connection.execute(_quote_mismatch()).scalar()
    if claim_id is None:
        return None
    return Mismatch(
        "claims",
        claim_id,
        "quote",
        "is not the source's text between quote_start and quote_end",
    )


def quotes_and_chain(session: Session) -> str | None:
    """The first claim whose quote is not at its offsets, else the first audit row whose hash
    or link does not match, as a sentence; None when both hold."""
    bad = first_bad_quote(session)
    if bad is not None:
        return str(bad)
    chain = audit.verify(session)
    return None if chain.ok else f"audit_log row {chain.first_bad_id}: {chain.reason}"


def _sources(session: Session, batch: int) -> Iterator[tuple[int, str, str, bytes | None, str]]:
    last_id = 0
    while True:
        rows = session.execute(
            select(Source.id, Source.text, Source.text_sha256, Source.raw_body, Source.raw_sha256)
            .where(Source.id > last_id)
            .order_by(Source.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        for row in rows:
            yield row.id, row.text, row.text_sha256, row.raw_body, row.raw_sha256
        last_id = rows[-1].id


@dataclass(frozen=True)
class RecordCheck:
    sources: int
    first_bad: Mismatch | None

    @property
    def ok(self) -> bool:
        return self.first_bad is None


def verify_record(session: Session, batch: int = 50) -> RecordCheck:
    """Re-hash every source's text and page (in id order, `batch` at a time) and compare every
    claim's quote with its source's text; name the first mismatch."""
    checked = 0
    for source_id, text, text_sha256, raw_body, raw_sha256 in _sources(session, batch):
        bad = check_source(
            source_id, text, text_sha256, None if raw_body is None else bytes(raw_body), raw_sha256
        )
        if bad is not None:
            return RecordCheck(checked, bad)
        checked += 1
    return RecordCheck(checked, first_bad_quote(session))
