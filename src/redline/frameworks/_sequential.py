"""Sequential decisions on one rule: betting e-processes that may be read after every sample."""

from __future__ import annotations

from dataclasses import dataclass, field

from redline.frameworks._model import EvidenceRule, Framework
from redline.stats import BettingTest, ClassifierError, ErrorBounds, error_bounds
from redline.stats._sequential import Side


def rule_alpha(framework: Framework, rule: EvidenceRule) -> float:
    """One-sided level for each sequential test of a rule.

    Two-sided at the policy's confidence, Bonferroni across the evidence rules of the
    rule's domain (Holm's step-down does not carry over to optional stopping).
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
    return (1 - framework.decision_policy.confidence) / 2 / max(domain_size, 1)


@dataclass
class RuleMonitor:
    """The e-processes that decide one rule."""

    rule: EvidenceRule
    alpha: float
    error: ClassifierError | None = None
    """The scorer's measured error: the tests then decide the corrected rate."""
    tests: dict[str, BettingTest] = field(default_factory=dict)
    bounds: ErrorBounds | None = None

    def __post_init__(self) -> None:
        crossed_high = self.rule.comparator in (">", ">=")
        up: Side = "above" if crossed_high else "below"
        down: Side = "below" if crossed_high else "above"
        if self.error is not None:
            # Half the level to the betting tests, a quarter to each bound on se, sp.
            self.bounds = error_bounds(self.error, self.alpha / 4)
        self.tests = {
            "crossed": self._test(self.rule.cutoff, up),
            "safe": self._test(self.rule.cutoff, down),
        }
        if self.rule.alert_cutoff is not None:
            self.tests["alert_safe"] = self._test(self.rule.alert_cutoff, down)
            self.tests["alert_reached"] = self._test(self.rule.alert_cutoff, up)

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

    def update(self, score: float) -> None:
        for test in self.tests.values():
            test.update(score)

    def outcome(self) -> str | None:
        """crossed, below, approaching, or None while undecided."""
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
) -> tuple[str | None, int]:
    """Replay ordered scores through a rule's monitor.

    Returns:
        The outcome (crossed, below, approaching, or None if undecided) and the number
        of scores it took to reach it (all of them when undecided).
    """
    monitor = RuleMonitor(rule, alpha, error)
    for used, score in enumerate(scores, 1):
        monitor.update(score)
        outcome = monitor.outcome()
        if outcome is not None:
            return outcome, used
    return None, len(scores)
