"""Baseline and peer scores kept as running sums: on generated questions with several claims
each, for and against, through resolutions, re-openings, voids and moves, every group's Brier,
baseline and peer numbers equal an independent computation with numpy, peer scores on a
question sum to zero, and the kept sums equal a recount exactly."""

from __future__ import annotations

import datetime as dt
import random
import threading
from dataclasses import dataclass

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.scorecard.cells import every_cell
from tests.scorecard.scorecard_data import OPPOSITE, resolve, resolve_question
from tracker.db import make_engine, make_sessionmaker
from tracker.models import Claim, Source, Speaker
from tracker.record import services as record
from tracker.scorecard import services as scorecard

UTC = dt.UTC
# Scores are kept in whole millionths of a point; a peer score rounds two of them.
SPEAKERS = ("Ann Analyst", "Bo Banker", "Cy Pundit", "Di Diplomat", "Ed Economist")
OUTLETS = ("The Daily", "The Weekly", None)
AUTHORS = ("Fay Writer", "Gus Reporter", None)
TAGS = ("oil", "iran", "rates")


def _record(session: Session, rng: random.Random, questions: int, first: int = 0) -> list[Claim]:
    """`questions` questions, each with one to seven claims from assorted speakers."""
    claims: list[Claim] = []
    for q in range(first, first + questions):
        question_id = None
        deadline = dt.datetime(2020, 1, 1, tzinfo=UTC) + dt.timedelta(days=rng.randrange(900))
        for c in range(rng.randint(1, 7)):
            text = f"Question {q}, claim {c}: the thing will happen by June."
            outlet, author = rng.choice(OUTLETS), rng.choice(AUTHORS)
            if outlet is None and author is None:
                author = "Hal Hack"
            source = record.record_source(
                session,
                title=f"Article {q}.{c}",
                text=text,
                url=f"https://news.example/{q}/{c}",
                outlet=outlet,
                author=author,
                published_at=dt.datetime(2019, 12, 1, tzinfo=UTC),
            )
            stance = "for" if question_id is None or rng.random() < 0.6 else "against"
            claim = record.record_claim(
                session,
                source.id,
                kind="forecast",
                quote="the thing will happen by June",
                question=f"Will thing {q} happen?",
                deadline=deadline + dt.timedelta(days=rng.choice((0, 0, 1, 40))),
                probability=rng.choice(
                    (round(rng.uniform(0.01, 0.99), 3), 0.0004, 0.9996, 0.5, 0.9)
                ),
                phrase="might" if rng.random() < 0.2 else None,
                tags=rng.sample(TAGS, rng.randrange(3)),
                speaker=rng.choice((*SPEAKERS, None)),
                question_id=question_id,
                stance=stance,
            )
            question_id = claim.question_id
            claims.append(claim)
    session.commit()
    return claims


@dataclass
class _Truth:
    """Every counted forecast, as arrays, scored independently of the product's code."""

    ids: np.ndarray
    p: np.ndarray
    o: np.ndarray  # 1.0 came true, 0.0 did not, nan not scored
    hedged: np.ndarray
    baseline: np.ndarray  # nan when not scored
    peer: np.ndarray  # nan when not scored or alone on its question
    groups: list[set[tuple[str, str]]]
    questions: np.ndarray


def _truth(session: Session) -> _Truth:
    rows = session.execute(
        select(Claim, Source, Speaker)
        .join(Source, Source.id == Claim.source_id)
        .outerjoin(Speaker, Speaker.id == Claim.speaker_id)
        .order_by(Claim.id)
    ).all()
    p = np.array([c.probability for c, _, _ in rows])
    scored = np.array(
        [c.status == "resolved" and c.outcome in ("true", "false") for c, _, _ in rows]
    )
    o = np.where(scored, np.array([c.outcome == "true" for c, _, _ in rows], float), np.nan)
    q = np.clip(np.where(o == 1.0, p, 1.0 - p), 0.001, 0.999)
    baseline = np.where(scored, 100.0 * np.log2(q / 0.5), np.nan)
    questions = np.array([c.question_id for c, _, _ in rows])
    peer = np.full(len(rows), np.nan)
    for question in np.unique(questions):
        mine = (questions == question) & scored
        if mine.sum() >= 2:
            peer[mine] = baseline[mine] - baseline[mine].mean()
    groups = []
    for claim, source, speaker in rows:
        found = {("overall", ""), ("source", str(source.id))}
        found |= {("tag", t) for t in claim.tag_names}
        for dimension, key in (
            ("author", source.author_slug),
            ("outlet", source.outlet_slug),
            ("speaker", speaker.slug if speaker else None),
        ):
            if key:
                found.add((dimension, key))
        groups.append(found)
    return _Truth(
        ids=np.array([c.id for c, _, _ in rows]),
        p=p,
        o=o,
        hedged=np.array([c.hedged for c, _, _ in rows]),
        baseline=baseline,
        peer=peer,
        groups=groups,
        questions=questions,
    )


def _check(group: scorecard.GroupScore, truth: _Truth, include_hedged: bool) -> None:
    member = np.array([(group.dimension, group.key) in g for g in truth.groups])
    counted = member & ~np.isnan(truth.o) & (include_hedged | ~truth.hedged)
    assert group.n_scored == int(counted.sum())
    with_peer = counted & ~np.isnan(truth.peer)
    assert group.comparative.n_peer == int(with_peer.sum())
    if not counted.any():
        assert group.score.brier is None and group.comparative.baseline is None
    else:
        brier = np.mean((truth.p[counted] - truth.o[counted]) ** 2)
        assert group.score.brier == pytest.approx(brier, abs=1e-9)
        baseline = truth.baseline[counted].mean()
        assert group.comparative.baseline == pytest.approx(baseline, abs=1e-6)
    if with_peer.any():
        assert group.comparative.peer == pytest.approx(truth.peer[with_peer].mean(), abs=2e-6)
    else:
        assert group.comparative.peer is None


def _check_all(session: Session, rng: random.Random) -> None:
    truth = _truth(session)
    for include_hedged in (False, True):
        card = scorecard.compute(session, scorecard.Filters(include_hedged=include_hedged))
        _check(card.group, truth, include_hedged)
        for group in card.authors + card.outlets + card.speakers:
            _check(group, truth, include_hedged)
        listed = {g.key for g in card.speakers}
        assert listed == {k for g in truth.groups for d, k in g if d == "speaker"}
    for tag in TAGS:
        one = scorecard.compute(session, scorecard.Filters(tag=tag))
        if one.group.n_forecasts:
            _check(one.group, truth, False)
    speaker = rng.choice(sorted({k for g in truth.groups for d, k in g if d == "speaker"}))
    _check(scorecard.compute(session, scorecard.Filters(speaker=speaker)).group, truth, False)
    # Each claim's own scores, as the scorecard counts them; on a question they sum to zero.
    scores = scorecard.claim_scores(session, truth.ids.tolist())
    for index, claim_id in enumerate(truth.ids.tolist()):
        if np.isnan(truth.o[index]):
            assert claim_id not in scores
            continue
        assert scores[claim_id].baseline == pytest.approx(truth.baseline[index], abs=1e-6)
        if np.isnan(truth.peer[index]):
            assert scores[claim_id].peer is None
        else:
            assert scores[claim_id].peer == pytest.approx(truth.peer[index], abs=2e-6)
    for question in np.unique(truth.questions):
        peers: list[float] = [
            scores[c].peer or 0.0
            for c in truth.ids[truth.questions == question].tolist()
            if c in scores and scores[c].peer is not None
        ]
        assert len(peers) != 1
        assert sum(peers) == pytest.approx(0.0, abs=1e-6 * len(peers))
        assert np.nansum(truth.peer[truth.questions == question]) == pytest.approx(0, abs=1e-9)


def test_comparative_scores_equal_numpy_through_every_change(
    session: Session,
) -> None:
    rng = random.Random(13)
    claims = _record(session, rng, 14)
    questions = sorted({c.question_id for c in claims})
    scorecard.compute(session, scorecard.Filters())  # the sums are built, then kept
    for question_id in questions:
        resolve_question(session, question_id, rng.choice(("true", "false", "false", None)))
    session.commit()
    _check_all(session, rng)

    for _ in range(40):
        action = rng.choice(("question", "question", "claim", "reopen", "void", "move", "p"))
        claim = rng.choice(claims)
        if action == "question":
            outcome = rng.choice(("true", "false", None, "void", "ambiguous"))
            resolve_question(session, rng.choice(questions), outcome)
        elif action == "claim":
            resolve(session, claim, rng.choice(("true", "false", "ambiguous")))
        elif action == "reopen" and claim.status == "resolved":
            resolve(session, claim, None)
        elif action == "void" and claim.status == "open":
            claim.status, claim.outcome, claim.void_reason = "void", None, "duplicate"
            scorecard.on_outcome_changed(session, claim)
        elif action == "move":
            # Linked to another question (as an editor's link does), keeping its result.
            claim.question_id = rng.choice(questions)
            claim.stance = rng.choice(("for", "against"))
            scorecard.on_claims_changed(session, [claim.id])
        elif action == "p":
            claim.probability = round(rng.uniform(0.01, 0.99), 3)
            scorecard.on_outcome_changed(session, claim)
        session.commit()
    _check_all(session, rng)

    # The sums kept through every change are exactly those counted again from scratch.
    kept = every_cell(session)
    assert scorecard.rebuild(session) == len(claims)
    session.commit()
    assert every_cell(session) == kept
    _check_all(session, rng)


def test_a_claim_moved_without_notice_is_found_by_its_question(session: Session) -> None:
    """A question counted again finds the forecasts it held and those it holds now, even when
    only the question is named."""
    rng = random.Random(5)
    claims = _record(session, rng, 4)
    scorecard.compute(session, scorecard.Filters())
    for question_id in sorted({c.question_id for c in claims}):
        resolve_question(session, question_id, "true")
    session.commit()
    moved = claims[0]
    old, new = moved.question_id, claims[-1].question_id
    assert old != new
    moved.question_id = new
    session.flush()
    scorecard.on_question_changed(session, new)
    session.commit()
    kept = every_cell(session)
    scorecard.rebuild(session)
    session.commit()
    assert every_cell(session) == kept
    entries = scorecard.claim_scores(session, [c.id for c in claims])
    left = [c.id for c in claims if c.question_id == old and c.id in entries]
    assert sum(entries[c].peer or 0.0 for c in left) == pytest.approx(0.0, abs=1e-5)


def _claim(session: Session, n: int, text: str, quote: str, **fields: object) -> Claim:
    source = record.record_source(
        session,
        title=f"View {n}",
        text=text,
        url=f"https://news.example/view/{n}",
        outlet="The Weekly",
        author=f"Writer {n}",
        published_at=dt.datetime(2019, 12, 1, tzinfo=UTC),
    )
    return record.record_claim(
        session,
        source.id,
        kind="forecast",
        quote=quote,
        deadline=dt.datetime(2020, 6, 1, tzinfo=UTC),
        **fields,  # type: ignore[arg-type]
    )


def test_two_claims_on_a_question_have_opposite_peer_scores(session: Session) -> None:
    scorecard.compute(session, scorecard.Filters())
    first = _claim(
        session,
        1,
        "The thing will almost certainly happen by June.",
        "The thing will almost certainly happen by June",
        question="Will the thing happen by June?",
        probability=0.9,
    )
    other = _claim(
        session,
        2,
        "Analysts say the thing is unlikely to happen by June.",
        "the thing is unlikely to happen by June",
        probability=0.8,
        question_id=first.question_id,
        stance="against",
        speaker="Analysts at Kay Bank",
        speaker_kind="organization",
    )
    resolve_question(session, first.question_id, "true")
    session.commit()
    scores = scorecard.claim_scores(session, [first.id, other.id])
    # The first said 90% it would happen, and it did; the other said 80% it would not.
    assert other.outcome == "false"
    low, high = 100 * np.log2(0.2 / 0.5), 100 * np.log2(0.9 / 0.5)
    assert scores[other.id].baseline == pytest.approx(low, abs=1e-6)
    assert scores[first.id].baseline == pytest.approx(high, abs=1e-6)
    assert scores[first.id].peer == pytest.approx((high - low) / 2, abs=1e-6)
    assert scores[other.id].peer == pytest.approx((low - high) / 2, abs=1e-6)
    card = scorecard.compute(session, scorecard.Filters(speaker="analysts-at-kay-bank"))
    assert card.group.name == "Analysts at Kay Bank"
    assert card.group.comparative.n_peer == 1
    assert card.group.comparative.peer == pytest.approx((low - high) / 2, abs=1e-6)

    # Voided, the other leaves the first alone on the question: no peer score any more.
    resolve_question(session, first.question_id, "void")
    first.void_reason = None
    resolve(session, first, "true")
    session.commit()
    scores = scorecard.claim_scores(session, [first.id, other.id])
    assert set(scores) == {first.id}
    assert scores[first.id].peer is None


def test_claims_of_one_question_changed_at_once_keep_exact_sums(
    session: Session, database_url: str, backend: str
) -> None:
    """Peer scores tie a question's forecasts together: writers changing two of them at once
    take turns on the question, and the sums stay those of a recount."""
    if backend != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serializes writers by BEGIN IMMEDIATE")
    rng = random.Random(8)
    claims = _record(session, rng, 1)
    while len(claims) < 6:
        claims = _record(session, rng, 1, first=claims[-1].id)
    scorecard.compute(session, scorecard.Filters())
    resolve_question(session, claims[0].question_id, "true")
    session.commit()
    ids = [c.id for c in claims]
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    start = threading.Barrier(len(ids))
    failures: list[BaseException] = []

    def flip(claim_id: int) -> None:
        try:
            with sessions() as own:
                claim = own.get(Claim, claim_id)
                assert claim is not None and claim.outcome is not None
                claim.outcome = OPPOSITE[claim.outcome]
                own.flush()
                start.wait(timeout=30)
                scorecard.on_outcome_changed(own, claim)
                own.commit()
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=flip, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    engine.dispose()
    assert not failures, failures
    session.expire_all()
    kept = every_cell(session)
    scorecard.rebuild(session)
    session.commit()
    assert every_cell(session) == kept
