"""What the record keeps once: a text is archived once, an address once (unless a changed
page is archived as a new version beside the old), and the same words of a source asking the
same question are one claim. Each refusal names what is there already."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import audit
from tracker.errors import Conflict
from tracker.models import Claim, Source


class AlreadyArchived(Conflict):
    """The text, or the address (`url`, when that is what repeats), is archived already as
    the source `source_id`."""

    def __init__(self, source_id: int, url: str | None = None) -> None:
        if url is None:
            message = f"this text is already archived as source {source_id}"
            fields = {"text": f"already archived as source {source_id}"}
        else:
            message = (
                f"{url} is already archived as source {source_id}; if the page has changed "
                "since, archive it again as a new version"
            )
            fields = {"url": f"already archived as source {source_id}"}
        super().__init__(message, fields)
        self.source_id = source_id
        self.url = url


def find_source_by_text(session: Session, text_sha256: str) -> int | None:
    """The first source whose archived text has this sha256."""
    return session.scalar(
        select(Source.id).where(Source.text_sha256 == text_sha256).order_by(Source.id).limit(1)
    )


def check_new_address(session: Session, url: str | None, new_version: bool = False) -> None:
    """Refuse an address that is archived already (before fetching it again), unless this is
    meant as a new version of a page that changed."""
    if url is None or new_version:
        return
    existing = session.scalar(
        select(Source.id).where(Source.url == url).order_by(Source.id).limit(1)
    )
    if existing is not None:
        raise AlreadyArchived(existing, url)


def refuse_source(session: Session, digest: str, url: str | None, new_version: bool) -> None:
    """Refuse a text archived before (from any address: one copy per text), and an address
    archived before unless `new_version`."""
    audit.take_turn(session)  # two imports of one text at once: the second sees the first
    same_text = find_source_by_text(session, digest)
    if same_text is not None:
        # Nothing new to archive, whatever address it came from: one copy per text.
        raise AlreadyArchived(same_text)
    check_new_address(session, url, new_version)


def refuse_claim(
    session: Session, source_id: int, start: int, end: int, question: str | None
) -> None:
    """The same words of the same source asking the same question are one claim, not two."""
    audit.take_turn(session)  # two of them at once: the second sees the first
    existing = session.scalar(
        select(Claim)
        .where(
            Claim.source_id == source_id,
            Claim.quote_start == start,
            Claim.quote_end == end,
            Claim.question.is_(None) if question is None else Claim.question == question,
        )
        .order_by(Claim.id)
        .limit(1)
    )
    if existing is not None:
        raise Conflict(
            f"this quote is already recorded with the same question as claim {existing.id} "
            f"({existing.key}); change the question to record another claim on it",
            {"quote": f"already recorded as claim {existing.id}"},
        )
