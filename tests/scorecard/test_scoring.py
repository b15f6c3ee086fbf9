"""Scores against scikit-learn on generated data, and by hand at the bin edges."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, log_loss

from tracker.scorecard import scoring

probabilities = st.floats(min_value=0.0005, max_value=0.9995, allow_nan=False)
# scikit-learn puts a probability lying exactly on a bin edge (0.1, 0.2, ...) in the lower bin,
# SPEC's floor(10*p) in the upper one: away from the edges the two must agree.
off_edge = probabilities.filter(lambda p: abs(10 * p - round(10 * p)) > 1e-9)
pairs_strategy = st.lists(st.tuples(off_edge, st.booleans()), min_size=1, max_size=60)


@settings(max_examples=150, deadline=None)
@given(pairs_strategy)
def test_scores_agree_with_scikit_learn(pairs: list[tuple[float, bool]]) -> None:
    p = np.array([x for x, _ in pairs])
    o = np.array([int(y) for _, y in pairs])
    result = scoring.score(pairs)

    assert result.n == len(pairs)
    assert result.brier == pytest.approx(brier_score_loss(o, p, pos_label=1), abs=1e-12)
    clipped = np.clip(p, scoring.CLIP_LOW, scoring.CLIP_HIGH)
    assert result.log_score == pytest.approx(-log_loss(o, clipped, labels=[0, 1]), abs=1e-9)
    assert result.skill_vs_chance == pytest.approx(1 - result.brier / 0.25)

    if len(set(o)) == 2:  # calibration_curve wants both outcomes present
        observed, predicted = calibration_curve(o, p, n_bins=10, strategy="uniform")
        assert [c.observed_rate for c in result.calibration] == pytest.approx(list(observed))
        assert [c.mean_probability for c in result.calibration] == pytest.approx(list(predicted))
    assert sum(c.n for c in result.calibration) == len(pairs)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from([0.05, 0.15, 0.35, 0.62, 0.9]), st.booleans()), min_size=1)
)
def test_murphy_identity_is_exact_when_each_bin_holds_one_value(
    pairs: list[tuple[float, bool]],
) -> None:
    result = scoring.score(pairs)
    assert result.murphy is not None and result.brier is not None
    m = result.murphy
    assert result.brier == pytest.approx(m.reliability - m.resolution + m.uncertainty, abs=1e-12)


def test_bin_edges_by_hand() -> None:
    assert scoring.bin_index(0.0) == 0
    assert scoring.bin_index(0.0999) == 0
    assert scoring.bin_index(0.1) == 1  # floor(1.0)
    assert scoring.bin_index(0.9) == 9  # floor(9.0)
    assert scoring.bin_index(0.999) == 9  # floor(9.99)
    assert scoring.bin_index(1.0) == 9  # min(10, 9)
    assert [scoring.bin_index(k / 10) for k in range(1, 10)] == list(range(1, 10))


def test_edge_cases_scored_by_hand() -> None:
    pairs = [(0.1, False), (0.1, True), (0.9, True), (0.999, False)]
    result = scoring.score(pairs)
    # Brier: (0.01 + 0.81 + 0.01 + 0.998001) / 4
    assert result.brier == pytest.approx((0.01 + 0.81 + 0.01 + 0.998001) / 4)
    # ln q: 0.9, 0.1, 0.9 and 1 - 0.999 = 0.001
    expected_log = (math.log(0.9) + math.log(0.1) + math.log(0.9) + math.log(0.001)) / 4
    assert result.log_score == pytest.approx(expected_log)
    bins = {c.bin: c for c in result.calibration}
    assert set(bins) == {1, 9}  # 0.1 goes to bin 1; 0.9 and 0.999 to bin 9; others omitted
    assert (bins[1].n, bins[1].mean_probability, bins[1].observed_rate) == (1 + 1, 0.1, 0.5)
    assert bins[9].n == 2
    assert bins[9].mean_probability == pytest.approx((0.9 + 0.999) / 2)
    assert bins[9].observed_rate == 0.5
    m = result.murphy
    assert m is not None
    # reliability: (2*(0.1 - 0.5)^2 + 2*(0.9495 - 0.5)^2) / 4
    assert m.reliability == pytest.approx((2 * 0.4**2 + 2 * 0.4495**2) / 4)
    assert m.resolution == pytest.approx(0.0)  # both bins observe the base rate 0.5
    assert m.uncertainty == pytest.approx(0.25)


def test_log_score_clips_certainty() -> None:
    assert scoring.log_score([(0.0, True)]) == pytest.approx(math.log(0.001))
    assert scoring.log_score([(1.0, True)]) == pytest.approx(math.log(0.999))


def test_no_forecasts_no_numbers() -> None:
    result = scoring.score([])
    assert (result.n, result.brier, result.log_score, result.calibration) == (0, None, None, ())
    assert result.murphy is None


def test_removing_a_forecast_undoes_adding_it() -> None:
    totals = scoring.accumulate([(0.3, True), (0.7, False)])
    totals[scoring.bin_index(0.55)] = scoring.BinTotals()
    totals[scoring.bin_index(0.55)].add(0.55, True)
    totals[scoring.bin_index(0.55)].add(0.55, True, sign=-1)
    assert scoring.summarize(totals) == scoring.score([(0.3, True), (0.7, False)])


def test_out_of_range_probability_is_refused() -> None:
    with pytest.raises(ValueError, match="not between 0 and 1"):
        scoring.accumulate([(1.5, True)])


@given(st.lists(st.floats(0.0, 1.0), min_size=0, max_size=30))
def test_peer_scores_sum_to_zero_and_follow_the_definition(probabilities: list[float]) -> None:
    from tracker.scorecard.scoring import baseline_score, peer_scores

    baselines = [baseline_score(p) for p in probabilities]
    expected_baselines = 100 * np.log2(
        np.clip(np.array(probabilities, dtype=float), 0.001, 0.999) / 0.5
    )
    assert np.allclose(baselines, expected_baselines)
    peers = peer_scores(baselines)
    if len(baselines) < 2:
        assert peers is None
    else:
        assert peers is not None
        assert abs(math.fsum(peers)) < 1e-6
        assert np.allclose(peers, np.array(baselines) - np.mean(baselines))


def test_baseline_is_zero_for_a_coin_and_bounded_by_the_clip() -> None:
    from tracker.scorecard.scoring import baseline_score

    assert baseline_score(0.5) == 0.0
    assert baseline_score(1.0) == pytest.approx(100 * math.log2(0.999 / 0.5))
    assert baseline_score(0.0) == pytest.approx(100 * math.log2(0.001 / 0.5))
