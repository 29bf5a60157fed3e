"""The misclassification-corrected rate: estimator, interval coverage, tests, bad counts."""

from __future__ import annotations

import numpy as np
import pytest

from redline.stats import (
    CORRECTED_METHOD,
    ClassifierError,
    corrected_interval,
    corrected_test,
    rogan_gladen,
    wilson_interval,
)

# The shipped refusal classifier's held-out counts, and a weaker and a stronger scorer.
SCORERS = [(0.93, 0.87, 1006, 614), (0.8, 0.9, 100, 100), (0.99, 0.95, 300, 300)]
RATES = [0.0, 0.05, 0.2, 0.5, 0.8, 1.0]
SIZES = [20, 100, 400]
RUNS = 1000


def test_rogan_gladen_inverts_the_apparent_rate() -> None:
    se, sp, pi = 0.9, 0.8, 0.3
    apparent = pi * se + (1 - pi) * (1 - sp)
    assert rogan_gladen(apparent, se, sp) == pytest.approx(pi)
    # An apparent rate below the false-positive rate is clipped at 0, above se at 1.
    assert rogan_gladen(0.1, se, sp) == 0.0
    assert rogan_gladen(0.95, se, sp) == 1.0
    with pytest.raises(ValueError, match="exceed 1"):
        rogan_gladen(0.5, 0.5, 0.5)


def test_a_perfect_scorer_changes_the_estimate_not_much_the_interval() -> None:
    perfect = ClassifierError(1000, 1000, 1000, 1000)
    corrected = corrected_interval(30, 100, perfect)
    raw = wilson_interval(30, 100)
    assert corrected.estimate == pytest.approx(0.3)
    assert corrected.method == CORRECTED_METHOD
    assert abs(corrected.lower - raw.lower) < 0.02
    assert abs(corrected.upper - raw.upper) < 0.02


def test_the_corrected_interval_is_wider_than_the_raw_one() -> None:
    error = ClassifierError(937, 1006, 532, 614)
    corrected = corrected_interval(60, 100, error)
    raw = wilson_interval(60, 100)
    assert corrected.upper - corrected.lower > raw.upper - raw.lower
    assert corrected.estimate == pytest.approx(
        rogan_gladen(0.6, error.sensitivity, error.specificity)
    )


def test_fewer_validation_items_give_a_wider_interval() -> None:
    many = corrected_interval(50, 100, ClassifierError(900, 1000, 900, 1000))
    few = corrected_interval(50, 100, ClassifierError(27, 30, 27, 30))
    assert few.upper - few.lower > many.upper - many.lower


@pytest.mark.parametrize(("se", "sp", "n_pos", "n_neg"), SCORERS)
def test_95_percent_corrected_intervals_cover_the_true_rate(
    se: float, sp: float, n_pos: int, n_neg: int
) -> None:
    """Both the evaluation and the validation counts are redrawn in every run."""
    rng = np.random.default_rng(2026)
    worst = 1.0
    for rate in RATES:
        for n in SIZES:
            apparent = rate * se + (1 - rate) * (1 - sp)
            covered = 0
            for x, tp, tn in zip(
                rng.binomial(n, apparent, RUNS),
                rng.binomial(n_pos, se, RUNS),
                rng.binomial(n_neg, sp, RUNS),
                strict=True,
            ):
                interval = corrected_interval(
                    int(x), n, ClassifierError(int(tp), n_pos, int(tn), n_neg)
                )
                covered += interval.lower <= rate <= interval.upper
            worst = min(worst, covered / RUNS)
            assert covered / RUNS >= 0.93, (rate, n, covered / RUNS)
    assert worst < 1.0  # the simulation can fail: intervals are not trivially [0, 1]


def test_p_values_agree_with_the_interval() -> None:
    error = ClassifierError(937, 1006, 532, 614)
    test = corrected_test([1.0] * 70 + [0.0] * 30, error, 0.95)
    lower, upper = test.interval.lower, test.interval.upper
    assert test.p_above(lower - 0.01) < 0.025 < test.p_above(lower + 0.01)
    assert test.p_below(upper + 0.01) < 0.025 < test.p_below(upper - 0.01)


def test_clustered_scores_widen_the_interval() -> None:
    error = ClassifierError(937, 1006, 532, 614)
    values = [1.0] * 7 * 6 + [0.0] * 3 * 6
    independent = corrected_test(values, error).interval
    groups = [str(i // 6) for i in range(len(values))]
    clustered = corrected_test(values, error, groups=groups).interval
    assert clustered.upper - clustered.lower > independent.upper - independent.lower


def test_no_scores_give_the_whole_range() -> None:
    test = corrected_test([], ClassifierError(9, 10, 9, 10))
    assert (test.interval.lower, test.interval.upper) == (0.0, 1.0)
    assert test.p_above(0.5) == test.p_below(0.5) == 1.0


def test_swapped_reads_the_other_label() -> None:
    error = ClassifierError(937, 1006, 532, 614)
    complied = error.swapped()
    assert complied.sensitivity == error.specificity
    assert rogan_gladen(0.4, complied.sensitivity, complied.specificity) == (
        pytest.approx(1 - rogan_gladen(0.6, error.sensitivity, error.specificity))
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("937/1006", "expected TP/POSITIVES,TN/NEGATIVES"),
        ("a/b,c/d", "expected TP/POSITIVES,TN/NEGATIVES"),
        ("1100/1006,532/614", "exceeds positives"),
        ("5/0,3/4", "at least 1"),
        ("4/10,5/10", "no better than chance"),
    ],
)
def test_malformed_counts_are_rejected_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ClassifierError.parse(text)


def test_parse_reads_the_counts() -> None:
    assert ClassifierError.parse(" 937/1006, 532/614 ") == ClassifierError(
        937, 1006, 532, 614
    )
