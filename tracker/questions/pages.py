"""Reading questions and speakers: lists with the filters claims have, one question with every
claim on it and the scores of each once it is resolved, one speaker's record.

A question's status and result are those its claims carry (each claim keeps a copy of its
question's result, the opposite for an `against` claim), so they are read from the claims."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Select, and_, case, exists, func, select
from sqlalchemy.orm import Session, selectinload

from tracker.errors import Invalid
from tracker.models import (
    KINDS,
    STATUSES,
    Claim,
    ClaimTag,
    Question,
    Source,
    Speaker,
)
from tracker.questions import services
from tracker.scorecard import scoring
from tracker.scorecard.services import GroupScore, HedgedOutcome
from tracker.text import slugify

_OPPOSITE = {"true": "false", "false": "true"}


def event_probability(claim: Claim) -> float | None:
    """The probability a claim gives the question's event: p for `for`, 1 - p for `against`."""
    if claim.probability is None:
        return None
    return claim.probability if claim.stance == "for" else 1.0 - claim.probability


def question_outcome(claims: Sequence[Claim]) -> tuple[str | None, str | None]:
    """The question's outcome and verdict as its claims carry them (an `against` claim carries
    the opposite outcome)."""
    for claim in claims:
        if claim.outcome is not None:
            if claim.stance == "for":
                return claim.outcome, None
            return _OPPOSITE.get(claim.outcome, claim.outcome), None
        if claim.verdict is not None:
            return None, claim.verdict
    return None, None


def question_status(question: Question, claims: Sequence[Claim], now: dt.datetime) -> str:
    stored = claims[0].status if claims else "open"
    if stored == "open" and question.deadline_at is not None and question.deadline_at <= now:
        return "due"
    return stored


@dataclass
class ClaimRow:
    """One claim on a question as its page shows it."""

    claim: Claim
    p_event: float | None
    scored: bool = False
    brier: float | None = None
    baseline: float | None = None
    peer: float | None = None


@dataclass
class QuestionView:
    question: Question
    status: str
    outcome: str | None
    verdict: str | None
    rows: list[ClaimRow]
    merged: list[Question] = field(default_factory=list)

    @property
    def n_scored(self) -> int:
        return sum(row.scored for row in self.rows)


def score_rows(rows: list[ClaimRow]) -> None:
    """Each scored claim's Brier and baseline score, and its peer score when two or more claims
    on the question are scored (SPEC, "Questions and speakers")."""
    scored = []
    for row in rows:
        claim = row.claim
        if (
            claim.kind != "forecast"
            or claim.probability is None
            or claim.status != "resolved"
            or claim.outcome not in ("true", "false")
        ):
            continue
        happened = claim.outcome == "true"  # of the claim's own statement
        row.scored = True
        row.brier = (claim.probability - (1.0 if happened else 0.0)) ** 2
        q = claim.probability if happened else 1.0 - claim.probability
        row.baseline = scoring.baseline_score(q)
        scored.append(row)
    peers = scoring.peer_scores([row.baseline for row in scored if row.baseline is not None])
    if peers is not None:
        for row, peer in zip(scored, peers, strict=True):
            row.peer = peer


def get_question_view(session: Session, question_id: int, now: dt.datetime) -> QuestionView:
    question = services.get_question(session, question_id)
    claims = session.scalars(
        select(Claim)
        .where(Claim.question_id == question.id)
        .order_by(Claim.id)
        .options(selectinload(Claim.source), selectinload(Claim.speaker))
    ).all()
    rows = [ClaimRow(claim, event_probability(claim)) for claim in claims]
    score_rows(rows)
    outcome, verdict = question_outcome(claims)
    merged = session.scalars(
        select(Question).where(Question.merged_into_id == question.id).order_by(Question.id)
    ).all()
    return QuestionView(
        question, question_status(question, claims, now), outcome, verdict, rows, list(merged)
    )


def questions_query(
    *,
    now: dt.datetime,
    status: str | None = None,
    kind: str | None = None,
    speaker: str | None = None,
    tag: str | None = None,
    outlet: str | None = None,
) -> Select[Question]:
    """Active (not merged) questions matching every filter; unknown values raise Invalid.
    A question matches a filter on its claims when one of its claims does."""
    query = select(Question).where(Question.merged_into_id.is_(None))
    if kind is not None:
        if kind not in KINDS:
            raise Invalid(f"kind must be one of {', '.join(KINDS)}", {"kind": "unknown kind"})
        query = query.where(Question.kind == kind)
    conditions = []
    if status is not None:
        if status not in STATUSES:
            raise Invalid(
                f"status must be one of {', '.join(STATUSES)}", {"status": "unknown status"}
            )
        if status in ("due", "open"):
            passed = and_(Question.deadline_at.is_not(None), Question.deadline_at <= now)
            query = query.where(passed if status == "due" else ~passed)
            conditions.append(Claim.status == "open")
        else:
            conditions.append(Claim.status == status)
    if speaker is not None:
        conditions.append(
            Claim.speaker_id.in_(select(Speaker.id).where(Speaker.slug == slugify(speaker)))
        )
    if tag is not None:
        conditions.append(
            Claim.id.in_(select(ClaimTag.claim_id).where(ClaimTag.tag == slugify(tag)))
        )
    if outlet is not None:
        conditions.append(
            Claim.source_id.in_(select(Source.id).where(Source.outlet_slug == slugify(outlet)))
        )
    if conditions:
        query = query.where(exists().where(Claim.question_id == Question.id, *conditions))
    return query


@dataclass(frozen=True)
class QuestionSummary:
    question: Question
    status: str
    outcome: str | None
    claims: int
    speakers: tuple[tuple[str, str], ...]  # (slug, name), at most a few


def list_questions(
    session: Session,
    *,
    now: dt.datetime,
    after_id: int = 0,
    before_id: int | None = None,
    newest_first: bool = False,
    limit: int = 50,
    status: str | None = None,
    kind: str | None = None,
    speaker: str | None = None,
    tag: str | None = None,
    outlet: str | None = None,
) -> list[QuestionSummary]:
    """A page of questions: ascending after `after_id`, or newest first (before `before_id`)."""
    query = questions_query(
        now=now, status=status, kind=kind, speaker=speaker, tag=tag, outlet=outlet
    )
    if newest_first:
        if before_id is not None:
            query = query.where(Question.id < before_id)
        query = query.order_by(Question.id.desc())
    else:
        query = query.where(Question.id > after_id).order_by(Question.id)
    questions = session.scalars(query.limit(limit)).all()
    if not questions:
        return []
    ids = [q.id for q in questions]
    claims: dict[int, list[Claim]] = {qid: [] for qid in ids}
    for claim in session.scalars(
        select(Claim)
        .where(Claim.question_id.in_(ids))
        .order_by(Claim.id)
        .options(selectinload(Claim.speaker))
    ):
        claims[claim.question_id].append(claim)
    summaries = []
    for question in questions:
        on = claims[question.id]
        speakers: dict[str, str] = {}
        for claim in on:
            if claim.speaker is not None and len(speakers) < 5:
                speakers.setdefault(claim.speaker.slug, claim.speaker.name)
        outcome, verdict = question_outcome(on)
        summaries.append(
            QuestionSummary(
                question,
                question_status(question, on, now),
                outcome or verdict,
                len(on),
                tuple(speakers.items()),
            )
        )
    return summaries


# Speakers ------------------------------------------------------------------------------------


@dataclass
class SpeakerRecord:
    speaker: Speaker
    group: GroupScore
    baseline: float | None
    peer: float | None
    n_peer: int
    claims: list[ClaimRow]
    total_claims: int


def speaker_record(
    session: Session,
    speaker: Speaker,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    include_hedged: bool = False,
    offset: int = 0,
    limit: int = 100,
) -> SpeakerRecord:
    """A speaker's scores over their resolved forecasts with deadlines in the range (hedged ones
    left out of the headline unless asked, as on the scorecard), mean baseline and peer scores,
    and a page of their claims, newest first."""
    in_range = []
    if date_from is not None:
        in_range.append(Claim.deadline_at >= dt.datetime.combine(date_from, dt.time(), dt.UTC))
    if date_to is not None:
        end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), dt.UTC)
        in_range.append(Claim.deadline_at < end)
    rows = session.execute(
        select(Claim.id, Claim.question_id, Claim.probability, Claim.outcome, Claim.hedged).where(
            Claim.speaker_id == speaker.id,
            Claim.kind == "forecast",
            Claim.status == "resolved",
            Claim.outcome.in_(("true", "false")),
            Claim.probability.is_not(None),
            *in_range,
        )
    ).all()
    # The query leaves out claims without a probability or outcome.
    scored = [(c, q, float(p or 0), str(o), bool(h)) for c, q, p, o, h in rows]
    pairs = [(p, o == "true") for _, _, p, o, hedged in scored if include_hedged or not hedged]
    hedged_pairs = [(p, o == "true") for _, _, p, o, hedged in scored if hedged]
    baselines, peers = _comparative(session, scored)
    n_forecasts, n_hedged = session.execute(
        select(func.count(), func.coalesce(func.sum(case((Claim.hedged, 1), else_=0)), 0)).where(
            Claim.speaker_id == speaker.id, Claim.kind == "forecast", *in_range
        )
    ).one()
    hedged = scoring.score(hedged_pairs)
    group = GroupScore(
        dimension="speaker",
        key=speaker.slug,
        name=speaker.name,
        score=scoring.score(pairs),
        n_unscored=int(n_forecasts) - len(scored),
        n_forecasts=int(n_forecasts),
        n_hedged=int(n_hedged),
        hedged=HedgedOutcome(
            n_scored=hedged.n,
            n_true=hedged.n_true,
            observed_rate=hedged.observed_rate,
            mean_probability=sum(p for p, _ in hedged_pairs) / hedged.n if hedged.n else None,
            brier=hedged.brier,
        ),
    )
    total = (
        session.scalar(
            select(func.count()).select_from(Claim).where(Claim.speaker_id == speaker.id)
        )
        or 0
    )
    claims = session.scalars(
        select(Claim)
        .where(Claim.speaker_id == speaker.id)
        .order_by(Claim.id.desc())
        .offset(offset)
        .limit(limit)
        .options(selectinload(Claim.source), selectinload(Claim.linked_question))
    ).all()
    return SpeakerRecord(
        speaker=speaker,
        group=group,
        baseline=sum(baselines) / len(baselines) if baselines else None,
        peer=sum(peers) / len(peers) if peers else None,
        n_peer=len(peers),
        claims=[ClaimRow(claim, event_probability(claim)) for claim in claims],
        total_claims=total,
    )


def _comparative(
    session: Session, scored: Sequence[tuple[int, int, float, str, bool]]
) -> tuple[list[float], list[float]]:
    """The baseline scores of a speaker's scored claims, and the peer scores of those whose
    question has another scored claim."""
    mine = {claim_id for claim_id, *_ in scored}
    question_ids = sorted({question_id for _, question_id, *_ in scored})
    baselines: list[float] = []
    peers: list[float] = []
    for start in range(0, len(question_ids), 500):
        chunk = question_ids[start : start + 500]
        on: dict[int, list[tuple[int, float]]] = {}
        for claim_id, question_id, p, outcome in session.execute(
            select(Claim.id, Claim.question_id, Claim.probability, Claim.outcome).where(
                Claim.question_id.in_(chunk),
                Claim.kind == "forecast",
                Claim.status == "resolved",
                Claim.outcome.in_(("true", "false")),
                Claim.probability.is_not(None),
            )
        ):
            probability = float(p or 0)  # the query keeps only claims with a probability
            q = probability if outcome == "true" else 1.0 - probability
            on.setdefault(question_id, []).append((claim_id, scoring.baseline_score(q)))
        for items in on.values():
            peer = scoring.peer_scores([b for _, b in items])
            for i, (claim_id, baseline) in enumerate(items):
                if claim_id in mine:
                    baselines.append(baseline)
                    if peer is not None:
                        peers.append(peer[i])
    return baselines, peers
