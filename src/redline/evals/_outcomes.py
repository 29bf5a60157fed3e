"""How one sample's score becomes an outcome in [0, 1], or unscored with a reason.

A rule that binds any Inspect task names the scorer it reads and maps that
scorer's values (`C`, `I`, a grade letter, a number) to outcomes. The same reading
serves the evidence read from a log and the sequential test while the task runs,
so the stopping rule decides on exactly what the verdict reads.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from redline.errors import ConfigError
from redline.frameworks import NO_ANSWER, EvidenceRule

DEFAULT_VALUES: Mapping[str, float] = {"C": 1.0, "I": 0.0}
"""Inspect's correct / incorrect, read when a rule maps no values itself."""


@dataclass(frozen=True)
class OutcomeReader:
    """Reads one rule's outcome and category from a sample's scores and metadata."""

    task: str
    """Task name, for error messages."""
    scorer: str | None = None
    """Scorer whose value is read; None reads the first."""
    values: Mapping[str, float] = field(default_factory=dict)
    """Value -> outcome; numbers in [0, 1] pass through."""
    category_field: str = "category"
    """Sample metadata field that holds the category."""
    epochs_reducer: str = "mean"
    """How a sample's epochs reduce to one outcome: mean or max."""

    @classmethod
    def for_rule(cls, rule: EvidenceRule, default_scorer: str | None) -> OutcomeReader:
        """The reader a rule asks for; `default_scorer` when it names none."""
        return cls(
            task=rule.task_ref,
            scorer=rule.scorer or default_scorer,
            values=dict(rule.values),
            category_field=rule.category_field,
            epochs_reducer=rule.epochs_reducer or "mean",
        )

    def category(self, metadata: Mapping[str, Any] | None) -> str | None:
        """The sample's category, or None when its metadata has none."""
        value = (metadata or {}).get(self.category_field)
        return None if value is None or value == "" else str(value)

    def read(
        self, sample_id: object, scores: Mapping[str, Any] | None
    ) -> tuple[float | None, str | None]:
        """The outcome, or None with the reason the sample is unscored.

        `scores` maps scorer names to Inspect `Score`s (or `SampleScore`s).

        Raises:
            ConfigError: A value the mapping does not cover, naming task, sample and value.
        """
        if not scores:
            return None, "not scored"
        name, key = self.scorer, None
        if name is not None and name not in scores and "." in name:
            # `scorer.key` reads one entry of a scorer that scores a dict of values.
            name, key = name.rsplit(".", 1)
        if name is None:
            score = next(iter(scores.values()))
        elif name in scores:
            score = scores[name]
        else:
            return None, f"not scored by {self.scorer}"
        score = getattr(score, "score", score)  # SampleScore wraps a Score
        value = score.value
        if key is not None:
            if not isinstance(value, dict) or key not in value:
                return None, f"not scored by {self.scorer}"
            value = value[key]
        elif isinstance(value, dict):
            raise ConfigError(
                f"task {self.task}: sample {sample_id}: the scorer gives several values "
                f"({', '.join(map(str, value))}); name one with `scorer: <scorer>.<key>`"
            )
        return self._outcome(sample_id, value, score.reason)

    def _outcome(
        self, sample_id: object, value: Any, reason: str | None
    ) -> tuple[float | None, str | None]:
        if isinstance(value, str):
            if value == NO_ANSWER:
                return None, "no answer (N)"
            mapping = self.values or DEFAULT_VALUES
            if value in mapping:
                return float(mapping[value]), None
            raise self._unmapped(sample_id, value)
        if isinstance(value, bool):
            return (1.0 if value else 0.0), None
        if isinstance(value, int | float):
            number = float(value)
            if math.isnan(number):
                return None, str(reason or "unscored (NaN)")
            key = f"{number:g}"
            if key in self.values:
                return float(self.values[key]), None
            if 0.0 <= number <= 1.0:
                return number, None
            raise self._unmapped(sample_id, value, "outside [0, 1]")
        if value is None:
            return None, str(reason or "unscored")
        raise self._unmapped(sample_id, value, "not a single value")

    def _unmapped(self, sample_id: object, value: Any, why: str = "") -> ConfigError:
        covered = ", ".join(sorted(self.values or DEFAULT_VALUES))
        scorer = f" scorer {self.scorer}" if self.scorer else ""
        detail = f" ({why})" if why else ""
        return ConfigError(
            f"task {self.task}: sample {sample_id}:{scorer} value {value!r}{detail} is "
            f"not covered by the rule's `values` (it maps: {covered}); add it to `values`"
        )
