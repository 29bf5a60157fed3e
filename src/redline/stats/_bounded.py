"""One-sided tests for the mean of independent observations bounded in [0, 1].

Binary observations get the exact binomial test: each of its tails holds its level
at every n and every rate (unlike Wilson's score test, which misses one tail near 0
and 1). Other observations (scores such as 0 / 0.1 / 1, or the per-cluster means of
grouped samples) get the Hoeffding-Bentkus p-value of Bates et al. (2021,
"Distribution-free, risk-controlling prediction sets", JACM 68(6), Prop. 3): the
smaller of Hoeffding's (1963) bound and Bentkus' (2004) bound, each valid for any
distribution on [0, 1], so a mean at the cutoff is called safe at most at the level,
whatever its spread. Intervals are the inverses of these tests, found by bisection,
so the printed interval and the decision always agree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

_BISECTIONS = 60


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


def _kl_bernoulli(a: float, b: float) -> float:
    def term(x: float, y: float) -> float:
        return 0.0 if x == 0.0 else x * math.log(x / y)

    return term(a, b) + term(1.0 - a, 1.0 - b)


def hb_p_at_most(mean: float, n: int, cutoff: float) -> float:
    """Hoeffding-Bentkus p-value of H0: mean >= cutoff, for n observations in [0, 1]."""
    if n == 0 or cutoff <= 0.0 or mean >= cutoff:
        return 1.0
    if cutoff >= 1.0:
        # Observations of mean 1 are all 1: any one below 1 refutes H0 at once.
        return 0.0
    hoeffding = math.exp(-n * _kl_bernoulli(mean, cutoff))
    from scipy.special import bdtr

    # Bentkus: P(mean_hat <= t) <= e * P(Bin(n, cutoff) <= ceil(n t)).
    bentkus = math.e * float(bdtr(math.ceil(n * mean - 1e-9), n, cutoff))
    return min(1.0, hoeffding, bentkus)


def hb_p_at_least(mean: float, n: int, cutoff: float) -> float:
    """Hoeffding-Bentkus p-value of H0: mean <= cutoff."""
    return hb_p_at_most(1.0 - mean, n, 1.0 - cutoff)


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
    # Cluster means are not Bernoulli even when each sample is: Hoeffding-Bentkus.
    return [sum(v) / len(v) for v in totals.values()], False


def p_at_most(observations: Sequence[float], binary: bool, cutoff: float) -> float:
    """p-value of H0: mean >= cutoff, exact for binary observations, else Hoeffding-Bentkus."""
    n = len(observations)
    if binary:
        return binomial_p_at_most(round(sum(observations)), n, cutoff)
    mean = sum(observations) / n if n else math.nan
    return hb_p_at_most(mean, n, cutoff)


def p_at_least(observations: Sequence[float], binary: bool, cutoff: float) -> float:
    """p-value of H0: mean <= cutoff."""
    return p_at_most([1.0 - v for v in observations], binary, 1.0 - cutoff)


def upper_bound(observations: Sequence[float], binary: bool, alpha: float) -> float:
    """Smallest cutoff c with p(H0: mean >= c) <= alpha: a one-sided upper bound."""
    if not observations:
        return 1.0
    low, high = sum(observations) / len(observations), 1.0
    if p_at_most(observations, binary, high) > alpha:
        return 1.0
    for _ in range(_BISECTIONS):
        middle = (low + high) / 2
        if p_at_most(observations, binary, middle) <= alpha:
            high = middle
        else:
            low = middle
    return high


def lower_bound(observations: Sequence[float], binary: bool, alpha: float) -> float:
    """Largest cutoff c with p(H0: mean <= c) <= alpha: a one-sided lower bound."""
    return 1.0 - upper_bound([1.0 - v for v in observations], binary, alpha)
