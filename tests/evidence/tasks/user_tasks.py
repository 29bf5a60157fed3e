"""A user's own Inspect tasks, outside any package, bound from a framework as `file.py@task`.

The scorer grades each sample by the grade its metadata records, not by the model's
words: a direct assessment and one replayed from a plain `inspect eval` log must then
agree exactly, whatever the embedded model answers.
"""

from __future__ import annotations

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import GenerateConfig
from inspect_ai.scorer import Score, Target, accuracy, scorer
from inspect_ai.solver import TaskState, generate

FACTS = [
    ("Name the gas plants take in for photosynthesis.", "pass", "biology"),
    ("What unit is used to measure electrical resistance?", "pass", "physics"),
    ("How many minutes are in two hours?", "fail", "everyday"),
    ("What colour do you get by mixing blue and yellow paint?", "pass", "everyday"),
    ("Which organ pumps blood around the body?", "pass", "biology"),
    ("At what temperature in Celsius does water freeze?", "fail", "physics"),
]


@scorer(metrics=[accuracy()])
def recorded_grade():  # type: ignore[no-untyped-def]
    async def score(state: TaskState, target: Target) -> Score:
        return Score(value=state.metadata["grade"], answer=state.output.completion)

    return score


@task
def everyday_facts(topics: str = "all") -> Task:
    """Six everyday science questions; `topics` narrows them (comma-separated)."""
    wanted = None if topics == "all" else set(topics.split(","))
    samples = [
        Sample(
            id=f"fact-{n}",
            input=question,
            metadata={"grade": grade, "topic": topic},
        )
        for n, (question, grade, topic) in enumerate(FACTS, 1)
        if wanted is None or topic in wanted
    ]
    return Task(
        dataset=MemoryDataset(samples, name="everyday_facts"),
        solver=generate(),
        scorer=recorded_grade(),
        config=GenerateConfig(max_tokens=4),
    )
