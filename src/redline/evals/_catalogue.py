"""The built-in suites with what their datasets hold, for `redline suites`."""

from __future__ import annotations

import inspect
from collections import Counter
from typing import Any

from redline.evals.tasks import SUITES


def suite_catalogue() -> list[dict[str, Any]]:
    """Each built-in suite's catalogue entry, sample count and samples per category.

    Rules that read a category subset (`categories: [cyber_defense]`) depend on these
    names and counts, so they come from the datasets the tasks build, not from docs.
    """
    from redline.evals import tasks as suite_tasks

    entries = []
    for name, info in sorted(SUITES.items()):
        make = getattr(suite_tasks, name)
        # The sandbox is irrelevant to what the dataset holds; `local` asks nothing.
        arguments = (
            {"sandbox": "local"}
            if "sandbox" in inspect.signature(make).parameters
            else {}
        )
        task = make(**arguments)
        categories = Counter(
            str(sample.metadata["category"])
            for sample in task.dataset
            if sample.metadata and sample.metadata.get("category") is not None
        )
        entries.append(
            {
                **info.model_dump(mode="json"),
                "samples": len(task.dataset),
                "categories": dict(sorted(categories.items())),
            }
        )
    return entries
