"""Epochs: several attempts per sample, and how they become one outcome per sample.

`mean` keeps every attempt as a record of its sample's group: the verdict engine's
clustered path already treats the attempts of one sample as one cluster. `max` (at
least once in k, the lower bound a capability threshold reads) reduces them to one
record per sample. The maximum of k 0/1 outcomes is itself 0/1, one per sample, so
the exact binomial intervals apply to it unchanged; what changes is what is
estimated: the rate at which k attempts elicit the behaviour at least once.
"""

from __future__ import annotations

from collections.abc import Sequence

from inspect_ai.scorer import Score, max_score

from redline.evals._bindings import TaskRun
from redline.frameworks import SampleRecord


def run_epochs(run: TaskRun, epochs: int | None = None) -> int:
    """Attempts per sample: `epochs` (`--epochs`), else the most any rule asks."""
    if epochs is not None:
        return epochs
    return max((rule.epochs or 1 for rule in run.rules), default=1)


def run_reducer(run: TaskRun) -> str:
    """The reducer the run's rules ask for (`max` when any does), for the record."""
    return "max" if any(r.epochs_reducer == "max" for r in run.rules) else "mean"


def reduce_epochs(records: Sequence[SampleRecord], reducer: str) -> list[SampleRecord]:
    """One record per sample under `max`; the records as they are under `mean`.

    Under `max` a sample counts as showing the behaviour when any scored attempt
    shows it fully (outcome 1). Otherwise an unscored attempt leaves the sample
    unscored: that attempt might have shown it, and an unscored sample never counts
    as the safe outcome.
    """
    if reducer != "max":
        return list(records)
    by_sample: dict[str, list[SampleRecord]] = {}
    for record in records:
        by_sample.setdefault(record.id, []).append(record)
    reduced = []
    for attempts in by_sample.values():
        scored = [a for a in attempts if a.score is not None]
        best = max(scored, key=lambda a: a.score or 0.0) if scored else None
        value = (
            max_score()([Score(value=a.score) for a in scored]).value
            if scored
            else None
        )
        unscored = [a for a in attempts if a.score is None]
        if best is not None and (value == 1.0 or not unscored):
            reduced.append(best.model_copy(update={"score": float(value)}))  # type: ignore[arg-type]
        else:
            reason = unscored[0].unscored_reason or "unscored"
            reduced.append(
                unscored[0].model_copy(
                    update={
                        "unscored_reason": f"{reason} (1 of {len(attempts)} attempts)"
                    }
                )
            )
    return reduced
