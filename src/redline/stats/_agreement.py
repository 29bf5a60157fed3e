"""Agreement between raters: differences of means with intervals, Krippendorff's alpha.

Used to compare the same evaluation run by different institutes. Differences use
MOVER (method of variance estimates recovery, Newcombe 1998; Zou & Donner 2008): the
interval of a difference is recovered from each side's own interval, which keeps
Wilson's coverage at small n for binary scores where a Wald interval would collapse to
a point whenever the observed differences have no spread.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np

from redline.stats._intervals import Interval, mean_interval, wilson_interval

AlphaLevel = Literal["nominal", "interval"]


def _nan_interval(n: int, confidence: float, method: str) -> Interval:
    return Interval(math.nan, -1.0, 1.0, n, confidence, method)


def independent_difference(a: Interval, b: Interval) -> Interval:
    """Interval for `a - b` of two independent estimates on [0, 1], by MOVER.

    Args:
        a: Estimate and interval of the first mean.
        b: Estimate and interval of the second, at the same confidence.

    Returns:
        The difference with its interval (method `mover`); NaN with the whole range
        [-1, 1] when either side has no observations.
    """
    if not math.isclose(a.confidence, b.confidence):
        raise ValueError("both intervals need the same confidence level")
    if a.n == 0 or b.n == 0 or math.isnan(a.estimate) or math.isnan(b.estimate):
        return _nan_interval(0, a.confidence, "mover")
    theta = a.estimate - b.estimate
    lower = theta - math.hypot(a.estimate - a.lower, b.upper - b.estimate)
    upper = theta + math.hypot(a.upper - a.estimate, b.estimate - b.lower)
    return Interval(
        theta, max(-1.0, lower), min(1.0, upper), min(a.n, b.n), a.confidence, "mover"
    )


def paired_difference(
    a: Sequence[float], b: Sequence[float], confidence: float = 0.95
) -> Interval:
    """Interval for the mean of `a[i] - b[i]` over paired scores in [0, 1].

    Binary scores get Newcombe's hybrid score interval for paired proportions (his
    method 10: MOVER on Wilson intervals with the phi correlation); other scores the
    betting interval on the differences (`paired-bounded-betting`).

    Args:
        a: Scores of the first rater, one per item.
        b: Scores of the second rater on the same items, in the same order.
        confidence: Two-sided confidence level.

    Returns:
        The mean difference with its interval; NaN and [-1, 1] with no pairs.
    """
    if len(a) != len(b):
        raise ValueError(f"paired scores need equal lengths, got {len(a)} and {len(b)}")
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if x.size and (x.min() < 0 or x.max() > 1 or y.min() < 0 or y.max() > 1):
        raise ValueError("scores must lie in [0, 1]")
    n = int(x.size)
    if n == 0:
        return _nan_interval(0, confidence, "newcombe-paired")
    binary = bool(np.isin(x, (0.0, 1.0)).all() and np.isin(y, (0.0, 1.0)).all())
    if not binary:
        diff = mean_interval(list((x - y + 1.0) / 2.0), confidence)
        # Scores shifted to [0, 1] so the clipped t interval applies; shift back.
        return Interval(
            float(2 * diff.estimate - 1),
            float(2 * diff.lower - 1),
            float(2 * diff.upper - 1),
            n,
            confidence,
            f"paired-{diff.method}",
        )
    both = int(np.sum((x == 1) & (y == 1)))
    only_a = int(np.sum((x == 1) & (y == 0)))
    only_b = int(np.sum((x == 0) & (y == 1)))
    neither = n - both - only_a - only_b
    ia = wilson_interval(both + only_a, n, confidence)
    ib = wilson_interval(both + only_b, n, confidence)
    margins = (
        (both + only_a) * (only_b + neither) * (both + only_b) * (only_a + neither)
    )
    phi = (both * neither - only_a * only_b) / math.sqrt(margins) if margins else 0.0
    pa, pb = ia.estimate, ib.estimate
    dl = (pa - ia.lower) ** 2 - 2 * phi * (pa - ia.lower) * (ib.upper - pb)
    du = (ia.upper - pa) ** 2 - 2 * phi * (ia.upper - pa) * (pb - ib.lower)
    dl += (ib.upper - pb) ** 2
    du += (pb - ib.lower) ** 2
    theta = pa - pb
    return Interval(
        theta,
        max(-1.0, theta - math.sqrt(max(dl, 0.0))),
        min(1.0, theta + math.sqrt(max(du, 0.0))),
        n,
        confidence,
        "newcombe-paired",
    )


def krippendorff_alpha(
    ratings: Sequence[Sequence[float]], level: AlphaLevel = "interval"
) -> float:
    """Krippendorff's alpha for a raters x units matrix with missing values as NaN.

    Units rated by fewer than two raters carry no information and are dropped, as in
    Krippendorff (2011), "Computing Krippendorff's alpha-reliability".

    Args:
        ratings: One row per rater, one column per unit; NaN where a rater gave none.
        level: `nominal` (values are categories) or `interval` (squared differences).

    Returns:
        Alpha in (-inf, 1]; NaN when undefined (fewer than two pairable values, or no
        variation at all among them).
    """
    data = np.asarray(ratings, dtype=float)
    if data.ndim != 2:
        raise ValueError("ratings must be a raters x units matrix")
    counts = np.sum(~np.isnan(data), axis=0)
    data = data[:, counts >= 2]
    m = counts[counts >= 2].astype(float)
    total = float(m.sum())
    if total < 2:
        return math.nan
    observed = 0.0
    for unit, m_u in zip(data.T, m, strict=True):
        observed += _pair_disagreement(unit[~np.isnan(unit)], level) / (m_u - 1)
    values = data[~np.isnan(data)]
    expected = _pair_disagreement(values, level) / (total - 1)
    if expected == 0:
        return math.nan
    return 1.0 - observed / expected


def _pair_disagreement(values: np.ndarray, level: AlphaLevel) -> float:
    """Sum over ordered pairs i != j of the distance between values[i] and values[j]."""
    m = float(values.size)
    if level == "interval":
        return float(2 * (m * np.sum(values**2) - np.sum(values) ** 2))
    _, per_value = np.unique(values, return_counts=True)
    return float(m * m - np.sum(per_value.astype(float) ** 2))
