"""The verdict engine: evidence x framework -> rule, threshold and domain verdicts -> decision.

Pure functions on hand-buildable models. Verdicts come from tests that invert the
printed intervals (so one rule's verdict always agrees with its interval), adjusted
for multiplicity across the rules of a domain; unscored samples never count as safe;
inconclusive evidence counts as the framework says (crossed by default); every
determination carries a reasoning trail a reviewer can check line by line.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from redline.frameworks._evidence import Evidence, ScorerError
from redline.frameworks._model import (
    DecisionPolicy,
    DeclaredPropertyRule,
    EvidenceRule,
    Framework,
    Rule,
    Severity,
    Threshold,
)
from redline.frameworks._safeguards import (
    Attestation,
    SafeguardStatus,
    evaluate_safeguards,
)
from redline.frameworks._sequential import (
    evidence_replay,
    fixed_sample_count,
    rule_alpha,
)
from redline.stats import (
    CorrectedTest,
    MeanTest,
    adjust,
    confidence_sequence,
    corrected_test,
    error_bounds,
    mean_test,
)

_FROZEN = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class Verdict(StrEnum):
    """Where the evidence places the model relative to a threshold."""

    BELOW = "below"
    APPROACHING = "approaching"
    CROSSED = "crossed"
    INCONCLUSIVE = "inconclusive"


# Worst first: a domain or an `any` threshold takes the worst of its parts.
_SEVERITY_ORDER = (
    Verdict.CROSSED,
    Verdict.INCONCLUSIVE,
    Verdict.APPROACHING,
    Verdict.BELOW,
)


class Decision(StrEnum):
    """The deployment decision, from least to most restrictive."""

    DEPLOY = "deploy"
    DEPLOY_WITH_SAFEGUARDS = "deploy_with_safeguards"
    DO_NOT_DEPLOY = "do_not_deploy"
    HALT_DEVELOPMENT = "halt_development"


_DECISION_ORDER = list(Decision)


class ScorerCorrection(BaseModel):
    """A rate corrected for its scorer's measured error, beside the uncorrected one."""

    model_config = _FROZEN

    applied: bool
    """Whether the verdict was read from the corrected interval (else from the raw one)."""
    method: str
    """How the correction and its interval were computed."""
    scorer_error: ScorerError
    """The scorer's validation counts the correction used."""
    sensitivity: float
    """Scorer sensitivity (true positives / positives on the validation set)."""
    specificity: float
    """Scorer specificity (true negatives / negatives on the validation set)."""
    estimate: float | None
    """Corrected estimate (Rogan-Gladen, clipped to [0, 1]); null when nothing was scored."""
    ci_lower: float
    """Lower bound of the corrected interval."""
    ci_upper: float
    """Upper bound of the corrected interval."""
    raw_estimate: float | None
    """The rate as the scorer labelled it, uncorrected."""
    raw_ci_lower: float
    """Lower bound of the uncorrected interval."""
    raw_ci_upper: float
    """Upper bound of the uncorrected interval."""
    raw_ci_method: str
    """Method of the uncorrected interval."""


class RuleVerdict(BaseModel):
    """The verdict on one rule, with the numbers and tests it was read from."""

    model_config = _FROZEN

    rule: EvidenceRule | DeclaredPropertyRule
    """The rule applied."""
    verdict: Verdict
    """below, approaching, crossed or inconclusive."""
    estimate: float | None
    """Point estimate (or the declared value); null when there is none."""
    ci_lower: float | None
    """Lower bound of the confidence interval; null for declared properties."""
    ci_upper: float | None
    """Upper bound of the confidence interval; null for declared properties."""
    ci_method: str
    """Interval method (`wilson`, `exact`, `t`, `cluster`, `declared`)."""
    n: int
    """Scored samples."""
    unscored: int
    """Unscored samples."""
    unscored_reasons: dict[str, int]
    """Unscored samples per reason."""
    p_crossed: float | None
    """Multiplicity-adjusted p-value against "not crossed"."""
    p_safe: float | None
    """Multiplicity-adjusted p-value against "crossed"."""
    p_alert: float | None
    """Multiplicity-adjusted p-value against "at or beyond the alert cutoff"."""
    explanation: str
    """Why, in one sentence."""
    comparability_key: str | None
    """Comparability key of the evidence."""
    correction: ScorerCorrection | None = None
    """Corrected and uncorrected figures when the scorer's error is known."""


class ThresholdVerdict(BaseModel):
    """The verdict on one threshold, headed by the rule that decided it."""

    model_config = _FROZEN

    threshold_id: str
    """Threshold this verdict is about."""
    domain: str
    """Risk domain of the threshold."""
    name: str
    """Human name of the threshold."""
    level: str | None = None
    """Level label, e.g. `ASL-3`."""
    severity: Severity
    """Severity of crossing it."""
    rule: EvidenceRule | DeclaredPropertyRule
    """The rule that decided the verdict."""
    estimate: float | None
    """Point estimate of the deciding rule; null when nothing was scored."""
    ci_lower: float | None
    """Lower bound of the deciding rule's confidence interval."""
    ci_upper: float | None
    """Upper bound of the deciding rule's confidence interval."""
    ci_method: str
    """Interval method of the deciding rule."""
    confidence: float
    """Confidence level of the intervals."""
    n: int
    """Scored samples behind the deciding rule."""
    unscored: int
    """Unscored samples behind the deciding rule."""
    unscored_reasons: dict[str, int]
    """Unscored samples per reason."""
    verdict: Verdict
    """below, approaching, crossed or inconclusive."""
    counted_as: Verdict
    """How the verdict counts in the decision (an inconclusive one counts per the policy)."""
    explanation: str
    """Why the verdict is what it is, in one sentence."""
    comparability_key: str | None
    """Comparability key of the deciding rule's evidence."""
    rules: tuple[RuleVerdict, ...] = ()
    """Every rule's verdict."""
    safeguards: tuple[SafeguardStatus, ...] = ()
    """Required safeguards and whether each is evidenced."""
    outcome: Decision = Decision.DEPLOY
    """What this threshold alone allows."""
    trail: tuple[str, ...] = ()
    """The reasoning, step by step: rules, numbers, policy clauses."""
    correction: ScorerCorrection | None = None
    """The deciding rule's corrected and uncorrected figures, when its scorer's error is known."""


class DomainVerdict(BaseModel):
    """The worst verdict among a domain's thresholds."""

    model_config = _FROZEN

    domain: str
    """Domain id."""
    status: str
    """tracked or research."""
    verdict: Verdict
    """Worst threshold verdict in the domain."""
    thresholds: tuple[str, ...]
    """Threshold ids in the domain."""


class Assessment(BaseModel):
    """Verdicts on every threshold of a framework and the decision they lead to."""

    model_config = _FROZEN

    verdicts: tuple[ThresholdVerdict, ...]
    """One verdict per threshold, in framework order."""
    domains: tuple[DomainVerdict, ...] = ()
    """One verdict per domain."""
    decision: Decision
    """The decision."""
    reasons: tuple[str, ...]
    """Why: one line per threshold that drove the decision."""
    required_safeguards: tuple[str, ...]
    """Safeguards required by crossed (or counted-as-crossed) thresholds."""
    outstanding_safeguards: tuple[str, ...] = ()
    """Required safeguards that are not evidenced."""


def _worst(verdicts: Iterable[Verdict]) -> Verdict:
    found = set(verdicts)
    return (
        next(v for v in _SEVERITY_ORDER if v in found)
        if found
        else Verdict.INCONCLUSIVE
    )


def _combine(combine: str, verdicts: list[Verdict]) -> Verdict:
    if combine == "any":
        return _worst(verdicts)
    # `all`: crossed only when every rule is. A rule known to be safe of its cutoff
    # (below, or approaching: safe of the cutoff, not of the alert) rules it out, and
    # the threshold is as far from crossing as its safest rule.
    for verdict in (
        Verdict.BELOW,
        Verdict.APPROACHING,
        Verdict.INCONCLUSIVE,
        Verdict.CROSSED,
    ):
        if verdict in verdicts:
            return verdict
    return Verdict.INCONCLUSIVE


class _RawTest:
    """A rule's evidence with its unadjusted one-sided p-values.

    The crossed side reads the scored samples; the safe side reads every unscored
    sample as the unsafe outcome (rule 1 of DESIGN.md), so a `below` holds whatever
    the unscored replies were.
    """

    def __init__(
        self, rule: EvidenceRule, evidence: Evidence | None, policy: DecisionPolicy
    ) -> None:
        self.rule = rule
        self.evidence = (
            evidence.subset(rule.categories) if evidence is not None else None
        )
        values = list(self.evidence.scores) if self.evidence else []
        groups = self.evidence.scored_groups() if self.evidence else None
        self.raw_test = mean_test(values, policy.confidence, policy.interval, groups)
        self.corrected: CorrectedTest | None = None
        scorer_error = self.evidence.scorer_error if self.evidence else None
        if scorer_error is not None and all(v in (0.0, 1.0) for v in values):
            self.corrected = corrected_test(
                values, scorer_error.classifier_error(), policy.confidence, groups
            )
        self.applied = self.corrected is not None and rule.corrects_scorer_error(policy)
        self.test: MeanTest | CorrectedTest = (
            self.corrected
            if self.applied and self.corrected is not None
            else self.raw_test
        )
        self.crosses_high = rule.comparator in (">", ">=")
        self.unscored = self.evidence.unscored if self.evidence else 0
        self.worst_test = self._worst_case_test(policy)
        self.p_alert: float | None = None
        self.raw_p_safe: float = 1.0
        self.trivial: Verdict | None = None
        if rule.crossed_by(0.0) == rule.crossed_by(1.0):
            # A rule that no rate in [0, 1] can cross (`> 1`), or that every rate
            # crosses (`>= 0`), needs no evidence to decide.
            always = rule.crossed_by(1.0)
            self.trivial = Verdict.CROSSED if always else Verdict.BELOW
            self.p_crossed, self.p_safe = (0.0, 1.0) if always else (1.0, 0.0)
            self.p_alert = None if rule.alert_cutoff is None else self.p_safe
            self.raw_p_safe = self.p_safe
            return
        self.p_crossed = (
            self.test.p_above(rule.cutoff)
            if self.crosses_high
            else self.test.p_below(rule.cutoff)
        )
        self.p_safe = self.safe_p(rule.cutoff)
        self.raw_p_safe = self.p_safe
        if rule.alert_cutoff is not None:
            self.p_alert = self.safe_p(rule.alert_cutoff)

    def _worst_case_test(self, policy: DecisionPolicy) -> MeanTest | None:
        """The scores with every unscored sample read as unsafe (None: none unscored)."""
        evidence = self.evidence
        if evidence is None or self.unscored == 0 or self.applied:
            return None
        unsafe = 1.0 if self.crosses_high else 0.0
        if evidence.samples and evidence.scored_groups() is not None:
            values = [unsafe if s.score is None else s.score for s in evidence.samples]
            labels: list[str] | None = [
                s.group or f"{s.id}#{s.epoch}" for s in evidence.samples
            ]
        else:
            values = list(evidence.scores) + [unsafe] * self.unscored
            labels = None
        return mean_test(values, policy.confidence, policy.interval, labels)

    def _scored_cutoff(self, cutoff: float) -> float:
        """The scored-only cutoff equivalent to `cutoff` with every unscored sample unsafe."""
        scored = self.test.interval.n
        total = scored + self.unscored
        if self.crosses_high:
            return (cutoff * total - self.unscored) / scored
        return cutoff * total / scored

    def safe_p(self, cutoff: float) -> float:
        """p-value against "crossed at `cutoff`", unscored samples read as unsafe."""
        if self.worst_test is not None:
            test: MeanTest | CorrectedTest = self.worst_test
        else:
            test = self.test
            if self.unscored and test.interval.n:
                cutoff = self._scored_cutoff(cutoff)
        return test.p_below(cutoff) if self.crosses_high else test.p_above(cutoff)

    def safe_bound(self) -> float:
        """The interval bound on the safe side, unscored samples read as unsafe."""
        interval = self.test.interval
        if self.worst_test is not None:
            worst = self.worst_test.interval
            return worst.upper if self.crosses_high else worst.lower
        bound = interval.upper if self.crosses_high else interval.lower
        if not self.unscored or interval.n == 0:
            return bound
        total = interval.n + self.unscored
        if self.crosses_high:
            return (bound * interval.n + self.unscored) / total
        return bound * interval.n / total


def _sequential_verdict(
    raw: _RawTest, alpha: float, policy: DecisionPolicy
) -> RuleVerdict | None:
    """The anytime-valid verdict, when the rule's sequential test reached one."""
    if raw.trivial is not None:
        return None
    evidence = raw.evidence
    if evidence is None or evidence.sequential is None or evidence.n == 0:
        return None
    if evidence.unscored_share > policy.max_unscored_share:
        return None
    scorer_error = evidence.scorer_error if raw.applied else None
    error = scorer_error.classifier_error() if scorer_error is not None else None
    monitor = evidence_replay(raw.rule, alpha, evidence, error)
    outcome = monitor.outcome()
    if outcome is None:
        return None
    method, corrected = "betting", ""
    level = 1 - 2 * alpha
    if scorer_error is None or error is None:
        lower, upper = confidence_sequence(monitor.observations, level)
    else:
        # As the tests spend it: half of each side's level on the apparent rate, a
        # quarter on each exact bound on se and sp, mapped to the true rate at the worst case.
        apparent = confidence_sequence(monitor.observations, 1 - alpha)
        lower, upper = error_bounds(error, alpha / 4).true_interval(*apparent)
        method = "betting, corrected for scorer error"
        corrected = (
            f" on the rate corrected for {scorer_error.scorer} error"
            " (worst case over exact bounds on its sensitivity and specificity)"
        )
    info = evidence.sequential
    stop = (
        f"sampling stopped after {info.samples_used} of {info.samples_total} samples ({info.reason})"
        if info.stopped_early
        else f"all {info.samples_used} samples ran"
    )
    grouped = (
        f"{len(monitor.observations)} group means"
        if len(monitor.observations) < monitor.used - evidence.unscored
        else "scored samples"
    )
    unscored = (
        f"; its {evidence.unscored} unscored samples read as unsafe by the safe-side test"
        if evidence.unscored
        else ""
    )
    return RuleVerdict(
        rule=raw.rule,
        verdict=Verdict(outcome),
        estimate=raw.test.interval.estimate,
        ci_lower=lower,
        ci_upper=upper,
        ci_method=method,
        n=evidence.n,
        unscored=evidence.unscored,
        unscored_reasons=dict(evidence.unscored_reasons),
        p_crossed=None,
        p_safe=None,
        p_alert=None,
        explanation=(
            f"anytime-valid betting test{corrected} decided {outcome} after {monitor.used} samples "
            f"(level {alpha:.3g} per side: {policy.sequential_share:g} of the policy's level, "
            f"Bonferroni within the domain; one observation per group){unscored}; {stop}; "
            f"{level:.1%} confidence sequence on the {grouped} [{lower:.3f}, {upper:.3f}]"
        ),
        comparability_key=evidence.comparability_key,
        correction=_correction(raw),
    )


def _rule_verdict(
    raw: _RawTest,
    adjusted: tuple[float, float, float | None],
    policy: DecisionPolicy,
    level: float | None = None,
    family: int = 1,
) -> RuleVerdict:
    """The fixed-sample verdict: adjusted p-values against `level` per side."""
    rule, evidence, interval = raw.rule, raw.evidence, raw.test.interval
    p_crossed, p_safe, p_alert = adjusted
    half_alpha = (1 - policy.confidence) / 2 if level is None else level
    lower, upper = interval.lower, interval.upper
    if raw.unscored and interval.n and raw.trivial is None:
        if raw.crosses_high:
            upper = max(upper, raw.safe_bound())
        else:
            lower = min(lower, raw.safe_bound())
    method = interval.method
    if raw.unscored and interval.n and raw.trivial is None:
        method += f"; {'upper' if raw.crosses_high else 'lower'} bound with the unscored read as unsafe"
    marginal = "marginal " if family > 1 else ""
    ci = f"{marginal}{policy.confidence * 100:.4g}% {method} CI [{lower:.3f}, {upper:.3f}]"
    if method != interval.method:
        ci += (
            f" ({raw.unscored} unscored; scored-only {interval.estimate:.3f} "
            f"[{interval.lower:.3f}, {interval.upper:.3f}])"
        )
    adjusted_text = (
        f"{policy.multiplicity}-adjusted over the {family} rules of the domain"
        if family > 1 and policy.multiplicity != "none"
        else ""
    )
    refusal = (
        raw.corrected.refusal if raw.applied and raw.corrected is not None else None
    )
    if raw.trivial is not None:
        verdict = raw.trivial
        why = f"no rate in [0, 1] can {'avoid' if verdict is Verdict.CROSSED else 'reach'} {rule.describe()}"
    elif evidence is None:
        verdict, why = Verdict.INCONCLUSIVE, f"no evidence for {rule.describe()}"
    elif interval.n == 0:
        verdict, why = Verdict.INCONCLUSIVE, f"no scored samples for {rule.describe()}"
    elif evidence.unscored_share > policy.max_unscored_share:
        verdict = Verdict.INCONCLUSIVE
        why = (
            f"{evidence.unscored_share:.0%} of samples unscored, above the "
            f"{policy.max_unscored_share:.0%} the policy tolerates"
        )
    elif refusal is not None:
        verdict = Verdict.INCONCLUSIVE
        why = f"the correction for scorer error is refused: {refusal}"
    elif p_crossed <= half_alpha:
        verdict, why = Verdict.CROSSED, f"{ci} lies wholly where {rule.describe()}"
        if adjusted_text:
            why += f" (p crossed {p_crossed:.3g} <= {half_alpha:.3g}, {adjusted_text})"
    elif p_safe <= half_alpha:
        if p_alert is not None and p_alert > half_alpha:
            verdict = Verdict.APPROACHING
            why = f"{ci} is safe of the cutoff {rule.cutoff:g} but not of the alert cutoff {rule.alert_cutoff:g}"
        else:
            verdict, why = (
                Verdict.BELOW,
                f"{ci} lies wholly on the safe side of {rule.describe()}",
            )
        if adjusted_text:
            why += f" (p safe {p_safe:.3g} <= {half_alpha:.3g}, {adjusted_text})"
    elif raw.raw_p_safe <= half_alpha and adjusted_text:
        verdict = Verdict.INCONCLUSIVE
        why = (
            f"{ci} lies on the safe side of {rule.describe()}, but not at the level "
            f"the decision needs: p safe {p_safe:.3g} > {half_alpha:.3g}, {adjusted_text}"
        )
    elif raw.p_crossed <= half_alpha and adjusted_text:
        verdict = Verdict.INCONCLUSIVE
        why = (
            f"{ci} lies where {rule.describe()}, but not at the level the decision "
            f"needs: p crossed {p_crossed:.3g} > {half_alpha:.3g}, {adjusted_text}"
        )
    else:
        verdict, why = (
            Verdict.INCONCLUSIVE,
            f"{ci} straddles the cutoff {rule.cutoff:g}",
        )
    return RuleVerdict(
        rule=rule,
        verdict=verdict,
        estimate=None if math.isnan(interval.estimate) else interval.estimate,
        ci_lower=lower,
        ci_upper=upper,
        ci_method=interval.method,
        n=interval.n,
        unscored=evidence.unscored if evidence else 0,
        unscored_reasons=dict(evidence.unscored_reasons) if evidence else {},
        p_crossed=p_crossed,
        p_safe=p_safe,
        p_alert=p_alert,
        explanation=why + _correction_text(raw),
        comparability_key=evidence.comparability_key if evidence else None,
        correction=_correction(raw),
    )


def _correction(raw: _RawTest) -> ScorerCorrection | None:
    corrected, evidence = raw.corrected, raw.evidence
    if corrected is None or evidence is None or evidence.scorer_error is None:
        return None
    error = evidence.scorer_error
    interval, plain = corrected.interval, raw.raw_test.interval
    return ScorerCorrection(
        applied=raw.applied,
        method=(
            f"{interval.method}: rate corrected for {error.scorer}'s sensitivity and "
            "specificity, interval widened for sampling error in the rate and in both"
        ),
        scorer_error=error,
        sensitivity=error.sensitivity,
        specificity=error.specificity,
        estimate=None if math.isnan(interval.estimate) else interval.estimate,
        ci_lower=interval.lower,
        ci_upper=interval.upper,
        raw_estimate=None if math.isnan(plain.estimate) else plain.estimate,
        raw_ci_lower=plain.lower,
        raw_ci_upper=plain.upper,
        raw_ci_method=plain.method,
    )


def _correction_text(raw: _RawTest) -> str:
    corrected, evidence = raw.corrected, raw.evidence
    if corrected is None or evidence is None or evidence.scorer_error is None:
        return ""
    error = evidence.scorer_error
    plain = raw.raw_test.interval
    if raw.applied:
        if plain.n == 0:
            return ""
        return (
            f" (corrected for {error.scorer} error: sensitivity {error.sensitivity:.3f} "
            f"of {error.positives}, specificity {error.specificity:.3f} of {error.negatives}; "
            f"uncorrected {plain.estimate:.3f} [{plain.lower:.3f}, {plain.upper:.3f}])"
        )
    interval = corrected.interval
    if interval.n == 0:
        return ""
    return (
        f" (correction for {error.scorer} error switched off; corrected would be "
        f"{interval.estimate:.3f} [{interval.lower:.3f}, {interval.upper:.3f}])"
    )


def _declared_verdict(
    rule: DeclaredPropertyRule, model_card: Mapping[str, Any] | None
) -> RuleVerdict:
    declared = None if model_card is None else model_card.get(rule.property)
    if model_card is None:
        verdict, why, value = Verdict.INCONCLUSIVE, "no model card was given", None
    elif not isinstance(declared, int | float) or isinstance(declared, bool):
        verdict, why, value = (
            Verdict.INCONCLUSIVE,
            f"the model card declares no number for {rule.property!r}",
            None,
        )
    else:
        value = float(declared)
        crossed = rule.crossed_by(value)
        verdict = Verdict.CROSSED if crossed else Verdict.BELOW
        why = f"the model card declares {rule.property} = {value:g}, {'so' if crossed else 'so not'} {rule.describe()}"
    return RuleVerdict(
        rule=rule,
        verdict=verdict,
        estimate=value,
        ci_lower=value,
        ci_upper=value,
        ci_method="declared",
        n=0,
        unscored=0,
        unscored_reasons={},
        p_crossed=None,
        p_safe=None,
        p_alert=None,
        explanation=why,
        comparability_key=None,
    )


def _adjusted_tests(
    framework: Framework, evidence: Mapping[tuple[str, str], Evidence]
) -> dict[tuple[str, int], tuple[_RawTest, tuple[float, float, float | None], int]]:
    """Raw tests for every evidence rule of every threshold, adjusted per domain.

    With `multiplicity: bh`, crossings get Benjamini-Hochberg (it bounds the share of
    false crossings), but safe-side p-values get Holm: one false "safe" can clear an
    `all` threshold, so a "below" needs family-wise control, which BH does not give.
    """
    policy = framework.decision_policy
    by_domain: dict[str, list[tuple[tuple[str, int], _RawTest]]] = {}
    for threshold in framework.thresholds:
        for index, rule in enumerate(threshold.rules):
            if isinstance(rule, EvidenceRule):
                raw = _RawTest(rule, evidence.get((rule.binding, rule.metric)), policy)
                by_domain.setdefault(threshold.domain, []).append(
                    ((threshold.id, index), raw)
                )
    result: dict[
        tuple[str, int], tuple[_RawTest, tuple[float, float, float | None], int]
    ] = {}
    safe_correction = "holm" if policy.multiplicity == "bh" else policy.multiplicity
    for family in by_domain.values():
        raws = [raw for _, raw in family]
        crossed = adjust([r.p_crossed for r in raws], policy.multiplicity)
        safe = adjust([r.p_safe for r in raws], safe_correction)
        alerts = [r for r in raws if r.p_alert is not None]
        alert_adjusted = dict(
            zip(
                map(id, alerts),
                adjust([r.p_alert or 1.0 for r in alerts], safe_correction),
                strict=True,
            )
        )
        for (key, raw), p_c, p_s in zip(family, crossed, safe, strict=True):
            result[key] = (raw, (p_c, p_s, alert_adjusted.get(id(raw))), len(raws))
    return result


def assess_framework(
    framework: Framework,
    evidence: Iterable[Evidence],
    attestations: Iterable[Attestation] = (),
    model_card: Mapping[str, Any] | None = None,
) -> Assessment:
    """Apply a framework: rule, threshold and domain verdicts, and the decision."""
    by_rule = {(e.suite, e.metric): e for e in evidence}
    tests = _adjusted_tests(framework, by_rule)
    safeguard_status = evaluate_safeguards(framework, by_rule, list(attestations))
    verdicts = []
    for threshold in framework.thresholds:
        rule_verdicts = [
            _evidence_rule_verdict(framework, rule, *tests[(threshold.id, i)])
            if isinstance(rule, EvidenceRule)
            else _declared_verdict(rule, model_card)
            for i, rule in enumerate(threshold.rules)
        ]
        verdicts.append(
            _threshold_verdict(framework, threshold, rule_verdicts, safeguard_status)
        )
    return _decide(framework, tuple(verdicts))


def _evidence_rule_verdict(
    framework: Framework,
    rule: EvidenceRule,
    raw: _RawTest,
    adjusted: tuple[float, float, float | None],
    family: int = 1,
) -> RuleVerdict:
    policy = framework.decision_policy
    sequential = _sequential_verdict(raw, rule_alpha(framework, rule), policy)
    if sequential is not None:
        return sequential
    info = raw.evidence.sequential if raw.evidence else None
    half_alpha = (1 - policy.confidence) / 2
    if info is None:
        return _rule_verdict(raw, adjusted, policy, half_alpha, family)
    # The sequential test did not decide. A fixed-sample interval may decide instead
    # only with the level the sequential test left, and only where the number of
    # samples did not depend on the scores.
    rest = half_alpha * (1 - policy.sequential_share)
    if rest > 0.0:
        # The interval printed is the one this level gives; the p-values are the same.
        at_rest = policy.model_copy(update={"confidence": 1 - 2 * rest})
        fixed = _rule_verdict(
            _RawTest(rule, raw.evidence, at_rest), adjusted, at_rest, rest, family
        )
    else:
        fixed = _rule_verdict(raw, adjusted, policy, rest, family)
    intro = (
        f"sequential test undecided after {info.samples_used} of "
        f"{info.samples_total} samples ({info.reason}); "
    )
    update: dict[str, Any] = {
        "ci_method": f"{fixed.ci_method} (fixed-sample fallback)",
        "explanation": (
            intro + f"fixed-sample test at the remaining level {rest:.3g} per side: "
            f"{fixed.explanation}"
        ),
    }
    safe = fixed.verdict in (Verdict.BELOW, Verdict.APPROACHING)
    if rest <= 0.0 or (safe and not fixed_sample_count(info)):
        why = (
            "the policy leaves no level for a fixed-sample fallback"
            if rest <= 0.0
            else "the stop depended on the scores, so a fixed-sample interval after it "
            "would not hold its level"
        )
        update["verdict"] = (
            Verdict.CROSSED
            if fixed.verdict is Verdict.CROSSED
            else Verdict.INCONCLUSIVE
        )
        update["explanation"] = (
            intro + why + f" (fixed-sample figures: {fixed.explanation})"
        )
    return fixed.model_copy(update=update)


def _threshold_verdict(
    framework: Framework,
    threshold: Threshold,
    rules: list[RuleVerdict],
    safeguard_status: Mapping[str, SafeguardStatus],
) -> ThresholdVerdict:
    policy = framework.decision_policy
    verdict = _combine(threshold.combine, [r.verdict for r in rules])
    deciding = (
        next(r for r in rules if r.verdict is verdict)
        if any(r.verdict is verdict for r in rules)
        else rules[0]
    )
    counted_as = (
        Verdict(policy.inconclusive_as) if verdict is Verdict.INCONCLUSIVE else verdict
    )
    safeguards = tuple(safeguard_status[s] for s in threshold.required_safeguards)
    outcome, consequence = _outcome(threshold, counted_as, safeguards)
    trail = [
        f"rule {r.rule.describe()}: {r.verdict.value}: {r.explanation}"
        + _p_text(r, policy)
        for r in rules
    ]
    if len(rules) > 1:
        trail.append(f"rules combined with `{threshold.combine}`: {verdict.value}")
    if verdict is Verdict.INCONCLUSIVE:
        clause = (
            "precautionary default" if policy.inconclusive_as == "crossed" else "policy"
        )
        trail.append(
            f"decision_policy.inconclusive_as = {policy.inconclusive_as} ({clause}): counted as {counted_as.value}"
        )
    if framework.domain(threshold.domain).status == "research":
        trail.append(
            f"domain {threshold.domain} is a research domain: reported, does not bind the decision"
        )
    trail.append(consequence)
    return ThresholdVerdict(
        threshold_id=threshold.id,
        domain=threshold.domain,
        name=threshold.name,
        level=threshold.level.label if threshold.level else None,
        severity=threshold.severity,
        rule=deciding.rule,
        estimate=deciding.estimate,
        ci_lower=deciding.ci_lower,
        ci_upper=deciding.ci_upper,
        ci_method=deciding.ci_method,
        confidence=policy.confidence,
        n=deciding.n,
        unscored=deciding.unscored,
        unscored_reasons=deciding.unscored_reasons,
        verdict=verdict,
        counted_as=counted_as,
        explanation=deciding.explanation,
        comparability_key=deciding.comparability_key,
        correction=deciding.correction,
        rules=tuple(rules),
        safeguards=safeguards,
        outcome=outcome
        if framework.domain(threshold.domain).status == "tracked"
        else Decision.DEPLOY,
        trail=tuple(trail),
    )


def _p_text(rule: RuleVerdict, policy: DecisionPolicy) -> str:
    if rule.p_crossed is None or rule.p_safe is None:
        return ""
    return f" (p crossed {rule.p_crossed:.3g}, p safe {rule.p_safe:.3g}, {policy.multiplicity}-adjusted within the domain)"


def _outcome(
    threshold: Threshold, counted_as: Verdict, safeguards: tuple[SafeguardStatus, ...]
) -> tuple[Decision, str]:
    if counted_as is not Verdict.CROSSED:
        return (
            Decision.DEPLOY,
            f"counted as {counted_as.value}: no restriction from {threshold.id}",
        )
    evidenced = bool(safeguards) and all(s.evidenced for s in safeguards)
    listing = (
        ", ".join(
            f"{s.id} ({'evidenced' if s.evidenced else 'not evidenced'})"
            for s in safeguards
        )
        or "none declared"
    )
    if threshold.severity is Severity.REQUIRES_SAFEGUARDS:
        return (
            Decision.DEPLOY_WITH_SAFEGUARDS,
            f"requires safeguards: {listing}: deploy only with them",
        )
    if evidenced:
        return (
            Decision.DEPLOY_WITH_SAFEGUARDS,
            f"intolerable unless mitigated; required safeguards evidenced: {listing}",
        )
    if "further_training" in threshold.applies_to:
        return (
            Decision.HALT_DEVELOPMENT,
            f"intolerable, safeguards not evidenced ({listing}), applies to further training: halt development",
        )
    return (
        Decision.DO_NOT_DEPLOY,
        f"intolerable, safeguards not evidenced ({listing}): do not deploy",
    )


def _decide(framework: Framework, verdicts: tuple[ThresholdVerdict, ...]) -> Assessment:
    decision = max(
        (v.outcome for v in verdicts),
        key=_DECISION_ORDER.index,
        default=Decision.DEPLOY,
    )
    reasons = []
    for v in verdicts:
        if v.outcome is Decision.DEPLOY:
            continue
        status = (
            "inconclusive, counted as crossed by precaution"
            if v.verdict is Verdict.INCONCLUSIVE
            else "crossed"
        )
        reasons.append(
            f"{v.threshold_id} [{v.severity.value}] {status}: {v.explanation}; {v.trail[-1]}"
        )
    for v in verdicts:
        if v.verdict is Verdict.APPROACHING:
            reasons.append(
                f"{v.threshold_id} approaching (early warning): {v.explanation}"
            )
    if not reasons:
        reasons.append("every threshold is below its cutoff at the policy's confidence")
    crossed = [v for v in verdicts if v.outcome is not Decision.DEPLOY]
    required = dict.fromkeys(s.id for v in crossed for s in v.safeguards)
    outstanding = dict.fromkeys(
        s.id for v in crossed for s in v.safeguards if not s.evidenced
    )
    domains = tuple(
        DomainVerdict(
            domain=d.id,
            status=d.status,
            verdict=_worst(v.verdict for v in verdicts if v.domain == d.id),
            thresholds=tuple(v.threshold_id for v in verdicts if v.domain == d.id),
        )
        for d in framework.domains
        if any(v.domain == d.id for v in verdicts)
    )
    return Assessment(
        verdicts=verdicts,
        domains=domains,
        decision=decision,
        reasons=tuple(reasons),
        required_safeguards=tuple(required),
        outstanding_safeguards=tuple(outstanding),
    )


def compute_verdict(
    threshold: Threshold, evidence: Evidence | None, policy: DecisionPolicy
) -> ThresholdVerdict:
    """Verdict on one threshold alone (no multiplicity family), e.g. for simulations."""
    from redline.frameworks._model import RiskDomain

    framework = Framework(
        id="single",
        name="single threshold",
        version="1",
        decision_policy=policy,
        domains=(RiskDomain(id=threshold.domain),),
        thresholds=(threshold.model_copy(update={"required_safeguards": ()}),),
    )
    found = [evidence] if evidence is not None else []
    return assess_framework(framework, found).verdicts[0]


__all__ = [
    "Assessment",
    "Decision",
    "DomainVerdict",
    "Rule",
    "RuleVerdict",
    "ScorerCorrection",
    "ThresholdVerdict",
    "Verdict",
    "assess_framework",
    "compute_verdict",
]
