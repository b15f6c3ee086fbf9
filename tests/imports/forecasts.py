"""The forecasts the public extractor proposes for a text published on 2025-01-10, as the
phrasing tests read them."""

from __future__ import annotations

import datetime as dt

from tracker.imports.extract import Candidate, extract_candidates

PUBLISHED = dt.datetime(2025, 1, 10, tzinfo=dt.UTC)


def forecasts_in(text: str) -> list[Candidate]:
    return [c for c in extract_candidates(text, PUBLISHED) if c.kind == "forecast"]
