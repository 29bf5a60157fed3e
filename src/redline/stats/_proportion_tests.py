"""One-sided tests of a mean against a cutoff, each the inverse of the interval printed.

A verdict says "the rate is above the cutoff" only when a test rejects "it is not",
and each tail of that test must hold its level at the worst case (the true rate at
the cutoff), at every n. Binary scores get the exact binomial test and its inverse,
the Clopper-Pearson interval; other scores, and the cluster means of grouped samples
(epochs, templates or transforms of one item are not independent), get the
betting test (Waudby-Smith and Ramdas) and its inverse (`redline.stats._bounded`). The interval is
the one the test inverts, so verdict and printed interval always agree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from redline.stats._bounded import (
    bounded_observations,
    effective_size,
    lower_bound,
    p_at_least,
    p_at_most,
    upper_bound,
)
from redline.stats._intervals import Interval, exact_interval

IntervalMethod = Literal[
    "wilson", "exact", "t", "cluster", "bounded-betting", "cluster-betting"
]


@dataclass(frozen=True)
class MeanTest:
    """An estimate with its interval and one-sided p-values against any cutoff."""

    interval: Interval
    values: tuple[float, ...]
    groups: tuple[str, ...] | None
    observations: tuple[float, ...] = field(default=(), repr=False)
    """The independent observations the tests use: scores, or one mean per cluster."""
    binary: bool = False
    """Whether the observations are 0/1 (exact binomial test) or not (betting test)."""
    effective_n: float | None = None
    """For grouped samples, Kish's effective sample size: the binomial floor's n."""

    @property
    def method(self) -> str:
        """Interval method name."""
        return self.interval.method

    def p_above(self, cutoff: float) -> float:
        """p-value of H0: mean <= cutoff (small when the mean is clearly above)."""
        if not self.observations:
            return 1.0
        return p_at_least(self.observations, self.binary, cutoff, self.effective_n)

    def p_below(self, cutoff: float) -> float:
        """p-value of H0: mean >= cutoff (small when the mean is clearly below)."""
        if not self.observations:
            return 1.0
        return p_at_most(self.observations, self.binary, cutoff, self.effective_n)


def mean_test(
    values: Sequence[float],
    confidence: float = 0.95,
    method: Literal["auto", "wilson", "exact"] = "auto",  # noqa: ARG001 (see below)
    groups: Sequence[str] | None = None,
) -> MeanTest:
    """Interval and tests for the mean of scores in [0, 1].

    Args:
        values: Scores of the scored samples (NaN are dropped).
        confidence: Two-sided confidence level of the interval.
        method: Kept for callers of the earlier interface; binary scores always get the
            exact test, because Wilson's score test misses one tail near 0 and 1.
        groups: Group label per value; samples sharing a group (epochs, templates,
            transforms of one request) are tested as one observation per group.
    """
    pairs = [
        (v, g)
        for v, g in zip(values, groups or [""] * len(values), strict=True)
        if not math.isnan(v)
    ]
    finite = tuple(v for v, _ in pairs)
    labels = tuple(g for _, g in pairs)
    if any(v < 0.0 or v > 1.0 for v in finite):
        raise ValueError("scores must lie in [0, 1]")
    clustered = groups is not None and len(set(labels)) < len(labels)
    observations, binary = bounded_observations(finite, labels if clustered else None)
    if clustered:
        interval = clustered_interval(finite, labels, confidence)
    elif binary:
        interval = exact_interval(int(sum(finite)), len(finite), confidence)
    else:
        interval = _bounded_interval(
            finite, observations, confidence, "bounded-betting"
        )
    return MeanTest(
        interval,
        finite,
        labels if clustered else None,
        tuple(observations),
        binary,
        effective_size(finite, labels) if clustered else None,
    )


def _bounded_interval(
    values: Sequence[float],
    observations: Sequence[float],
    confidence: float,
    method: str,
    floor_n: float | None = None,
) -> Interval:
    n = len(values)
    if n == 0:
        return Interval(math.nan, 0.0, 1.0, 0, confidence, method)
    alpha = (1 - confidence) / 2
    estimate = sum(observations) / len(observations)
    return Interval(
        estimate,
        min(estimate, lower_bound(observations, False, alpha, floor_n)),
        max(estimate, upper_bound(observations, False, alpha, floor_n)),
        n,
        confidence,
        method,
    )


def clustered_interval(
    values: Sequence[float], groups: Sequence[str], confidence: float = 0.95
) -> Interval:
    """Interval for the mean of grouped scores, from one observation per group.

    The estimate is the mean of the group means (each group, e.g. one item over its
    epochs or transforms, weighs alike); the interval is the betting one on those
    means, so with few groups it is as wide as few independent observations warrant
    (never narrower than the exact binomial interval at the effective sample size).
    """
    if len(values) != len(groups):
        raise ValueError("values and groups must have the same length")
    if not values:
        return Interval(math.nan, 0.0, 1.0, 0, confidence, "cluster-betting")
    observations, _ = bounded_observations(values, groups)
    return _bounded_interval(
        values,
        observations,
        confidence,
        "cluster-betting",
        effective_size(values, groups),
    )
