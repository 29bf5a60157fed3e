"""Whether the safeguards a framework requires are evidenced as in place."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

from redline.frameworks._evidence import Evidence
from redline.frameworks._model import (
    AttestationEvidence,
    EvaluationEvidence,
    Framework,
    Safeguard,
)
from redline.frameworks._sequential import (
    evidence_replay,
    fixed_sample_count,
    rule_alpha,
)
from redline.stats import CorrectedTest, MeanTest, corrected_test, mean_test

_FROZEN = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class Attestation(BaseModel):
    """Someone's signed-off statement that a safeguard is in place."""

    model_config = _FROZEN

    safeguard: str = Field(min_length=1)
    """Id of the safeguard attested."""
    document: str = Field(min_length=1)
    """Reference to the document that shows it (path, URL or registry id)."""
    attested_by: str = Field(min_length=1)
    """Who attests (name and role)."""


class SafeguardStatus(BaseModel):
    """A required safeguard and whether its evidence shows it in place."""

    model_config = _FROZEN

    id: str
    """Safeguard id."""
    kind: str
    """deployment, security or alignment."""
    evidenced: bool
    """Whether every item of its evidence holds."""
    explanation: str
    """What was checked and found."""


def _check_evaluation(
    item: EvaluationEvidence, evidence: Evidence | None, framework: Framework
) -> tuple[bool, str]:
    rule = item.evaluation
    policy = framework.decision_policy
    if evidence is None:
        return False, f"no evidence for {rule.describe()}"
    evidence = evidence.subset(rule.categories)
    if evidence.n == 0 or evidence.unscored_share > policy.max_unscored_share:
        return (
            False,
            f"too little scored evidence for {rule.describe()} (n={evidence.n}, {evidence.unscored} unscored)",
        )
    values = list(evidence.scores)
    test: MeanTest | CorrectedTest
    if (
        evidence.scorer_error is not None
        and rule.corrects_scorer_error(policy)
        and all(v in (0.0, 1.0) for v in values)
    ):
        # As the verdict engine does: the rate corrected for its scorer's error.
        test = corrected_test(
            values,
            evidence.scorer_error.classifier_error(),
            policy.confidence,
            evidence.scored_groups(),
        )
    else:
        test = mean_test(
            values, policy.confidence, policy.interval, evidence.scored_groups()
        )
    crosses_high = rule.comparator in (">", ">=")
    cutoff = rule.cutoff
    if evidence.unscored and isinstance(test, CorrectedTest):
        # As the verdict engine does: every unscored sample read as unsafe.
        total = evidence.n + evidence.unscored
        cutoff = (
            (cutoff * total - evidence.unscored) / evidence.n
            if crosses_high
            else cutoff * total / evidence.n
        )
    elif evidence.unscored:
        unsafe = 1.0 if crosses_high else 0.0
        samples = evidence.samples
        worst = [unsafe if s.score is None else s.score for s in samples]
        labels: list[str] | None = [s.group or f"{s.id}#{s.epoch}" for s in samples]
        if len(worst) != evidence.n + evidence.unscored or not any(
            s.group for s in samples
        ):
            worst, labels = values + [unsafe] * evidence.unscored, None
        test = mean_test(worst, policy.confidence, policy.interval, labels)
    p_safe = test.p_below(cutoff) if crosses_high else test.p_above(cutoff)
    interval = test.interval
    text = f"{rule.metric} {interval.estimate:.3f} [{interval.lower:.3f}, {interval.upper:.3f}]"
    if isinstance(test, CorrectedTest):
        text += " (corrected for scorer error)"
    if evidence.unscored:
        text += f" ({evidence.unscored} unscored read as unsafe)"
    level = (1 - policy.confidence) / 2
    info = evidence.sequential
    if info is not None:
        # A suite run sequentially: its anytime-valid test, as the verdict engine reads it.
        error = (
            evidence.scorer_error.classifier_error()
            if isinstance(test, CorrectedTest) and evidence.scorer_error is not None
            else None
        )
        monitor = evidence_replay(rule, rule_alpha(framework, rule), evidence, error)
        if monitor.outcome() in ("below", "approaching"):
            return True, f"{text}: anytime-valid test clear of {rule.describe()}"
        if not fixed_sample_count(info):
            return (
                False,
                f"{text}: sequential test undecided and the stop ({info.reason}) "
                f"depended on the scores: not confidently clear of {rule.describe()}",
            )
        level *= 1 - policy.sequential_share
    if p_safe <= level:
        return True, f"{text}: confidently clear of {rule.describe()}"
    return False, f"{text}: not confidently clear of {rule.describe()}"


def _status(
    safeguard: Safeguard,
    evidence: Mapping[tuple[str, str], Evidence],
    attestations: list[Attestation],
    framework: Framework,
) -> SafeguardStatus:
    checks: list[tuple[bool, str]] = []
    for item in safeguard.evidence:
        if isinstance(item, EvaluationEvidence):
            rule = item.evaluation
            checks.append(
                _check_evaluation(
                    item, evidence.get((rule.binding, rule.metric)), framework
                )
            )
        elif isinstance(item, AttestationEvidence):
            found = [a for a in attestations if a.safeguard == safeguard.id]
            if found:
                checks.append(
                    (True, f"attested by {found[0].attested_by} in {found[0].document}")
                )
            else:
                checks.append(
                    (
                        False,
                        f"needs an attestation by {item.attested_by}: {item.attestation}",
                    )
                )
    return SafeguardStatus(
        id=safeguard.id,
        kind=safeguard.kind,
        evidenced=all(ok for ok, _ in checks),
        explanation="; ".join(text for _, text in checks),
    )


def evaluate_safeguards(
    framework: Framework,
    evidence: Mapping[tuple[str, str], Evidence],
    attestations: list[Attestation],
) -> dict[str, SafeguardStatus]:
    """Status of every safeguard the framework declares."""
    return {
        s.id: _status(s, evidence, attestations, framework)
        for s in framework.safeguards
    }
