"""Small arithmetic questions scored by Inspect's own `includes()` (C or I per sample)."""

from __future__ import annotations

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import GenerateConfig
from inspect_ai.scorer import includes
from inspect_ai.solver import generate

QUESTIONS = [
    ("What is 2 + 3? Reply with the number only.", "5", "addition"),
    ("What is 9 - 4? Reply with the number only.", "5", "subtraction"),
    ("What is 3 + 4? Reply with the number only.", "7", "addition"),
    ("What is 10 - 8? Reply with the number only.", "2", "subtraction"),
]


@task
def arithmetic_checks(max_tokens: int = 6) -> Task:
    """Four one-step sums; `includes()` marks a reply containing the answer correct."""
    return Task(
        dataset=MemoryDataset(
            [
                Sample(id=f"sum-{n}", input=q, target=a, metadata={"category": c})
                for n, (q, a, c) in enumerate(QUESTIONS, 1)
            ],
            name="arithmetic_checks",
        ),
        solver=generate(),
        scorer=includes(),
        config=GenerateConfig(max_tokens=max_tokens),
        version=1,
    )
