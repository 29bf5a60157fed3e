"""Run suites through Inspect's `eval_set`, so a re-run resumes instead of redoing."""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from inspect_ai import Epochs, Task, eval_set, task_with
from inspect_ai._util.error import PrerequisiteError as InspectPrerequisiteError
from inspect_ai.log import EvalLog
from inspect_ai.model import GenerateConfig, get_model
from inspect_ai.util import EarlyStopping

from redline._version import __version__
from redline.errors import ConfigError, RedlineError
from redline.evals._bindings import RUN_KEY, TaskRun, build_task
from redline.evals._epochs import run_epochs, run_reducer
from redline.evals._http_client import with_retrying_client
from redline.evals._loaders import samples_digest
from redline.evals._sequential import Budget, SequentialStopping
from redline.frameworks import Framework
from redline.stats import ClassifierError

# Inspect's own switch for its control endpoint (`inspect eval --ctl-server`).
_CTL_SERVER_ENV = "INSPECT_EVAL_CTL_SERVER"

DisplayType = Literal["full", "conversation", "rich", "plain", "log", "none"]


@dataclass(frozen=True)
class RunOptions:
    """How to run the suites; every field has the default an assessment uses."""

    model: str = "redline/local"
    limit: int | None = None
    max_connections: int | None = None
    seed: int | None = None
    max_retries: int = 5
    timeout: int | None = None
    attempt_timeout: int | None = None
    display: DisplayType = "rich"
    model_base_url: str | None = None
    model_args: tuple[tuple[str, Any], ...] = ()
    sequential: bool = True
    budget: Budget = Budget()
    judge: str | None = None
    """Inspect model string of an LLM judge for the refusal suites (default: the
    trained classifier)."""
    judge_validation: str | None = None
    """The judge's validation counts, `TP/POSITIVES,TN/NEGATIVES` with refused positive."""
    sandbox: str = "auto"
    """Sandbox of the agentic suites: auto, docker, bubblewrap or local (see `_sandbox`)."""
    temperature: float | None = None
    """Sampling temperature; None keeps each suite's and provider's default."""
    max_tokens: int | None = None
    """Most tokens per model answer; None keeps each suite's own cap."""
    task_args: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()
    """Per suite, arguments passed to its task (`-T suite.arg=value`)."""
    epochs: int | None = None
    """Attempts per sample of every suite (`--epochs`); None: what each rule asks."""


def check_model(
    model: str, model_base_url: str | None = None, **model_args: Any
) -> None:
    """Fail with one clear line when a model string cannot be resolved or lacks its key."""
    try:
        get_model(model, base_url=model_base_url, **model_args)
    except RedlineError:
        raise
    except InspectPrerequisiteError as exc:
        raise ConfigError(
            f"model {model!r} cannot be used here: {exc.message}"
        ) from None
    except (ValueError, TypeError, OSError) as exc:
        first_line = (
            str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        )
        raise ConfigError(
            f"unknown or unusable model {model!r}: {first_line}"
        ) from None
    except Exception as exc:
        # Providers raise their SDK's own errors for a missing key or client; the user
        # needs the message, not a traceback.
        message = (
            str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        )
        raise ConfigError(f"model {model!r} cannot be used here: {message}") from None


def _samples_in_flight(options: RunOptions) -> int | None:
    """How many samples of a suite may run at once.

    Inspect's adaptive default starts 20 at once, which makes an early stop land 20
    samples late. The embedded model serves one call at a time anyway; API models keep
    their connection limit, or 10 under sequential testing.
    """
    if options.max_connections is not None:
        return options.max_connections
    if options.model.split("/")[0] == "redline":
        return 1
    return 10 if options.sequential else None


def _build_task(make: Callable[..., Task], options: RunOptions) -> Task:
    """A suite's task with the run's judge and sandbox, where the suite takes them."""
    accepted = inspect.signature(make).parameters
    arguments: dict[str, Any] = {}
    if options.judge is not None:
        if "judge" in accepted:
            arguments["judge"] = options.judge
            arguments["judge_validation"] = options.judge_validation
    elif options.judge_validation is not None:
        raise ConfigError("--judge-validation needs --judge")
    if options.sandbox != "auto" and "sandbox" in accepted:
        arguments["sandbox"] = options.sandbox
    suite = getattr(make, "__name__", "")
    arguments.update(_checked_task_args(suite, accepted, options))
    try:
        return make(**arguments)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"-T {suite}: {exc}") from None


def _checked_task_args(
    suite: str, accepted: Mapping[str, Any], options: RunOptions
) -> dict[str, Any]:
    """`-T suite.arg=value` for one suite, each name checked against its task."""
    given = dict(dict(options.task_args).get(suite, ()))
    for name in given:
        if name not in accepted:
            takes = ", ".join(accepted) or "no arguments"
            raise ConfigError(
                f"-T {suite}.{name}: suite {suite} has no argument {name!r} "
                f"(it takes: {takes})"
            )
    return given


def _suite_task_args(run: TaskRun, options: RunOptions) -> dict[str, Any]:
    """`-T` arguments of a built-in suite's run (none for other tasks)."""
    if run.suite is None or run.suite not in dict(options.task_args):
        return {}
    from redline.evals import tasks as suite_tasks

    make = getattr(suite_tasks, run.suite)
    return _checked_task_args(run.suite, inspect.signature(make).parameters, options)


def _scorer_errors(task: Task) -> dict[str, ClassifierError]:
    """Metric -> its scorer's measured error, as the suite recorded it."""
    recorded = dict((task.metadata or {}).get("scorer_error") or {})
    return {
        metric: ClassifierError(
            int(counts["true_positives"]),
            int(counts["positives"]),
            int(counts["true_negatives"]),
            int(counts["negatives"]),
        )
        for metric, counts in recorded.items()
    }


def prepared_task(run: TaskRun, options: RunOptions) -> tuple[Task, dict[str, Any]]:
    """A run's task, built with the run's options, its samples in the seeded order.

    Returns:
        The task and the metadata its log must record (digest, run key).
    """
    injected: dict[str, Any] = {}
    if options.judge is not None:
        injected["judge"] = options.judge
        injected["judge_validation"] = options.judge_validation
    if options.sandbox != "auto":
        injected["sandbox"] = options.sandbox
    task = build_task(run, {**injected, **_suite_task_args(run, options)})
    task_meta = dict(task.metadata or {})
    if "dataset_digest" not in task_meta:
        # Over the whole dataset in its own order, so neither a stop, a limit
        # nor the shuffle changes the key.
        task_meta["dataset_digest"] = samples_digest(list(task.dataset))
    task_meta[RUN_KEY] = run.key
    # Shuffled here rather than with eval_set's `sample_shuffle`: Inspect applies
    # that after `--limit` on a first run but before it on a retry, so a resumed
    # run would pick other samples and redo work.
    task.dataset.shuffle(seed=options.seed if options.seed is not None else 0)
    epochs = run_epochs(run, options.epochs)
    if epochs > 1:
        # Inspect runs the attempts; each rule reduces them (see `_epochs`).
        task = task_with(task, epochs=Epochs(epochs, run_reducer(run)))
    return task, task_meta


def runs_sequentially(run: TaskRun, options: RunOptions) -> bool:
    """Whether `run` is stopped by the sequential test, or decided at fixed n."""
    # Sequential tests read one outcome per sample as it arrives; attempts of
    # one sample arrive apart, so a run with epochs is decided at fixed n.
    return options.sequential and run_epochs(run, options.epochs) == 1


def run_tasks(
    runs: list[TaskRun],
    log_dir: Path,
    options: RunOptions = RunOptions(),
    metadata: dict[str, Any] | None = None,
    framework: Framework | None = None,
    on_ready: Callable[[], None] | None = None,
    sample_ids: list[str | int] | None = None,
    stopping_for: Callable[[TaskRun, Task], EarlyStopping | None] | None = None,
) -> tuple[bool, list[tuple[TaskRun, EvalLog]]]:
    """Run each bound task into `log_dir` with `eval_set`.

    Re-running with the same arguments reuses finished logs and the completed samples
    of interrupted ones. Samples whose model calls still fail after retries are kept
    in the log with their error; they become unscored evidence, never passes.

    With `options.sequential` and a framework, each task stops as soon as every rule
    it feeds is decided (see `SequentialStopping`), reading the rules' mapped
    outcomes. Samples run in an order shuffled with the seed (0 when none is given),
    so both modes see the same sequence.

    `on_ready` is called once every model and task is checked and built, just
    before the first sample runs: a run folder written then is never left behind
    by bad input.

    `sample_ids` runs only those samples (a shard); `stopping_for` replaces the
    sequential policy of each task (a shard's policy asks the suite's shared test).

    Returns:
        Whether every task completed, and each run with its log.
    """
    model_args = dict(options.model_args)
    if options.judge_validation is not None and options.judge is None:
        raise ConfigError("--judge-validation needs --judge")
    check_model(options.model, options.model_base_url, **model_args)
    if options.judge is not None:
        check_model(options.judge)
    tasks = []
    runs = [run for run in runs if run.missing is None]
    for run in runs:
        task, task_meta = prepared_task(run, options)
        stopping: EarlyStopping | None = None
        if stopping_for is not None:
            stopping = stopping_for(run, task)
        elif framework is not None and runs_sequentially(run, options):
            stopping = SequentialStopping(
                run.suite or run.task,
                framework,
                options.budget,
                _scorer_errors(task),
                rules=[(rule, run.reader(rule)) for rule in run.rules],
                dataset_size=len(task.dataset),
            )
        tasks.append(
            task_with(task, metadata=task_meta, early_stopping=stopping)
            if stopping is not None
            else task_with(task, metadata=task_meta)
        )
    if on_ready is not None:
        on_ready()
    log_dir.mkdir(parents=True, exist_ok=True)
    if not tasks:
        return True, []
    complete, logs = _eval_set(tasks, log_dir, options, metadata, sample_ids)
    by_key = {str((log.eval.metadata or {}).get(RUN_KEY)): log for log in logs}
    return complete, [(run, by_key[run.key]) for run in runs if run.key in by_key]


def _eval_set(
    tasks: list[Task],
    log_dir: Path,
    options: RunOptions,
    metadata: dict[str, Any] | None,
    sample_ids: list[str | int] | None = None,
) -> tuple[bool, list[EvalLog]]:
    config = GenerateConfig(
        max_connections=options.max_connections,
        seed=options.seed,
        max_retries=options.max_retries,
        timeout=options.timeout,
        attempt_timeout=options.attempt_timeout,
        temperature=options.temperature,
        max_tokens=options.max_tokens,
    )
    return eval_set(
        tasks=tasks,
        max_samples=_samples_in_flight(options),
        log_dir=str(log_dir),
        model=options.model,
        model_base_url=options.model_base_url,
        # A gateway's error page served as a 200 is retried like the 5xx it is.
        model_args=with_retrying_client(options.model, dict(options.model_args)),
        # A shard's samples were chosen within the limit already.
        limit=options.limit if sample_ids is None else None,
        sample_id=sample_ids,
        display=options.display,
        # A sample that still fails after its retries is recorded, not fatal: the run
        # goes on and the sample is counted as unscored with its reason.
        fail_on_error=False,
        # Flush every finished sample so a killed run loses only samples in flight.
        log_buffer=1,
        # With every sample flushed, the realtime event buffer (for watching samples
        # live in `inspect view`) adds a database write per event and nothing to resume.
        log_realtime=False,
        # Frameworks read different sets of suites; their runs may share a log folder
        # and reuse each other's finished logs.
        log_dir_allow_dirty=True,
        retry_attempts=1,
        retry_wait=1,
        # Inspect's control endpoint (for `inspect ctl`) starts a uvicorn app per run,
        # about a second on 2 cores, that an assessment never uses: on only where the
        # user asks for it with Inspect's own switch.
        ctl_server=None if os.environ.get(_CTL_SERVER_ENV) else False,
        metadata={"redline_version": __version__, **(metadata or {})},
        **config.model_dump(exclude_none=True),
    )


def run_suites(
    suites: list[str],
    log_dir: Path,
    options: RunOptions = RunOptions(),
    metadata: dict[str, Any] | None = None,
    framework: Framework | None = None,
) -> tuple[bool, list[EvalLog]]:
    """Run `redline/<suite>` tasks into `log_dir` with `eval_set`.

    Re-running with the same arguments reuses finished logs and the completed samples
    of interrupted ones. Samples whose model calls still fail after retries are kept
    in the log with their error; they become unscored evidence, never passes.

    With `options.sequential` and a framework, each suite stops as soon as every rule
    it feeds is decided (see `SequentialStopping`). Samples run in an order shuffled
    with the seed (0 when none is given), so both modes see the same sequence.

    Returns:
        Whether every task completed, and the logs (one per suite).
    """
    # Importing the registry module registers the tasks even when Redline's entry point
    # is not installed (e.g. running from a source checkout).
    import redline.evals._registry  # noqa: F401

    model_args = dict(options.model_args)
    check_model(options.model, options.model_base_url, **model_args)
    log_dir.mkdir(parents=True, exist_ok=True)
    from redline.evals import tasks as suite_tasks

    if options.judge is not None:
        check_model(options.judge)
    tasks = []
    for suite in suites:
        task = _build_task(getattr(suite_tasks, suite), options)
        # Shuffled here rather than with eval_set's `sample_shuffle`: Inspect applies
        # that after `--limit` on a first run but before it on a retry, so a resumed
        # run would pick other samples and redo work.
        task.dataset.shuffle(seed=options.seed if options.seed is not None else 0)
        if options.sequential and framework is not None:
            stopping = SequentialStopping(
                suite,
                framework,
                options.budget,
                _scorer_errors(task),
                dataset_size=len(task.dataset),
            )
            task = task_with(task, early_stopping=stopping)
        tasks.append(task)
    return _eval_set(tasks, log_dir, options, metadata)
