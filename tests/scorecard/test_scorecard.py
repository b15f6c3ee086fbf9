"""The scorecard service: numbers per group, hedging, ranking, date ranges, incremental sums."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

import tracker.cli
from tests.scorecard.cells import every_cell
from tests.scorecard.scorecard_data import Forecast, record, resolve
from tracker.errors import BadRequest, NotFound
from tracker.models import Claim, ScoreCell, User
from tracker.review import changes, resolutions
from tracker.scorecard import scoring
from tracker.scorecard import services as scorecard


def _pairs(items: list[Forecast], hedged: bool = False) -> list[tuple[float, bool]]:
    return [
        (f.probability, f.outcome == "true")
        for f in items
        if f.outcome in ("true", "false") and (hedged or not f.hedged)
    ]


def _mixed(rng: random.Random, n: int, **kwargs: object) -> list[Forecast]:
    return [
        Forecast(
            round(rng.uniform(0.02, 0.98), 3),
            rng.choice(["true", "false", "false", None, "ambiguous"]),
            **kwargs,  # type: ignore[arg-type]
        )
        for _ in range(n)
    ]


def test_numbers_match_scoring_of_the_same_forecasts(session: Session) -> None:
    rng = random.Random(6)
    ann = _mixed(rng, 14, author="Ann Author", outlet="The Daily", tags=("iran",))
    bob = _mixed(rng, 6, author="Bob Writer", outlet="The Weekly")
    hedged = [Forecast(0.4, "true", author="Bob Writer", hedged=True)]
    record(session, ann + bob + hedged)

    card = scorecard.compute(session, scorecard.Filters())
    expected = scoring.score(_pairs(ann + bob))
    assert card.group.score.n == expected.n
    assert card.group.score.brier == pytest.approx(expected.brier)
    assert card.group.score.log_score == pytest.approx(expected.log_score)
    assert [c.n for c in card.group.score.calibration] == [c.n for c in expected.calibration]
    assert card.group.n_unscored == sum(1 for f in ann + bob if f.outcome not in ("true", "false"))

    authors = {g.key: g for g in card.authors}
    assert authors["ann-author"].name == "Ann Author"
    assert authors["ann-author"].score.brier == pytest.approx(scoring.brier(_pairs(ann)))
    assert authors["bob-writer"].too_few_to_judge
    assert authors["bob-writer"].rank is None
    assert authors["bob-writer"].n_hedged == 1
    assert authors["bob-writer"].hedged.n_scored == 1
    assert authors["bob-writer"].hedged.observed_rate == 1.0
    assert {g.key for g in card.outlets} == {"the-daily", "the-weekly"}

    tag = scorecard.compute(session, scorecard.Filters(tag="iran"))
    assert tag.group.score.brier == pytest.approx(scoring.brier(_pairs(ann)))
    assert tag.authors == ()


def test_hedged_forecasts_count_only_when_asked(session: Session) -> None:
    items = [Forecast(0.8, "true")] * 3 + [Forecast(0.3, "true", hedged=True)] * 2
    record(session, items)
    plain = scorecard.compute(session, scorecard.Filters())
    with_hedged = scorecard.compute(session, scorecard.Filters(include_hedged=True))
    assert plain.group.score.n == 3
    assert with_hedged.group.score.n == 5
    assert plain.group.hedge_rate == pytest.approx(2 / 5)
    assert with_hedged.group.score.brier == pytest.approx(scoring.brier(_pairs(items, True)))


def test_ranking_leaves_out_groups_under_ten(session: Session) -> None:
    good = [Forecast(0.9, "true", author="Good")] * 10
    poor = [Forecast(0.9, "false", author="Poor")] * 10
    few = [Forecast(0.9, "true", author="Few")] * 9
    record(session, good + poor + few)
    authors = scorecard.compute(session, scorecard.Filters()).authors
    assert [(g.key, g.rank, g.too_few_to_judge) for g in authors] == [
        ("good", 1, False),
        ("poor", 2, False),
        ("few", None, True),
    ]


def test_resolution_changes_update_the_sums_like_a_rebuild(session: Session) -> None:
    claims = record(session, [Forecast(0.7, "true", tags=("a", "b")) for _ in range(4)])
    before = scorecard.compute(session, scorecard.Filters())
    assert before.group.score.n == 4
    resolve(session, claims[0], "false")  # re-resolved the other way
    resolve(session, claims[1], None)  # re-opened
    resolve(session, claims[2], "ambiguous")
    session.commit()
    after = scorecard.compute(session, scorecard.Filters())
    assert after.group.score.n == 2
    assert after.group.n_unscored == 2
    assert after.group.score.brier == pytest.approx(scoring.brier([(0.7, False), (0.7, True)]))
    snapshot = every_cell(session)
    scorecard.rebuild(session)
    session.commit()
    assert every_cell(session) == snapshot


def test_calling_twice_changes_nothing(session: Session) -> None:
    (claim,) = record(session, [Forecast(0.6, "true")])
    scorecard.compute(session, scorecard.Filters())
    version = scorecard.freshness(session, dt.datetime.now(dt.UTC)).token
    scorecard.on_outcome_changed(session, claim)
    session.commit()
    assert scorecard.freshness(session, dt.datetime.now(dt.UTC)).token == version


def test_date_range_selects_by_deadline_day(session: Session) -> None:
    early = Forecast(0.2, "true", deadline=dt.datetime(2020, 3, 1, 23, 59, tzinfo=dt.UTC))
    late = Forecast(0.9, "true", deadline=dt.datetime(2021, 3, 1, tzinfo=dt.UTC))
    record(session, [early, late])
    in_2020 = scorecard.Filters(date_from=dt.date(2020, 1, 1), date_to=dt.date(2020, 3, 1))
    card = scorecard.compute(session, in_2020)
    assert card.group.score.n == 1
    assert card.group.score.brier == pytest.approx(0.64)
    from_2021 = scorecard.compute(session, scorecard.Filters(date_from=dt.date(2020, 3, 2)))
    assert from_2021.group.score.brier == pytest.approx(0.01)
    listed = scorecard.list_scored_claims(session, in_2020)
    assert [c.probability for c in listed] == [0.2]


def test_a_range_names_the_groups_recorded_since_it_was_last_read(session: Session) -> None:
    due = dt.datetime(2020, 3, 1, tzinfo=dt.UTC)
    record(session, [Forecast(0.2, "true", deadline=due)])
    in_2020 = scorecard.Filters(date_from=dt.date(2020, 1, 1), date_to=dt.date(2020, 12, 31))
    first = scorecard.compute(session, in_2020)
    assert [g.name for g in first.authors] == ["Ann Author"]
    record(session, [Forecast(0.7, "false", author="Bo Writer", outlet="The Ledger", deadline=due)])
    again = scorecard.compute(session, in_2020)
    assert sorted(g.name for g in again.authors) == ["Ann Author", "Bo Writer"]
    assert sorted(g.name for g in again.outlets) == ["The Daily", "The Ledger"]
    assert again.group.score.n == 2


def test_a_recount_leaves_the_planner_as_it_found_it(session: Session) -> None:
    record(session, [Forecast(0.2, "true"), Forecast(0.6, "false", hedged=True)])
    postgres = session.get_bind().dialect.name == "postgresql"
    before = session.execute(text("SHOW enable_sort")).scalar() if postgres else None
    scorecard.rebuild(session)
    assert scorecard.compute(session, scorecard.Filters()).group.n_forecasts == 2
    if postgres:
        assert session.execute(text("SHOW enable_sort")).scalar() == before == "on"


def test_sums_are_built_on_first_use(session: Session) -> None:
    record(session, [Forecast(0.6, "true"), Forecast(0.6, None)])
    session.execute(ScoreCell.__table__.delete())
    from tracker.models import ScorecardState, ScoreEntry

    session.execute(ScoreEntry.__table__.delete())
    session.execute(ScorecardState.__table__.delete())
    session.commit()
    card = scorecard.compute(session, scorecard.Filters())
    session.commit()
    assert (card.group.score.n, card.group.n_unscored) == (1, 1)
    assert session.scalar(select(func.count()).select_from(ScoreCell)) > 0


def test_filters_are_checked() -> None:
    parse = scorecard.parse_filters
    assert parse({"author": "Ann Author", "from": "2020-01-01"}).author == "ann-author"
    assert parse({"include_hedged": "true"}).include_hedged
    with pytest.raises(BadRequest, match="one group"):
        parse({"author": "a", "outlet": "b"})
    with pytest.raises(BadRequest, match="from must not be after to"):
        parse({"from": "2021-01-01", "to": "2020-01-01"})
    with pytest.raises(BadRequest, match="date like"):
        parse({"from": "last year"})
    with pytest.raises(BadRequest, match="true or false"):
        parse({"include_hedged": "perhaps"})
    with pytest.raises(BadRequest, match="whole number"):
        parse({"source_id": "x"})
    assert parse({"author": "x"}, tag="iran").group == ("tag", "iran")


def test_unknown_group_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound, match="no author 'nobody'"):
        scorecard.compute(session, scorecard.Filters(author="nobody"))


def test_the_review_services_keep_the_scorecard_current(
    session: Session, make_user: Callable[..., User]
) -> None:
    """A probability override, resolution by quorum, re-opening and settling a dispute all
    reach the scorecard through resolutions.outcome_listeners."""
    first, second = make_user("reviewer"), make_user("reviewer")
    admin = make_user("admin")
    claim, other = record(session, [Forecast(0.8, None), Forecast(0.3, None)])
    now = dt.datetime(2021, 6, 5, tzinfo=dt.UTC)
    evidence = [resolutions.EvidenceItem(url="https://evidence.example/report")]

    def judge(reviewer: User, target: Claim, outcome: str, settle: bool = False) -> str:
        decision = resolutions.resolve_claim(
            session,
            target,
            reviewer,
            rationale="as reported",
            outcome=outcome,
            evidence=evidence,
            quorum=2,
            now=now,
            settle=settle,
        )
        session.commit()
        return decision.state

    def overall() -> scorecard.GroupScore:
        return scorecard.compute(session, scorecard.Filters()).group

    assert overall().n_unscored == 2
    changes.edit_claim(session, claim, first, reason="the source says 60%", probability=0.6)
    session.commit()
    assert judge(first, claim, "true") == "pending"
    assert overall().n_scored == 0
    assert judge(second, claim, "true") == "final"
    assert (overall().n_scored, overall().n_unscored) == (1, 1)
    assert overall().score.brier == pytest.approx(0.16)

    changes.reopen_claim(session, claim, admin, "new evidence")
    session.commit()
    assert (overall().n_scored, overall().n_unscored) == (0, 2)

    assert judge(first, other, "true") == "pending"
    assert judge(second, other, "false") == "disputed"
    assert judge(admin, other, "false", settle=True) == "final"
    assert overall().n_scored == 1
    assert overall().score.brier == pytest.approx(0.09)


def test_score_command_prints_the_same_numbers(
    app: Flask, runner: FlaskCliRunner, session: Session
) -> None:
    record(session, [Forecast(0.9, "true")] * 10 + [Forecast(0.2, "true", author="Bob")])
    result = runner.invoke(tracker.cli.main, ["score", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    card = scorecard.compute(session, scorecard.Filters())
    assert data["group"] == scorecard.group_record(card.group)
    table = runner.invoke(tracker.cli.main, ["score", "--rebuild"])
    assert table.exit_code == 0, table.output
    assert "Ann Author" in table.output and "(too few to judge)" in table.output
    bad = runner.invoke(tracker.cli.main, ["score", "--from", "soon"])
    assert bad.exit_code != 0 and "date like" in bad.output
