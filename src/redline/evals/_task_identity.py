"""What pins a task before it runs: its version, its dataset digest, its scorers.

A pre-registered plan records these, and a run bound to the plan checks them again
before any model is called, so data edited after signing is caught up front.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from inspect_ai._util.registry import registry_info

from redline.evals._bindings import TaskRun, build_task
from redline.evals._loaders import samples_digest


@dataclass(frozen=True)
class TaskIdentity:
    """A built task's version, dataset digest and scorer names."""

    task_version: str
    dataset_digest: str
    scorers: tuple[str, ...]


def task_identity(
    run: TaskRun, injected: Mapping[str, Any] | None = None
) -> TaskIdentity:
    """Build a run's task (no model is called) and read what pins it.

    The digest is the one `run_tasks` records in the log: the task's own when it
    records one, else one over its whole dataset in its own order.

    Raises:
        ConfigError: The task could not be built.
    """
    task = build_task(run, injected)
    meta = dict(task.metadata or {})
    digest = meta.get("dataset_digest") or samples_digest(list(task.dataset))
    scorers = []
    for scorer in task.scorer or []:
        try:
            scorers.append(registry_info(scorer).name)
        except ValueError:
            scorers.append(getattr(scorer, "__name__", type(scorer).__name__))
    return TaskIdentity(str(task.version), str(digest), tuple(scorers))
