"""Pre-registered plans, from the assessment's side: write one, bind a run to one.

The plan document itself (`redline.plans`) knows nothing of Inspect; what pins a task
(its version, dataset digest and scorers) is read here, by building each task
without calling a model, both when a plan is written and when a run is bound to it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from redline.errors import PlanError
from redline.evals import (
    Budget,
    RunOptions,
    TaskRun,
    plan_task_runs,
    run_epochs,
    run_reducer,
    task_identity,
)
from redline.frameworks import FrameworkSource, load_framework_source
from redline.plans import (
    Budgets,
    FrameworkPin,
    Plan,
    PlannedTask,
    SignedPlan,
    StoppingRule,
    blocking_deviations,
    plan_deviations,
)
from redline.reports import Elicitation, PlanBinding, PlanDeviation

BINDING_FILE = "plan-binding.json"
"""In a run folder: the bound plan's digest and when the run first started."""


def elicitation_of(run: TaskRun, options: RunOptions) -> Elicitation:
    """Under which elicitation a task's evidence is taken with these options."""
    given = dict(options.task_args).get(run.suite or run.task, ())
    return Elicitation(
        epochs=run_epochs(run, options.epochs),
        epochs_reducer="max" if run_reducer(run) == "max" else "mean",
        temperature=options.temperature,
        max_tokens=options.max_tokens,
        timeout_s=options.timeout,
        token_budget=options.budget.tokens if options.sequential else None,
        sample_budget=options.budget.samples if options.sequential else None,
        scaffold="suite default"
        + (f" with -T {', '.join(name for name, _ in given)}" if given else ""),
    )


def _injected(options: RunOptions) -> dict[str, Any]:
    injected: dict[str, Any] = {}
    if options.judge is not None:
        injected["judge"] = options.judge
        injected["judge_validation"] = options.judge_validation
    if options.sandbox != "auto":
        injected["sandbox"] = options.sandbox
    return injected


def _as_json(args: dict[str, Any]) -> dict[str, Any]:
    dumped: dict[str, Any] = TypeAdapter(dict[str, Any]).dump_python(args, mode="json")
    return dumped


def _planned_task(run: TaskRun, options: RunOptions) -> PlannedTask:
    task_args = dict(dict(options.task_args).get(run.suite or run.task, ()))
    args = {**dict(run.args), **task_args}
    identity = task_identity(run, {**_injected(options), **task_args})
    scorers = identity.scorers
    if options.judge is not None:
        scorers = (*scorers, f"judge:{options.judge}")
    return PlannedTask(
        suite=run.suite or run.task,
        task=run.task,
        task_version=identity.task_version,
        args=_as_json(args),
        run_args=_as_json(task_args),
        dataset_digest=identity.dataset_digest,
        scorers=scorers,
        elicitation=elicitation_of(run, options),
    )


def plan_of_run(
    source: FrameworkSource,
    options: RunOptions,
    data_dir: Path | None = None,
    suites: Iterable[str] = (),
) -> Plan:
    """The plan that a run with these options carries out, read from its tasks.

    Raises:
        ConfigError: A task cannot be resolved or built.
    """
    framework = source.framework
    wanted = set(suites)
    runs = [
        run
        for run in plan_task_runs(source, data_dir)
        if run.missing is None
        and (not wanted or (run.suite or run.task) in wanted)
        and run.rules
    ]
    policy = framework.decision_policy
    return Plan(
        created_at=datetime.now(UTC),
        model=options.model,
        model_base_url=options.model_base_url,
        framework=FrameworkPin(
            id=framework.id,
            version=framework.version,
            content_hash=framework.content_hash,
            source=framework.id
            if source.base_dir is None
            else str(Path(source.source).resolve()),
        ),
        tasks=tuple(_planned_task(run, options) for run in runs),
        seed=options.seed,
        limit=options.limit,
        epochs=options.epochs,
        stopping=StoppingRule(
            sequential=options.sequential,
            confidence=policy.confidence,
            multiplicity=policy.multiplicity,
            sequential_share=policy.sequential_share,
        ),
        budgets=Budgets(
            samples=options.budget.samples,
            tokens=options.budget.tokens,
            cost=options.budget.cost,
        ),
        judge=options.judge,
        judge_validation=options.judge_validation,
        sandbox=options.sandbox,
    )


def create_plan(
    framework: str | Path,
    options: RunOptions,
    data_dir: Path | None = None,
    suites: Iterable[str] = (),
) -> Plan:
    """A plan for assessing `options.model` under a framework; no model is called.

    Raises:
        FrameworkError: The framework does not load.
        ConfigError: A task cannot be resolved or built.
    """
    return plan_of_run(load_framework_source(framework), options, data_dir, suites)


def run_options_of(
    plan: Plan, base: RunOptions, given: Iterable[str] = ()
) -> RunOptions:
    """`base` with every setting the plan fixes, except those named in `given`.

    `given` names the `RunOptions` fields the operator set explicitly: they win,
    and the run then records them as deviations.
    """
    explicit = set(given)
    task_args = tuple(
        (task.suite, tuple(task.run_args.items()))
        for task in plan.tasks
        if task.run_args
    )
    fixed: dict[str, Any] = {
        "model": plan.model,
        "model_base_url": plan.model_base_url,
        "seed": plan.seed,
        "limit": plan.limit,
        "epochs": plan.epochs,
        "sequential": plan.stopping.sequential,
        "budget": Budget(
            samples=plan.budgets.samples,
            tokens=plan.budgets.tokens,
            cost=plan.budgets.cost,
        ),
        "judge": plan.judge,
        "judge_validation": plan.judge_validation,
        "sandbox": plan.sandbox,
        "task_args": task_args,
    }
    if plan.tasks:
        first = plan.tasks[0].elicitation
        fixed.update(
            temperature=first.temperature,
            max_tokens=first.max_tokens,
            timeout=first.timeout_s,
        )
    return replace(base, **{k: v for k, v in fixed.items() if k not in explicit})


def _started_at(out: Path, digest: str) -> tuple[datetime, bool]:
    """When the run in `out` first started under this plan, and whether one did."""
    try:
        data = json.loads((out / BINDING_FILE).read_text(encoding="utf-8"))
        if data.get("plan") == digest:
            return datetime.fromisoformat(data["started_at"]), True
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return datetime.now(UTC), False


def _earlier_runs(folders: Iterable[Path], out: Path, digest: str) -> list[str]:
    """Run folders in `folders` (beside `out`) whose reports were bound to the plan."""
    found: list[str] = []
    for runs_dir in dict.fromkeys(f.resolve() for f in folders):
        if not runs_dir.is_dir():
            continue
        for folder in sorted(runs_dir.iterdir()):
            if folder.resolve() == out.resolve():
                continue
            try:
                report = json.loads(
                    (folder / "report.json").read_text(encoding="utf-8")
                )
            except (OSError, ValueError):
                continue
            plan = report.get("plan") if isinstance(report, dict) else None
            if isinstance(plan, dict) and plan.get("digest") == digest:
                found.append(str(folder))
    return found


def bind_run(
    signed: SignedPlan,
    digest: str,
    actual: Plan,
    out: Path,
    runs_dir: Path,
    *,
    resumed: bool,
    allow_deviation: bool,
) -> PlanBinding:
    """The binding of a run to its plan, refusing a run that departs from it.

    Raises:
        PlanError: The run departs from the plan (its framework or data changed
            since signing, or a setting differs) and `allow_deviation` is not set;
            the message lists every difference.
    """
    deviations: list[PlanDeviation] = list(plan_deviations(signed.plan, actual))
    blocking = blocking_deviations(tuple(deviations))
    if blocking and not allow_deviation:
        listed = "; ".join(d.message for d in blocking[:6])
        more = f" (and {len(blocking) - 6} more)" if len(blocking) > 6 else ""
        raise PlanError(
            f"this run departs from plan {digest}: {listed}{more}. Run the plan as "
            "signed, or pass --allow-deviation to run anyway and record each deviation"
        )
    started_at, was_started = _started_at(out, digest)
    if resumed:
        deviations.append(
            PlanDeviation(
                kind="resumed",
                field="run",
                actual=str(out),
                message=f"the run was interrupted and resumed in {out}",
            )
        )
    elif was_started:
        # A finished run of the plan, run again over its own folder: a new start.
        started_at = datetime.now(UTC)
        deviations.append(
            PlanDeviation(
                kind="repeated",
                field="run",
                actual=str(out),
                message=f"the plan was already run in {out}, which this run replaces",
            )
        )
    for earlier in _earlier_runs((runs_dir, out.parent), out, digest):
        deviations.append(
            PlanDeviation(
                kind="repeated",
                field="run",
                actual=earlier,
                message=f"the plan was already run in {earlier}",
            )
        )
    return PlanBinding(
        digest=digest,
        key_id=signed.signature.key_id,
        created_at=signed.plan.created_at,
        started_at=started_at,
        deviations=tuple(deviations),
    )


def record_start(out: Path, binding: PlanBinding) -> None:
    """Write when the run started, so a resumed run keeps its first start time."""
    out.mkdir(parents=True, exist_ok=True)
    (out / BINDING_FILE).write_text(
        json.dumps(
            {"plan": binding.digest, "started_at": binding.started_at.isoformat()}
        ),
        encoding="utf-8",
    )


__all__ = [
    "BINDING_FILE",
    "bind_run",
    "create_plan",
    "elicitation_of",
    "plan_of_run",
    "record_start",
    "run_options_of",
]
