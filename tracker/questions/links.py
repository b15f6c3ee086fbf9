"""Editors' changes of what claims are about and whose they are: linking a claim to another
question, splitting it off to a question of its own, merging two questions, merging two
spellings of one speaker. Every change is audited and can be undone by another: a merged
question is kept (its page redirects to the one it was merged into), and linking a claim back
to it revives it.

A question that has a resolution (resolved, void, disputed, or judged in its current version)
is settled: its claims stay until it is re-opened, and nothing is linked or merged into it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from tracker import audit
from tracker.errors import Conflict, Invalid, NotFound
from tracker.models import AuditEntry, Claim, Question, Resolution, Speaker
from tracker.questions import services
from tracker.reminders import services as reminders
from tracker.scorecard import sums
from tracker.search import index as search_index
from tracker.text import speaker_slug

MAX_TEXT_CHARS = 2000
MAX_CRITERIA_CHARS = 5000
MAX_REASON_CHARS = 1000
# Redirects of merged questions and speakers are followed at most this far.
MAX_HOPS = 50


def question_claims(session: Session, question_id: int) -> Sequence[Claim]:
    return session.scalars(
        select(Claim).where(Claim.question_id == question_id).order_by(Claim.id)
    ).all()


def settled_reason(session: Session, question_id: int) -> str | None:
    """Why a question's claims cannot move now (None: they can)."""
    question = services.get_question(session, question_id)
    if question.status in ("resolved", "void", "disputed"):
        return f"it is {question.status}"
    judged = session.scalar(
        select(
            exists().where(
                Resolution.question_id == question_id,
                Resolution.version == question.resolution_version,
            )
        )
    )
    if judged:
        return "a reviewer has judged it already"
    return None


def _refuse_settled(session: Session, question: Question, doing: str) -> None:
    reason = settled_reason(session, question.id)
    if reason is not None:
        raise Conflict(
            f"question {question.id} has a resolution ({reason}): re-open it before {doing}",
            {"question_id": "has a resolution"},
        )


def current_question(session: Session, question: Question) -> Question:
    """The question a merged one now lives on (itself when it is not merged)."""
    seen = 0
    while question.merged_into_id is not None and seen < MAX_HOPS:
        question = services.get_question(session, question.merged_into_id)
        seen += 1
    return question


def current_speaker(session: Session, speaker: Speaker) -> Speaker:
    seen = 0
    while speaker.merged_into_id is not None and seen < MAX_HOPS:
        found = session.get(Speaker, speaker.merged_into_id)
        if found is None:
            break
        speaker = found
        seen += 1
    return speaker


def _clean(value: str | None, field: str, limit: int, required: bool) -> str | None:
    text = " ".join((value or "").split()) if field != "resolution_criteria" else value
    text = (text or "").strip()
    if "\x00" in text:
        raise Invalid(f"{field} contains a NUL character", {field: "NUL not allowed"})
    if len(text) > limit:
        raise Invalid(f"{field} is longer than {limit} characters", {field: f"at most {limit}"})
    if required and not text:
        raise Invalid(f"a question needs its {field}", {field: "required"})
    return text or None


def _reason(reason: str | None) -> str:
    text = _clean(reason, "reason", MAX_REASON_CHARS, required=False)
    if text is None:
        raise Invalid(
            "say why: a merge needs a reason, kept in the audit log", {"reason": "required"}
        )
    return text


def _follow(session: Session, claims: Sequence[Claim]) -> None:
    """The scorecard's sums and the search index follow each moved claim (what it counts as,
    where, and which question and speaker it is found under)."""
    for claim in claims:
        sums.on_outcome_changed(session, claim)
    search_index.refresh(
        session, claims=[c.id for c in claims], questions={c.question_id for c in claims}
    )


def _leave(session: Session, left: Question, to: Question, actor_id: int | None) -> None:
    """A question its last claim left is kept, merged into where that claim went, so its
    address still leads somewhere and linking a claim back revives it."""
    if left.id == to.id or services.claim_count(session, left.id):
        return
    left.merged_into_id = to.id
    session.flush()
    reminders.cancel_pending(session, left.id)
    audit.record(
        session,
        "question.merged",
        "question",
        left.id,
        {"into": to.id, "claims": [], "reason": "its last claim was linked elsewhere"},
        actor_id,
    )


def _target(session: Session, question_id: int, kind: str, actor_id: int | None) -> Question:
    """The question a claim is to be linked to: of its kind, unsettled; a merged question
    is revived (that is how a merge is undone)."""
    question = services.question_for_claim(session, question_id, kind)
    _refuse_settled(session, question, "linking claims to it")
    if question.merged_into_id is not None:
        was = question.merged_into_id
        question.merged_into_id = None
        session.flush()
        audit.record(session, "question.revived", "question", question.id, {"was_merged_into": was},
                     actor_id)  # fmt: skip
    return question


def link_claim(
    session: Session, claim: Claim, question_id: int, stance: str, actor_id: int | None
) -> Claim:
    """Make `claim` about question `question_id`, saying `stance` of it."""
    services.check_stance(stance)
    audit.take_turn(session)
    old = services.get_question(session, claim.question_id)
    if old.id == question_id and claim.stance == stance:
        return claim
    _refuse_settled(session, old, "moving its claims")
    target = _target(session, question_id, claim.kind, actor_id)
    before = (claim.question_id, claim.stance)
    claim.question_id, claim.stance = target.id, stance
    session.flush()
    _leave(session, old, target, actor_id)
    _follow(session, [claim])
    audit.record(
        session,
        "claim.linked",
        "claim",
        claim.id,
        {"from": before[0], "to": target.id, "stance_from": before[1], "stance": stance},
        actor_id,
    )
    return claim


def split_claim(
    session: Session,
    claim: Claim,
    *,
    text: str | None,
    resolution_criteria: str | None,
    deadline_at: dt.datetime | None,
    actor_id: int | None,
) -> Claim:
    """Give `claim` a new question of its own (its own wording where none is given)."""
    audit.take_turn(session)
    old = services.get_question(session, claim.question_id)
    _refuse_settled(session, old, "moving its claims")
    wording = _clean(text, "text", MAX_TEXT_CHARS, required=False) or claim.question or claim.quote
    criteria = _clean(resolution_criteria, "resolution_criteria", MAX_CRITERIA_CHARS, False)
    if deadline_at is not None and (deadline_at.tzinfo is None or deadline_at.utcoffset() is None):
        raise Invalid("deadline must carry a time zone", {"deadline": "time zone missing"})
    deadline = deadline_at.astimezone(dt.UTC) if deadline_at else claim.deadline_at
    if claim.kind == "forecast" and deadline is None:
        raise Invalid("a forecast's question needs a deadline", {"deadline": "required"})
    question = services.new_question(
        session,
        kind=claim.kind,
        text=wording,
        resolution_criteria=criteria if criteria is not None else claim.resolution_criteria,
        deadline_at=deadline,
        actor_id=actor_id,
    )
    before = (claim.question_id, claim.stance)
    claim.question_id, claim.stance = question.id, "for"
    session.flush()
    _leave(session, old, question, actor_id)
    _follow(session, [claim])
    audit.record(
        session,
        "claim.split",
        "claim",
        claim.id,
        {"from": before[0], "to": question.id, "stance_from": before[1], "stance": "for"},
        actor_id,
    )
    return claim


def merge_questions(
    session: Session, question: Question, into_id: int, reason: str | None, actor_id: int | None
) -> Question:
    """Move every claim of `question` to question `into_id` with its stance; `question` is kept
    as merged into it. Returns the kept question."""
    why = _reason(reason)
    audit.take_turn(session)
    into = session.get(Question, into_id)
    if into is None:
        raise Invalid(f"there is no question {into_id}", {"into": "not found"})
    if into.id == question.id:
        raise Invalid("a question cannot be merged into itself", {"into": "the same question"})
    for q in (question, into):
        if q.merged_into_id is not None:
            raise Conflict(
                f"question {q.id} is merged into question {q.merged_into_id} already: "
                f"merge into question {current_question(session, q).id}",
                {"into": "merged already"},
            )
    if question.kind != into.kind:
        raise Invalid(
            f"question {question.id} is a {question.kind} question and question {into.id} a "
            f"{into.kind} question: questions of different kinds cannot be merged",
            {"into": "another kind"},
        )
    _refuse_settled(session, question, "merging it")
    _refuse_settled(session, into, "merging into it")
    moved = question_claims(session, question.id)
    for claim in moved:
        claim.question_id = into.id
    question.merged_into_id = into.id
    session.flush()
    _follow(session, moved)
    audit.record(
        session,
        "question.merged",
        "question",
        question.id,
        {"into": into.id, "claims": [[c.id, c.stance] for c in moved], "reason": why},
        actor_id,
    )
    return into


def merge_speakers(
    session: Session, speaker: Speaker, into_slug: str, reason: str | None, actor_id: int | None
) -> Speaker:
    """Two spellings of one speaker: `speaker`'s claims become `into_slug`'s, and its slug
    redirects there. Returns the kept speaker."""
    why = _reason(reason)
    audit.take_turn(session)
    # The kept speaker by slug, or by name as people type it.
    into = services.find_speaker(session, into_slug.strip()) or (
        services.find_speaker(session, speaker_slug(into_slug)) if into_slug.strip() else None
    )
    if into is None:
        raise Invalid(f"there is no speaker {into_slug!r}", {"into": "not found"})
    if into.id == speaker.id:
        raise Invalid("a speaker cannot be merged into itself", {"into": "the same speaker"})
    for s in (speaker, into):
        if s.merged_into_id is not None:
            raise Conflict(
                f"speaker {s.slug!r} is merged into {current_speaker(session, s).slug!r} "
                "already: merge into that one",
                {"into": "merged already"},
            )
    moved = session.scalars(
        select(Claim).where(Claim.speaker_id == speaker.id).order_by(Claim.id)
    ).all()
    for claim in moved:
        claim.speaker_id = into.id
    speaker.merged_into_id = into.id
    session.flush()
    _follow(session, moved)
    audit.record(
        session,
        "speaker.merged",
        "speaker",
        speaker.id,
        {"into": into.id, "claims": [c.id for c in moved], "reason": why},
        actor_id,
    )
    return into


def _last_merge(session: Session, action: str, entity: str, entity_id: int) -> dict[str, Any]:
    """The data of the audit entry that recorded an entity's latest merge."""
    row = session.scalar(
        select(AuditEntry.data)
        .where(
            AuditEntry.action == action,
            AuditEntry.entity == entity,
            AuditEntry.entity_id == entity_id,
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    data: dict[str, Any] = json.loads(row) if row else {}
    return data


def unmerge_question(session: Session, question: Question, actor_id: int | None) -> Question:
    """Undo a merge: the claims the merge moved (still on the question they went to, which
    must be unsettled) come back with their stances. Returns the revived question."""
    if question.merged_into_id is None:
        raise Conflict(f"question {question.id} is not merged", {"question_id": "not merged"})
    into = services.get_question(session, question.merged_into_id)
    _refuse_settled(session, into, "moving its claims")
    audit.take_turn(session)
    moved = []
    for claim_id, stance in _last_merge(session, "question.merged", "question", question.id).get(
        "claims", []
    ):
        claim = session.get(Claim, claim_id)
        if claim is not None and claim.question_id == into.id:
            claim.question_id, claim.stance = question.id, stance
            moved.append(claim)
    question.merged_into_id = None
    session.flush()
    _leave(session, into, question, actor_id)
    _follow(session, moved)
    audit.record(session, "question.unmerged", "question", question.id,
                 {"from": into.id, "claims": [c.id for c in moved]}, actor_id)  # fmt: skip
    return question


def unmerge_speaker(session: Session, speaker: Speaker, actor_id: int | None) -> Speaker:
    """Undo a speaker merge: the claims it moved come back; the slug stops redirecting."""
    if speaker.merged_into_id is None:
        raise Conflict(f"speaker {speaker.slug!r} is not merged", {"speaker": "not merged"})
    audit.take_turn(session)
    into_id = speaker.merged_into_id
    moved = []
    for claim_id in _last_merge(session, "speaker.merged", "speaker", speaker.id).get("claims", []):
        claim = session.get(Claim, claim_id)
        if claim is not None and claim.speaker_id == into_id:
            claim.speaker_id = speaker.id
            moved.append(claim)
    speaker.merged_into_id = None
    session.flush()
    _follow(session, moved)
    audit.record(session, "speaker.unmerged", "speaker", speaker.id,
                 {"from": into_id, "claims": [c.id for c in moved]}, actor_id)  # fmt: skip
    return speaker


def get_claim(session: Session, claim_id: int) -> Claim:
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise NotFound(f"there is no claim {claim_id}")
    return claim
