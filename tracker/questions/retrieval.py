"""Finding the questions a claim may be about, fast at any size, and scoring them with the matcher.

Each active question's stemmed words (its text, criteria and latest linked quotes, as
`matching` compares them) are kept in `question_terms`. Proposals for a claim read how many
questions use each of the claim's words, take the questions that share its rarest ones (the
words that name the event: "Soleimani", "Fed", "Bundestag"; never "rates" or "2026" alone),
leave out questions whose deadline had long passed when the claim was published, and score the
best few dozen with `matching.score`. Its cost depends on how rare the claim's words are, not
on how many questions there are: see bench/retrieval.py for the figures.

The terms are kept current by a flush listener: whatever writes a question's wording or moves a
claim, through the ORM, brings the question's terms up to date in the same transaction. Bulk
writers that bypass the ORM (the migration, an archive restore) call `rebuild`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    bindparam,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.sql.elements import ColumnElement

from tracker.db import UTCDateTime
from tracker.models import Claim, Question, QuestionTerm, QuestionTermCount, Source
from tracker.questions import matching

MAX_TERM_CHARS = 64
# How many of the claim's rarest words select candidates, and how many postings they may span:
# beyond that budget a word is too common to name an event and only costs time.
RARE_TERMS = 24
POSTINGS_BUDGET = 10000
# The weight of a word falls with the share of questions that use it, as log(1 + SCALE / n).
SCALE = 100_000
# Questions sharing the most weight of those words, before the filters of kind and deadline;
# of them, the candidates scored by the matcher. The rest are not read at all.
PRESELECTED = 200
CANDIDATES = 40
# A question whose deadline passed this long before the claim was published is not proposed.
STALE_AFTER = dt.timedelta(days=30)


# Keeping the terms ---------------------------------------------------------------------------


def question_terms(text: str, criteria: str | None, quotes: Iterable[str]) -> set[str]:
    """The distinct stemmed words a question is found by."""
    words = set(matching.terms(text))
    if criteria:
        words.update(matching.terms(criteria))
    for quote in quotes:
        words.update(matching.terms(quote))
    return {w for w in words if 0 < len(w) <= MAX_TERM_CHARS}


def _latest_quotes(
    connection: Connection, question_ids: Sequence[int], except_claim_id: int | None = None
) -> dict[int, list[str]]:
    """The latest `matching.LINKED_TEXTS` quotes linked to each question, newest first."""
    linked: ColumnElement[bool] = Claim.question_id.in_(question_ids)
    if except_claim_id is not None:
        linked = and_(linked, Claim.id != except_claim_id)
    ranked = (
        select(
            Claim.question_id,
            Claim.quote,
            func.row_number()
            .over(partition_by=Claim.question_id, order_by=Claim.id.desc())
            .label("n"),
        )
        .where(linked)
        .subquery()
    )
    quotes: dict[int, list[str]] = {qid: [] for qid in question_ids}
    rows = connection.execute(
        select(ranked.c.question_id, ranked.c.quote)
        .where(ranked.c.n <= matching.LINKED_TEXTS)
        .order_by(ranked.c.question_id, ranked.c.n)
    )
    for question_id, quote in rows:
        quotes[question_id].append(quote)
    return quotes


def _upsert_counts(connection: Connection, deltas: dict[str, int]) -> None:
    """Add each word's change to its count; words no question uses any more are dropped."""
    changed = sorted((term, n) for term, n in deltas.items() if n)
    if not changed:
        return
    dialect = connection.dialect.name
    stmt: Any
    if dialect == "postgresql":
        stmt = postgresql.insert(QuestionTermCount)
    else:
        stmt = sqlite.insert(QuestionTermCount)
    # In word order, so that two writers wait for each other rather than deadlock. A fall is
    # an update (the row is there), a rise an upsert.
    rows = [{"term": term, "questions": n} for term, n in changed if n > 0]
    for start in range(0, len(rows), 500):
        connection.execute(
            stmt.on_conflict_do_update(
                index_elements=["term"],
                set_={"questions": QuestionTermCount.questions + stmt.excluded.questions},
            ),
            rows[start : start + 500],
        )
    falls = [{"t": term, "d": n} for term, n in changed if n < 0]
    if falls:
        connection.execute(
            update(QuestionTermCount)
            .where(QuestionTermCount.term == bindparam("t"))
            .values(questions=QuestionTermCount.questions + bindparam("d")),
            falls,
        )
        gone = [fall["t"] for fall in falls]
        for start in range(0, len(gone), 500):
            connection.execute(
                delete(QuestionTermCount).where(
                    QuestionTermCount.term.in_(gone[start : start + 500]),
                    QuestionTermCount.questions <= 0,
                )
            )


def reindex(connection: Connection, question_ids: Iterable[int]) -> None:
    """Bring the terms of these questions up to date (none for a merged or deleted one), and
    the counts of the words that changed."""
    ids = sorted(set(question_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        old = {
            (qid, term)
            for qid, term in connection.execute(
                select(QuestionTerm.question_id, QuestionTerm.term).where(
                    QuestionTerm.question_id.in_(chunk)
                )
            )
        }
        active = connection.execute(
            select(Question.id, Question.text, Question.resolution_criteria).where(
                Question.id.in_(chunk), Question.merged_into_id.is_(None)
            )
        ).all()
        quotes = _latest_quotes(connection, [row.id for row in active]) if active else {}
        new = {
            (row.id, term)
            for row in active
            for term in question_terms(row.text, row.resolution_criteria, quotes[row.id])
        }
        if old == new:
            continue
        deltas: dict[str, int] = {}
        for _, term in old - new:
            deltas[term] = deltas.get(term, 0) - 1
        for _, term in new - old:
            deltas[term] = deltas.get(term, 0) + 1
        removed = old - new
        if removed:
            connection.execute(delete(QuestionTerm).where(QuestionTerm.question_id.in_(chunk)))
            added = new
        else:
            added = new - old
        if added:
            connection.execute(
                insert(QuestionTerm),
                [{"question_id": qid, "term": term} for qid, term in sorted(added)],
            )
        _upsert_counts(connection, deltas)


def rebuild(connection: Connection) -> int:
    """Index every question again (after a bulk load); returns how many there are."""
    connection.execute(delete(QuestionTerm))
    connection.execute(delete(QuestionTermCount))
    ids = list(connection.scalars(select(Question.id).order_by(Question.id)))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        active = connection.execute(
            select(Question.id, Question.text, Question.resolution_criteria).where(
                Question.id.in_(chunk), Question.merged_into_id.is_(None)
            )
        ).all()
        if not active:
            continue
        quotes = _latest_quotes(connection, [row.id for row in active])
        rows = [
            {"question_id": row.id, "term": term}
            for row in active
            for term in sorted(question_terms(row.text, row.resolution_criteria, quotes[row.id]))
        ]
        if rows:
            connection.execute(insert(QuestionTerm), rows)
    connection.execute(
        insert(QuestionTermCount).from_select(
            ["term", "questions"],
            select(QuestionTerm.term, func.count()).group_by(QuestionTerm.term),
        )
    )
    return len(ids)


_WORDING = ("text", "resolution_criteria", "merged_into_id")


def _changed(target: Any, names: Iterable[str]) -> bool:
    state = inspect(target)
    return any(state.attrs[name].history.has_changes() for name in names)


@event.listens_for(Session, "after_flush")
def _keep_terms(session: Session, _flush: UOWTransaction) -> None:
    """Questions whose wording changed, and those a claim joined or left, are indexed again."""
    touched: set[int] = set()
    for target in session.new:
        if isinstance(target, Question):
            touched.add(target.id)
        elif isinstance(target, Claim) and target.question_id is not None:
            touched.add(target.question_id)
    for target in session.dirty:
        if isinstance(target, Question) and _changed(target, _WORDING):
            touched.add(target.id)
        elif isinstance(target, Claim) and _changed(target, ("question_id",)):
            history = inspect(target).attrs["question_id"].history
            touched.update(v for v in (*history.added, *history.deleted) if v is not None)
    for target in session.deleted:
        if isinstance(target, Claim) and target.question_id is not None:
            touched.add(target.question_id)
    if touched:
        reindex(session.connection(), touched)


# Proposing questions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    question_id: int
    score: float
    text: str
    deadline_at: dt.datetime | None

    @property
    def is_likely(self) -> bool:
        """Above the threshold at which the matcher judges it the same event."""
        return self.score >= matching.LINK_THRESHOLD


def _term_counts(connection: Connection, words: Sequence[str]) -> dict[str, int]:
    """How many questions use each word (absent: none)."""
    if not words:
        return {}
    rows = connection.execute(
        select(QuestionTermCount.term, QuestionTermCount.questions).where(
            QuestionTermCount.term.in_(words)
        )
    )
    return {term: n for term, n in rows}


def _rare_words(counts: dict[str, int]) -> dict[str, float]:
    """The claim's rarest words within the postings budget, each with its weight (the rarer,
    the heavier: a shared rare word says more about the event than a common one)."""
    chosen: dict[str, float] = {}
    spent = 0
    for word, n in sorted(counts.items(), key=lambda item: (item[1], item[0])):
        if n == 0:
            continue
        if len(chosen) >= RARE_TERMS or (chosen and spent + n > POSTINGS_BUDGET):
            break
        chosen[word] = round(math.log(1.0 + SCALE / n), 4)
        spent += n
    return chosen


def _candidates(
    connection: Connection,
    weights: dict[str, float],
    *,
    kind: str | None,
    not_before: dt.datetime | None,
    exclude_question_id: int | None,
) -> list[int]:
    """The CANDIDATES questions sharing the most weight of the claim's rare words."""
    words = list(weights)
    params: dict[str, Any] = {f"w{i}": word for i, word in enumerate(words)}
    params.update({f"k{i}": weights[word] for i, word in enumerate(words)})
    cases = " ".join(f"WHEN :w{i} THEN :k{i}" for i in range(len(words)))
    where = [f"t.term IN ({', '.join(f':w{i}' for i in range(len(words)))})"]
    binds = []
    if kind is not None:
        where.append("q.kind = :kind")
        params["kind"] = kind
    if not_before is not None:
        where.append("(q.deadline_at IS NULL OR q.deadline_at >= :not_before)")
        params["not_before"] = not_before
        binds.append(bindparam("not_before", type_=UTCDateTime))
    if exclude_question_id is not None:
        where.append("q.id <> :exclude")
        params["exclude"] = exclude_question_id
    # As above: placeholders and numbers only. The postings are summed first, on the terms'
    # index alone; only the best PRESELECTED are looked up in questions to apply the filters.
    sql = (
        "SELECT s.question_id FROM ("  # noqa: S608
        f"SELECT t.question_id, sum(CASE t.term {cases} END) AS w FROM question_terms t "
        f"WHERE {where[0]} GROUP BY t.question_id "
        f"ORDER BY w DESC, t.question_id DESC LIMIT {PRESELECTED}) AS s "
        "JOIN questions q ON q.id = s.question_id "
        f"{'WHERE ' + ' AND '.join(where[1:]) if where[1:] else ''} "
        f"ORDER BY s.w DESC, s.question_id DESC LIMIT {CANDIDATES}"
    )
    return [row[0] for row in connection.execute(text(sql).bindparams(*binds), params)]


def propose(
    session: Session,
    claim: matching.ClaimText,
    *,
    kind: str | None = None,
    exclude_question_id: int | None = None,
    exclude_claim_id: int | None = None,
    extra_text: str | None = None,
    limit: int = 5,
) -> list[Proposal]:
    """The `limit` questions a claim is most likely about, best first, with the matcher's
    score. `extra_text` (the claim's own question wording) helps find candidates but is not
    scored; `exclude_question_id` is the claim's own question."""
    connection = session.connection()
    words = sorted(
        {w for w in matching.terms(f"{claim.quote} {extra_text or ''}") if len(w) <= MAX_TERM_CHARS}
    )
    weights = _rare_words(_term_counts(connection, words))
    if not weights:
        return []
    not_before = None
    if claim.published is not None:
        published = dt.datetime.combine(claim.published, dt.time(), dt.UTC)
        not_before = published - STALE_AFTER
    ids = _candidates(
        connection,
        weights,
        kind=kind,
        not_before=not_before,
        exclude_question_id=exclude_question_id,
    )
    if not ids:
        return []
    rows = connection.execute(
        select(
            Question.id, Question.text, Question.resolution_criteria, Question.deadline_at
        ).where(Question.id.in_(ids))
    ).all()
    quotes = _latest_quotes(connection, ids, exclude_claim_id)
    own = matching.vector(claim.quote)
    proposals = []
    for row in rows:
        text = f"{row.text} {row.resolution_criteria or ''}".strip()
        deadline = row.deadline_at.date() if row.deadline_at else None
        question = matching.QuestionText(text, deadline, quotes[row.id])
        proposals.append(
            Proposal(row.id, matching.score(claim, question, own), row.text, row.deadline_at)
        )
    proposals.sort(key=lambda p: (-p.score, p.question_id))
    return proposals[:limit]


def claim_text(claim: Claim, source: Source | None = None) -> matching.ClaimText:
    """What the matcher knows of a recorded claim: its quote, its source's publication date
    and the deadline its own words gave (an inferred deadline says nothing of the event)."""
    source = source or claim.source
    published = source.published_at.date() if source.published_at else None
    deadline = None
    if claim.deadline_at is not None and claim.deadline_origin == "explicit":
        deadline = claim.deadline_at.date()
    return matching.ClaimText(claim.quote, published, deadline)


def propose_for_claim(session: Session, claim: Claim, limit: int = 5) -> list[Proposal]:
    """Questions other than its own that a recorded claim may be about, best first."""
    return propose(
        session,
        claim_text(claim),
        kind=claim.kind,
        exclude_question_id=claim.question_id,
        exclude_claim_id=claim.id,
        extra_text=claim.question,
        limit=limit,
    )
