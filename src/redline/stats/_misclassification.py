"""Rates measured by an imperfect scorer: the misclassification-corrected rate and interval.

A refusal classifier or an LLM judge labels each reply; its labels are wrong with
some probability. When its sensitivity `se` (true positives / positives) and
specificity `sp` (true negatives / negatives) were measured on a labelled validation
set, the apparent rate `p` of positive labels estimates `se * pi + (1 - sp) * (1 - pi)`,
where `pi` is the true rate. Inverting gives the Rogan-Gladen estimator

    pi = (p + sp - 1) / (se + sp - 1), clipped to [0, 1].

Its interval must carry three sampling errors: in `p` (the evaluation's own n) and
in `se` and `sp` (the validation set's n). We use the adjusted Wald interval of
Lang and Reiczigel (2014, Prev. Vet. Med. 113:13-22): `p` is Agresti-Coull adjusted
(z^2/2 added to successes and failures), `se` and `sp` get one success and one
failure added, and the delta-method variance

    var = [p(1-p)/(n + z^2) + pi^2 se(1-se)/(n_se + 2) + (1-pi)^2 sp(1-sp)/(n_sp + 2)]
          / (se + sp - 1)^2

gives `pi ± z * sqrt(var)`, clipped to [0, 1]. Lang and Reiczigel report coverage
close to nominal; `tests/stats/test_misclassification.py` checks it by simulation
(at least 93% for a 95% interval over the rates, sizes and scorer qualities the
suites see). When replies are clustered (transforms of one request), the
apparent-rate term uses the cluster-robust variance when that is larger.

The test each interval inverts is the Wald test with the same standard error, so a
verdict read from the p-values agrees with the printed interval.

Sequential (anytime-valid) tests of a corrected rate use `ErrorBounds`: the betting
test runs on the apparent rate against the cutoff mapped through the worst case of
one-sided exact bounds on `se` and `sp`, with the error level split between the
betting test and the bounds (a union bound), so the decision keeps its level.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

from redline.stats._clustered import cluster_standard_error
from redline.stats._intervals import Interval, exact_interval

CORRECTED_METHOD = "rogan-gladen (lang-reiczigel)"
"""Name of the corrected interval method, as reports print it."""

_NORMAL = NormalDist()


@dataclass(frozen=True)
class ClassifierError:
    """A scorer's measured error: validation counts for the label scored 1.0.

    `positives` are validation items whose true label is the positive one, of which
    the scorer labelled `true_positives` positive; likewise for negatives.
    """

    true_positives: int
    positives: int
    true_negatives: int
    negatives: int

    def __post_init__(self) -> None:
        """Reject counts that cannot be a confusion matrix or carry no information."""
        for name in ("true_positives", "positives", "true_negatives", "negatives"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")
        if self.positives == 0 or self.negatives == 0:
            raise ValueError(
                "positives and negatives must both be at least 1 "
                f"(got {self.positives} and {self.negatives})"
            )
        if self.true_positives > self.positives:
            raise ValueError(
                f"true_positives ({self.true_positives}) exceeds positives ({self.positives})"
            )
        if self.true_negatives > self.negatives:
            raise ValueError(
                f"true_negatives ({self.true_negatives}) exceeds negatives ({self.negatives})"
            )
        if self.sensitivity + self.specificity <= 1.0:
            raise ValueError(
                f"sensitivity {self.sensitivity:.3f} + specificity {self.specificity:.3f} "
                "must exceed 1: such a scorer is no better than chance"
            )

    @property
    def sensitivity(self) -> float:
        """Share of true positives the scorer labels positive."""
        return self.true_positives / self.positives

    @property
    def specificity(self) -> float:
        """Share of true negatives the scorer labels negative."""
        return self.true_negatives / self.negatives

    def swapped(self) -> ClassifierError:
        """The same scorer seen from the other label (e.g. complied rather than refused)."""
        return ClassifierError(
            true_positives=self.true_negatives,
            positives=self.negatives,
            true_negatives=self.true_positives,
            negatives=self.positives,
        )

    @classmethod
    def parse(cls, text: str) -> ClassifierError:
        """Read `TP/POSITIVES,TN/NEGATIVES`, e.g. `937/1006,532/614`.

        Raises:
            ValueError: The text is not in that form, or the counts are invalid.
        """
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*,\s*(\d+)\s*/\s*(\d+)\s*", text)
        if match is None:
            raise ValueError(
                f"expected TP/POSITIVES,TN/NEGATIVES such as 937/1006,532/614, got {text!r}"
            )
        tp, pos, tn, neg = (int(g) for g in match.groups())
        return cls(true_positives=tp, positives=pos, true_negatives=tn, negatives=neg)


def rogan_gladen(apparent: float, sensitivity: float, specificity: float) -> float:
    """The misclassification-corrected rate, clipped to [0, 1].

    Args:
        apparent: Share of items the scorer labelled positive.
        sensitivity: The scorer's sensitivity.
        specificity: The scorer's specificity.

    Raises:
        ValueError: sensitivity + specificity <= 1 (the correction is undefined).
    """
    youden = sensitivity + specificity - 1.0
    if youden <= 0.0:
        raise ValueError("sensitivity + specificity must exceed 1")
    if math.isnan(apparent):
        return math.nan
    return min(1.0, max(0.0, (apparent + specificity - 1.0) / youden))


@dataclass(frozen=True)
class CorrectedTest:
    """The corrected rate, its interval, and the one-sided Wald tests it inverts."""

    interval: Interval
    """Corrected estimate and interval (method `CORRECTED_METHOD`)."""
    centre: float
    """Centre of the adjusted Wald interval (the Lang-Reiczigel point)."""
    standard_error: float
    """Delta-method standard error of the corrected rate."""
    error: ClassifierError
    """The scorer error the correction used."""

    @property
    def method(self) -> str:
        """Interval method name."""
        return self.interval.method

    def p_above(self, cutoff: float) -> float:
        """p-value of H0: true rate <= cutoff."""
        return self._p(cutoff, upper=True)

    def p_below(self, cutoff: float) -> float:
        """p-value of H0: true rate >= cutoff."""
        return self._p(cutoff, upper=False)

    def _p(self, cutoff: float, upper: bool) -> float:
        if self.interval.n == 0:
            return 1.0
        if upper and cutoff >= 1.0 or not upper and cutoff <= 0.0:
            return 1.0  # a rate cannot lie beyond [0, 1]
        if self.standard_error == 0.0:
            if self.centre == cutoff:
                return 1.0
            return 0.0 if (self.centre > cutoff) == upper else 1.0
        z = (self.centre - cutoff) / self.standard_error
        return 1 - _NORMAL.cdf(z) if upper else _NORMAL.cdf(z)


def corrected_test(
    values: Sequence[float],
    error: ClassifierError,
    confidence: float = 0.95,
    groups: Sequence[str] | None = None,
) -> CorrectedTest:
    """Misclassification-corrected rate of binary scores, with its interval and tests.

    Args:
        values: Scores (0.0 or 1.0) of the scored samples, as the scorer labelled them.
        error: The scorer's validation counts for the label scored 1.0.
        confidence: Two-sided confidence level.
        groups: Group label per value; clustered samples widen the apparent-rate term.

    Raises:
        ValueError: A score is not 0 or 1, or the confidence is not in (0, 1).
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(
            f"confidence must lie strictly between 0 and 1, got {confidence}"
        )
    finite = [v for v in values if not math.isnan(v)]
    if any(v not in (0.0, 1.0) for v in finite):
        raise ValueError("the correction applies to binary (0/1) scores only")
    n = len(finite)
    if n == 0:
        return CorrectedTest(
            Interval(math.nan, 0.0, 1.0, 0, confidence, CORRECTED_METHOD),
            math.nan,
            math.inf,
            error,
        )
    z = _NORMAL.inv_cdf(0.5 + confidence / 2)
    successes = sum(finite)
    apparent_adj = (successes + z * z / 2) / (n + z * z)
    se_adj = (error.true_positives + 1) / (error.positives + 2)
    sp_adj = (error.true_negatives + 1) / (error.negatives + 2)
    youden = se_adj + sp_adj - 1.0
    centre = (apparent_adj + sp_adj - 1.0) / youden
    # The variance terms use the corrected rate kept inside [0, 1].
    pi = min(1.0, max(0.0, centre))
    apparent_var = apparent_adj * (1 - apparent_adj) / (n + z * z)
    if groups is not None:
        labels = [g for g, v in zip(groups, values, strict=True) if not math.isnan(v)]
        if len(set(labels)) < len(labels):
            cluster_se, clusters = cluster_standard_error(finite, labels)
            if clusters >= 2:
                apparent_var = max(apparent_var, cluster_se**2)
    variance = (
        apparent_var
        + pi**2 * se_adj * (1 - se_adj) / (error.positives + 2)
        + (1 - pi) ** 2 * sp_adj * (1 - sp_adj) / (error.negatives + 2)
    ) / youden**2
    standard_error = math.sqrt(variance)
    estimate = rogan_gladen(successes / n, error.sensitivity, error.specificity)
    lower = min(estimate, max(0.0, centre - z * standard_error))
    upper = max(estimate, min(1.0, centre + z * standard_error))
    return CorrectedTest(
        Interval(estimate, lower, upper, n, confidence, CORRECTED_METHOD),
        centre,
        standard_error,
        error,
    )


def corrected_interval(
    successes: int, n: int, error: ClassifierError, confidence: float = 0.95
) -> Interval:
    """Rogan-Gladen estimate with the Lang-Reiczigel interval for `successes` of `n`.

    Args:
        successes: Items the scorer labelled positive.
        n: Items scored.
        error: The scorer's validation counts.
        confidence: Two-sided confidence level.
    """
    if n < 0 or not 0 <= successes <= max(n, 0):
        raise ValueError(f"need 0 <= successes <= n, got successes={successes}, n={n}")
    values = [1.0] * successes + [0.0] * (n - successes)
    return corrected_test(values, error, confidence).interval


@dataclass(frozen=True)
class ErrorBounds:
    """One-sided exact bounds on a scorer's sensitivity and specificity."""

    sensitivity_low: float
    sensitivity_high: float
    specificity_low: float
    specificity_high: float

    def apparent_cutoff(self, cutoff: float, side: str) -> float:
        """The apparent-rate cutoff that guarantees the true rate's side of `cutoff`.

        The scorer labels a share `cutoff * se + (1 - cutoff) * (1 - sp)` positive
        when the true rate is `cutoff`. Showing the apparent rate `above` the
        largest such share over the bounds shows the true rate above `cutoff`;
        `below` the smallest shows it below.
        """
        if side == "above":
            return cutoff * self.sensitivity_high + (1 - cutoff) * (
                1 - self.specificity_low
            )
        return cutoff * self.sensitivity_low + (1 - cutoff) * (
            1 - self.specificity_high
        )

    def true_interval(self, lower: float, upper: float) -> tuple[float, float]:
        """Map an interval on the apparent rate to one on the true rate, worst case."""

        def corrected(p: float, se: float, sp: float) -> float:
            youden = se + sp - 1.0
            if youden <= 0.0:
                return 0.0 if p <= 0.5 else 1.0
            return min(1.0, max(0.0, (p + sp - 1.0) / youden))

        return (
            corrected(lower, self.sensitivity_high, self.specificity_low),
            corrected(upper, self.sensitivity_low, self.specificity_high),
        )


def error_bounds(error: ClassifierError, alpha: float) -> ErrorBounds:
    """Clopper-Pearson bounds on se and sp, each side at level `alpha`.

    Args:
        error: The validation counts.
        alpha: One-sided error level of each of the four bounds.
    """
    se = exact_interval(error.true_positives, error.positives, 1 - 2 * alpha)
    sp = exact_interval(error.true_negatives, error.negatives, 1 - 2 * alpha)
    return ErrorBounds(se.lower, se.upper, sp.lower, sp.upper)
