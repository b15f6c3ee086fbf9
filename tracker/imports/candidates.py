"""The claims proposed for an archived source, page by page, each with the recorded claim over
the same words if there is one.

A page covers one stretch of the text (extract.PAGE_CHARS), so proposing costs the same for a
source of two million characters as for a short article: an anonymous reader of the API never
makes the server read the whole text at once. Pages are kept in memory by the text's sha256, the
extractor's version and the day deadlines count from, so a page is worked out once per process
and reading it again costs a lookup."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.errors import BadRequest
from tracker.imports.extract import EXTRACTOR_VERSION, Candidate, Page, extract_page
from tracker.imports.sentences import Place
from tracker.models import Claim, Source
from tracker.record import services

# Candidates kept in memory per process, over all pages (a candidate is about a kilobyte).
MEMO_CANDIDATES = 20_000


@dataclass(frozen=True)
class ProposedClaim:
    """A candidate with the claim already recorded over the same words, if any."""

    candidate: Candidate
    recorded_claim_id: int | None


@dataclass(frozen=True)
class ProposalPage:
    """One page of proposals and where the next page starts (None after the last)."""

    items: list[ProposedClaim]
    next: Place | None


class _PageMemo:
    """Pages worked out by this process, the least recently read dropped first once they hold
    more than `capacity` candidates together."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.pages: OrderedDict[Hashable, Page] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> Page | None:
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def put(self, key: Hashable, page: Page) -> None:
        with self.lock:
            if key in self.pages:
                return
            self.pages[key] = page
            self.size += len(page.candidates)
            while self.size > self.capacity and len(self.pages) > 1:
                _, dropped = self.pages.popitem(last=False)
                self.size -= len(dropped.candidates)

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()
            self.size = 0


_memo = _PageMemo(MEMO_CANDIDATES)


def _page(source: Source, place: Place, today: dt.date) -> Page:
    reference = source.published_at.astimezone(dt.UTC).date() if source.published_at else today
    key = (source.text_sha256, EXTRACTOR_VERSION, reference, place)
    page = _memo.get(key)
    if page is None:
        text = source.text
        if place.offset > len(text):
            raise BadRequest("cursor is not one this API gave out", {"cursor": "invalid"})
        page = extract_page(text, place, source.published_at, today=today)
        _memo.put(key, page)
    return page


def _recorded(session: Session, source_id: int, candidates: list[Candidate]) -> list[ProposedClaim]:
    """Each candidate with the first recorded claim (by quote start, then id) whose quote
    overlaps it; only the claims within the page's stretch are read."""
    if not candidates:
        return []
    low = min(c.quote_start for c in candidates)
    high = max(c.quote_end for c in candidates)
    claims = session.execute(
        select(Claim.quote_start, Claim.quote_end, Claim.id)
        .where(Claim.source_id == source_id, Claim.quote_start < high, Claim.quote_end > low)
        .order_by(Claim.quote_start, Claim.id)
    ).all()
    starts = [start for start, _, _ in claims]
    # reach[i]: the furthest end among the first i + 1 claims; the first claim whose end passes
    # a candidate's start is where reach first passes it.
    reach = list(itertools.accumulate((end for _, end, _ in claims), max))
    proposed = []
    for candidate in candidates:
        before = bisect.bisect_left(starts, candidate.quote_end)  # claims starting before its end
        first = bisect.bisect_right(reach, candidate.quote_start, 0, before)
        proposed.append(ProposedClaim(candidate, claims[first][2] if first < before else None))
    return proposed


def page_candidates(
    session: Session, source_id: int, place: Place, *, today: dt.date | None = None
) -> ProposalPage:
    """The page of proposals for a source that starts at `place`, read against its publication
    date (else `today`)."""
    source = services.get_source(session, source_id)
    page = _page(source, place, today or dt.datetime.now(dt.UTC).date())
    return ProposalPage(_recorded(session, source_id, page.candidates), page.next)


def list_candidates(
    session: Session, source_id: int, *, today: dt.date | None = None
) -> list[ProposedClaim]:
    """Every proposal for a source, all pages in text order (for editors and the command line,
    who need the whole text's)."""
    source = services.get_source(session, source_id)
    day = today or dt.datetime.now(dt.UTC).date()
    candidates: list[Candidate] = []
    place: Place | None = Place()
    while place is not None:
        page = _page(source, place, day)
        candidates += page.candidates
        place = page.next
    return _recorded(session, source_id, candidates)
