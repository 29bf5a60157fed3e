"""Paired comparison of two models scored on the same samples."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from redline.stats._intervals import Interval, exact_interval


@dataclass(frozen=True)
class PairedComparison:
    """Difference B - A on paired samples, its interval, and a two-sided p-value."""

    difference: Interval
    p_value: float
    method: str
    pairs: int
    discordant: tuple[int, int] | None = None
    """For binary scores: (A=1 & B=0, A=0 & B=1) counts."""


def mcnemar(
    a: Sequence[float], b: Sequence[float], confidence: float = 0.95
) -> PairedComparison:
    """Exact McNemar test, and the interval that inverts it, for paired 0/1 outcomes.

    Given d discordant pairs, the pairs where only B scores 1 are binomial(d, theta),
    and the difference B - A is (d / n)(2 theta - 1). The interval maps the
    Clopper-Pearson interval for theta (conditional on d): it excludes 0 exactly when
    the two-sided exact p-value is at most 1 - confidence, so a discrepancy flag read
    from either never contradicts the other.
    """
    if len(a) != len(b):
        raise ValueError("paired samples need the same length")
    n = len(a)
    a_only = sum(1 for x, y in zip(a, b, strict=True) if x == 1.0 and y == 0.0)
    b_only = sum(1 for x, y in zip(a, b, strict=True) if x == 0.0 and y == 1.0)
    discordant = a_only + b_only
    if discordant == 0:
        p = 1.0
    else:
        from scipy.special import bdtr

        p = min(1.0, 2 * float(bdtr(min(a_only, b_only), discordant, 0.5)))
    if n == 0:
        return PairedComparison(
            Interval(math.nan, -1.0, 1.0, 0, confidence, "mcnemar-exact"),
            1.0,
            "mcnemar-exact",
            0,
            (0, 0),
        )
    diff = (b_only - a_only) / n
    if discordant == 0:
        lower, upper = -0.0, 0.0
    else:
        theta = exact_interval(b_only, discordant, confidence)
        share = discordant / n
        lower, upper = share * (2 * theta.lower - 1), share * (2 * theta.upper - 1)
    interval = Interval(
        diff, min(lower, diff), max(upper, diff), n, confidence, "mcnemar-exact"
    )
    return PairedComparison(interval, p, "mcnemar-exact", n, (a_only, b_only))


def paired_bootstrap(
    a: Sequence[float],
    b: Sequence[float],
    confidence: float = 0.95,
    resamples: int = 5000,
    seed: int = 0,
) -> PairedComparison:
    """Percentile bootstrap of the mean paired difference, resampling pairs."""
    if len(a) != len(b):
        raise ValueError("paired samples need the same length")
    diffs = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    n = len(diffs)
    if n == 0:
        return PairedComparison(
            Interval(math.nan, -1.0, 1.0, 0, confidence, "paired_bootstrap"),
            1.0,
            "paired_bootstrap",
            0,
        )
    rng = np.random.default_rng(seed)
    means = diffs[rng.integers(0, n, size=(resamples, n))].mean(axis=1)
    alpha = 1 - confidence
    lower, upper = np.quantile(means, [alpha / 2, 1 - alpha / 2])
    # Two-sided bootstrap p-value: how often the resampled mean lies across zero,
    # counting the observed sample as one resample, so never below 1 / (B + 1).
    across = min(int(np.sum(means <= 0)), int(np.sum(means >= 0)))
    p = min(1.0, 2 * (across + 1) / (resamples + 1))
    return PairedComparison(
        Interval(
            float(diffs.mean()),
            float(lower),
            float(upper),
            n,
            confidence,
            "paired_bootstrap",
        ),
        p,
        "paired_bootstrap",
        n,
    )


def bootstrap_interval(
    values: Sequence[float],
    confidence: float = 0.95,
    resamples: int = 5000,
    seed: int = 0,
) -> Interval:
    """Percentile bootstrap interval of a mean, for metrics with no closed form."""
    data = np.asarray([v for v in values if not math.isnan(v)], dtype=float)
    if data.size == 0:
        return Interval(math.nan, 0.0, 1.0, 0, confidence, "bootstrap")
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, data.size, size=(resamples, data.size))].mean(axis=1)
    alpha = 1 - confidence
    lower, upper = np.quantile(means, [alpha / 2, 1 - alpha / 2])
    return Interval(
        float(data.mean()),
        float(lower),
        float(upper),
        int(data.size),
        confidence,
        "bootstrap",
    )
