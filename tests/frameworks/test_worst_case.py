"""A "below" verdict holds its stated error rate at the worst case, on every path.

Each test pins one counterexample of the statistical review (issue 14, DESIGN.md's
issue 10): the true rate sits on the crossed side (at the cutoff, the worst case),
and the engine must call it "below" at most 2.5% of the time at 95% confidence.
Simulated rates carry a Monte Carlo allowance of two standard errors.
"""

from __future__ import annotations

import math
from itertools import product

import numpy as np
import pytest
from scipy.stats import binom

from redline.frameworks import (
    DecisionPolicy,
    Evidence,
    EvidenceRule,
    Framework,
    ScorerError,
    SequentialInfo,
    Threshold,
    Verdict,
    assess_framework,
    compute_verdict,
)
from redline.frameworks._model import RiskDomain
from redline.frameworks._verdict import _combine
from redline.stats import (
    confidence_sequence,
    error_bounds,
    exact_interval,
    mcnemar,
    mean_test,
    paired_bootstrap,
)

POLICY = DecisionPolicy()
LEVEL = 0.025
SAFE = (Verdict.BELOW, Verdict.APPROACHING)


def _rule(metric: str, comparator: str, cutoff: float, **kw: object) -> EvidenceRule:
    return EvidenceRule(
        suite="s",
        metric=metric,
        comparator=comparator,
        cutoff=cutoff,
        **kw,
    )


def _threshold(*rules: EvidenceRule, combine: str = "any", tid: str = "T") -> Threshold:
    return Threshold(
        id=tid,
        domain="d",
        name=tid,
        severity="intolerable",
        combine=combine,
        rules=rules,
    )


def _framework(*thresholds: Threshold, policy: DecisionPolicy = POLICY) -> Framework:
    return Framework(
        id="f",
        name="f",
        version="1",
        decision_policy=policy,
        domains=(RiskDomain(id="d"),),
        thresholds=thresholds,
    )


def _counts(successes: int, n: int, metric: str = "m") -> Evidence:
    scores = (1.0,) * successes + (0.0,) * (n - successes)
    return Evidence(suite="s", metric=metric, scores=scores, comparability_key="")


def _holds(hits: int, reps: int) -> bool:
    rate = hits / reps
    return rate <= LEVEL + 2 * math.sqrt(LEVEL * (1 - LEVEL) / reps)


def _items(
    rng: np.random.Generator, items: int, size: int, rate: float, icc: float
) -> tuple[list[float | None], list[str]]:
    if icc >= 1.0:
        item_rates = (rng.random(items) < rate).astype(float)
    else:
        total = 1 / icc - 1
        item_rates = rng.beta(rate * total, (1 - rate) * total, items)
    scores = (rng.random((items, size)) < item_rates[:, None]).astype(float)
    values: list[float | None] = [float(v) for v in scores.ravel()]
    return values, [f"i{i}" for i in range(items) for _ in range(size)]


# 1. Unscored samples may hide the unsafe outcome.


def test_unscored_samples_are_read_as_unsafe_on_the_safe_side() -> None:
    # 170 refusals scored; the 30 compliances went unscored (15%, under the 20% cap).
    evidence = Evidence.from_scores("s", "refusal_rate", [1.0] * 170 + [None] * 30)
    verdict = compute_verdict(
        _threshold(_rule("refusal_rate", "<", 0.9)), evidence, POLICY
    )
    assert verdict.verdict is Verdict.INCONCLUSIVE
    assert verdict.ci_lower is not None
    # The worst-case bound: all 30 unscored refused nothing, so the rate may be 0.85.
    assert verdict.ci_lower <= 0.85
    # The scored-only estimate stays in the report beside it.
    assert verdict.estimate == 1.0
    assert "scored-only 1.000" in verdict.explanation
    assert "30 unscored" in verdict.explanation


def test_unscored_samples_are_read_as_unsafe_by_the_sequential_test_too() -> None:
    scores: list[float | None] = [1.0] * 170 + [None] * 30
    np.random.default_rng(1).shuffle(scores)
    evidence = Evidence.from_scores("s", "refusal_rate", scores).model_copy(
        update={
            "sequential": SequentialInfo(
                stopped_early=False,
                reason="dataset exhausted",
                decided=False,
                samples_used=200,
                samples_total=200,
            )
        }
    )
    verdict = compute_verdict(
        _threshold(_rule("refusal_rate", "<", 0.9)), evidence, POLICY
    )
    assert verdict.verdict not in SAFE


def test_unscored_samples_that_hide_unsafe_replies_keep_the_level() -> None:
    rng = np.random.default_rng(11)
    threshold = _threshold(_rule("refusal_rate", "<", 0.9))
    reps, hits = 300, 0
    for _ in range(reps):
        refused = rng.random(200) < 0.9
        hidden = ~refused & (rng.random(200) < 0.6)
        scores = [None if h else float(r) for r, h in zip(refused, hidden, strict=True)]
        evidence = Evidence.from_scores("s", "refusal_rate", scores)
        hits += compute_verdict(threshold, evidence, POLICY).verdict in SAFE
    assert _holds(hits, reps), hits / reps


# 2. Few clusters.


def test_two_clusters_never_look_like_six_independent_samples() -> None:
    evidence = Evidence.from_scores(
        "s", "attack_success_rate", [0.0] * 6, groups=["a"] * 3 + ["b"] * 3
    )
    rule = _rule("attack_success_rate", ">=", 0.3)
    verdict = compute_verdict(_threshold(rule), evidence, POLICY)
    assert verdict.verdict is Verdict.INCONCLUSIVE
    assert verdict.ci_upper is not None
    # Never narrower than the exact binomial interval at two observations.
    assert verdict.ci_upper >= exact_interval(0, 2).upper


@pytest.mark.parametrize(("items", "size"), [(2, 3), (4, 7), (10, 7)])
def test_heterogeneous_clusters_keep_the_level(items: int, size: int) -> None:
    rng = np.random.default_rng(items * 100 + size)
    threshold = _threshold(_rule("attack_success_rate", ">=", 0.3))
    reps, hits = 300, 0
    for _ in range(reps):
        scores, groups = _items(rng, items, size, 0.3, 0.3)
        evidence = Evidence.from_scores(
            "s", "attack_success_rate", scores, groups=groups
        )
        hits += compute_verdict(threshold, evidence, POLICY).verdict in SAFE
    assert _holds(hits, reps), hits / reps


def test_the_scorer_corrected_path_keeps_the_level_with_clusters() -> None:
    rng = np.random.default_rng(47)
    threshold = _threshold(_rule("attack_success_rate", ">=", 0.5))
    error = ScorerError(
        scorer="judge",
        positive_label="complied",
        true_positives=95,
        positives=100,
        true_negatives=95,
        negatives=100,
    )
    reps, hits = 200, 0
    for _ in range(reps):
        truth, groups = _items(rng, 4, 7, 0.5, 0.3)
        flip = rng.random(len(truth))
        labels: list[float | None] = [
            float(f < 0.95) if t == 1.0 else float(f >= 0.95)
            for t, f in zip(truth, flip, strict=True)
        ]
        evidence = Evidence.from_scores(
            "s", "attack_success_rate", labels, groups=groups, scorer_error=error
        )
        hits += compute_verdict(threshold, evidence, POLICY).verdict in SAFE
    assert _holds(hits, reps), hits / reps


# 3. Sequential tests on grouped samples.


def _sequential(evidence: Evidence, used: int, total: int, **info: object) -> Evidence:
    details = {
        "stopped_early": used < total,
        "reason": "every rule decided" if used < total else "dataset exhausted",
        "decided": False,
        "samples_used": used,
        "samples_total": total,
    } | info
    return evidence.model_copy(update={"sequential": SequentialInfo(**details)})


def test_epochs_replayed_back_to_back_are_one_observation_per_item() -> None:
    rng = np.random.default_rng(5)
    threshold = _threshold(_rule("attack_success_rate", ">=", 0.3))
    reps, hits = 150, 0
    for _ in range(reps):
        scores, groups = _items(rng, 40, 5, 0.3, 1.0)  # deterministic items, 5 epochs
        evidence = Evidence.from_scores(
            "s", "attack_success_rate", scores, groups=groups
        )
        evidence = _sequential(evidence, len(scores), len(scores))
        hits += compute_verdict(threshold, evidence, POLICY).verdict in SAFE
    assert _holds(hits, reps), hits / reps


# 4. The fallback after an undecided sequential test.


def test_the_fixed_sample_fallback_only_spends_the_level_the_sequential_test_left() -> (
    None
):
    # 271 of 1,000 at a cutoff of 0.3: exact one-sided p 0.0245, below at the full
    # level, not at the half the sequential test leaves. The betting test is undecided.
    scores = [1.0] * 271 + [0.0] * 729
    np.random.default_rng(7).shuffle(scores)
    evidence = _sequential(
        Evidence(suite="s", metric="m", scores=tuple(scores), comparability_key=""),
        1000,
        1000,
    )
    verdict = compute_verdict(_threshold(_rule("m", ">=", 0.3)), evidence, POLICY)
    assert verdict.verdict is Verdict.INCONCLUSIVE
    assert "remaining level 0.0125" in verdict.explanation
    alone = compute_verdict(
        _threshold(_rule("m", ">=", 0.3)), _counts(271, 1000), POLICY
    )
    assert alone.verdict is Verdict.BELOW


def test_no_fixed_sample_fallback_after_a_stop_that_followed_the_scores() -> None:
    scores = [1.0] * 42 + [0.0] * 158
    np.random.default_rng(2).shuffle(scores)
    stopped = Evidence(
        suite="s", metric="m", scores=tuple(scores), comparability_key=""
    )
    threshold = _threshold(_rule("m", ">=", 0.3))
    # 42 of 200 against 0.3: below from a fixed sample of 200 alone (exact p 0.003),
    # and the betting test, in this order, is undecided.
    assert compute_verdict(threshold, stopped, POLICY).verdict is Verdict.BELOW
    evidence = _sequential(stopped, 200, 1000, reason="token budget of 5000 reached")
    verdict = compute_verdict(threshold, evidence, POLICY)
    assert verdict.verdict is Verdict.INCONCLUSIVE
    assert "depended on the scores" in verdict.explanation
    # Nor when the live monitor decided (its stop followed the scores) and the replay did not.
    decided = _sequential(stopped, 200, 1000, reason="every rule decided")
    assert compute_verdict(threshold, decided, POLICY).verdict is Verdict.INCONCLUSIVE
    budget = _sequential(stopped, 200, 1000, reason="sample budget of 200 reached")
    assert compute_verdict(threshold, budget, POLICY).verdict is Verdict.BELOW


# 5. Each tail of the binary test holds.


@pytest.mark.parametrize(
    ("comparator", "cutoff"), [(">=", 0.95), ("<", 0.05), (">=", 0.05), ("<", 0.95)]
)
def test_each_tail_holds_near_0_and_1(comparator: str, cutoff: float) -> None:
    threshold = _threshold(_rule("m", comparator, cutoff))
    for n in range(5, 31):
        pmf = binom.pmf(np.arange(n + 1), n, cutoff)
        false_below = sum(
            pmf[k]
            for k in range(n + 1)
            if compute_verdict(threshold, _counts(k, n), POLICY).verdict in SAFE
        )
        assert false_below <= LEVEL, (n, false_below)


def test_five_of_seven_is_not_below_095() -> None:
    verdict = compute_verdict(_threshold(_rule("m", ">=", 0.95)), _counts(5, 7), POLICY)
    assert verdict.verdict is Verdict.INCONCLUSIVE
    assert verdict.ci_method == "exact"


# 6. Non-binary scores.


def test_graded_scores_at_the_cutoff_keep_the_level() -> None:
    rng = np.random.default_rng(3)
    threshold = _threshold(_rule("m", ">=", 0.1))
    reps, hits = 300, 0
    for _ in range(reps):
        draw = rng.random(10)
        scores = np.where(draw < 0.05, 1.0, np.where(draw < 0.55, 0.1, 0.0))
        evidence = Evidence.from_scores("s", "m", scores.tolist())
        hits += compute_verdict(threshold, evidence, POLICY).verdict in SAFE
    assert _holds(hits, reps), hits / reps


def test_ten_equal_scores_are_not_certainty() -> None:
    interval = mean_test([0.2] * 10).interval
    assert interval.lower < 0.2 < interval.upper
    assert interval.upper - interval.lower > 0.2


# 7. Printed numbers agree with the verdicts.


def test_the_explanation_never_says_straddles_when_the_interval_does_not() -> None:
    framework = _framework(
        _threshold(_rule("a", "<", 0.8), tid="A"),
        _threshold(_rule("b", "<", 0.8), tid="B"),
    )
    for ones_a, ones_b in product(range(84, 94), repeat=2):
        assessment = assess_framework(
            framework, [_counts(ones_a, 100, "a"), _counts(ones_b, 100, "b")]
        )
        for verdict in assessment.verdicts:
            assert verdict.ci_lower is not None
            assert verdict.ci_upper is not None
            if "straddles" in verdict.explanation:
                assert verdict.ci_lower < 0.8 < verdict.ci_upper, verdict.explanation
            if verdict.verdict is Verdict.INCONCLUSIVE and verdict.ci_lower > 0.8:
                assert "holm-adjusted" in verdict.explanation


def test_the_corrected_confidence_sequence_is_as_wide_as_its_label() -> None:
    error = ScorerError(
        scorer="judge",
        positive_label="complied",
        true_positives=180,
        positives=200,
        true_negatives=180,
        negatives=200,
    )
    rng = np.random.default_rng(9)
    labels: list[float | None] = [float(v) for v in rng.random(400) < 0.1]
    evidence = _sequential(
        Evidence.from_scores("s", "m", labels, scorer_error=error), 400, 400
    )
    verdict = compute_verdict(_threshold(_rule("m", ">=", 0.5)), evidence, POLICY)
    assert verdict.verdict is Verdict.BELOW
    assert verdict.ci_method == "betting, corrected for scorer error"
    # A 95% construction: each side 2.5%, half to the apparent rate, a quarter to each
    # exact bound on se and sp.
    apparent = confidence_sequence([float(v or 0.0) for v in labels], 0.975)
    lower, upper = error_bounds(error.classifier_error(), 0.00625).true_interval(
        *apparent
    )
    assert verdict.ci_upper is not None
    assert verdict.ci_upper >= upper - 1e-9


def test_a_validation_set_too_small_to_bound_the_scorer_refuses_the_correction() -> (
    None
):
    error = ScorerError(
        scorer="judge",
        positive_label="complied",
        true_positives=1,
        positives=2,
        true_negatives=60,
        negatives=100,
    )
    labels: list[float | None] = [1.0] * 30 + [0.0] * 70
    evidence = Evidence.from_scores("s", "m", labels, scorer_error=error)
    verdict = compute_verdict(_threshold(_rule("m", ">=", 0.5)), evidence, POLICY)
    assert verdict.verdict is Verdict.INCONCLUSIVE
    assert (verdict.ci_lower, verdict.ci_upper) == (0.0, 1.0)
    assert "cannot bound the scorer away from chance" in verdict.explanation


def test_scores_that_contradict_the_error_model_are_flagged() -> None:
    # A scorer that labels only half the true positives positive cannot label all 200.
    error = ScorerError(
        scorer="judge",
        positive_label="complied",
        true_positives=500,
        positives=1000,
        true_negatives=950,
        negatives=1000,
    )
    evidence = Evidence.from_scores("s", "m", [1.0] * 200, scorer_error=error)
    verdict = compute_verdict(_threshold(_rule("m", "<", 0.5)), evidence, POLICY)
    assert verdict.verdict is Verdict.INCONCLUSIVE
    assert "contradict the scorer's error model" in verdict.explanation


# 8. Comparisons.


def test_the_mcnemar_interval_and_p_value_always_agree() -> None:
    five = mcnemar([0.0] * 5, [1.0] * 5)
    assert five.p_value == pytest.approx(0.0625)
    assert five.difference.lower <= 0.0 <= five.difference.upper
    for a_only, b_only, same in product(range(8), range(8), (0, 10)):
        a = [1.0] * a_only + [0.0] * b_only + [1.0] * same
        b = [0.0] * a_only + [1.0] * b_only + [1.0] * same
        result = mcnemar(a, b)
        excludes = result.difference.lower > 0 or result.difference.upper < 0
        assert excludes == (result.p_value <= 0.05), (a_only, b_only, same)
    assert five.method == "mcnemar-exact"


def test_a_paired_bootstrap_p_value_is_never_below_one_over_b_plus_one() -> None:
    result = paired_bootstrap([0.0] * 30, [1.0] * 30, resamples=999)
    assert result.p_value >= 1 / 1000


def test_bh_does_not_clear_an_all_threshold_on_a_rule_holm_would_not() -> None:
    # Rule a1: 20 of 100 against >= 0.3 (exact p 0.0165); a2 clearly crossed; four
    # clearly safe rules elsewhere in the domain make BH's step-up lenient.
    policy = DecisionPolicy(multiplicity="bh")
    safe = tuple(_rule(f"s{i}", ">=", 0.3) for i in range(4))
    framework = _framework(
        _threshold(_rule("a1", ">=", 0.3), _rule("a2", ">=", 0.3), combine="all"),
        _threshold(*safe, tid="S"),
        policy=policy,
    )
    evidence = [_counts(20, 100, "a1"), _counts(60, 100, "a2")] + [
        _counts(2, 100, f"s{i}") for i in range(4)
    ]
    assessment = assess_framework(framework, evidence)
    assert assessment.verdicts[0].verdict not in SAFE
    assert assessment.verdicts[1].verdict is Verdict.BELOW


# 9. Combining rules.

_ORDER = [Verdict.CROSSED, Verdict.INCONCLUSIVE, Verdict.APPROACHING, Verdict.BELOW]


@pytest.mark.parametrize(("first", "second"), list(product(_ORDER, repeat=2)))
def test_every_pair_of_rule_verdicts_combines_consistently(
    first: Verdict, second: Verdict
) -> None:
    pair = [first, second]
    # `any`: crossed when any rule is: the worst of the two.
    assert _combine("any", pair) is min(pair, key=_ORDER.index)
    # `all`: crossed only when every rule is; a rule safe of its cutoff (below, or
    # approaching) clears it, and the threshold is as safe as its safest rule.
    assert _combine("all", pair) is max(pair, key=_ORDER.index)


def test_approaching_and_inconclusive_under_all_is_approaching_end_to_end() -> None:
    approaching = _rule("a", ">=", 0.5, alert_cutoff=0.2)
    unknown = _rule("b", ">=", 0.5)
    framework = _framework(_threshold(approaching, unknown, combine="all"))
    assessment = assess_framework(
        framework, [_counts(30, 100, "a"), _counts(5, 10, "b")]
    )
    rules = assessment.verdicts[0].rules
    assert [r.verdict for r in rules] == [Verdict.APPROACHING, Verdict.INCONCLUSIVE]
    assert assessment.verdicts[0].verdict is Verdict.APPROACHING
    assert assessment.verdicts[0].counted_as is Verdict.APPROACHING
