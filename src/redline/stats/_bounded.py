"""One-sided tests for the mean of independent observations bounded in [0, 1].

Binary observations get the exact binomial test: each of its tails holds its level
at every n and every rate (unlike Wilson's score test, which misses one tail near 0
and 1). Other observations (graded scores such as 0 / 0.1 / 1, or the per-cluster
means of grouped samples) get a test by betting (Waudby-Smith and Ramdas 2024,
"Estimating means of bounded random variables by betting", JRSS-B 86(1)): valid for
any distribution on [0, 1], with no normal approximation, yet adaptive to the
variance, so a mean at the cutoff is called safe at most at the level however few or
skewed the observations. Intervals are the inverses of these tests, found by
bisection, so the printed interval and the decision always agree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

_BISECTIONS = 60
_DESIGN_ALPHA = 0.025  # the level stakes are tuned for; the p-value is valid at any
_MAX_STAKE = (
    0.75  # fraction of the largest safe stake (Waudby-Smith and Ramdas use 1/2 or 3/4)
)


def binomial_p_at_most(successes: int, n: int, cutoff: float) -> float:
    """Exact p-value of H0: rate >= cutoff, from `successes` of `n` (small: rate below)."""
    if n == 0 or cutoff <= 0.0:
        return 1.0
    if cutoff >= 1.0:
        return 1.0 if successes >= n else 0.0
    if successes >= n:
        return 1.0
    from scipy.special import bdtr

    return float(bdtr(successes, n, cutoff))


def binomial_p_at_least(successes: int, n: int, cutoff: float) -> float:
    """Exact p-value of H0: rate <= cutoff (small: rate above)."""
    return binomial_p_at_most(n - successes, n, 1.0 - cutoff)


def betting_p_at_most(observations: Sequence[float], cutoff: float) -> float:
    """Betting p-value of H0: mean >= cutoff, for observations in [0, 1] in run order.

    The capital prod(1 + lambda_t (cutoff - x_t)) is a nonnegative supermartingale
    under H0, so P(max capital >= 1/alpha) <= alpha (Ville); the p-value is one over
    the largest capital. Stakes are Waudby-Smith and Ramdas' (2024) predictable
    plug-in for a known n, sized by the running variance, so low-variance scores
    (cluster means, graded scores) decide far sooner than a worst-case bound would.
    """
    n = len(observations)
    if n == 0 or cutoff <= 0.0:
        return 1.0
    x = np.asarray(observations, dtype=float)
    if cutoff >= 1.0:
        return 0.0 if bool((x < 1.0).any()) else 1.0
    count = np.arange(1, n + 1)
    means = (0.5 + np.cumsum(x)) / (count + 1)
    previous_means = np.concatenate(([0.5], means[:-1]))
    variances = (0.25 + np.cumsum((x - previous_means) ** 2)) / (count + 1)
    previous_variances = np.concatenate(([0.25], variances[:-1]))
    stakes = np.sqrt(2 * math.log(1 / _DESIGN_ALPHA) / (n * previous_variances))
    # 1 + stake * (cutoff - x) must stay positive for every x in [0, 1].
    stakes = np.minimum(stakes, _MAX_STAKE / (1.0 - cutoff))
    capital = np.cumprod(1.0 + stakes * (cutoff - x))
    return float(min(1.0, 1.0 / max(1.0, float(capital.max()))))


def bounded_p_at_most(
    observations: Sequence[float], cutoff: float, floor_n: float | None = None
) -> float:
    """p-value of H0: mean >= cutoff for non-binary observations in [0, 1].

    The betting p-value. For cluster means (`floor_n` set), never smaller than the
    exact binomial p-value at the effective sample size (the larger of a valid p-value
    and any other is still valid): a handful of clusters is never read as more
    evidence than as many independent samples as they are worth.
    """
    n = len(observations)
    if n == 0:
        return 1.0
    p = betting_p_at_most(observations, cutoff)
    if floor_n is not None:
        size = max(1, math.floor(floor_n))
        mean = sum(observations) / n
        p = max(
            p,
            binomial_p_at_most(min(size, math.ceil(mean * size - 1e-9)), size, cutoff),
        )
    return p


def effective_size(values: Sequence[float], groups: Sequence[str]) -> float:
    """Kish's effective sample size of grouped samples, n / (1 + (m - 1) icc).

    The intra-cluster correlation is the one-way ANOVA estimate, clipped to [0, 1],
    and taken as 1 when the scores do not vary (nothing shows the groups differ less
    than wholly). Between the number of groups and the number of samples.
    """
    members: dict[str, list[float]] = {}
    for value, group in zip(values, groups, strict=True):
        members.setdefault(group, []).append(value)
    total, clusters = len(values), len(members)
    if clusters in (0, total):
        return float(total)
    grand = sum(values) / total
    between = sum(len(v) * (sum(v) / len(v) - grand) ** 2 for v in members.values())
    within = sum(sum((x - sum(v) / len(v)) ** 2 for x in v) for v in members.values())
    msb = between / (clusters - 1) if clusters > 1 else 0.0
    msw = within / (total - clusters)
    m0 = (total - sum(len(v) ** 2 for v in members.values()) / total) / max(
        clusters - 1, 1
    )
    denominator = msb + (m0 - 1) * msw
    icc = 1.0 if denominator <= 0.0 or clusters < 2 else (msb - msw) / denominator
    icc = min(1.0, max(0.0, icc))
    size = total / (1 + (total / clusters - 1) * icc)
    return min(float(total), max(float(clusters), size))


def bounded_observations(
    values: Sequence[float], groups: Sequence[str] | None
) -> tuple[list[float], bool]:
    """The independent observations to test: values, or one mean per group.

    Returns:
        The observations, and whether they are all 0 or 1 (then the exact test applies).
    """
    if groups is None or len(set(groups)) == len(groups):
        observations = list(values)
        return observations, all(v in (0.0, 1.0) for v in observations)
    totals: dict[str, list[float]] = {}
    for value, group in zip(values, groups, strict=True):
        totals.setdefault(group, []).append(value)
    # Cluster means are not Bernoulli even when each sample is; kept in run order.
    return [sum(v) / len(v) for v in totals.values()], False


def p_at_most(
    observations: Sequence[float],
    binary: bool,
    cutoff: float,
    floor_n: float | None = None,
) -> float:
    """p-value of H0: mean >= cutoff: exact for binary observations, else betting."""
    if binary:
        return binomial_p_at_most(round(sum(observations)), len(observations), cutoff)
    return bounded_p_at_most(observations, cutoff, floor_n)


def p_at_least(
    observations: Sequence[float],
    binary: bool,
    cutoff: float,
    floor_n: float | None = None,
) -> float:
    """p-value of H0: mean <= cutoff."""
    return p_at_most([1.0 - v for v in observations], binary, 1.0 - cutoff, floor_n)


def upper_bound(
    observations: Sequence[float],
    binary: bool,
    alpha: float,
    floor_n: float | None = None,
) -> float:
    """Smallest cutoff c with p(H0: mean >= c) <= alpha: a one-sided upper bound."""
    if not observations:
        return 1.0
    low, high = sum(observations) / len(observations), 1.0
    if p_at_most(observations, binary, high, floor_n) > alpha:
        return 1.0
    for _ in range(_BISECTIONS):
        middle = (low + high) / 2
        if p_at_most(observations, binary, middle, floor_n) <= alpha:
            high = middle
        else:
            low = middle
    return high


def lower_bound(
    observations: Sequence[float],
    binary: bool,
    alpha: float,
    floor_n: float | None = None,
) -> float:
    """Largest cutoff c with p(H0: mean <= c) <= alpha: a one-sided lower bound."""
    flipped = [1.0 - v for v in observations]
    return 1.0 - upper_bound(flipped, binary, alpha, floor_n)
