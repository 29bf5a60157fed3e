"""How a run departs from its plan: every difference, named and worded."""

from __future__ import annotations

from typing import Any

from redline.plans._model import Plan, PlannedTask
from redline.reports import PlanDeviation

# Settings compared one to one; tasks are compared per suite below.
_SETTINGS: tuple[tuple[str, str], ...] = (
    ("model", "model"),
    ("model_base_url", "setting"),
    ("seed", "seed"),
    ("limit", "limit"),
    ("epochs", "elicitation"),
    ("stopping", "setting"),
    ("budgets", "setting"),
    ("judge", "setting"),
    ("judge_validation", "setting"),
    ("sandbox", "setting"),
)


def _json(value: Any) -> Any:
    return value.model_dump(mode="json") if hasattr(value, "model_dump") else value


def _task_deviations(planned: PlannedTask, actual: PlannedTask) -> list[PlanDeviation]:
    where = f"tasks.{planned.suite}"
    out = []
    for name, kind in (
        ("args", "task_args"),
        ("task_version", "task_version"),
        ("dataset_digest", "dataset_digest"),
        ("elicitation", "elicitation"),
        ("scorers", "setting"),
    ):
        before, after = _json(getattr(planned, name)), _json(getattr(actual, name))
        if before != after:
            out.append(
                PlanDeviation(
                    kind=kind,
                    field=f"{where}.{name}",
                    planned=before,
                    actual=after,
                    message=f"{planned.suite}: {name} differs from the plan "
                    f"(planned {before}, ran {after})",
                )
            )
    return out


def plan_deviations(planned: Plan, actual: Plan) -> tuple[PlanDeviation, ...]:
    """Every way `actual` (what a run is about to do) differs from `planned`.

    Both are plans so that one comparison covers whatever either may hold; the
    creation time is the only field that is meant to differ.
    """
    out: list[PlanDeviation] = []
    if planned.framework != actual.framework:
        out.append(
            PlanDeviation(
                kind="framework",
                field="framework",
                planned=_json(planned.framework),
                actual=_json(actual.framework),
                message=f"framework {actual.framework.id} "
                f"{actual.framework.version} ({actual.framework.content_hash}) is not "
                f"the one planned ({planned.framework.id} {planned.framework.version}, "
                f"{planned.framework.content_hash}): it changed since the plan was signed",
            )
        )
    for name, kind in _SETTINGS:
        before, after = _json(getattr(planned, name)), _json(getattr(actual, name))
        if before != after:
            out.append(
                PlanDeviation(
                    kind=kind,
                    field=name,
                    planned=before,
                    actual=after,
                    message=f"{name}: planned {before}, ran {after}",
                )
            )
    planned_tasks = {t.suite: t for t in planned.tasks}
    actual_tasks = {t.suite: t for t in actual.tasks}
    for suite, task in planned_tasks.items():
        if suite not in actual_tasks:
            out.append(
                PlanDeviation(
                    kind="suite_dropped",
                    field=f"tasks.{suite}",
                    planned=task.task,
                    message=f"{suite}: planned, but not run",
                )
            )
        else:
            out.extend(_task_deviations(task, actual_tasks[suite]))
    for suite, task in actual_tasks.items():
        if suite not in planned_tasks:
            out.append(
                PlanDeviation(
                    kind="suite_added",
                    field=f"tasks.{suite}",
                    actual=task.task,
                    message=f"{suite}: run, but not in the plan",
                )
            )
    return tuple(out)


def blocking_deviations(
    deviations: tuple[PlanDeviation, ...],
) -> tuple[PlanDeviation, ...]:
    """The deviations that make a run no longer the plan's: all but resumption.

    A resumed run still runs the plan (the samples it reuses were run under it); it
    is recorded so a reader can look at the interruption.
    """
    return tuple(d for d in deviations if d.kind not in ("resumed", "repeated"))
