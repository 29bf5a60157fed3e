from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from redline.stats import exact_interval, mean_interval, wilson_interval


def test_wilson_matches_published_value() -> None:
    # 81/263 as tabulated by Newcombe (1998): method 4 (continuity-corrected, the
    # default) and method 3 (plain Wilson).
    interval = wilson_interval(81, 263, 0.95)
    assert interval.estimate == pytest.approx(81 / 263)
    assert interval.lower == pytest.approx(0.2535, abs=1e-4)
    assert interval.upper == pytest.approx(0.3682, abs=1e-4)
    assert interval.method == "wilson"
    plain = wilson_interval(81, 263, 0.95, continuity=False)
    assert plain.lower == pytest.approx(0.2553, abs=1e-4)
    assert plain.upper == pytest.approx(0.3662, abs=1e-4)


def test_plain_wilson_small_sample_value() -> None:
    interval = wilson_interval(8, 10, 0.95, continuity=False)
    assert interval.lower == pytest.approx(0.4902, abs=1e-4)
    assert interval.upper == pytest.approx(0.9433, abs=1e-4)


def test_exact_interval_matches_clopper_pearson() -> None:
    interval = exact_interval(8, 10, 0.95)
    assert interval.lower == pytest.approx(0.4439, abs=1e-4)
    assert interval.upper == pytest.approx(0.9748, abs=1e-4)


def test_no_observations_is_no_evidence() -> None:
    interval = wilson_interval(0, 0)
    assert math.isnan(interval.estimate)
    assert (interval.lower, interval.upper) == (0.0, 1.0)


@given(
    st.integers(min_value=1, max_value=500).flatmap(
        lambda n: st.tuples(st.integers(0, n), st.just(n))
    )
)
def test_wilson_contains_estimate_and_stays_in_unit_range(
    counts: tuple[int, int],
) -> None:
    successes, n = counts
    interval = wilson_interval(successes, n)
    assert 0.0 <= interval.lower <= interval.estimate <= interval.upper <= 1.0


def test_wilson_coverage_by_simulation() -> None:
    rng = np.random.default_rng(7)
    for p, n in [(0.1, 20), (0.5, 30), (0.9, 50)]:
        draws = rng.binomial(n, p, size=2000)
        covered = sum(
            wilson_interval(int(k), n).lower <= p <= wilson_interval(int(k), n).upper
            for k in draws
        )
        assert covered / 2000 >= 0.92, (p, n, covered)


def test_higher_confidence_gives_wider_interval() -> None:
    narrow = wilson_interval(30, 50, 0.8)
    wide = wilson_interval(30, 50, 0.99)
    assert wide.lower < narrow.lower
    assert wide.upper > narrow.upper


def test_mean_interval_uses_wilson_for_binary_and_skips_nan() -> None:
    interval = mean_interval([1.0, 0.0, float("nan"), 1.0, 1.0])
    assert interval.method == "wilson"
    assert interval.n == 4
    assert interval.estimate == pytest.approx(0.75)


def test_mean_interval_bounded_betting_for_graded_scores() -> None:
    interval = mean_interval([0.2, 0.4, 0.6, 0.5, 0.3] * 20)
    assert interval.method == "bounded-betting"
    assert interval.lower < 0.4 < interval.upper
    assert interval.lower > 0.2
    assert interval.upper < 0.6


@pytest.mark.parametrize("bad", [(-1, 5), (6, 5)])
def test_wilson_rejects_impossible_counts(bad: tuple[int, int]) -> None:
    with pytest.raises(ValueError, match="successes"):
        wilson_interval(*bad)


def test_mean_interval_rejects_out_of_range_scores() -> None:
    with pytest.raises(ValueError, match="must lie in"):
        mean_interval([0.5, 1.5])
