"""Request bodies of the JSON API, validated with pydantic (no Flask here)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from tracker.errors import Invalid


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=2_000_000)


class SourceIn(Body):
    url: str | None = Field(default=None, max_length=2048)
    # Optional when `text` is omitted: the fetched page's own title is used.
    title: str | None = Field(default=None, max_length=500)
    outlet: str | None = Field(default=None, max_length=200)
    author: str | None = Field(default=None, max_length=200)
    published_at: AwareDatetime | None = None
    text: str | None = None


class ClaimIn(Body):
    kind: Literal["forecast", "fact"]
    quote: str = Field(max_length=20_000)
    key: str | None = Field(default=None, max_length=100)
    question: str | None = Field(default=None, max_length=2000)
    resolution_criteria: str | None = Field(default=None, max_length=5000)
    deadline: AwareDatetime | None = None
    deadline_origin: Literal["explicit", "inferred"] | None = None
    deadline_reason: str | None = Field(default=None, max_length=1000)
    probability: float | None = None
    probability_reason: str | None = Field(default=None, max_length=1000)
    phrase: str | None = Field(default=None, max_length=200)
    negated: bool = False
    condition: str | None = Field(default=None, max_length=2000)
    tags: list[str] = Field(default_factory=list, max_length=50)
    quote_start: int | None = Field(default=None, ge=0)


class EvidenceIn(Body):
    url: str = Field(max_length=2048)
    title: str | None = Field(default=None, max_length=500)
    publisher: str | None = Field(default=None, max_length=200)
    published_at: AwareDatetime | None = None
    stance: Literal["supports", "refutes", "context"] = "supports"


class ResolutionIn(Body):
    outcome: Literal["true", "false", "ambiguous", "annulled"] | None = None
    verdict: (
        Literal["true", "mostly-true", "mixed", "mostly-false", "false", "unverifiable"] | None
    ) = None
    rationale: str = Field(max_length=10_000)
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=50)
    settle: bool = False


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
