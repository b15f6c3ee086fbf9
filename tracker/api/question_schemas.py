"""The JSON API's shapes for questions, speakers, matching and linking (see schemas.py)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from tracker.api.schemas import (
    DEADLINE_TEXT,
    Answer,
    Body,
    ClaimOut,
    Deadline,
    Kind,
    Outcome,
    Paging,
    Query,
    ResolutionOut,
    Status,
    Verdict,
)
from tracker.db import MAX_ID


class QuestionQuery(Paging):
    status: Status | None = Field(None, description="`due`: deadline passed, not resolved.")
    kind: Kind | None = None
    speaker: str | None = Field(
        None, max_length=200, description="A speaker's name or slug: questions they spoke on."
    )
    tag: str | None = Field(None, max_length=100)


class QuestionOut(Answer):
    id: int
    kind: Kind
    text: str
    resolution_criteria: str | None
    deadline: dt.datetime | None = Field(description="What reviewers resolve against.")
    status: Status
    outcome: Outcome | None = Field(description="What happened (forecast questions).")
    verdict: Verdict | None = Field(description="For a fact's question.")
    merged_into: int | None = Field(
        description="The question this one was merged into (its claims are there), or null."
    )
    created_at: dt.datetime
    html_url: str
    claims: list[ClaimOut] = Field(description="Every claim on it, in the order recorded.")
    resolutions: list[ResolutionOut] = Field(
        description="The judgements of its claims, every version, oldest first."
    )


class QuestionPage(Answer):
    data: list[QuestionOut]
    next: str | None = Field(description="The next page, or null on the last one.")


class MatchQuery(Query):
    limit: int = Field(5, ge=1, le=20, description="How many questions to propose (1 to 20).")


class QuestionMatch(Answer):
    question_id: int
    score: float = Field(
        description="How likely the claim is about this question's event, 0 to 1; above "
        "`threshold` the matcher judges it the same event."
    )
    text: str
    deadline: dt.datetime | None


class QuestionMatches(Answer):
    items: list[QuestionMatch] = Field(description="Best first; never the claim's own question.")
    threshold: float


class ClaimCreated(ClaimOut):
    question_matches: list[QuestionMatch] = Field(
        description="Recorded questions the new claim may be about, best first (at most 5): "
        "link it with PUT /claims/{id}/question."
    )


class NewQuestionIn(Body):
    text: str | None = Field(
        default=None, max_length=2000, description="Its wording; default: the claim's question."
    )
    resolution_criteria: str | None = Field(default=None, max_length=5000)
    deadline: Deadline | None = Field(
        default=None, description=DEADLINE_TEXT + " Default: the claim's deadline."
    )


class ClaimQuestionIn(Body):
    """Either `question_id` (with `stance`) or `new`."""

    question_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    stance: Literal["for", "against"] = "for"
    new: NewQuestionIn | None = Field(
        default=None, description="Split the claim off to a new question of its own."
    )

    @model_validator(mode="after")
    def one_target(self) -> ClaimQuestionIn:
        if (self.question_id is None) == (self.new is None):
            raise ValueError("give either question_id (with stance) or new, not both or neither")
        return self


class MergeIn(Body):
    into: int = Field(ge=1, le=MAX_ID, description="The question that is kept.")
    reason: str = Field(min_length=1, max_length=1000, description="Kept in the audit log.")


class SpeakerOut(Answer):
    id: int
    name: str
    slug: str
    kind: Literal["person", "organization"]
    merged_into: str | None = Field(description="The slug this speaker was merged into, or null.")
    html_url: str


class SpeakerMergeIn(Body):
    into: str = Field(min_length=1, max_length=200, description="The kept speaker's slug.")
    reason: str = Field(min_length=1, max_length=1000, description="Kept in the audit log.")
