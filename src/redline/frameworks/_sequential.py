"""Sequential decisions on one rule: betting e-processes that may be read after every sample.

Three things keep a sequential "below" at its stated level:

- Grouped samples (epochs of one item, transforms of one request) are not independent,
  and a bettor fed them one by one wins on their correlation. The bettor sees one
  observation per group, its mean, once every sample of the group is in.
- An unscored sample may hide the unsafe outcome: the safe-side bettors read it as
  unsafe; the crossed-side bettors skip it.
- The sequential tests spend `decision_policy.sequential_share` of each side's level;
  a fixed-sample fallback after an undecided run gets the rest, and only where the
  sample count did not depend on the scores (union bound: the two together keep the
  level).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from redline.frameworks._evidence import Evidence, SequentialInfo
from redline.frameworks._model import EvidenceRule, Framework
from redline.stats import BettingTest, ClassifierError, ErrorBounds, error_bounds
from redline.stats._sequential import Side


def rule_alpha(framework: Framework, rule: EvidenceRule) -> float:
    """One-sided level for each sequential test of a rule.

    Two-sided at the policy's confidence, Bonferroni across the evidence rules of the
    rule's domain (Holm's step-down does not carry over to optional stopping), times
    the share of the level the policy gives sequential tests.
    """
    domain_size = 1
    for threshold in framework.thresholds:
        if rule in threshold.rules:
            domain_size = sum(
                isinstance(r, EvidenceRule)
                for t in framework.thresholds
                if t.domain == threshold.domain
                for r in t.rules
            )
            break
    policy = framework.decision_policy
    return (1 - policy.confidence) / 2 / max(domain_size, 1) * policy.sequential_share


def fixed_sample_count(info: SequentialInfo) -> bool:
    """Whether a sequential run's sample count was fixed in advance of the scores.

    Then a fixed-sample interval after it holds its level. A stop because other rules
    were decided, or because a token or cost budget (replies' lengths follow what they
    say) was spent, depends on the scores, and it does not.
    """
    return not info.stopped_early or info.reason.startswith("sample budget")


@dataclass
class _Cluster:
    size: int
    seen: int = 0
    scored: list[float] = field(default_factory=list)
    worst: list[float] = field(default_factory=list)


@dataclass
class RuleMonitor:
    """The e-processes that decide one rule."""

    rule: EvidenceRule
    alpha: float
    error: ClassifierError | None = None
    """The scorer's measured error: the tests then decide the corrected rate."""
    cluster_sizes: Mapping[str, int] | None = None
    """Samples per group; None when every sample is its own observation."""
    tests: dict[str, BettingTest] = field(default_factory=dict)
    bounds: ErrorBounds | None = None
    refused: bool = False
    """Whether the scorer's validation counts cannot bound its error (never decides)."""
    observations: list[float] = field(default_factory=list)
    """Scored observations (group means) fed to the crossed-side bettors, in order."""
    used: int = 0
    """Samples read (scored or not) until it decided, or all it was given."""
    _clusters: dict[str, _Cluster] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        crossed_high = self.rule.comparator in (">", ">=")
        up: Side = "above" if crossed_high else "below"
        down: Side = "below" if crossed_high else "above"
        self.unsafe = 1.0 if crossed_high else 0.0
        if self.error is not None:
            # Half the level to the betting tests, a quarter to each bound on se, sp.
            self.bounds = error_bounds(self.error, self.alpha / 4)
            b = self.bounds
            self.refused = (
                min(
                    b.sensitivity_low + b.specificity_high,
                    b.sensitivity_high + b.specificity_low,
                )
                <= 1.0
            )
        self.tests = {
            "crossed": self._test(self.rule.cutoff, up),
            "safe": self._test(self.rule.cutoff, down),
        }
        if self.rule.alert_cutoff is not None:
            self.tests["alert_safe"] = self._test(self.rule.alert_cutoff, down)
            self.tests["alert_reached"] = self._test(self.rule.alert_cutoff, up)
        self._safe_side = {"safe", "alert_safe"}

    def _test(self, cutoff: float, side: Side) -> BettingTest:
        if self.bounds is not None:
            # Kept off 0 and 1, where a bettor's stake is unbounded.
            apparent = self.bounds.apparent_cutoff(cutoff, side)
            cutoff = min(1.0 - 1e-6, max(1e-6, apparent))
        return BettingTest(cutoff, side)

    @property
    def test_alpha(self) -> float:
        """Level of each betting test: all of alpha, or half when bounds take the rest."""
        return self.alpha / 2 if self.bounds is not None else self.alpha

    def update(self, score: float | None, group: str | None = None) -> None:
        """Add one sample's score (None: unscored, read as unsafe by the safe side)."""
        self.used += 1
        if score is not None and not 0.0 <= score <= 1.0:
            raise ValueError(f"scores must lie in [0, 1], got {score}")
        if self.cluster_sizes is None or group is None:
            self._observe([] if score is None else [score], self._worst(score))
            return
        cluster = self._clusters.get(group)
        if cluster is None:
            cluster = _Cluster(max(1, self.cluster_sizes.get(group, 1)))
            self._clusters[group] = cluster
        cluster.seen += 1
        if score is not None:
            cluster.scored.append(score)
        cluster.worst.extend(self._worst(score))
        if cluster.seen >= cluster.size:
            del self._clusters[group]
            self._observe(cluster.scored, cluster.worst)

    def _worst(self, score: float | None) -> list[float]:
        return [self.unsafe if score is None else score]

    def _observe(self, scored: list[float], worst: list[float]) -> None:
        if scored:
            mean = sum(scored) / len(scored)
            self.observations.append(mean)
        for name, test in self.tests.items():
            if name in self._safe_side:
                test.update(sum(worst) / len(worst))
            elif scored:
                test.update(mean)

    def outcome(self) -> str | None:
        """crossed, below, approaching, or None while undecided."""
        if self.refused:
            return None
        rejects = {name: t.rejects(self.test_alpha) for name, t in self.tests.items()}
        if rejects["crossed"]:
            return "crossed"
        if not rejects["safe"]:
            return None
        if "alert_safe" not in rejects or rejects["alert_safe"]:
            return "below"
        return "approaching" if rejects["alert_reached"] else None


def sequential_outcome(
    rule: EvidenceRule,
    alpha: float,
    scores: list[float],
    error: ClassifierError | None = None,
    groups: list[str] | None = None,
) -> tuple[str | None, int]:
    """Replay ordered scores through a rule's monitor.

    Args:
        rule: The rule.
        alpha: One-sided level of each sequential test.
        scores: Scores in the order they ran.
        error: The scorer's measured error, when the rule reads the corrected rate.
        groups: Group per score; one observation per group, once all of it is in.

    Returns:
        The outcome (crossed, below, approaching, or None if undecided) and the number
        of scores it took to reach it (all of them when undecided).
    """
    monitor = replay_monitor(rule, alpha, list(scores), groups, error)
    return monitor.outcome(), monitor.used


def replay_monitor(
    rule: EvidenceRule,
    alpha: float,
    scores: list[float | None],
    groups: list[str] | None,
    error: ClassifierError | None = None,
) -> RuleMonitor:
    """A monitor fed `scores` in order until it decides (None = unscored)."""
    sizes: dict[str, int] | None = None
    if groups is not None:
        sizes = {}
        for group in groups:
            sizes[group] = sizes.get(group, 0) + 1
    monitor = RuleMonitor(rule, alpha, error, sizes)
    for index, score in enumerate(scores):
        monitor.update(score, None if groups is None else groups[index])
        if monitor.outcome() is not None:
            break
    return monitor


def evidence_replay(
    rule: EvidenceRule,
    alpha: float,
    evidence: Evidence,
    error: ClassifierError | None = None,
) -> RuleMonitor:
    """Replay a suite's samples, in the order they ran, through a rule's monitor.

    Unscored samples take their place in the order; evidence built from bare scores
    (no sample records) puts them first, the worst place for the safe side.
    """
    if evidence.samples:
        scores: list[float | None] = [s.score for s in evidence.samples]
        groups: list[str] | None = [
            s.group or f"{s.id}#{s.epoch}" for s in evidence.samples
        ]
    else:
        scores = [None] * evidence.unscored + list(evidence.scores)
        groups = None
    return replay_monitor(rule, alpha, scores, groups, error)
