"""The seed article: every claim at its offsets, every key, and idempotent."""

from __future__ import annotations

import datetime as dt

from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.cli import main
from tracker.models import AuditEntry, Claim, Question, Source
from tracker.seed import seed

FORECAST_KEYS = {
    "iran-retaliation",
    "terror-campaign",
    "hormuz-disruption",
    "diplomacy-closed",
    "iraq-strife",
    "sadr-unified",
    "revenge-agenda",
    "husayn-heir",
    "out-escalate",
    "near-term-ugly",
}
FACT_KEYS = {
    "saudi-plot-2011",
    "iraq-soldiers-killed",
    "muhandis-killed",
    "embassy-attack",
    "contractor-killed",
    "bush-mughniyeh-2008",
    "drone-downed",
}


def _counts(session: Session) -> tuple[int, int, int]:
    return (
        session.scalar(select(func.count()).select_from(Source)) or 0,
        session.scalar(select(func.count()).select_from(Claim)) or 0,
        session.scalar(select(func.count()).select_from(AuditEntry)) or 0,
    )


def test_every_quote_at_its_offsets_and_every_key(session: Session, seeded: int) -> None:
    source = session.get_one(Source, seeded)
    claims = {c.key: c for c in source.claims}
    assert {k for k, c in claims.items() if c.kind == "forecast"} == FORECAST_KEYS
    assert {k for k, c in claims.items() if c.kind == "fact"} == FACT_KEYS
    for claim in claims.values():
        assert source.text[claim.quote_start : claim.quote_end] == claim.quote
    assert source.author is None
    assert source.outlet == "Washington Examiner"
    assert source.published_at == dt.datetime(2020, 1, 3, 5, tzinfo=dt.UTC)


def test_forecast_fields_follow_the_wording(session: Session, seeded: int) -> None:
    claims = {c.key: c for c in session.scalars(select(Claim))}
    hormuz = claims["hormuz-disruption"]
    assert hormuz.hedged and hormuz.probability == 0.40 and hormuz.phrase == "might"
    terror = claims["terror-campaign"]
    assert 0.55 <= (terror.probability or 0) <= 0.80 and not terror.hedged
    assert claims["diplomacy-closed"].probability == 0.90
    escalate = claims["out-escalate"]
    assert escalate.condition and escalate.hedged
    assert claims["sadr-unified"].quote.startswith("They\u2019ll")
    retaliation = claims["iran-retaliation"]
    assert retaliation.deadline_at == dt.datetime(2020, 4, 3, 23, 59, 59, tzinfo=dt.UTC)
    assert retaliation.deadline_origin == "inferred" and retaliation.deadline_reason
    assert claims["husayn-heir"].question is None
    for claim in claims.values():
        if claim.kind == "forecast":
            assert claim.probability_origin == "phrase"
            assert claim.deadline_origin == "inferred"
        else:
            assert claim.probability is None and claim.deadline_at is None


def test_seed_twice_changes_nothing(session: Session, seeded: int) -> None:
    before = _counts(session)
    result = seed(session)
    session.commit()
    assert result.claims_created == 0 and not result.source_created
    assert _counts(session) == before == (1, 17, 18)


def test_seed_command_is_idempotent(runner: FlaskCliRunner, session: Session) -> None:
    first = runner.invoke(main, ["seed"])
    assert first.exit_code == 0, first.output
    assert "17 claims added" in first.output
    assert "other coverage of the same events: 3 forecasts added" in first.output
    counts = _counts(session)
    second = runner.invoke(main, ["seed"])
    assert second.exit_code == 0, second.output
    assert "0 claims added, 17 already there" in second.output
    assert "other coverage" not in second.output
    # The article and two excerpts of other coverage; 17 + 3 claims; one audit row each.
    assert _counts(session) == counts == (3, 20, 23)


def test_the_seed_shows_one_question_with_several_speakers(
    runner: FlaskCliRunner, session: Session
) -> None:
    assert runner.invoke(main, ["seed"]).exit_code == 0
    retaliation = session.scalars(select(Claim).where(Claim.key == "iran-retaliation")).one()
    on_it = session.scalars(
        select(Claim).where(Claim.question_id == retaliation.question_id).order_by(Claim.id)
    ).all()
    assert [(c.speaker.name if c.speaker else None, c.stance) for c in on_it] == [
        ("Washington Examiner", "for"),
        ("Alex Vatanka", "for"),
        ("Monica Duffy Toft", "against"),
        ("Sami Nader", "for"),
    ]
    question = session.get_one(Question, retaliation.question_id)
    assert all(c.deadline_at == question.deadline_at for c in on_it)
    # Each quote is its source's archived text at its offsets, like every claim.
    assert all(c.source.text[c.quote_start : c.quote_end] == c.quote for c in on_it)
    # The other claims of the seed keep questions of their own.
    others = session.scalars(
        select(Claim.question_id).where(Claim.source_id == retaliation.source_id)
    )
    assert len(set(others)) == 17
