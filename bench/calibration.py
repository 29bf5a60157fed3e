"""Calibration of every verdict path: how often a model truly on the crossed side is called "below".

A "below" verdict lets a model ship, so at the worst case (the true rate exactly at
the cutoff, or just inside the crossed side) it must be wrong at most at its stated
level: 2.5% per side at the default 95% confidence. For each path of the verdict
engine this simulates suites at that worst case and runs them through the engine's
public functions (`compute_verdict`, `assess_framework`, the sequential `RuleMonitor`
as the live Inspect policy uses it), then prints one table: path, false-below rate,
Monte Carlo standard error, nominal level, and whether the cell holds
(rate <= nominal + 2 SE). Binary fixed-n cells are computed exactly (the verdict
depends only on the count, so the rate is a sum over the binomial distribution; SE 0).

It then prints what validity costs: the median number of samples to a verdict at
|rate - cutoff| = 0.1, for this code and for a baseline revision (default: the
commit this work started from), measured in the same run by running the baseline's
own functions in a subprocess.

Usage: python bench/calibration.py [--reps 1.0] [--baseline REV | --no-baseline]
  --reps scales every Monte Carlo size (1.0 runs in about 5 minutes on one core).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import numpy as np

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

NOMINAL = 0.025
POLICY = DecisionPolicy()
BASELINE = "516f942"  # main when the calibration work began
ROOT = Path(__file__).resolve().parent.parent


def _rule(metric: str, comparator: str, cutoff: float, **kw: object) -> EvidenceRule:
    return EvidenceRule(
        suite="s", metric=metric, comparator=comparator, cutoff=cutoff, **kw
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


def _is_safe(verdict: Verdict) -> bool:
    return verdict in (Verdict.BELOW, Verdict.APPROACHING)


class Table:
    """Rows of (path, false-below rate, SE, nominal)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float, float]] = []

    def add(self, path: str, hits: int | float, reps: int, exact: bool = False) -> None:
        rate = hits / reps if not exact else float(hits)
        se = 0.0 if exact else math.sqrt(max(rate * (1 - rate), 0.0) / reps)
        self.rows.append((path, rate, se, NOMINAL))
        print(f"  {path:<66} {rate:.4f}", file=sys.stderr, flush=True)

    def print(self) -> bool:
        print(f"{'path':<68} {'false below':>11} {'MC SE':>7} {'nominal':>7}  holds")
        ok = True
        for path, rate, se, nominal in self.rows:
            holds = rate <= nominal + 2 * se + 1e-12
            ok &= holds
            print(
                f"{path:<68} {rate:>11.4f} {se:>7.4f} {nominal:>7.3f}  {'yes' if holds else 'NO'}"
            )
        return ok


def _evidence(
    scores: list[float | None],
    metric: str = "m",
    groups: list[str] | None = None,
    scorer_error: ScorerError | None = None,
) -> Evidence:
    return Evidence.from_scores(
        "s", metric, scores, groups=groups, scorer_error=scorer_error
    )


def _fast_evidence(successes: int, n: int, metric: str = "m") -> Evidence:
    scores = (1.0,) * successes + (0.0,) * (n - successes)
    return Evidence(suite="s", metric=metric, scores=scores, comparability_key="")


# ---------------------------------------------------------------- binary fixed-n


def binary_fixed(table: Table) -> None:
    """Exact: sum over the binomial distribution of P(k) * [verdict(k) is safe]."""
    from scipy.stats import binom

    for cutoff in (0.05, 0.5, 0.95):
        for comparator in (">=", "<"):
            for n in (5, 7, 10, 20, 50, 100, 300, 1000):
                for inside in (0.0, 0.02):
                    rate = cutoff + inside if comparator == ">=" else cutoff - inside
                    if inside and n not in (20, 300):
                        continue
                    threshold = _threshold(_rule("m", comparator, cutoff))
                    ks = np.arange(n + 1)
                    pmf = binom.pmf(ks, n, rate)
                    total = 0.0
                    for k in ks[pmf > 1e-12]:
                        verdict = compute_verdict(
                            threshold, _fast_evidence(int(k), n), POLICY
                        ).verdict
                        total += float(pmf[k]) * _is_safe(verdict)
                    where = f"inside by {inside:g}" if inside else "at cutoff"
                    table.add(
                        f"binary fixed n={n} rate {comparator} {cutoff:g}, {where}",
                        total,
                        1,
                        exact=True,
                    )


# ---------------------------------------------------------------- clustered


def _cluster_scores(
    rng: np.random.Generator, items: int, size: int, rate: float, spread: float
) -> tuple[list[float], list[str]]:
    """Items with their own rate (Beta, mean `rate`; spread = intra-cluster correlation)."""
    if spread >= 1.0:
        item_rates = (rng.random(items) < rate).astype(float)
    elif spread <= 0.0:
        item_rates = np.full(items, rate)
    else:
        total = 1 / spread - 1
        item_rates = rng.beta(rate * total, (1 - rate) * total, items)
    scores = (rng.random((items, size)) < item_rates[:, None]).astype(float)
    groups = [f"i{i}" for i in range(items) for _ in range(size)]
    return scores.ravel().tolist(), groups


def clustered(table: Table, reps: int, rng: np.random.Generator) -> None:
    cutoff = 0.3
    threshold = _threshold(_rule("attack_success_rate", ">=", cutoff))
    for items, size in ((2, 3), (4, 7), (10, 7)):
        for spread in (0.0, 0.3, 1.0):
            hits = 0
            for _ in range(reps):
                scores, groups = _cluster_scores(rng, items, size, cutoff, spread)
                evidence = _evidence(list(scores), "attack_success_rate", groups)
                hits += _is_safe(compute_verdict(threshold, evidence, POLICY).verdict)
            kind = {0.0: "homogeneous", 0.3: "heterogeneous ICC 0.3", 1.0: "ICC 1"}
            table.add(
                f"clustered {items}x{size} {kind[spread]}, rate >= 0.3 at cutoff",
                hits,
                reps,
            )


# ---------------------------------------------------------------- sequential


def _framework(*thresholds: Threshold, policy: DecisionPolicy = POLICY) -> Framework:
    return Framework(
        id="calibration",
        name="calibration",
        version="1",
        decision_policy=policy,
        domains=(RiskDomain(id="d"),),
        thresholds=thresholds,
    )


def _sequential_run(
    framework: Framework,
    scores: list[float | None],
    groups: list[str] | None,
    budget: int | None = None,
    stop_after: Callable[[int, list[float | None]], bool] | None = None,
    stop_reason: str = "token budget of 1000 reached",
    scorer_error: ScorerError | None = None,
) -> Evidence:
    """Run the live monitor as the Inspect policy does, and build the evidence it leaves."""
    from redline.frameworks._sequential import RuleMonitor, rule_alpha

    rules = framework.evidence_rules()
    sizes: dict[str, int] | None = None
    if groups is not None:
        sizes = {}
        for group in groups:
            sizes[group] = sizes.get(group, 0) + 1
    error = scorer_error.classifier_error() if scorer_error is not None else None
    monitors = [
        RuleMonitor(rule, rule_alpha(framework, rule), error, sizes) for rule in rules
    ]
    reason, stopped = "dataset exhausted", False
    used = len(scores)
    for index, score in enumerate(scores):
        for monitor in monitors:
            monitor.update(score, None if groups is None else groups[index])
        if all(m.outcome() is not None for m in monitors):
            used, reason, stopped = index + 1, "every rule decided", True
            break
        if budget is not None and index + 1 >= budget:
            used, reason, stopped = (
                index + 1,
                f"sample budget of {budget} reached",
                True,
            )
            break
        if stop_after is not None and stop_after(index + 1, scores[: index + 1]):
            used, reason, stopped = index + 1, stop_reason, True
            break
    evidence = Evidence.from_scores(
        "s",
        rules[0].metric,
        scores[:used],
        groups=None if groups is None else groups[:used],
        scorer_error=scorer_error,
    )
    info = SequentialInfo(
        stopped_early=stopped,
        reason=reason,
        decided=reason == "every rule decided",
        samples_used=used,
        samples_total=len(scores),
    )
    return evidence.model_copy(update={"sequential": info})


def sequential(table: Table, reps: int, rng: np.random.Generator) -> None:
    cutoff = 0.3
    rule = _rule("attack_success_rate", ">=", cutoff)
    framework = _framework(_threshold(rule))

    def verdict_of(evidence: Evidence) -> Verdict:
        return assess_framework(framework, [evidence]).verdicts[0].verdict

    # Independent samples, N = 200.
    hits = 0
    for _ in range(reps):
        scores = (rng.random(200) < cutoff).astype(float).tolist()
        hits += _is_safe(verdict_of(_sequential_run(framework, scores, None)))
    table.add("sequential independent N=200, rate >= 0.3 at cutoff", hits, reps)
    # Correlated transforms: 40 requests x 5 transforms, heterogeneous.
    for spread, label in (
        (0.3, "transforms ICC 0.3"),
        (1.0, "5 epochs, deterministic"),
    ):
        hits = 0
        for _ in range(reps):
            values, groups = _cluster_scores(rng, 40, 5, cutoff, spread)
            if spread >= 1.0:
                order = list(range(len(values)))  # epochs replayed back to back
            else:
                order = rng.permutation(len(values)).tolist()
            scores = [values[i] for i in order]
            ordered = [groups[i] for i in order]
            evidence = _sequential_run(framework, list(scores), ordered)
            hits += _is_safe(verdict_of(evidence))
        table.add(f"sequential grouped 40x5 {label}, at cutoff", hits, reps)
    # The fixed-sample fallback after an undecided run of N = 1000.
    hits = 0
    fallback_reps = max(reps // 2, 50)
    for _ in range(fallback_reps):
        scores = (rng.random(1000) < cutoff).astype(float).tolist()
        hits += _is_safe(verdict_of(_sequential_run(framework, scores, None)))
    table.add(
        "sequential + fixed fallback N=1000 (dataset exhausted), at cutoff",
        hits,
        fallback_reps,
    )
    # Budget stops: a fixed sample budget, and a token budget that follows the replies.
    hits = 0
    for _ in range(reps):
        scores = (rng.random(400) < cutoff).astype(float).tolist()
        hits += _is_safe(
            verdict_of(_sequential_run(framework, scores, None, budget=150))
        )
    table.add("sequential, sample budget 150 of 400 + fallback, at cutoff", hits, reps)

    def tokens_spent(used: int, seen: list[float | None]) -> bool:
        # Unsafe replies are long: 3 units, safe ones 1; the budget is 200 units.
        return sum(3 if s == 1.0 else 1 for s in seen) >= 200 or used < 0

    hits = 0
    for _ in range(reps):
        scores = (rng.random(400) < cutoff).astype(float).tolist()
        evidence = _sequential_run(framework, scores, None, stop_after=tokens_spent)
        hits += _is_safe(verdict_of(evidence))
    table.add("sequential, token budget (depends on replies), at cutoff", hits, reps)
    # Two rules of one domain on one suite: the second (a safeguard-like far cutoff)
    # is decided early; the first, at its cutoff, must not be called below.
    far = _rule("attack_success_rate", ">=", 0.9)
    two = _framework(_threshold(rule), _threshold(far, tid="F"))
    hits = 0
    for _ in range(reps):
        scores = (rng.random(300) < cutoff).astype(float).tolist()
        evidence = _sequential_run(two, scores, None)
        hits += _is_safe(assess_framework(two, [evidence]).verdicts[0].verdict)
    table.add("sequential, two rules of one domain (one decided early)", hits, reps)


# ---------------------------------------------------------------- scorer error


def _labels(
    rng: np.random.Generator, truth: np.ndarray, se: float, sp: float
) -> list[float]:
    flip = rng.random(truth.size)
    return [float(v) for v in np.where(truth == 1.0, flip < se, flip >= sp)]


def scorer_corrected(table: Table, reps: int, rng: np.random.Generator) -> None:
    se, sp, n_pos, n_neg = 0.9, 0.85, 100, 100
    cutoff = 0.5
    rule = _rule("attack_success_rate", ">=", cutoff)
    threshold = _threshold(rule)
    for n, items, size in ((200, None, None), (28, 4, 7), (70, 10, 7)):
        hits = 0
        for _ in range(reps):
            error = ScorerError(
                scorer="judge",
                positive_label="complied",
                true_positives=int(rng.binomial(n_pos, se)),
                positives=n_pos,
                true_negatives=int(rng.binomial(n_neg, sp)),
                negatives=n_neg,
            )
            if items is None:
                truth = (rng.random(n) < cutoff).astype(float)
                groups = None
            else:
                values, groups = _cluster_scores(rng, items, size or 1, cutoff, 0.3)
                truth = np.asarray(values)
            evidence = _evidence(
                list(_labels(rng, truth, se, sp)),
                "attack_success_rate",
                groups,
                error,
            )
            hits += _is_safe(compute_verdict(threshold, evidence, POLICY).verdict)
        shape = f"n={n}" if items is None else f"{items}x{size} ICC 0.3"
        table.add(
            f"scorer-corrected {shape}, validation 100+100, at cutoff", hits, reps
        )
    # Sequential, corrected.
    framework = _framework(threshold)
    hits = 0
    for _ in range(reps):
        error = ScorerError(
            scorer="judge",
            positive_label="complied",
            true_positives=int(rng.binomial(n_pos, se)),
            positives=n_pos,
            true_negatives=int(rng.binomial(n_neg, sp)),
            negatives=n_neg,
        )
        truth = (rng.random(300) < cutoff).astype(float)
        labels: list[float | None] = list(_labels(rng, truth, se, sp))
        evidence = _sequential_run(framework, labels, None, scorer_error=error)
        hits += _is_safe(assess_framework(framework, [evidence]).verdicts[0].verdict)
    table.add("scorer-corrected sequential N=300, at cutoff", hits, reps)


# ---------------------------------------------------------------- non-binary


def non_binary(table: Table, reps: int, rng: np.random.Generator) -> None:
    threshold = _threshold(_rule("m", ">=", 0.1))
    for n in (10, 50, 200):
        hits = 0
        for _ in range(reps):
            # 0 / 0.1 / 1 with mean 0.1: P(1) = 0.05, P(0.1) = 0.5, P(0) = 0.45.
            draw = rng.random(n)
            scores = np.where(draw < 0.05, 1.0, np.where(draw < 0.55, 0.1, 0.0))
            evidence = _evidence(scores.tolist())
            hits += _is_safe(compute_verdict(threshold, evidence, POLICY).verdict)
        table.add(f"non-binary scores 0/0.1/1 n={n}, mean >= 0.1 at cutoff", hits, reps)
    threshold = _threshold(_rule("m", ">=", 0.5))
    hits = 0
    for _ in range(reps):
        scores = rng.beta(2.0, 2.0, 30)
        hits += _is_safe(
            compute_verdict(threshold, _evidence(scores.tolist()), POLICY).verdict
        )
    table.add("non-binary scores Beta(2, 2) n=30, mean >= 0.5 at cutoff", hits, reps)


# ---------------------------------------------------------------- unscored


def unscored(table: Table, reps: int, rng: np.random.Generator) -> None:
    threshold = _threshold(_rule("refusal_rate", "<", 0.9))
    for hide in (0.5, 1.0):
        hits = 0
        for _ in range(reps):
            refused = rng.random(200) < 0.9
            # A share of the compliances (the unsafe replies) go unscored.
            hidden = ~refused & (rng.random(200) < hide)
            scores: list[float | None] = [
                None if h else float(r) for r, h in zip(refused, hidden, strict=True)
            ]
            evidence = _evidence(scores, "refusal_rate")
            hits += _is_safe(compute_verdict(threshold, evidence, POLICY).verdict)
        table.add(
            f"unscored hide {hide:.0%} of unsafe replies, n=200, refusal < 0.9 at cutoff",
            hits,
            reps,
        )


# ---------------------------------------------------------------- several rules


def several_rules(table: Table, reps: int, rng: np.random.Generator) -> None:
    for combine in ("all", "any"):
        for multiplicity in ("holm", "bh"):
            policy = DecisionPolicy(multiplicity=multiplicity)
            rules = tuple(_rule(f"m{i}", ">=", 0.3) for i in range(3))
            # A second, clearly safe threshold in the domain makes BH's step-up bite.
            safe = tuple(_rule(f"s{i}", ">=", 0.3) for i in range(3))
            framework = _framework(
                _threshold(*rules, combine=combine),
                _threshold(*safe, tid="S"),
                policy=policy,
            )
            hits = 0
            for _ in range(reps):
                evidence = [
                    _fast_evidence(int(rng.binomial(100, 0.3)), 100, f"m{i}")
                    for i in range(3)
                ] + [
                    _fast_evidence(int(rng.binomial(100, 0.05)), 100, f"s{i}")
                    for i in range(3)
                ]
                verdict = assess_framework(framework, evidence).verdicts[0].verdict
                hits += _is_safe(verdict)
            table.add(
                f"3 rules at cutoff, combine {combine}, {multiplicity}, n=100 each",
                hits,
                reps,
            )


# ---------------------------------------------------------------- just inside


def just_inside(table: Table, reps: int, rng: np.random.Generator) -> None:
    """The Monte Carlo paths again, with the true rate 0.02 inside the crossed side."""
    asr = _threshold(_rule("attack_success_rate", ">=", 0.3))
    hits = 0
    for _ in range(reps):
        scores, groups = _cluster_scores(rng, 4, 7, 0.32, 0.3)
        evidence = _evidence(list(scores), "attack_success_rate", groups)
        hits += _is_safe(compute_verdict(asr, evidence, POLICY).verdict)
    table.add("clustered 4x7 heterogeneous ICC 0.3, rate 0.32 (inside)", hits, reps)
    framework = _framework(asr)
    hits = 0
    for _ in range(reps):
        stream: list[float | None] = [float(v) for v in rng.random(200) < 0.32]
        evidence = _sequential_run(framework, stream, None)
        hits += _is_safe(assess_framework(framework, [evidence]).verdicts[0].verdict)
    table.add("sequential independent N=200, rate 0.32 (inside)", hits, reps)
    refusal = _threshold(_rule("refusal_rate", "<", 0.9))
    hits = 0
    for _ in range(reps):
        refused = rng.random(200) < 0.88
        scores_or_none: list[float | None] = [1.0 if r else None for r in refused]
        evidence = _evidence(scores_or_none, "refusal_rate")
        hits += _is_safe(compute_verdict(refusal, evidence, POLICY).verdict)
    table.add("unscored hide all unsafe replies, refusal 0.88 (inside)", hits, reps)
    graded = _threshold(_rule("m", ">=", 0.1))
    hits = 0
    for _ in range(reps):
        draw = rng.random(50)
        values = np.where(draw < 0.07, 1.0, np.where(draw < 0.57, 0.1, 0.0))
        evidence = _evidence([float(v) for v in values])
        hits += _is_safe(compute_verdict(graded, evidence, POLICY).verdict)
    table.add("non-binary scores 0/0.1/1 n=50, mean 0.12 (inside)", hits, reps)


# ---------------------------------------------------------------- cost in samples


def cost(reps: int, seed: int) -> dict[str, float]:
    """Median samples to a verdict at |rate - cutoff| = 0.1 (API common to both versions)."""
    import inspect

    from redline.frameworks._sequential import rule_alpha, sequential_outcome

    rng = np.random.default_rng(seed)
    cutoff = 0.3
    rule = _rule("attack_success_rate", ">=", cutoff)
    threshold = _threshold(rule)
    framework = _framework(threshold)
    alpha = rule_alpha(framework, rule)
    grouped = "groups" in inspect.signature(sequential_outcome).parameters
    results: dict[str, float] = {}

    def first_decided(
        stream: list[float], groups: list[str] | None, step: int, side: Verdict
    ) -> int:
        for n in range(step, len(stream) + 1, step):
            evidence = _evidence(
                list(stream[:n]),
                "attack_success_rate",
                None if groups is None else groups[:n],
            )
            if compute_verdict(threshold, evidence, POLICY).verdict is side:
                return n
        return len(stream)

    for rate, side in ((0.2, Verdict.BELOW), (0.4, Verdict.CROSSED)):
        fixed, seq, fixed_c, seq_c = [], [], [], []
        for _ in range(reps):
            stream = (rng.random(600) < rate).astype(float).tolist()
            fixed.append(first_decided(stream, None, 10, side))
            outcome, used = sequential_outcome(rule, alpha, stream)
            seq.append(used if outcome == side.value else len(stream))
            values, groups = _cluster_scores(rng, 120, 5, rate, 0.3)
            fixed_c.append(first_decided(values, groups, 25, side))
            kwargs = {"groups": groups} if grouped else {}
            outcome, used = sequential_outcome(rule, alpha, values, **kwargs)  # type: ignore[arg-type]
            seq_c.append(used if outcome == side.value else len(values))
        tag = "below (rate 0.2)" if side is Verdict.BELOW else "crossed (rate 0.4)"
        results[f"fixed binary, to {tag}"] = float(np.median(fixed))
        results[f"sequential binary, to {tag}"] = float(np.median(seq))
        results[f"fixed 5 transforms/item ICC 0.3, to {tag}"] = float(
            np.median(fixed_c)
        )
        results[f"sequential 5 transforms/item ICC 0.3, to {tag}"] = float(
            np.median(seq_c)
        )
    return results


def _baseline_cost(revision: str, reps: int, seed: int) -> dict[str, float] | None:
    """Run this script's cost section against the baseline revision's own functions."""
    try:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", revision, "src/redline"],
            capture_output=True,
            check=True,
        ).stdout
    except (subprocess.CalledProcessError, FileNotFoundError) as error:
        print(f"baseline {revision} unavailable: {error}", file=sys.stderr)
        return None
    with tempfile.TemporaryDirectory() as folder:
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
        env = dict(os.environ, PYTHONPATH=str(Path(folder) / "src"))
        result = subprocess.run(
            [sys.executable, __file__, "--cost-only", str(reps), "--seed", str(seed)],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
    if result.returncode != 0:
        print(result.stderr[-2000:], file=sys.stderr)
        return None
    figures: dict[str, float] = json.loads(result.stdout)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--baseline", default=BASELINE)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--cost-only", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cost_only is not None:
        print(json.dumps(cost(args.cost_only, args.seed)))
        return
    started = time.perf_counter()
    rng = np.random.default_rng(args.seed)

    def scaled(base: int) -> int:
        return max(20, int(base * args.reps))

    table = Table()
    binary_fixed(table)
    clustered(table, scaled(1500), rng)
    non_binary(table, scaled(1500), rng)
    unscored(table, scaled(1500), rng)
    several_rules(table, scaled(1000), rng)
    scorer_corrected(table, scaled(600), rng)
    sequential(table, scaled(400), rng)
    just_inside(table, scaled(400), rng)
    print(
        f"False-below rate at the worst case, per path ({len(table.rows)} cells; "
        "holds = rate <= nominal + 2 MC SE; binary fixed-n cells exact):"
    )
    ok = table.print()
    cost_reps = scaled(60)
    after = cost(cost_reps, args.seed)
    before = (
        None
        if args.no_baseline
        else _baseline_cost(args.baseline, cost_reps, args.seed)
    )
    print()
    print(
        f"Cost of validity: median samples to a verdict at |rate - cutoff| = 0.1 "
        f"(rule rate >= 0.3; {cost_reps} runs; fixed-n checked every 10 samples, "
        f"every 5 items when grouped)"
    )
    print(f"{'path':<56} {'before':>8} {'after':>8} {'ratio':>6}")
    for key, value in after.items():
        old = before.get(key) if before else None
        ratio = f"{value / old:.2f}" if old else "-"
        old_text = f"{old:.0f}" if old is not None else "-"
        print(f"{key:<56} {old_text:>8} {value:>8.0f} {ratio:>6}")
    print(f"\nbaseline: {args.baseline if before else 'none'}; "
          f"elapsed {time.perf_counter() - started:.0f} s; every cell holds: {ok}")  # fmt: skip
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
