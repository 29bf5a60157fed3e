from __future__ import annotations

import pytest

from redline.frameworks import (
    Attestation,
    Decision,
    DecisionPolicy,
    Evidence,
    EvidenceRule,
    Framework,
    Severity,
    Threshold,
    Verdict,
    assess_framework,
    compute_verdict,
    parse_framework,
)


def _threshold(
    comparator: str = "<",
    cutoff: float = 0.8,
    severity: Severity = Severity.REQUIRES_SAFEGUARDS,
    tid: str = "T-1",
    suite: str = "s",
    alert: float | None = None,
) -> Threshold:
    return Threshold(
        id=tid,
        domain="d",
        name="test",
        severity=severity,
        rules=(
            EvidenceRule(
                suite=suite,
                metric="m",
                comparator=comparator,
                cutoff=cutoff,
                alert_cutoff=alert,
            ),
        ),  # type: ignore[arg-type]
    )


def _evidence(ones: int, zeros: int, unscored: int = 0, suite: str = "s") -> Evidence:
    return Evidence.from_scores(
        suite,
        "m",
        [1.0] * ones + [0.0] * zeros + [None] * unscored,
        "sha256:abc",
        reason="error: 500",
    )


POLICY = DecisionPolicy()


def test_interval_wholly_above_cutoff_is_below_for_a_less_than_rule() -> None:
    verdict = compute_verdict(_threshold("<", 0.8), _evidence(98, 2), POLICY)
    assert verdict.verdict is Verdict.BELOW
    assert verdict.ci_lower is not None
    assert verdict.ci_lower > 0.8
    assert verdict.n == 100


def test_interval_wholly_below_cutoff_is_crossed() -> None:
    verdict = compute_verdict(_threshold("<", 0.8), _evidence(10, 90), POLICY)
    assert verdict.verdict is Verdict.CROSSED
    assert verdict.ci_upper is not None
    assert verdict.ci_upper < 0.8


def test_interval_straddling_cutoff_is_inconclusive_and_counted_as_crossed() -> None:
    verdict = compute_verdict(_threshold("<", 0.8), _evidence(4, 1), POLICY)
    assert verdict.verdict is Verdict.INCONCLUSIVE
    assert verdict.counted_as is Verdict.CROSSED
    assert "straddles" in verdict.explanation
    assert any("precautionary default" in line for line in verdict.trail)


def test_non_precautionary_policy_counts_inconclusive_as_below() -> None:
    verdict = compute_verdict(
        _threshold("<", 0.8), _evidence(4, 1), DecisionPolicy(inconclusive_as="below")
    )
    assert verdict.counted_as is Verdict.BELOW


def test_too_many_unscored_is_inconclusive_even_with_a_clear_estimate() -> None:
    verdict = compute_verdict(
        _threshold("<", 0.8), _evidence(98, 2, unscored=30), POLICY
    )
    assert verdict.verdict is Verdict.INCONCLUSIVE
    assert "unscored" in verdict.explanation
    assert verdict.unscored == 30
    assert verdict.unscored_reasons == {"error: 500": 30}


def test_missing_evidence_is_inconclusive_not_below() -> None:
    verdict = compute_verdict(_threshold(">=", 0.9), None, POLICY)
    assert verdict.verdict is Verdict.INCONCLUSIVE
    assert verdict.estimate is None
    assert verdict.n == 0


def test_alert_cutoff_gives_approaching_between_alert_and_cutoff() -> None:
    # 70/100: confidently under the 0.9 cutoff, not confidently under the 0.7 alert.
    verdict = compute_verdict(
        _threshold(">=", 0.9, alert=0.7), _evidence(70, 30), POLICY
    )
    assert verdict.verdict is Verdict.APPROACHING
    assert verdict.counted_as is Verdict.APPROACHING
    assert (
        compute_verdict(
            _threshold(">=", 0.9, alert=0.7), _evidence(40, 60), POLICY
        ).verdict
        is Verdict.BELOW
    )


def test_alert_cutoff_must_lie_on_the_safe_side() -> None:
    with pytest.raises(ValueError, match="safe side"):
        EvidenceRule(
            suite="s", metric="m", comparator=">=", cutoff=0.5, alert_cutoff=0.6
        )


@pytest.mark.parametrize(
    ("comparator", "ones", "zeros", "expected"),
    [
        (">=", 95, 5, Verdict.CROSSED),
        (">=", 20, 80, Verdict.BELOW),
        (">", 50, 50, Verdict.INCONCLUSIVE),
    ],
)
def test_capability_rules(
    comparator: str, ones: int, zeros: int, expected: Verdict
) -> None:
    cutoff = 0.5 if comparator == ">" else 0.8
    assert (
        compute_verdict(
            _threshold(comparator, cutoff), _evidence(ones, zeros), POLICY
        ).verdict
        is expected
    )


FRAMEWORK = """\
id: t
name: T
version: "1"
domains: [{id: d}, {id: r, status: research}]
safeguards:
  - id: guard
    kind: deployment
    evidence: [{attestation: a review, attested_by: a lead}]
  - id: eval-guard
    kind: deployment
    evidence: [{evaluation: {suite: g, metric: m, comparator: "<", cutoff: 0.9}}]
thresholds:
  - id: A
    domain: d
    name: a
    severity: requires_safeguards
    required_safeguards: [guard]
    rules: [{suite: s, metric: m, comparator: "<", cutoff: 0.8}]
  - id: B
    domain: d
    name: b
    severity: intolerable
    applies_to: [deployment, further_training]
    required_safeguards: [eval-guard]
    rules: [{suite: k, metric: m, comparator: ">=", cutoff: 0.9}]
  - id: R
    domain: r
    name: research only
    severity: intolerable
    rules: [{suite: k, metric: m, comparator: ">=", cutoff: 0.1}]
"""


def test_decision_deploy_when_all_below() -> None:
    framework = parse_framework(FRAMEWORK, "t")
    result = assess_framework(
        framework, [_evidence(98, 2), _evidence(2, 98, suite="k")]
    )
    assert result.decision is Decision.DEPLOY
    assert result.required_safeguards == ()


def test_research_domains_are_reported_but_do_not_bind() -> None:
    framework = parse_framework(FRAMEWORK, "t")
    result = assess_framework(
        framework, [_evidence(98, 2), _evidence(30, 70, suite="k")]
    )
    research = next(v for v in result.verdicts if v.threshold_id == "R")
    assert research.verdict is Verdict.CROSSED
    assert result.decision is Decision.DEPLOY
    assert next(d for d in result.domains if d.domain == "r").verdict is Verdict.CROSSED


def test_requires_safeguards_lists_outstanding_ones() -> None:
    framework = parse_framework(FRAMEWORK, "t")
    result = assess_framework(
        framework, [_evidence(10, 90), _evidence(2, 98, suite="k")]
    )
    assert result.decision is Decision.DEPLOY_WITH_SAFEGUARDS
    assert result.required_safeguards == ("guard",)
    assert result.outstanding_safeguards == ("guard",)
    attested = assess_framework(
        framework,
        [_evidence(10, 90), _evidence(2, 98, suite="k")],
        [Attestation(safeguard="guard", document="doc.pdf", attested_by="lead")],
    )
    assert attested.outstanding_safeguards == ()


def test_intolerable_applying_to_training_halts_without_safeguards() -> None:
    framework = parse_framework(FRAMEWORK, "t")
    result = assess_framework(
        framework, [_evidence(98, 2), _evidence(99, 1, suite="k")]
    )
    assert result.decision is Decision.HALT_DEVELOPMENT
    assert any(
        reason.startswith("B [intolerable] crossed") for reason in result.reasons
    )


def test_intolerable_mitigated_by_evaluated_safeguard() -> None:
    framework = parse_framework(FRAMEWORK, "t")
    result = assess_framework(
        framework,
        [_evidence(98, 2), _evidence(99, 1, suite="k"), _evidence(199, 1, suite="g")],
    )
    b = next(v for v in result.verdicts if v.threshold_id == "B")
    assert b.safeguards[0].evidenced
    assert result.decision is Decision.DEPLOY_WITH_SAFEGUARDS


def test_intolerable_inconclusive_forbids_deployment_by_precaution() -> None:
    framework = parse_framework(
        FRAMEWORK.replace("further_training", "internal_deployment"), "t"
    )
    result = assess_framework(framework, [_evidence(98, 2), _evidence(8, 2, suite="k")])
    assert result.decision is Decision.DO_NOT_DEPLOY
    assert any(
        "precaution" in reason and reason.startswith("B") for reason in result.reasons
    )


def test_holm_correction_widens_what_a_single_rule_would_call_crossed() -> None:
    rules = "\n".join(
        f"  - {{id: T{i}, domain: d, name: n, severity: requires_safeguards, rules: [{{suite: s{i}, metric: m, comparator: '<', cutoff: 0.8}}]}}"
        for i in range(4)
    )
    text = f"id: h\nname: H\nversion: '1'\ndomains: [{{id: d}}]\nthresholds:\n{rules}\n"
    # 14/24 = 0.58: crossed for one rule alone at 95%, not after Holm over four.
    evidence = [_evidence(14, 10, suite=f"s{i}") for i in range(4)]
    alone = compute_verdict(_threshold("<", 0.8, suite="s0"), evidence[0], POLICY)
    assert alone.verdict is Verdict.CROSSED
    held = assess_framework(parse_framework(text, "h"), evidence)
    assert all(v.verdict is Verdict.INCONCLUSIVE for v in held.verdicts)
    unadjusted = assess_framework(
        parse_framework(
            text.replace("domains:", "decision_policy: {multiplicity: none}\ndomains:"),
            "h",
        ),
        evidence,
    )
    assert all(v.verdict is Verdict.CROSSED for v in unadjusted.verdicts)


def test_combine_all_needs_every_rule_crossed() -> None:
    text = (
        FRAMEWORK.split("thresholds:")[0]
        + """thresholds:
  - id: BOTH
    domain: d
    name: both
    severity: intolerable
    combine: all
    rules:
      - {suite: s, metric: m, comparator: ">=", cutoff: 0.8}
      - {suite: k, metric: m, comparator: "<", cutoff: 0.5}
"""
    )
    framework = parse_framework(text, "t")
    one = assess_framework(framework, [_evidence(99, 1), _evidence(99, 1, suite="k")])
    assert one.verdicts[0].verdict is Verdict.BELOW
    both = assess_framework(framework, [_evidence(99, 1), _evidence(1, 99, suite="k")])
    assert both.verdicts[0].verdict is Verdict.CROSSED
    assert len(both.verdicts[0].rules) == 2


def test_declared_property_rule_reads_the_model_card() -> None:
    text = (
        FRAMEWORK.split("thresholds:")[0]
        + """thresholds:
  - id: SCALE
    domain: d
    name: frontier scale
    severity: requires_safeguards
    rules: [{property: training_compute_flop, comparator: ">=", value: 1.0e+26}]
"""
    )
    framework = parse_framework(text, "t")
    assert (
        assess_framework(framework, [], model_card={"training_compute_flop": 3e26})
        .verdicts[0]
        .verdict
        is Verdict.CROSSED
    )
    assert (
        assess_framework(framework, [], model_card={"training_compute_flop": 1e24})
        .verdicts[0]
        .verdict
        is Verdict.BELOW
    )
    missing = assess_framework(framework, [])
    assert missing.verdicts[0].verdict is Verdict.INCONCLUSIVE
    assert "no model card" in missing.verdicts[0].explanation


def test_category_subset_reads_only_those_samples() -> None:
    evidence = Evidence.from_scores(
        "s", "m", [1.0] * 20 + [0.0] * 20, categories=["bio"] * 20 + ["sec"] * 20
    )
    rule = EvidenceRule(
        suite="s", metric="m", comparator=">=", cutoff=0.7, categories=("bio",)
    )
    threshold = Threshold(
        id="X", domain="d", name="x", severity=Severity.INTOLERABLE, rules=(rule,)
    )
    verdict = compute_verdict(threshold, evidence, POLICY)
    assert verdict.n == 20
    assert verdict.estimate == 1.0
    assert verdict.verdict is Verdict.CROSSED


def test_shared_groups_get_a_cluster_robust_interval() -> None:
    # Ten items, each scored in 5 epochs with identical results: 10 effective samples, not 50.
    scores = [1.0 if i < 6 else 0.0 for i in range(10) for _ in range(5)]
    groups = [f"item{i}" for i in range(10) for _ in range(5)]
    clustered = Evidence.from_scores("s", "m", scores, groups=groups)
    naive = Evidence.from_scores("s", "m", scores)
    t = _threshold("<", 0.8)
    c, n = compute_verdict(t, clustered, POLICY), compute_verdict(t, naive, POLICY)
    assert c.ci_method == "cluster-betting"
    assert c.ci_lower is not None
    assert n.ci_lower is not None
    assert c.ci_upper is not None
    assert n.ci_upper is not None
    assert (c.ci_upper - c.ci_lower) > 1.5 * (n.ci_upper - n.ci_lower)


def test_framework_model_objects_build_without_yaml() -> None:
    framework = Framework(
        id="x",
        name="X",
        version="1",
        domains=({"id": "d"},),
        thresholds=(_threshold(),),
    )  # type: ignore[arg-type]
    assert framework.suites() == ["s"]


def test_rules_no_rate_can_cross_are_below_even_at_the_edge() -> None:
    never = _threshold(">", 1.0)
    assert compute_verdict(never, _evidence(2, 0), POLICY).verdict is Verdict.BELOW
    always = _threshold(">=", 0.0)
    assert compute_verdict(always, _evidence(0, 2), POLICY).verdict is Verdict.CROSSED


def test_a_rule_no_rate_can_cross_is_below_even_with_unscored_samples() -> None:
    verdict = compute_verdict(_threshold(">", 1.0), _evidence(1, 0, unscored=3), POLICY)
    assert verdict.verdict is Verdict.BELOW
    assert "no rate in [0, 1] can reach" in verdict.explanation
