"""Names as the record keeps them: the slug of an author, outlet or tag, spelt either way."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.text import former_slugs, slugify


def slug_in_use(session: Session, column: Any, name: str | None) -> str | None:
    """An author's, outlet's or tag's slug: the one the record has, spelt either way. Those
    recorded when punctuation outside ASCII did not part words keep theirs ("ann-oneil" for
    "Ann O\u2019Neil") while the record has none of today's ("ann-o-neil")."""
    if not name:
        return None
    slug = slugify(name)
    former = former_slugs(name)
    if not slug or not former:
        return slug or None
    in_use = set(session.scalars(select(column).where(column.in_([slug, *former])).distinct()))
    if slug in in_use:
        return slug
    return next((old for old in former if old in in_use), slug)
