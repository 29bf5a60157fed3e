"""A task whose items live in a JSONL file beside the test: editing it changes the digest.

The scorer grades each sample by the grade its record holds, not by the model's
words, so verdicts do not depend on what the embedded model answers.
"""

from __future__ import annotations

import json
from pathlib import Path

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import GenerateConfig
from inspect_ai.scorer import Score, Target, accuracy, scorer
from inspect_ai.solver import TaskState, generate


@scorer(metrics=[accuracy()])
def recorded_grade():  # type: ignore[no-untyped-def]
    async def score(state: TaskState, target: Target) -> Score:
        return Score(value=state.metadata["grade"], answer=state.output.completion)

    return score


@task
def pinned_facts(path: str) -> Task:
    """Everyday questions read from `path`, one JSON record a line."""
    records = [
        json.loads(line)
        for line in Path(path).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return Task(
        dataset=MemoryDataset(
            [
                Sample(id=r["id"], input=r["question"], metadata={"grade": r["grade"]})
                for r in records
            ],
            name="pinned_facts",
        ),
        solver=generate(),
        scorer=recorded_grade(),
        config=GenerateConfig(max_tokens=2),
        version=1,
    )
