"""Rates measured by an imperfect scorer: the misclassification-corrected rate and interval.

A refusal classifier or an LLM judge labels each reply; its labels are wrong with
some probability. When its sensitivity `se` (true positives / positives) and
specificity `sp` (true negatives / negatives) were measured on a labelled validation
set, the apparent rate `p` of positive labels estimates `se * pi + (1 - sp) * (1 - pi)`,
where `pi` is the true rate. Inverting gives the Rogan-Gladen estimator

    pi = (p + sp - 1) / (se + sp - 1), clipped to [0, 1].

Its interval must carry three sampling errors: in `p` (the evaluation's own n) and
in `se` and `sp` (the validation set's n). A normal-theory interval (Lang and
Reiczigel 2014) does not hold its level with few clusters or small validation sets,
so the decision uses a union bound instead: at a one-sided level `a`, the apparent
rate gets `a/2` (exact binomial, or betting on cluster means) and each of
the exact Clopper-Pearson bounds on `se` and `sp` gets `a/4`; the cutoff is mapped to
the apparent scale at the worst case over those bounds. Each side is then wrong with
probability at most `a` whatever the true `se` and `sp`. The p-value is the smallest
`a` at which the test rejects, so Holm's adjustment applies to it, and the printed
interval is the same construction at the policy's confidence.

The correction is refused (p-values 1, interval [0, 1], `refusal` says why) when
the validation counts cannot bound the scorer away from chance (worst-case
`se + sp - 1 <= 0`), and when the scores contradict the error model (the apparent
rate lies confidently outside `[1 - sp, se]`).

Sequential (anytime-valid) tests of a corrected rate use `ErrorBounds` the same way:
the betting test runs on the apparent rate against the mapped cutoff.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from redline.stats._bounded import lower_bound, upper_bound
from redline.stats._intervals import Interval, exact_interval
from redline.stats._proportion_tests import MeanTest, mean_test

CORRECTED_METHOD = "rogan-gladen, worst case over exact bounds"
"""Name of the corrected interval method, as reports print it."""


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
    """The corrected rate, its interval, and the one-sided union-bound tests it inverts."""

    interval: Interval
    """Corrected estimate and interval (method `CORRECTED_METHOD`)."""
    centre: float
    """The Rogan-Gladen point estimate, unclipped (NaN when nothing was scored)."""
    standard_error: float
    """Unused by the tests (they are exact bounds); NaN. Kept for callers."""
    error: ClassifierError
    """The scorer error the correction used."""
    apparent: MeanTest | None = None
    """The test on the rate as the scorer labelled it."""
    refusal: str | None = None
    """Why the correction cannot be made on this evidence; None when it can."""

    @property
    def method(self) -> str:
        """Interval method name."""
        return self.interval.method

    def p_above(self, cutoff: float) -> float:
        """p-value of H0: true rate <= cutoff."""
        return self._p(cutoff, "above")

    def p_below(self, cutoff: float) -> float:
        """p-value of H0: true rate >= cutoff."""
        return self._p(cutoff, "below")

    def rejects(self, cutoff: float, side: str, alpha: float) -> bool:
        """Whether the true rate is shown `side` of `cutoff` at one-sided level alpha."""
        if self.apparent is None or self.refusal is not None or alpha <= 0.0:
            return False
        if side == "above" and cutoff >= 1.0 or side == "below" and cutoff <= 0.0:
            return False  # a rate cannot lie beyond [0, 1]
        alpha = min(alpha, 1.0)
        bounds = error_bounds(self.error, alpha / 4)
        apparent_cutoff = bounds.apparent_cutoff(cutoff, side)
        p = (
            self.apparent.p_above(apparent_cutoff)
            if side == "above"
            else self.apparent.p_below(apparent_cutoff)
        )
        return p <= alpha / 2

    def _p(self, cutoff: float, side: str) -> float:
        if not self.rejects(cutoff, side, 1.0):
            return 1.0
        low, high = math.log(1e-15), 0.0
        if self.rejects(cutoff, side, math.exp(low)):
            return 1e-15
        for _ in range(50):
            middle = (low + high) / 2
            if self.rejects(cutoff, side, math.exp(middle)):
                high = middle
            else:
                low = middle
        return math.exp(high)


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
        groups: Group label per value; grouped samples are tested per group mean.

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
            math.nan,
            error,
        )
    apparent = mean_test(values, confidence, groups=groups)
    alpha = (1 - confidence) / 2
    bounds = error_bounds(error, alpha / 4)
    apparent_bounds = (
        _bound(apparent, "lower", alpha / 2),
        _bound(apparent, "upper", alpha / 2),
    )
    refusal = _refusal(bounds, *apparent_bounds, alpha)
    rate = apparent.interval.estimate
    youden = error.sensitivity + error.specificity - 1.0
    centre = (rate + error.specificity - 1.0) / youden
    estimate = rogan_gladen(rate, error.sensitivity, error.specificity)
    if refusal is not None:
        lower, upper = 0.0, 1.0
    else:
        lower, upper = bounds.true_interval(*apparent_bounds)
        lower, upper = min(lower, estimate), max(upper, estimate)
    return CorrectedTest(
        Interval(estimate, lower, upper, n, confidence, CORRECTED_METHOD),
        centre,
        math.nan,
        error,
        apparent,
        refusal,
    )


def _bound(test: MeanTest, side: str, alpha: float) -> float:
    observations = list(test.observations)
    if side == "lower":
        return lower_bound(observations, test.binary, alpha, test.effective_n)
    return upper_bound(observations, test.binary, alpha, test.effective_n)


def _refusal(
    bounds: ErrorBounds, apparent_lower: float, apparent_upper: float, alpha: float
) -> str | None:
    level = f"one-sided {alpha / 4:.3g} each"
    worst_youden = min(
        bounds.sensitivity_low + bounds.specificity_high,
        bounds.sensitivity_high + bounds.specificity_low,
    )
    if worst_youden - 1.0 <= 0.0:
        return (
            "the validation counts cannot bound the scorer away from chance: at the "
            f"worst case over exact bounds ({level}) sensitivity + specificity - 1 = "
            f"{worst_youden - 1.0:.3f} <= 0; measure the scorer on more labelled items"
        )
    if apparent_lower > bounds.sensitivity_high:
        return (
            f"the scores contradict the scorer's error model: the apparent rate is at "
            f"least {apparent_lower:.3f}, above the largest sensitivity the validation "
            f"counts allow ({bounds.sensitivity_high:.3f})"
        )
    if apparent_upper < 1.0 - bounds.specificity_high:
        return (
            f"the scores contradict the scorer's error model: the apparent rate is at "
            f"most {apparent_upper:.3f}, below the smallest false-positive rate the "
            f"validation counts allow ({1.0 - bounds.specificity_high:.3f})"
        )
    return None


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
