"""Sequential testing inside Inspect: stop a suite as soon as every rule it feeds is decided.

An Inspect `EarlyStopping` policy. Samples run in a seeded random order; after each
completed sample the policy updates, for every evidence rule fed by the suite, the
betting e-processes of `redline.stats` (anytime-valid, so looking after every sample
costs no error; one observation per group of samples, an unscored sample read as
unsafe by the safe side), and stops scheduling once each rule is decided at the framework's
confidence, or once a budget (samples, tokens, cost) is spent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from inspect_ai.model._model import model_usage
from inspect_ai.util import EarlyStop
from pydantic import JsonValue

from redline.errors import ConfigError
from redline.evals._outcomes import OutcomeReader
from redline.frameworks import EvidenceRule, Framework
from redline.frameworks._sequential import RuleMonitor, rule_alpha
from redline.stats import ClassifierError

if TYPE_CHECKING:
    from inspect_ai.dataset import Sample
    from inspect_ai.log import EvalSpec
    from inspect_ai.model import ModelUsage
    from inspect_ai.scorer import SampleScore

MANAGER = "redline-sequential"


@dataclass(frozen=True)
class Budget:
    """Caps per suite; None means no cap."""

    samples: int | None = None
    tokens: int | None = None
    cost: float | None = None


def usage_totals(usage: Iterable[ModelUsage]) -> tuple[int, float]:
    """Tokens and cost over every model's usage: what a token or cost budget counts."""
    used = list(usage)
    return sum(u.total_tokens for u in used), sum(u.total_cost or 0.0 for u in used)


def _task_usage() -> tuple[int, float]:
    """Tokens and cost every model has used so far in the running Inspect task."""
    return usage_totals(model_usage().values())


class SequentialStopping:
    """Inspect EarlyStopping policy driven by a framework's rules for one suite."""

    def __init__(
        self,
        suite: str,
        framework: Framework,
        budget: Budget = Budget(),
        scorer_errors: Mapping[str, ClassifierError] | None = None,
        rules: Sequence[tuple[EvidenceRule, OutcomeReader]] | None = None,
        dataset_size: int | None = None,
        usage: Callable[[], tuple[int, float]] | None = None,
    ) -> None:
        """Monitor every evidence rule of `framework` that reads `suite`.

        Args:
            suite: The suite this policy stops.
            framework: The framework whose rules decide when to stop.
            budget: Caps on samples, tokens and cost.
            scorer_errors: Metric -> its scorer's measured error; rules that read
                the corrected rate are then decided on it, as the verdict is.
            rules: The rules this run feeds, each with how it reads a sample's
                outcome and category; default: the rules naming `suite`, reading
                the first scorer and the `category` field.
            dataset_size: Samples in the suite's dataset before `--limit`, so a
                run cut short by the limit says so instead of "dataset exhausted".
            usage: Tokens and cost spent so far, which the budget is checked
                against; default: this task's model usage in Inspect. A suite run in
                shards passes the usage of the samples it has replayed.
        """
        self.suite = suite
        self.budget = budget
        self.usage = usage or _task_usage
        policy = framework.decision_policy
        self.max_unscored_share = policy.max_unscored_share
        errors = dict(scorer_errors or {})
        if rules is None:
            rules = [
                (rule, OutcomeReader(task=suite))
                for rule in framework.evidence_rules()
                if rule.suite == suite
            ]
        self.readers = [reader for _, reader in rules]
        self.monitors = [
            RuleMonitor(
                rule,
                rule_alpha(framework, rule),
                errors.get(rule.metric) if rule.corrects_scorer_error(policy) else None,
            )
            for rule, _ in rules
        ]
        self.metadata: dict[str | int, Mapping[str, Any] | None] = {}
        self.groups: dict[str | int, str] = {}
        self.completed = 0
        self.scored = 0
        self.stopped_at: int | None = None
        self.reason = "dataset exhausted"
        self.dataset_size = dataset_size
        self.selected = 0

    async def start_task(
        self,
        task: EvalSpec,  # noqa: ARG002 (Inspect's protocol)
        samples: list[Sample],
        epochs: int,
    ) -> str:
        self.metadata = {s.id: s.metadata for s in samples if s.id is not None}
        # As the evidence groups them: epochs of one item, and variants a suite groups.
        self.groups = {
            s.id: (
                str(s.metadata.get("group"))
                if s.metadata and s.metadata.get("group")
                else str(s.id)
            )
            for s in samples
            if s.id is not None
        }
        self.total = len(samples) * epochs
        for monitor, reader in zip(self.monitors, self.readers, strict=True):
            chosen = [
                group
                for id, group in self.groups.items()
                if not monitor.rule.categories
                or reader.category(self.metadata.get(id)) in monitor.rule.categories
            ]
            sizes: dict[str, int] = {}
            for group in chosen:
                sizes[group] = sizes.get(group, 0) + epochs
            monitor.cluster_sizes = sizes
        self.selected = len(samples)
        return MANAGER

    def _decided(self) -> bool:
        # Stopping while too many samples are unscored would leave every rule
        # inconclusive; keep sampling until the share is tolerable.
        unscored = self.completed - self.scored
        if self.completed and unscored / self.completed > self.max_unscored_share:
            return False
        return bool(self.monitors) and all(
            m.outcome() is not None for m in self.monitors
        )

    def _budget_spent(self) -> str | None:
        if self.budget.samples is not None and self.completed >= self.budget.samples:
            return f"sample budget of {self.budget.samples} reached"
        tokens, cost = self.usage()
        if self.budget.tokens is not None and tokens >= self.budget.tokens:
            return f"token budget of {self.budget.tokens} reached"
        if self.budget.cost is not None and cost >= self.budget.cost:
            return f"cost budget of {self.budget.cost:g} reached"
        return None

    async def schedule_sample(self, id: str | int, epoch: int) -> EarlyStop | None:
        if self.stopped_at is None:
            if self._decided():
                self.stopped_at, self.reason = self.completed, "every rule decided"
            elif (spent := self._budget_spent()) is not None:
                self.stopped_at, self.reason = self.completed, spent
        if self.stopped_at is None:
            return None
        return EarlyStop(id=id, epoch=epoch, reason=self.reason)

    async def complete_sample(
        self,
        id: str | int,
        epoch: int,  # noqa: ARG002 (Inspect's protocol)
        scores: dict[str, SampleScore],
    ) -> None:
        self.completed += 1
        scored = False
        group = self.groups.get(id, str(id))
        for monitor, reader in zip(self.monitors, self.readers, strict=True):
            try:
                value, _ = reader.read(id, scores)
            except ConfigError:
                # An unmapped value fails the evidence step with its message; here
                # it is unscored, and so read as unsafe like any unscored sample.
                value = None
            scored = scored or value is not None
            category = reader.category(self.metadata.get(id))
            if not monitor.rule.categories or category in monitor.rule.categories:
                # An unscored sample still completes its group, read as unsafe.
                monitor.update(value, group)
        self.scored += scored

    def _end_reason(self) -> str:
        if self.dataset_size is not None and self.selected < self.dataset_size:
            return f"limit reached ({self.completed} of {self.dataset_size})"
        return "dataset exhausted"

    async def complete_task(self) -> dict[str, JsonValue]:
        rules: dict[str, JsonValue] = {
            monitor.rule.describe(): monitor.outcome() or "undecided"
            for monitor in self.monitors
        }
        summary: dict[str, Any] = {
            "stopped_early": self.stopped_at is not None,
            "reason": self.reason
            if self.stopped_at is not None
            else self._end_reason(),
            "decided": self._decided(),
            "samples_used": self.completed,
            "samples_total": self.total,
            "rules": rules,
        }
        return summary
