"""The JSON API's shapes: query strings, bodies and answers, as pydantic models.

The OpenAPI document is generated from these (see openapi.py), so what a client reads there is
what the code checks. Field names are snake_case; times are UTC ISO 8601 strings ending in `Z`.
Times sent may also be bare dates: a deadline's date is the end of that day UTC, as on the
forms; a publication date is the start of that day. Numbers are sent in full precision.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
)

from tracker.db import MAX_ID
from tracker.errors import Invalid
from tracker.models import KINDS, OUTCOMES, STANCES, STATUSES, VERDICTS

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

Status = Literal["open", "due", "disputed", "resolved", "void"]
Kind = Literal["forecast", "fact"]
Outcome = Literal["true", "false", "ambiguous", "annulled"]
Verdict = Literal["true", "mostly-true", "mixed", "mostly-false", "false", "unverifiable"]
Stance = Literal["supports", "refutes", "context"]
# The Literals above must say what the schema's CHECK constraints say.
assert (get_args(Status), get_args(Kind)) == (STATUSES, KINDS)
assert (get_args(Outcome), get_args(Verdict), get_args(Stance)) == (OUTCOMES, VERDICTS, STANCES)


_DATE_ONLY = re.compile(r"\s*\d{4}-\d{2}-\d{2}\s*")


def _day_at(at: dt.time) -> Any:
    """A validator that reads a bare YYYY-MM-DD as that day at `at` UTC; anything else goes on
    to the usual date-time parsing (which wants a zone)."""

    def read(value: Any) -> Any:
        if isinstance(value, str) and _DATE_ONLY.fullmatch(value):
            try:
                return dt.datetime.combine(dt.date.fromisoformat(value.strip()), at, dt.UTC)
            except ValueError:
                return value  # not a real day: the date-time parser says why
        return value

    return BeforeValidator(read)


_INSTANT_OR_DAY = WithJsonSchema(
    {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}]}
)
# A deadline as the forms take it: a date means the end of that day, 23:59:59 UTC.
Deadline = Annotated[AwareDatetime, _day_at(dt.time(23, 59, 59)), _INSTANT_OR_DAY]
DEADLINE_TEXT = (
    "An instant with a zone (2027-06-30T23:59:59Z), or a date (2027-06-30): a date means the "
    "end of that day, 23:59:59 UTC, as on the forms. It must come after the source's "
    "publication."
)
# When something was published: a date means the start of that day, 00:00 UTC.
PublishedAt = Annotated[AwareDatetime, _day_at(dt.time()), _INSTANT_OR_DAY]
PUBLISHED_TEXT = (
    "An instant with a zone (2025-03-10T12:00:00Z), or a date (2025-03-10): a date means the "
    "start of that day, 00:00 UTC."
)


class Query(BaseModel):
    """A query string. A parameter the route does not take is refused (400), like an unknown
    body field, so a misspelt filter never answers as if it had been applied."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Body(BaseModel):
    """A request body. Unknown fields are refused, so a misspelt field is not silently lost."""

    model_config = ConfigDict(extra="forbid", str_max_length=2_000_000)


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Paging(Query):
    limit: int = Field(
        DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="How many items per page (1 to 200)."
    )
    cursor: str | None = Field(
        None,
        max_length=40,
        description="Where to go on from: copy it from the `next` link of the page before.",
    )


class SourceQuery(Paging):
    pass


class CandidateQuery(Query):
    cursor: str | None = Field(
        None,
        max_length=40,
        description="Where to go on from: copy it from the `next` link of the page before.",
    )


class ScorecardQuery(Query):
    """Read as text and judged by the scorecard's own filter parser (one group at most)."""

    author: str | None = Field(None, max_length=200, description="Author name or slug.")
    speaker: str | None = Field(
        None, max_length=200, description="Speaker name or slug: whose claims they are."
    )
    outlet: str | None = Field(None, max_length=200, description="Outlet name or slug.")
    tag: str | None = Field(None, max_length=100)
    source_id: str | None = Field(None, max_length=12, description="A source id (whole number).")
    date_from: str | None = Field(
        None, alias="from", max_length=10, description="First deadline day, YYYY-MM-DD."
    )
    date_to: str | None = Field(
        None, alias="to", max_length=10, description="Last deadline day, YYYY-MM-DD."
    )
    include_hedged: str | None = Field(
        None, max_length=5, description="`true` counts hedged forecasts in the scores."
    )


class WordingQuery(Query):
    """Read as text and judged by the wording page's own filter parser (one group at most)."""

    speaker: str | None = Field(None, max_length=200, description="Speaker name or slug.")
    outlet: str | None = Field(None, max_length=200, description="Outlet name or slug.")
    author: str | None = Field(None, max_length=200, description="Author name or slug.")
    tag: str | None = Field(None, max_length=100)
    source_id: str | None = Field(None, max_length=12, description="A source id (whole number).")
    date_from: str | None = Field(
        None, alias="from", max_length=10, description="First deadline day, YYYY-MM-DD."
    )
    date_to: str | None = Field(
        None, alias="to", max_length=10, description="Last deadline day, YYYY-MM-DD."
    )


class ClaimQuery(Paging):
    status: Status | None = Field(None, description="`due`: deadline passed, not resolved.")
    kind: Kind | None = None
    source_id: int | None = Field(None, ge=1, le=MAX_ID)
    key: str | None = Field(None, max_length=100, description="The claim's key in its source.")
    author: str | None = Field(None, max_length=200, description="Author name or slug.")
    outlet: str | None = Field(None, max_length=200, description="Outlet name or slug.")
    tag: str | None = Field(None, max_length=100)


class ErrorDetail(Answer):
    code: str = Field(description="Stable and machine-readable: `invalid`, `not_found`, ...")
    message: str = Field(description="For people: what went wrong and how to put it right.")
    fields: dict[str, str] = Field(description="Per field (or parameter) at fault, why.")


class ErrorAnswer(Answer):
    error: ErrorDetail


class EvidenceOut(Answer):
    url: str
    title: str | None
    publisher: str | None
    published_at: dt.datetime | None
    stance: Stance
    archived_sha256: str | None


class ResolutionOut(Answer):
    id: int
    version: int = Field(description="Re-opening a claim starts a new version; old ones stay.")
    reviewer: str
    outcome: Outcome | None = Field(description="For forecasts.")
    verdict: Verdict | None = Field(description="For facts.")
    rationale: str
    is_settlement: bool
    created_at: dt.datetime
    evidence: list[EvidenceOut]


class ClaimOut(Answer):
    id: int
    source_id: int
    key: str
    kind: Kind
    quote: str = Field(description="Word for word, as archived.")
    quote_start: int = Field(description="Character offset of the quote in the source's text.")
    quote_end: int
    question: str | None
    resolution_criteria: str | None
    deadline: dt.datetime | None
    deadline_origin: Literal["explicit", "inferred"] | None
    deadline_reason: str | None
    probability: float | None = Field(description="Strictly between 0 and 1; forecasts only.")
    probability_origin: Literal["stated", "phrase", "reviewer"] | None
    probability_reason: str | None
    phrase: str | None = Field(description="The words that carry the confidence.")
    hedged: bool
    condition: str | None
    status: Status
    void_reason: str | None
    outcome: Outcome | None
    verdict: Verdict | None
    resolution_version: int
    resolved_at: dt.datetime | None
    tags: list[str]
    author: str | None
    outlet: str | None
    question_id: int = Field(description="The question this claim is about (resolved once).")
    stance: Literal["for", "against"] = Field(
        description="`for`: the claim says the question's event happens (or the statement is "
        "true); `against`: the opposite, its probability for the event is 1 - probability.",
    )
    speaker: str | None = Field(description="Whose claim it is: a person or organisation.")
    speaker_slug: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    html_url: str
    resolutions: list[ResolutionOut]


class SourceOut(Answer):
    id: int
    url: str | None
    title: str
    outlet: str | None
    outlet_slug: str | None
    author: str | None
    author_slug: str | None
    published_at: dt.datetime | None
    fetched_at: dt.datetime
    text_sha256: str
    raw_sha256: str | None = Field(description="SHA-256 of the page as fetched, if fetched.")
    raw_content_type: str | None
    raw_url: str | None = Field(description="Download of the page as fetched, if fetched.")
    created_at: dt.datetime
    html_url: str


class SourceWithText(SourceOut):
    text: str = Field(description="The archived text the quotes' offsets point into.")


class SourceDetail(SourceWithText):
    claims: list[ClaimOut] = Field(description="The first 200, in the order they were recorded.")
    claims_next: str | None = Field(
        description="When the source has more claims, the page of /claims that goes on."
    )


class CandidateOut(Answer):
    """A claim the extractor proposes; an editor accepts, edits or rejects it."""

    kind: Kind
    quote: str
    sentence: str
    quote_start: int
    quote_end: int
    reason: str
    phrase: str | None
    probability: float | None
    probability_origin: Literal["stated", "phrase", "reviewer"] | None
    probability_reason: str | None
    hedged: bool
    negated: bool
    condition: str | None
    deadline: dt.datetime | None
    deadline_origin: Literal["explicit", "inferred"] | None
    deadline_reason: str | None
    sentence_start: int = Field(description="Where the quote's sentence starts in the text.")
    sentence_end: int = Field(description="Where the quote's sentence ends in the text.")
    speaker: str | None = Field(
        description="Who the forecast is reported from (null: the source's author's own)."
    )
    speaker_kind: Literal["person", "organization"] | None
    attribution_start: int | None = Field(
        description="Where the words naming the speaker start in the text (null when an "
        "earlier sentence named them)."
    )
    attribution_end: int | None
    probability_kind: Literal["speaker", "survey_share", "market"] | None = Field(
        description="For a stated probability: the speaker's own chance, the share of a "
        "surveyed group, or betting odds and market prices."
    )
    probability_start: int | None = Field(
        description="Where the words stating the probability start in the text."
    )
    probability_end: int | None
    recorded_claim_id: int | None = Field(description="The claim recorded from it, if any.")


class CandidatePage(Answer):
    source_id: int
    data: list[CandidateOut]
    next: str | None = Field(description="The next stretch of the text, or null after the last.")


class ClaimPage(Answer):
    data: list[ClaimOut]
    next: str | None = Field(description="The next page, or null on the last one.")


class SourcePage(Answer):
    data: list[SourceOut]
    next: str | None = Field(description="The next page, or null on the last one.")


class IntervalOut(Answer):
    lower: float = Field(ge=0, le=1)
    upper: float = Field(ge=0, le=1)


class PhraseOut(Answer):
    phrase: str = Field(description="As counted: lower case, whitespace and apostrophes folded.")
    probability: float = Field(description="What the wording table gives the phrase.")
    hedged: bool = Field(description="May / might / could-type wording.")
    category: str = Field(description="The table's row: `likely`, `assertive`, `might` ...")
    n_forecasts: int = Field(description="Forecasts that used it, resolved or not (void aside).")
    n_scored: int = Field(description="Of those, resolved true or false.")
    n_true: int = Field(description="Of those, where what the wording said came true.")
    observed_rate: float | None = Field(description="n_true / n_scored; null when none scored.")
    interval: IntervalOut | None = Field(
        description="The 90% Wilson score interval of observed_rate; null when none scored."
    )
    too_few_to_judge: bool = Field(description="Fewer scored forecasts than `min_scored`.")


class WordingFiltersOut(Answer):
    speaker: str | None
    outlet: str | None
    author: str | None
    tag: str | None
    source_id: int | None
    date_from: str | None = Field(alias="from")
    date_to: str | None = Field(alias="to")
    date_field: Literal["deadline"]


class WordingAnswer(Answer):
    filters: WordingFiltersOut
    name: str = Field(description="Whose forecasts: `All sources`, or the group's name.")
    level: float = Field(description="The intervals' confidence level (0.9).")
    min_scored: int = Field(description="Phrases with fewer scored forecasts are marked.")
    n_forecasts: int
    n_scored: int
    items: list[PhraseOut] = Field(description="Most confident wording first.")


# Request bodies of the write endpoints.


class SourceIn(Body):
    url: str | None = Field(default=None, max_length=2048)
    # Optional when `text` is omitted: the fetched page's own title is used.
    title: str | None = Field(default=None, max_length=500)
    outlet: str | None = Field(default=None, max_length=200)
    author: str | None = Field(default=None, max_length=200)
    published_at: PublishedAt | None = Field(default=None, description=PUBLISHED_TEXT)
    text: str | None = None
    new_version: bool = Field(
        default=False,
        description="A text archived before is refused (409), and so is an address archived "
        "before, unless this is true: the page has changed and this version is kept beside "
        "the old one.",
    )


class ClaimIn(Body):
    kind: Literal["forecast", "fact"]
    quote: str = Field(max_length=20_000)
    key: str | None = Field(default=None, max_length=100)
    question: str | None = Field(default=None, max_length=2000)
    resolution_criteria: str | None = Field(default=None, max_length=5000)
    deadline: Deadline | None = Field(default=None, description=DEADLINE_TEXT)
    deadline_origin: Literal["explicit", "inferred"] | None = None
    deadline_reason: str | None = Field(default=None, max_length=1000)
    probability: float | None = None
    probability_reason: str | None = Field(default=None, max_length=1000)
    phrase: str | None = Field(default=None, max_length=200)
    negated: bool = False
    condition: str | None = Field(default=None, max_length=2000)
    tags: list[str] = Field(default_factory=list, max_length=50)
    quote_start: int | None = Field(default=None, ge=0)
    speaker: str | None = Field(
        default=None,
        max_length=200,
        description="Whose claim it is, for an attributed quote; else the source's author, "
        "else its outlet.",
    )
    speaker_kind: Literal["person", "organization"] | None = None
    question_id: int | None = Field(
        default=None,
        ge=1,
        le=MAX_ID,
        description="Link to a recorded question of the same kind; without it the claim gets "
        "a question of its own from its question, criteria and deadline.",
    )
    stance: Literal["for", "against"] = Field(
        default="for", description="What the claim says of the question linked by question_id."
    )


class EvidenceIn(Body):
    url: str = Field(max_length=2048)
    title: str | None = Field(default=None, max_length=500)
    publisher: str | None = Field(default=None, max_length=200)
    published_at: PublishedAt | None = Field(default=None, description=PUBLISHED_TEXT)
    stance: Literal["supports", "refutes", "context"] = "supports"


class ResolutionIn(Body):
    outcome: Literal["true", "false", "ambiguous", "annulled"] | None = None
    verdict: (
        Literal["true", "mostly-true", "mixed", "mostly-false", "false", "unverifiable"] | None
    ) = None
    rationale: str = Field(max_length=10_000)
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=50)
    settle: bool = False


class ResolutionAnswer(Answer):
    state: Literal["pending", "final", "disputed"] = Field(
        description="`final` once the quorum of reviewers agrees; `disputed` when they differ."
    )
    agreeing: int
    quorum: int
    resolution: ResolutionOut
    claim: ClaimOut


class QuestionState(Answer):
    """A question's review state: what every claim on it takes (by its stance)."""

    id: int
    kind: Kind
    text: str
    resolution_criteria: str | None
    deadline: dt.datetime | None
    status: Status
    outcome: Outcome | None
    verdict: Verdict | None
    resolution_version: int
    resolved_at: dt.datetime | None
    void_reason: str | None
    claims: int = Field(description="How many claims are about the question.")


class QuestionResolutionAnswer(Answer):
    state: Literal["pending", "final", "disputed"] = Field(
        description="`final` once the quorum of reviewers agrees; `disputed` when they differ."
    )
    agreeing: int
    quorum: int
    resolution: ResolutionOut
    question: QuestionState


def parse(model: type[Body], data: Any) -> Any:
    """Validate a decoded JSON body; every problem is reported against its field."""
    if not isinstance(data, dict):
        raise Invalid("the body must be a JSON object", {"body": "not an object"})
    try:
        return model.model_validate(data)
    except ValidationError as error:
        fields = {
            ".".join(str(part) for part in problem["loc"]) or "body": problem["msg"]
            for problem in error.errors(include_url=False)
        }
        raise Invalid("the body does not match what this endpoint takes", fields) from None
