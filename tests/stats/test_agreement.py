from __future__ import annotations

import math

import numpy as np
import pytest

from redline.stats import (
    independent_difference,
    krippendorff_alpha,
    paired_difference,
    wilson_interval,
)

NAN = math.nan
# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C:
# 4 observers, 12 units, values 1-5, with missing data.
RELIABILITY_DATA = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]


@pytest.mark.parametrize(
    ("level", "expected"), [("nominal", 0.743), ("interval", 0.849)]
)
def test_alpha_matches_krippendorffs_worked_example(level, expected) -> None:
    assert krippendorff_alpha(RELIABILITY_DATA, level) == pytest.approx(
        expected, abs=5e-4
    )


def test_alpha_edge_cases() -> None:
    assert krippendorff_alpha([[1, 0, 1], [1, 0, 1]]) == 1.0
    assert math.isnan(krippendorff_alpha([[1, 1], [1, 1]]))  # no variation at all
    assert math.isnan(krippendorff_alpha([[1, NAN], [NAN, 0]]))  # nothing pairable
    assert (
        krippendorff_alpha([[1, 0, 1, 0], [0, 1, 0, 1]]) < 0
    )  # systematic disagreement
    with pytest.raises(ValueError, match="raters x units"):
        krippendorff_alpha([1, 2, 3])


def test_alpha_is_invariant_to_rater_order() -> None:
    rng = np.random.default_rng(3)
    data = rng.integers(0, 2, size=(3, 40)).astype(float)
    data[rng.random(size=data.shape) < 0.2] = NAN
    assert krippendorff_alpha(data) == pytest.approx(krippendorff_alpha(data[::-1]))


def test_paired_binary_difference_follows_newcombe_method_10() -> None:
    # 36 pairs both 1, 12 only first, 2 only second: Wilson bounds of 48/50 and 38/50
    # combined with phi = -24 / sqrt(48 * 2 * 38 * 12), by hand.
    a = [1] * 36 + [1] * 12 + [0] * 2
    b = [1] * 36 + [0] * 12 + [1] * 2
    iv = paired_difference(a, b)
    p1, p2 = wilson_interval(48, 50), wilson_interval(38, 50)
    phi = -24 / math.sqrt(48 * 2 * 38 * 12)
    lo_a, up_b = 0.96 - p1.lower, p2.upper - 0.76
    delta = math.sqrt(lo_a**2 - 2 * phi * lo_a * up_b + up_b**2)
    assert iv.method == "newcombe-paired"
    assert iv.estimate == pytest.approx(0.2)
    assert iv.lower == pytest.approx(0.2 - delta)
    assert 0 < iv.lower < 0.2 < iv.upper < 1


def test_paired_interval_keeps_its_coverage() -> None:
    rng = np.random.default_rng(11)
    n, reps, covered = 40, 600, 0
    for _ in range(reps):
        shared = rng.random(n)
        x = (shared < 0.6).astype(float)
        # The second rater agrees with the first 80% of the time.
        flip = rng.random(n) < 0.2
        y = np.where(flip, (rng.random(n) < 0.5).astype(float), x)
        true_diff = 0.6 - (0.8 * 0.6 + 0.2 * 0.5)
        iv = paired_difference(list(x), list(y))
        covered += iv.lower <= true_diff <= iv.upper
    assert covered / reps >= 0.93


def test_paired_difference_edges() -> None:
    same = paired_difference([1, 1, 0], [1, 1, 0])
    assert same.estimate == 0
    assert same.lower < 0 < same.upper
    assert math.isnan(paired_difference([], []).estimate)
    continuous = paired_difference([0.5, 0.7, 0.9, 0.6] * 10, [0.1, 0.2, 0.3, 0.2] * 10)
    assert continuous.method == "paired-bounded-betting"
    assert 0 < continuous.lower < continuous.estimate < continuous.upper <= 1
    with pytest.raises(ValueError, match="equal lengths"):
        paired_difference([1], [1, 0])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        paired_difference([2], [1])


def test_independent_difference_by_mover() -> None:
    iv = independent_difference(wilson_interval(8, 10), wilson_interval(2, 10))
    assert iv.estimate == pytest.approx(0.6)
    assert 0 < iv.lower < 0.6 < iv.upper < 1
    assert math.isnan(
        independent_difference(wilson_interval(0, 0), wilson_interval(1, 2)).estimate
    )
    with pytest.raises(ValueError, match="same confidence"):
        independent_difference(wilson_interval(1, 2, 0.9), wilson_interval(1, 2))
