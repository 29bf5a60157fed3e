"""Comparing reports of the same evaluation: per-metric differences and agreement.

Each suite's metric is compared pairwise between reports: paired on the samples both
scored (same id and epoch) when sample-level scores are shared, else from each
report's own interval. A difference whose interval excludes zero is a discrepancy
beyond sampling error. Verdicts are compared per threshold, and Krippendorff's alpha
measures agreement over sample-level scores. Results with different comparability
keys are compared only when the caller allows it, and every such case is noted.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from redline.errors import ReportError
from redline.reports._schema import Report, SuiteRun
from redline.stats import (
    Interval,
    independent_difference,
    krippendorff_alpha,
    mcnemar,
    mean_interval,
    paired_bootstrap,
)

_FROZEN = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class MetricValue(BaseModel):
    """One report's value of a suite metric."""

    model_config = _FROZEN

    label: str
    """Report label (file name or institute)."""
    estimate: float | None
    """Mean score; null when nothing was scored."""
    ci_lower: float
    """Lower bound of its interval."""
    ci_upper: float
    """Upper bound of its interval."""
    n: int
    """Scored samples."""
    comparability_key: str
    """Comparability key of the suite run."""


class PairDifference(BaseModel):
    """Difference `a - b` of one metric between two reports."""

    model_config = _FROZEN

    a: str
    """First report label."""
    b: str
    """Second report label."""
    method: str
    """`mcnemar-exact` or `paired_bootstrap` on shared samples, `mover` from intervals, `none`."""
    n: int
    """Pairs of samples (paired) or the smaller sample size (from intervals)."""
    difference: float | None
    """Estimated difference; null when it cannot be estimated."""
    ci_lower: float
    """Lower bound of the difference's interval."""
    ci_upper: float
    """Upper bound of the difference's interval."""
    discrepant: bool
    """Whether the interval excludes zero: a difference beyond sampling error."""
    test: str = "none"
    """Paired test on shared samples: `mcnemar` (binary scores), `paired-bootstrap`, or `none`."""
    p_value: float | None = None
    """Two-sided p-value of that test; null without shared samples."""


class MetricComparison(BaseModel):
    """One suite metric across reports."""

    model_config = _FROZEN

    suite: str
    """Suite whose per-sample scores the metric averages."""
    metrics: tuple[str, ...]
    """Metric names that thresholds read from this suite."""
    comparable: bool
    """Whether every report ran the suite under the same comparability key."""
    differing_components: tuple[str, ...]
    """Comparability components that differ between reports (dotted paths)."""
    values: tuple[MetricValue, ...]
    """Each report's value."""
    differences: tuple[PairDifference, ...]
    """Each pair of reports' difference."""
    alpha: float | None
    """Krippendorff's alpha (interval) over this suite's sample scores."""
    alpha_units: int
    """Samples scored by at least two reports."""


class ThresholdAgreement(BaseModel):
    """Each report's verdict on one threshold."""

    model_config = _FROZEN

    threshold_id: str
    """Threshold id."""
    domain: str
    """Its risk domain."""
    verdicts: dict[str, str]
    """Verdict per report label."""
    concordant: bool
    """Whether every report that has the threshold reached the same verdict."""


class Comparison(BaseModel):
    """Agreement between two or more reports of the same evaluation."""

    model_config = _FROZEN

    labels: tuple[str, ...]
    """Report labels, in input order."""
    confidence: float
    """Confidence level of every interval."""
    metrics: tuple[MetricComparison, ...]
    """Per suite metric."""
    thresholds: tuple[ThresholdAgreement, ...]
    """Per threshold."""
    verdict_concordance: float | None
    """Share of thresholds (present in every report) where all verdicts agree."""
    decisions: dict[str, str]
    """Deployment decision per report."""
    decision_concordant: bool
    """Whether every report reached the same decision."""
    alpha: float | None
    """Krippendorff's alpha (interval) over all comparable sample-level scores."""
    alpha_units: int
    """Samples in the alpha: scored by at least two reports."""
    discrepancies: tuple[str, ...]
    """Differences beyond sampling error and discordant verdicts, one line each."""
    notes: tuple[str, ...]
    """Caveats: differing comparability keys, suites missing from some reports."""


def _differing(a: Any, b: Any, prefix: str = "") -> list[str]:
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        out: list[str] = []
        for key in sorted(set(a) | set(b)):
            path = f"{prefix}.{key}" if prefix else str(key)
            out += _differing(a.get(key), b.get(key), path)
        return out
    return [] if a == b else [prefix or "(whole)"]


def _value(label: str, run: SuiteRun, report: Report, confidence: float) -> MetricValue:
    scores = [s.score for s in run.samples if s.score is not None]
    if scores or run.samples:
        iv = mean_interval(scores, confidence)
        estimate = None if math.isnan(iv.estimate) else iv.estimate
        return MetricValue(
            label=label, estimate=estimate, ci_lower=iv.lower, ci_upper=iv.upper,
            n=iv.n, comparability_key=run.comparability_key,
        )  # fmt: skip
    # No sample-level scores shared: fall back to a threshold's published interval.
    for t in report.thresholds:
        same_level = math.isclose(t.confidence, confidence)
        if getattr(t.rule, "binding", None) == run.suite and same_level and t.n:
            return MetricValue(
                label=label, estimate=t.estimate, ci_lower=t.ci_lower or 0.0,
                ci_upper=1.0 if t.ci_upper is None else t.ci_upper, n=t.n,
                comparability_key=run.comparability_key,
            )  # fmt: skip
    return MetricValue(
        label=label, estimate=None, ci_lower=0.0, ci_upper=1.0, n=0,
        comparability_key=run.comparability_key,
    )  # fmt: skip


def _scores(run: SuiteRun) -> dict[tuple[str, int], float]:
    return {(s.id, s.epoch): s.score for s in run.samples if s.score is not None}


def _difference(
    a: tuple[MetricValue, SuiteRun], b: tuple[MetricValue, SuiteRun], confidence: float
) -> PairDifference:
    (va, ra), (vb, rb) = a, b
    sa, sb = _scores(ra), _scores(rb)
    common = sorted(set(sa) & set(sb))
    test, p_value = "none", None
    if common:
        xs, ys = [sa[k] for k in common], [sb[k] for k in common]
        # One test gives both the interval and the p-value, so the discrepancy flag
        # and the p-value never disagree (b, a order: both compute second - first).
        paired = (
            mcnemar(ys, xs, confidence)
            if all(v in (0.0, 1.0) for v in xs + ys)
            else paired_bootstrap(ys, xs, confidence)
        )
        iv, p_value = paired.difference, paired.p_value
        test = "mcnemar" if paired.method == "mcnemar-exact" else "paired-bootstrap"
    elif va.estimate is not None and vb.estimate is not None:
        iv = independent_difference(
            Interval(va.estimate, va.ci_lower, va.ci_upper, va.n, confidence, ""),
            Interval(vb.estimate, vb.ci_lower, vb.ci_upper, vb.n, confidence, ""),
        )
    else:
        iv = Interval(math.nan, -1.0, 1.0, 0, confidence, "none")
    known = not math.isnan(iv.estimate)
    return PairDifference(
        a=va.label, b=vb.label, method=iv.method, n=iv.n,
        difference=iv.estimate if known else None,
        ci_lower=iv.lower, ci_upper=iv.upper,
        discrepant=known and (iv.lower > 0 or iv.upper < 0),
        test=test, p_value=p_value,
    )  # fmt: skip


def _alpha(runs: Sequence[SuiteRun]) -> tuple[float | None, int]:
    per_run = [_scores(r) for r in runs]
    units = sorted({k for scores in per_run for k in scores})
    matrix = [[s.get(u, math.nan) for u in units] for s in per_run]
    counted = sum(1 for u in units if sum(u in s for s in per_run) >= 2)
    alpha = krippendorff_alpha(matrix) if units else math.nan
    return (None if math.isnan(alpha) else alpha), counted


def _check_labels(reports: Sequence[tuple[str, Report]]) -> None:
    labels = [label for label, _ in reports]
    if len(reports) < 2:
        raise ReportError("comparing needs at least two reports")
    if len(set(labels)) != len(labels):
        raise ReportError(f"report labels must be unique, got {labels}")


def _compare_suite(
    suite: str,
    present: list[tuple[str, Report, SuiteRun]],
    confidence: float,
) -> MetricComparison:
    first = present[0][2].comparability
    differing = sorted(
        {c for _, _, run in present[1:] for c in _differing(first, run.comparability)}
    )
    keys = {run.comparability_key for _, _, run in present}
    pairs = [(_value(label, run, rep, confidence), run) for label, rep, run in present]
    metrics = sorted(
        {
            str(getattr(t.rule, "metric", ""))
            for _, rep, _ in present
            for t in rep.thresholds
            if getattr(t.rule, "suite", None) == suite
        }
        - {""}
    )
    alpha, units = _alpha([run for _, _, run in present])
    return MetricComparison(
        suite=suite,
        metrics=tuple(metrics),
        comparable=len(keys) == 1,
        differing_components=tuple(differing) if len(keys) > 1 else (),
        values=tuple(v for v, _ in pairs),
        differences=tuple(
            _difference(a, b, confidence) for a, b in itertools.combinations(pairs, 2)
        ),
        alpha=alpha,
        alpha_units=units,
    )


def _thresholds(reports: Sequence[tuple[str, Report]]) -> list[ThresholdAgreement]:
    ordered: dict[str, ThresholdAgreement] = {}
    for _, report in reports:
        for t in report.thresholds:
            if t.threshold_id in ordered:
                continue
            verdicts = {
                label: str(v.verdict)
                for label, rep in reports
                for v in rep.thresholds
                if v.threshold_id == t.threshold_id
            }
            ordered[t.threshold_id] = ThresholdAgreement(
                threshold_id=t.threshold_id,
                domain=t.domain,
                verdicts=verdicts,
                concordant=len(set(verdicts.values())) == 1,
            )
    return list(ordered.values())


def compare_reports(
    reports: Sequence[tuple[str, Report]],
    *,
    confidence: float = 0.95,
    allow_incomparable: bool = False,
) -> Comparison:
    """Compare reports of the same evaluation, metric by metric and verdict by verdict.

    Args:
        reports: (label, report) pairs; labels name the reports in the output.
        confidence: Confidence level of the difference intervals.
        allow_incomparable: Compare suites whose comparability keys differ (noted in
            the result) instead of refusing.

    Returns:
        Differences, concordance, alpha, discrepancies and notes.

    Raises:
        ReportError: Fewer than two reports, duplicate labels, or (unless allowed)
            suites run under different comparability keys, naming what differs.
    """
    _check_labels(reports)
    suites: dict[str, list[tuple[str, Report, SuiteRun]]] = {}
    for label, report in reports:
        for run in report.suites:
            suites.setdefault(run.suite, []).append((label, report, run))
    labels = [label for label, _ in reports]
    notes: list[str] = []
    metrics: list[MetricComparison] = []
    for suite, present in suites.items():
        if len(present) < 2:
            notes.append(f"{suite}: only in {present[0][0]}; not compared")
            continue
        if len(present) < len(reports):
            notes.append(f"{suite}: missing from some reports; compared where present")
        metrics.append(_compare_suite(suite, present, confidence))
    incomparable = [m for m in metrics if not m.comparable]
    for m in incomparable:
        notes.append(
            f"{m.suite}: comparability keys differ in "
            f"{', '.join(m.differing_components) or 'the key only'}"
        )
    if incomparable and not allow_incomparable:
        raise ReportError(
            "results with different comparability keys are not compared: "
            + "; ".join(n for n in notes if "comparability keys differ" in n)
            + " (allow it explicitly to compare anyway)"
        )
    frameworks = {report.framework.content_hash for _, report in reports}
    if len(frameworks) > 1:
        notes.append("the reports applied different framework versions")
    thresholds = _thresholds(reports)
    in_all = [t for t in thresholds if len(t.verdicts) == len(reports)]
    decisions = {label: str(report.decision) for label, report in reports}
    discrepancies = [
        f"{m.suite}: {d.a} - {d.b} = {d.difference:+.3f}, "
        f"{confidence:.0%} CI [{d.ci_lower:+.3f}, {d.ci_upper:+.3f}] excludes 0 "
        f"({d.method}, n={d.n})" + ("" if m.comparable else "; keys differ")
        for m in metrics
        for d in m.differences
        if d.discrepant
    ]
    discrepancies += [
        f"{t.threshold_id}: verdicts differ: "
        + ", ".join(f"{k} {v}" for k, v in t.verdicts.items())
        for t in thresholds
        if not t.concordant
    ]
    alpha, units = _alpha_all(reports, {m.suite for m in metrics if m.comparable})
    return Comparison(
        labels=tuple(labels),
        confidence=confidence,
        metrics=tuple(metrics),
        thresholds=tuple(thresholds),
        verdict_concordance=(
            sum(t.concordant for t in in_all) / len(in_all) if in_all else None
        ),
        decisions=decisions,
        decision_concordant=len(set(decisions.values())) == 1,
        alpha=alpha,
        alpha_units=units,
        discrepancies=tuple(discrepancies),
        notes=tuple(notes),
    )


def _alpha_all(
    reports: Sequence[tuple[str, Report]], suites: set[str]
) -> tuple[float | None, int]:
    per_report: list[dict[tuple[str, str, int], float]] = []
    for _, report in reports:
        per_report.append(
            {
                (run.suite, *key): score
                for run in report.suites
                if run.suite in suites
                for key, score in _scores(run).items()
            }
        )
    units = sorted({k for scores in per_report for k in scores})
    counted = sum(1 for u in units if sum(u in s for s in per_report) >= 2)
    if not units:
        return None, 0
    alpha = krippendorff_alpha(
        [[s.get(u, math.nan) for u in units] for s in per_report]
    )
    return (None if math.isnan(alpha) else alpha), counted
