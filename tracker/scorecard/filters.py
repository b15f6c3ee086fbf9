"""What a scorecard is of: one group at most, a range of deadline days, hedged or not; read
from query parameters with a clear error for each bad value."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from tracker.db import MAX_ID
from tracker.errors import BadRequest
from tracker.text import slugify, speaker_slug

GROUP_NAMES = ("author", "speaker", "outlet", "tag")  # the groups named by slug


@dataclass(frozen=True)
class Filters:
    """What a scorecard is of: at most one group, an inclusive range of deadline days, and
    whether hedged forecasts count."""

    author: str | None = None
    speaker: str | None = None
    outlet: str | None = None
    tag: str | None = None
    source_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    include_hedged: bool = False

    @property
    def group(self) -> tuple[str, str]:
        """(dimension, key) of the group asked for; ("overall", "") when none."""
        if self.author is not None:
            return "author", self.author
        if self.speaker is not None:
            return "speaker", self.speaker
        if self.outlet is not None:
            return "outlet", self.outlet
        if self.tag is not None:
            return "tag", self.tag
        if self.source_id is not None:
            return "source", str(self.source_id)
        return "overall", ""

    def query_args(self, group: bool = True) -> dict[str, str]:
        """The filters as query parameters (what `parse_filters` reads back); without the
        group when `group` is false."""
        args: dict[str, str] = {}
        for name in GROUP_NAMES if group else ():
            value = getattr(self, name)
            if value is not None:
                args[name] = value
        if group and self.source_id is not None:
            args["source_id"] = str(self.source_id)
        if self.date_from is not None:
            args["from"] = self.date_from.isoformat()
        if self.date_to is not None:
            args["to"] = self.date_to.isoformat()
        if self.include_hedged:
            args["include_hedged"] = "true"
        return args


def _parse_date(value: str | None, name: str) -> dt.date | None:
    if value is None or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise BadRequest(
            f"{name} must be a date like 2020-01-31", {name: "not a YYYY-MM-DD date"}
        ) from None


def _parse_bool(value: str | None, name: str) -> bool:
    if value is None or value.strip() == "":
        return False
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise BadRequest(f"{name} must be true or false", {name: "not true or false"})


def _slug_arg(value: str | None, name: str) -> str | None:
    if value is None or not value.strip():
        return None
    slug = slugify(value)
    if not slug:
        raise BadRequest(f"{name} has no letters or digits", {name: "empty"})
    return slug


def _speaker_arg(value: str | None) -> str | None:
    """A speaker by slug or name (a name in another script has a slug of its own)."""
    if value is None or not value.strip():
        return None
    return speaker_slug(" ".join(value.split()))


def parse_filters(args: Mapping[str, str], **fixed: Any) -> Filters:
    """Filters from query parameters (author, speaker, outlet, tag, source_id, from, to,
    include_hedged); `fixed` sets the group of a page such as /authors/<slug>. Bad values raise
    BadRequest."""
    if not args and not fixed:
        return Filters()
    source_id: int | None = None
    raw_source = args.get("source_id")
    if raw_source is not None and raw_source.strip():
        try:
            source_id = int(raw_source)
        except ValueError:
            raise BadRequest(
                "source_id must be a whole number", {"source_id": "not a number"}
            ) from None
        if not 1 <= source_id <= MAX_ID:
            raise BadRequest(
                f"source_id must be a whole number from 1 to {MAX_ID}",
                {"source_id": f"must be from 1 to {MAX_ID}"},
            )
    filters = Filters(
        author=_slug_arg(args.get("author"), "author"),
        speaker=_speaker_arg(args.get("speaker")),
        outlet=_slug_arg(args.get("outlet"), "outlet"),
        tag=_slug_arg(args.get("tag"), "tag"),
        source_id=source_id,
        date_from=_parse_date(args.get("from"), "from"),
        date_to=_parse_date(args.get("to"), "to"),
        include_hedged=_parse_bool(args.get("include_hedged"), "include_hedged"),
    )
    if fixed:
        group: dict[str, Any] = {name: None for name in (*GROUP_NAMES, "source_id")}
        filters = replace(filters, **(group | fixed))
    chosen = [n for n in (*GROUP_NAMES, "source_id") if getattr(filters, n) is not None]
    if len(chosen) > 1:
        raise BadRequest(
            "a scorecard is of one group: give at most one of author, speaker, outlet, tag, "
            "source_id",
            {name: "only one group at a time" for name in chosen},
        )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise BadRequest("from must not be after to", {"from": "after to", "to": "before from"})
    return filters
