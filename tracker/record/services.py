"""Recording sources and claims, and reading them back. Plain functions on a Session."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, selectinload

from tracker import audit
from tracker.db import utcnow
from tracker.errors import Conflict, Invalid, NotFound
from tracker.models import DEADLINE_ORIGINS, KINDS, STATUSES, Claim, ClaimTag, Source
from tracker.questions import services as questions
from tracker.questions.state import claim_state
from tracker.record import duplicates, names, wep
from tracker.record.quotes import find_quote
from tracker.scorecard import services as scorecard
from tracker.search import index as search_index
from tracker.text import sha256_text, slugify

KEY_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_TEXT_CHARS = 2_000_000
# Shorter quotes are a slip of the mouse, not a claim ("a", "it").
MIN_QUOTE_CHARS = 3


def clean_text(value: str | None, field: str, max_length: int | None = None) -> str | None:
    """Strip a free-text value; empty becomes None. NUL characters are refused (no database
    stores them faithfully)."""
    if value is None:
        return None
    if "\x00" in value:
        raise Invalid(
            f"{field} contains a NUL character", {field: "NUL characters are not allowed"}
        )
    value = value.strip()
    if not value:
        return None
    if max_length is not None and len(value) > max_length:
        raise Invalid(
            f"{field} is longer than {max_length} characters",
            {field: f"at most {max_length} characters"},
        )
    return value


def _require(value: str | None, field: str, message: str) -> str:
    if value is None:
        raise Invalid(message, {field: "required"})
    return value


def _aware(value: dt.datetime | None, field: str) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise Invalid(
            f"{field} must carry a time zone (for example 2020-04-03T23:59:59Z)",
            {field: "time zone missing"},
        )
    return value.astimezone(dt.UTC)


def check_url(url: str | None, field: str = "url") -> str | None:
    url = clean_text(url, field, 2048)
    if url is None:
        return None
    if not re.match(r"^https?://[^\s/?#]+[^\s]*$", url, re.IGNORECASE):
        raise Invalid(
            f"{field} must be a web address starting with https:// or http://, not {url[:80]!r}",
            {field: "not an http(s) address"},
        )
    return url


def record_source(
    session: Session,
    *,
    title: str,
    text: str,
    url: str | None = None,
    outlet: str | None = None,
    author: str | None = None,
    published_at: dt.datetime | None = None,
    fetched_at: dt.datetime | None = None,
    raw_body: bytes | None = None,
    raw_content_type: str | None = None,
    actor_id: int | None = None,
    new_version: bool = False,
) -> Source:
    """Archive a source's text as received, with its sha256, and the fetched page's bytes with
    theirs when it was fetched. A text archived before is refused, and so is an address
    archived before unless `new_version` says the page changed (see duplicates.py)."""
    clean_title = _require(clean_text(title, "title", 500), "title", "a source needs a title")
    if text is None or "\x00" in text:
        raise Invalid(
            "the text contains a NUL character", {"text": "NUL characters are not allowed"}
        )
    if not text.strip():
        raise Invalid("a source needs its text", {"text": "required"})
    if len(text) > MAX_TEXT_CHARS:
        raise Invalid(
            f"the text is longer than {MAX_TEXT_CHARS:,} characters", {"text": "too long"}
        )
    clean_url = check_url(url)
    clean_outlet = clean_text(outlet, "outlet", 200)
    clean_author = clean_text(author, "author", 200)
    digest = sha256_text(text)
    raw_digest = hashlib.sha256(raw_body).hexdigest() if raw_body is not None else None
    duplicates.refuse_source(session, digest, clean_url, new_version)
    source = Source(
        url=clean_url,
        title=clean_title,
        outlet=clean_outlet,
        outlet_slug=names.slug_in_use(session, Source.outlet_slug, clean_outlet),
        author=clean_author,
        author_slug=names.slug_in_use(session, Source.author_slug, clean_author),
        published_at=_aware(published_at, "published_at"),
        text=text,
        text_sha256=digest,
        fetched_at=_aware(fetched_at, "fetched_at") or utcnow(),
        raw_body=raw_body,
        raw_content_type=clean_text(raw_content_type, "raw_content_type", 200),
        raw_sha256=raw_digest,
        recorded_by_id=actor_id,
    )
    session.add(source)
    session.flush()
    search_index.refresh(session, sources=[source.id])
    audit.record(
        session,
        "source.recorded",
        "source",
        source.id,
        {"url": clean_url, "title": clean_title, "text_sha256": digest, "raw_sha256": raw_digest},
        actor_id,
    )
    return source


def get_source(session: Session, source_id: int) -> Source:
    source = session.get(Source, source_id)
    if source is None:
        raise NotFound(f"there is no source {source_id}")
    return source


def find_source_by_url(session: Session, url: str) -> Source | None:
    return session.scalar(select(Source).where(Source.url == url).order_by(Source.id).limit(1))


def list_sources(session: Session, *, after_id: int = 0, limit: int = 50) -> Sequence[Source]:
    return session.scalars(
        select(Source).where(Source.id > after_id).order_by(Source.id).limit(limit)
    ).all()


def _unique_key(session: Session, source_id: int, base: str) -> str:
    base = base[:90].rstrip("-") or "claim"
    taken = set(
        session.scalars(
            select(Claim.key).where(Claim.source_id == source_id, Claim.key.like(f"{base}%"))
        )
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _tags(session: Session, values: Iterable[str]) -> list[str]:
    tags: list[str] = []
    for value in values:
        tag = names.slug_in_use(session, ClaimTag.tag, clean_text(value, "tags", 100)) or ""
        if not tag:
            raise Invalid(f"the tag {value!r} has no letters or digits", {"tags": "empty tag"})
        if tag not in tags:
            tags.append(tag)
    return tags


def check_probability(probability: float) -> float:
    """A probability must lie strictly between 0 and 1 (certainty cannot be scored)."""
    if isinstance(probability, bool) or not math.isfinite(probability) or not 0 < probability < 1:
        raise Invalid(
            "the probability must lie strictly between 0 and 1",
            {"probability": "must be > 0 and < 1"},
        )
    return float(probability)


def _forecast_probability(
    quote: str,
    probability: float | None,
    phrase: str | None,
    probability_reason: str | None,
    negated: bool,
) -> dict[str, Any]:
    """The probability of a forecast with its origin, phrase, hedge flag and reason."""
    if probability is not None:
        if (
            isinstance(probability, bool)
            or not math.isfinite(probability)
            or not (0 < probability < 1)
        ):
            raise Invalid(
                "the probability must lie strictly between 0 and 1",
                {"probability": "must be > 0 and < 1"},
            )
        hedged = wep.read_phrase(phrase).hedged if phrase else False
        return {
            "probability": float(probability),
            "probability_origin": "stated",
            "probability_reason": probability_reason or "stated in the source",
            "phrase": phrase,
            "hedged": hedged,
        }
    reading = wep.read_phrase(phrase) if phrase else wep.find_wording(quote)
    if reading is None:
        reading = wep.read_phrase(quote)
        reading = wep.Reading("", reading.probability, False, "assertive", reading.reference)
    value = reading.probability
    reason = f"{reading.category}: {reading.reference}"
    if negated:
        value = round(1 - value, 6)
        reason += "; the question asks the opposite of the wording, so 1 - the wording's number"
    return {
        "probability": value,
        "probability_origin": "phrase",
        "probability_reason": reason,
        "phrase": reading.phrase or None,
        "hedged": reading.hedged,
    }


def check_deadline(source: Source, deadline: dt.datetime | None) -> None:
    """A claim's deadline comes after its source was published: a forecast is about what
    follows it, and a check cannot fall due before the claim was made."""
    if deadline is None or source.published_at is None or deadline > source.published_at:
        return
    published = source.published_at.strftime("%Y-%m-%d %H:%M UTC")
    raise Invalid(
        f"the deadline {deadline:%Y-%m-%d %H:%M UTC} is not after the source's publication "
        f"({published}): give a later deadline",
        {"deadline": f"must be after the publication, {published}"},
    )


def record_claim(
    session: Session,
    source_id: int,
    *,
    kind: str,
    quote: str,
    key: str | None = None,
    question: str | None = None,
    resolution_criteria: str | None = None,
    deadline: dt.datetime | None = None,
    deadline_origin: str | None = None,
    deadline_reason: str | None = None,
    probability: float | None = None,
    probability_reason: str | None = None,
    phrase: str | None = None,
    negated: bool = False,
    condition: str | None = None,
    tags: Iterable[str] = (),
    quote_start: int | None = None,
    actor_id: int | None = None,
    speaker: str | None = None,
    speaker_kind: str | None = None,
    question_id: int | None = None,
    stance: str = "for",
) -> Claim:
    """Record one claim of a source. The quote must occur in the archived text; what is stored
    is the archived wording at its offsets, even when it was typed with straight quotes.

    The claim is its speaker's (a named speaker for an attributed quote, else the source's
    author, else its outlet) and is about `question_id` (with its `stance`), else a new
    question made of its own question, criteria and deadline."""
    source = get_source(session, source_id)
    if kind not in KINDS:
        raise Invalid(f"kind must be one of {', '.join(KINDS)}", {"kind": "unknown kind"})
    linked = questions.check_link(session, kind, question_id, stance, speaker_kind)
    if quote is None or "\x00" in quote:
        raise Invalid("the quote contains a NUL character", {"quote": "NUL not allowed"})
    if not quote.strip():
        raise Invalid("a claim needs its quote, word for word", {"quote": "required"})
    if len(quote.strip()) < MIN_QUOTE_CHARS:
        raise Invalid(
            f"a quote is at least {MIN_QUOTE_CHARS} characters: quote the words that make the "
            "claim",
            {"quote": f"shorter than {MIN_QUOTE_CHARS} characters"},
        )
    span = find_quote(source.text, quote, quote_start)
    if span is None:
        if find_quote(source.text, quote, quote_start, whole_words=False) is not None:
            raise Invalid(
                "the quote occurs in the archived text only inside longer words: quote whole words",
                {"quote": "found only inside words"},
            )
        raise Invalid(
            "the quote does not occur in the source's archived text",
            {"quote": "not found in the archived text"},
        )
    verbatim = source.text[span.start : span.end]
    fields: dict[str, Any] = {
        "question": clean_text(question, "question", 2000),
        "resolution_criteria": clean_text(resolution_criteria, "resolution_criteria", 5000),
        "condition": clean_text(condition, "condition", 2000),
        "deadline_reason": clean_text(deadline_reason, "deadline_reason", 1000),
    }
    clean_phrase = clean_text(phrase, "phrase", 200)
    deadline_at = _aware(deadline, "deadline")
    check_deadline(source, deadline_at)
    duplicates.refuse_claim(session, source.id, span.start, span.end, fields["question"])
    if deadline_origin is not None and deadline_origin not in DEADLINE_ORIGINS:
        raise Invalid(
            "deadline_origin must be explicit or inferred", {"deadline_origin": "unknown origin"}
        )
    if kind == "forecast":
        if deadline_at is None:
            raise Invalid(
                "a forecast needs a deadline by which it can be decided",
                {"deadline": "required for a forecast"},
            )
        deadline_origin = deadline_origin or "explicit"
        if deadline_origin == "inferred" and fields["deadline_reason"] is None:
            raise Invalid(
                "an inferred deadline needs the reason it was chosen",
                {"deadline_reason": "required when the deadline is inferred"},
            )
        fields.update(
            _forecast_probability(
                verbatim,
                probability,
                clean_phrase,
                clean_text(probability_reason, "probability_reason", 1000),
                negated,
            )
        )
    else:
        if probability is not None or fields["condition"] is not None:
            raise Invalid(
                "a fact claim carries no probability or condition",
                {"probability": "only for forecasts"}
                if probability is not None
                else {"condition": "only for forecasts"},
            )
        if deadline_at is not None:
            deadline_origin = deadline_origin or "explicit"
        fields["phrase"] = clean_phrase
    if key is not None:
        key = key.strip()
        if not KEY_PATTERN.match(key) or len(key) > 100:
            raise Invalid(
                "key must be lowercase letters and digits joined by hyphens (at most 100)",
                {"key": "not a slug"},
            )
        if session.scalar(select(Claim.id).where(Claim.source_id == source.id, Claim.key == key)):
            raise Conflict(
                f"source {source.id} already has a claim with key {key!r}", {"key": "taken"}
            )
    else:
        key = _unique_key(session, source.id, slugify(fields["question"] or verbatim, 60))
    claim_speaker = questions.claim_speaker(
        session, source, clean_text(speaker, "speaker", questions.MAX_NAME_CHARS), speaker_kind
    )
    if linked is None:
        linked = questions.new_question(
            session, kind=kind, text=fields["question"] or verbatim, deadline_at=deadline_at,
            resolution_criteria=fields["resolution_criteria"], actor_id=actor_id,
        )  # fmt: skip
    claim = Claim(
        source_id=source.id,
        key=key,
        kind=kind,
        question_id=linked.id,
        stance=stance,
        speaker_id=claim_speaker.id if claim_speaker else None,
        quote=verbatim,
        quote_start=span.start,
        quote_end=span.end,
        deadline_at=deadline_at,
        deadline_origin=deadline_origin if deadline_at else None,
        recorded_by_id=actor_id,
        # A claim linked to a question already decided takes its result at once.
        **claim_state(linked, stance),
        tags=[ClaimTag(tag=t) for t in _tags(session, tags)],
        **fields,
    )
    session.add(claim)
    session.flush()
    search_index.refresh(session, claims=[claim.id])
    scorecard.on_outcome_changed(session, claim)
    audit.record(
        session,
        "claim.recorded",
        "claim",
        claim.id,
        {
            "source_id": source.id,
            "key": key,
            "kind": kind,
            "quote_start": span.start,
            "quote_end": span.end,
            "probability": claim.probability,
            "deadline_at": deadline_at.isoformat() if deadline_at else None,
            "question_id": linked.id,
            "stance": stance,
            "speaker_id": claim.speaker_id,
        },
        actor_id,
    )
    return claim


def get_claim(session: Session, claim_id: int) -> Claim:
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise NotFound(f"there is no claim {claim_id}")
    return claim


def claims_query(
    *,
    now: dt.datetime,
    status: str | None = None,
    kind: str | None = None,
    source_id: int | None = None,
    key: str | None = None,
    author: str | None = None,
    outlet: str | None = None,
    tag: str | None = None,
) -> Select[Claim]:
    """A select of claims matching every filter given; unknown values raise Invalid."""
    query = select(Claim)
    if status is not None:
        if status not in STATUSES:
            raise Invalid(
                f"status must be one of {', '.join(STATUSES)}", {"status": "unknown status"}
            )
        if status == "due":
            query = query.where(Claim.status == "open", Claim.deadline_at <= now)
        elif status == "open":
            query = query.where(
                Claim.status == "open", or_(Claim.deadline_at.is_(None), Claim.deadline_at > now)
            )
        else:
            query = query.where(Claim.status == status)
    if kind is not None:
        if kind not in KINDS:
            raise Invalid(f"kind must be one of {', '.join(KINDS)}", {"kind": "unknown kind"})
        query = query.where(Claim.kind == kind)
    if source_id is not None:
        query = query.where(Claim.source_id == source_id)
    if key is not None:
        query = query.where(Claim.key == key)
    if author is not None or outlet is not None:
        query = query.join(Source, Source.id == Claim.source_id)
        if author is not None:
            query = query.where(Source.author_slug == slugify(author))
        if outlet is not None:
            query = query.where(Source.outlet_slug == slugify(outlet))
    if tag is not None:
        query = query.where(
            Claim.id.in_(select(ClaimTag.claim_id).where(ClaimTag.tag == slugify(tag)))
        )
    return query


def list_claims(
    session: Session,
    *,
    now: dt.datetime | None = None,
    after_id: int = 0,
    limit: int | None = None,
    **filters: Any,
) -> Sequence[Claim]:
    """Claims matching the filters of `claims_query`, in id order, after `after_id`."""
    query = claims_query(now=now or utcnow(), **filters).where(Claim.id > after_id)
    query = query.order_by(Claim.id).options(
        selectinload(Claim.source), selectinload(Claim.resolutions)
    )
    if limit is not None:
        query = query.limit(limit)
    return session.scalars(query).all()
