"""Agreement figures of a binary labeller, and their cluster-bootstrap intervals."""

from __future__ import annotations

import math

import numpy as np
import pytest

from redline.stats import (
    CLUSTER_BOOTSTRAP,
    CLUSTER_BOOTSTRAP_OR_WILSON,
    classification_figures,
)

GOLD = [True, True, True, False, False, False, False, False]
SAID = [True, True, False, False, False, False, True, False]


def test_figures_match_their_definitions() -> None:
    f = classification_figures(GOLD, SAID)
    assert (f.true_positives, f.positives, f.true_negatives, f.negatives) == (
        2,
        3,
        4,
        5,
    )
    assert f.accuracy.estimate == pytest.approx(6 / 8)
    assert f.sensitivity.estimate == pytest.approx(2 / 3)
    assert f.specificity.estimate == pytest.approx(4 / 5)
    assert f.macro_f1.estimate == pytest.approx((4 / 6 + 8 / 10) / 2)
    chance = (3 * 3 + 5 * 5) / 64
    assert f.kappa.estimate == pytest.approx((6 / 8 - chance) / (1 - chance))
    for interval in (f.accuracy, f.sensitivity, f.specificity, f.macro_f1, f.kappa):
        assert interval.lower <= interval.estimate <= interval.upper
    assert f.accuracy.method == CLUSTER_BOOTSTRAP_OR_WILSON
    assert f.kappa.method == CLUSTER_BOOTSTRAP


def test_perfect_agreement_and_undefined_figures() -> None:
    perfect = classification_figures(GOLD, GOLD)
    assert perfect.kappa.estimate == 1.0
    assert perfect.accuracy.estimate == 1.0
    # Every resample agrees, but eight items do not make certainty.
    assert perfect.accuracy.lower < 0.8
    assert perfect.sensitivity.lower < 0.6
    no_positives = classification_figures([False, False], [False, True])
    assert math.isnan(no_positives.sensitivity.estimate)
    assert (no_positives.sensitivity.lower, no_positives.sensitivity.upper) == (
        0.0,
        1.0,
    )


def test_clusters_widen_the_interval_when_their_items_agree() -> None:
    # Ten prompts, ten replies each, each prompt right or wrong as a whole: only ten
    # independent facts, so the interval must be far wider than for 100 items.
    gold = [True] * 100
    said = [prompt % 3 != 0 for prompt in range(10) for _ in range(10)]
    clusters = [str(prompt) for prompt in range(10) for _ in range(10)]
    items = classification_figures(gold, said)
    prompts = classification_figures(gold, said, clusters)
    width = prompts.accuracy.upper - prompts.accuracy.lower
    assert width > 2 * (items.accuracy.upper - items.accuracy.lower)


def test_the_accuracy_interval_covers_under_clustered_errors() -> None:
    rng = np.random.default_rng(2026)
    covered, runs = 0, 200
    for _ in range(runs):
        # 40 prompts with 3 replies each; each prompt has its own difficulty.
        skill = rng.beta(8, 2, size=40)
        right = rng.random((40, 3)) < skill[:, None]
        gold = [True] * 120
        clusters = [str(p) for p in range(40) for _ in range(3)]
        f = classification_figures(gold, list(right.ravel()), clusters, resamples=500)
        covered += f.accuracy.lower <= 0.8 <= f.accuracy.upper
    assert covered / runs >= 0.9


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="same length"):
        classification_figures([True], [True, False])
    with pytest.raises(ValueError, match="no labelled items"):
        classification_figures([], [])
