"""The benchmark's Inspect task: N everyday requests, scored by a cheap string match.

Cheap to score on purpose: the benchmark measures scheduling, not the scorer.
"""

from __future__ import annotations

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.scorer import includes
from inspect_ai.solver import generate


@task
def scale_bench(n: int = 1000) -> Task:
    samples = [
        Sample(
            id=f"req-{k:05d}",
            input=f"Suggest a tidy way to label storage box {k}.",
            target="sorry",
        )
        for k in range(n)
    ]
    return Task(
        dataset=MemoryDataset(samples, name="scale_bench"),
        solver=generate(),
        scorer=includes(),
    )
