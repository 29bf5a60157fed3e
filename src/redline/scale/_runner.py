"""Run an assessment's suites as Ray tasks: shards of the seeded order, one test per suite.

`RayTaskRunner` has `run_tasks`'s signature, so `redline.assess.assess` runs
unchanged around it (plan, resume, manifest, evidence, verdicts, report); only where
the samples run differs. Each suite's shards write their own logs beside the run's
`logs/` folder (`logs-shards/`), and merge into one log per suite in `logs/` (see
`redline.evals._shards`).
"""

from __future__ import annotations

import math
import os
import re
import socket
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from redline.assess import AssessOptions, assess
from redline.errors import ClusterError, PrerequisiteError
from redline.evals import (
    RunOptions,
    SuitePlan,
    TaskRun,
    check_model,
    merge_shards,
    merged_log,
    plan_suite,
    run_shard,
    runs_sequentially,
    sample_scores,
    sample_usage,
    shard_samples,
)
from redline.frameworks import Framework
from redline.reports import Report
from redline.scale._monitor import SuiteMonitor

_FORWARDED_ENV = re.compile(
    r"^(?:REDLINE_\w+|INSPECT_\w+|HF_TOKEN|\w+_API_KEY|\w+_BASE_URL)$"
)
"""Environment variables workers need: model keys and endpoints, Redline's settings."""


_DEFAULT_RUN = RunOptions()
_DEFAULT_ASSESS = AssessOptions()


_INSPECT_CONNECTIONS = 10
"""Inspect's default connections per model, where `--max-connections` is not given."""

_HEALTH_EVERY = 2.0
"""Seconds a wait on the cluster lasts before the head is checked again."""

_HEAD_DEAD_AFTER = 3
"""Failed checks of the head in a row that mean it is gone."""


class _HeadWatch:
    """Waits on the cluster, failing with one line when its head stops answering.

    With its head (GCS) dead, Ray's `wait` and `get` block; after 60 s Ray ends the
    process with a C++ log line and exit status 1, before any error reaches Python.
    Every wait here lasts at most `_HEALTH_EVERY` seconds, and between waits the
    GCS port must still accept a connection.
    """

    def __init__(self, ray: Any) -> None:
        self.ray = ray
        self.failures = 0
        address: str | None = None
        try:
            address = ray.get_runtime_context().gcs_address
        except (AttributeError, RuntimeError):
            # A Ray Client (`ray://`) session has no GCS address of its own;
            # its connection to the server fails by itself.
            address = None
        self.address = address

    def check(self) -> None:
        if not self.address:
            return
        host, _, port = self.address.rpartition(":")
        try:
            with socket.create_connection((host, int(port)), timeout=_HEALTH_EVERY):
                self.failures = 0
                return
        except OSError as exc:
            self.failures += 1
            if self.failures < _HEAD_DEAD_AFTER:
                return
            raise ClusterError(
                f"the Ray cluster's head at {self.address} stopped answering mid-run "
                f"({exc}). Start the cluster again and re-run the same command: it "
                "resumes from the samples the shards flushed."
            ) from None

    def wait_one(self, refs: list[Any]) -> tuple[list[Any], list[Any]]:
        """`ray.wait(refs, num_returns=1)`, watching the head."""
        while True:
            ready, rest = self.ray.wait(refs, num_returns=1, timeout=_HEALTH_EVERY)
            if ready:
                return ready, rest
            self.check()

    def get(self, refs: Any) -> Any:
        """`ray.get(refs)`, watching the head."""
        pending = list(refs) if isinstance(refs, list) else [refs]
        while pending:
            _, pending = self.ray.wait(
                pending, num_returns=len(pending), timeout=_HEALTH_EVERY
            )
            if pending:
                self.check()
        return self.ray.get(refs)


@dataclass(frozen=True)
class RayOptions:
    """Where and how wide to run."""

    address: str | None = None
    """A Ray address (`auto`, `host:port`, `ray://host:port`); None joins the cluster
    `RAY_ADDRESS` names, or starts a local one."""
    shards: int | None = None
    """Shards per suite; None: one per CPU the cluster offers."""
    max_retries: int = 3
    """Times Ray reruns a shard whose worker died."""


def forwarded_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment variables the workers receive through Ray's runtime environment."""
    source = os.environ if environ is None else environ
    return {k: v for k, v in source.items() if _FORWARDED_ENV.match(k)}


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise PrerequisiteError("--ray needs Ray: pip install 'redline[ray]'") from None
    return ray


def connect(options: RayOptions) -> Any:
    """Join (or start) the Ray cluster, keys passed in the runtime environment only.

    Raises:
        ClusterError: No cluster answers at the address.
    """
    ray = _ray()
    if ray.is_initialized():
        return ray
    _probe(options.address)
    # At info, a node's runtime-env agent writes the runtime environment, keys
    # included, to its log; a local Ray started here inherits this level.
    os.environ.setdefault("RAY_LOGGER_LEVEL", "warning")
    try:
        ray.init(
            address=options.address,
            runtime_env={"env_vars": forwarded_env()},
            include_dashboard=False,
            log_to_driver=False,
            logging_level="ERROR",
        )
    except (ConnectionError, TimeoutError, RuntimeError) as exc:
        first = (
            str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        )
        raise ClusterError(
            f"cannot reach the Ray cluster at {options.address or 'RAY_ADDRESS/local'}: "
            f"{first}. Start it (ray start --head) or fix --ray, then re-run to resume."
        ) from None
    return ray


def _probe(address: str | None) -> None:
    """Fail at once when nothing listens at a `host:port` head address.

    `ray.init` waits on a dead head for minutes, retrying, without a word.
    """
    if address is None or "://" in address or ":" not in address:
        return
    host, _, port = address.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=10):
            return
    except (OSError, ValueError) as exc:
        raise ClusterError(
            f"cannot reach the Ray cluster at {address}: {exc}. Start it "
            "(ray start --head) or fix --ray, then re-run to resume."
        ) from None


class _ActorCoordinator:
    """A shard's view of its suite's monitor actor."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle

    async def may_start(self, position: int) -> str | None:
        reason: str | None = await self.handle.may_start.remote(position)
        return reason

    async def completed(
        self,
        position: int,
        sample_id: str | int,
        epoch: int,
        scores: Mapping[str, Any] | None,
        usage: tuple[int, float] = (0, 0.0),
    ) -> None:
        await self.handle.completed.remote(position, sample_id, epoch, scores, usage)


def _shard(
    run: TaskRun,
    options: RunOptions,
    shard_dir: str,
    sample_ids: list[str | int],
    positions: Mapping[tuple[str, int], int],
    monitor: Any,
) -> Any:
    coordinator = None if monitor is None else _ActorCoordinator(monitor)
    return run_shard(run, options, Path(shard_dir), sample_ids, coordinator, positions)


@dataclass
class _Suite:
    run: TaskRun
    plan: SuitePlan
    shard_dirs: list[Path]
    shards: list[list[str | int]]
    monitor: Any = None


def _shard_count(root: Path, wanted: int) -> int:
    """Shards of an interrupted run keep their count, so their logs resume."""
    for folder in sorted(root.glob("shard-*-of-*")):
        return int(folder.name.rsplit("-", 1)[-1])
    return wanted


def _window(shards: int, options: RunOptions) -> int:
    """How far a shard may run past the suite's complete prefix.

    Every shard's connections full, once over: no shard idles while the prefix
    catches up, and none runs its whole share before the prefix can decide.
    """
    per_shard = math.ceil((options.max_connections or _INSPECT_CONNECTIONS) / shards)
    return shards * max(1, per_shard)


class RayTaskRunner:
    """`run_tasks` on a Ray cluster: same arguments, same return."""

    def __init__(self, options: RayOptions = RayOptions()) -> None:
        self.options = options
        self.results: list[Any] = []
        """Every shard's `ShardResult`, in the order they finished."""

    def __call__(
        self,
        runs: list[TaskRun],
        log_dir: Path,
        options: RunOptions = _DEFAULT_RUN,
        metadata: dict[str, Any] | None = None,  # noqa: ARG002 (run_tasks's signature)
        framework: Framework | None = None,
        on_ready: Callable[[], None] | None = None,
    ) -> tuple[bool, list[tuple[TaskRun, Any]]]:
        check_model(options.model, options.model_base_url, **dict(options.model_args))
        # Workers run in their own working directory: a relative run folder (the
        # default `runs/...`) would put each shard's log somewhere else.
        log_dir = log_dir.resolve()
        runs = [run for run in runs if run.missing is None]
        done: dict[str, Any] = {}
        pending: list[TaskRun] = []
        for run in runs:
            finished = merged_log(log_dir, run)
            if finished is not None:
                done[run.key] = finished
            else:
                pending.append(run)
        plans = [(run, plan_suite(run, options)) for run in pending]
        if on_ready is not None:
            on_ready()
        log_dir.mkdir(parents=True, exist_ok=True)
        if plans:
            ray = connect(self.options)
            wanted = self.options.shards or max(
                1, int(ray.cluster_resources().get("CPU", 1))
            )
            try:
                for run, log in self._run(
                    ray, plans, log_dir, options, framework, wanted
                ):
                    done[run.key] = log
            except ray.exceptions.RayError as exc:
                raise ClusterError(
                    f"the Ray cluster failed mid-run: {type(exc).__name__}: "
                    f"{str(exc).strip().splitlines()[0] if str(exc).strip() else ''}. "
                    "Re-run the same command to resume from the flushed samples."
                ) from None
        ran = [(run, done[run.key]) for run in runs if run.key in done]
        complete = len(ran) == len(runs) and all(
            log.status == "success" for _, log in ran
        )
        return complete, ran

    def _run(
        self,
        ray: Any,
        plans: list[tuple[TaskRun, SuitePlan]],
        log_dir: Path,
        options: RunOptions,
        framework: Framework | None,
        wanted: int,
    ) -> list[tuple[TaskRun, Any]]:
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        watch = _HeadWatch(ray)
        here = NodeAffinitySchedulingStrategy(
            ray.get_runtime_context().get_node_id(), soft=False
        )
        # The monitor lives beside the driver: a worker node that dies takes its
        # shards with it, never the suite's test.
        monitor_actor = ray.remote(num_cpus=0)(SuiteMonitor)
        shard_task = ray.remote(num_cpus=1, max_retries=self.options.max_retries)(
            _shard
        )
        shard_root = log_dir.with_name(log_dir.name + "-shards")
        suites: list[_Suite] = []
        for run, plan in plans:
            root = shard_root / f"{run.suite or 'task'}-{run.key}"
            count = _shard_count(root, wanted)
            shards = plan.shards(count)
            dirs = [
                root / f"shard-{k + 1}-of-{len(shards)}" for k in range(len(shards))
            ]
            monitor = None
            if framework is not None and runs_sequentially(run, options):
                monitor = monitor_actor.options(scheduling_strategy=here).remote(
                    plan, options, framework, _window(len(shards), options)
                )
            suite = _Suite(run, plan, dirs, shards, monitor)
            # A run resumed after its cluster died has a fresh monitor, and its
            # shards skip the samples their logs flushed: without them the prefix
            # never grows and every shard waits past its window for good.
            _report(watch, suite, _flushed(dirs))
            suites.append(suite)
        per_shard = replace(
            options,
            display="none",
            max_connections=None
            if options.max_connections is None
            else max(1, math.ceil(options.max_connections / max(1, wanted))),
        )
        refs: dict[Any, tuple[_Suite, int]] = {}
        for suite in suites:
            positions = suite.plan.positions()
            for k, ids in enumerate(suite.shards):
                ref = shard_task.remote(
                    suite.run,
                    per_shard,
                    str(suite.shard_dirs[k]),
                    ids,
                    positions,
                    suite.monitor,
                )
                refs[ref] = (suite, k)
        logs: dict[int, dict[int, Any]] = {id(s): {} for s in suites}
        waiting = list(refs)
        while waiting:
            ready, waiting = watch.wait_one(waiting)
            suite, k = refs[ready[0]]
            result = watch.get(ready[0])
            self.results.append(result)
            logs[id(suite)][k] = (
                result.log if result.log is not None else result.log_file
            )
            # Samples a shard reused from an earlier attempt, or that errored,
            # never passed its hooks: the monitor learns them from the log.
            _report(watch, suite, result.samples())
        merged = []
        for suite in suites:
            cut, summary = (
                watch.get(suite.monitor.outcome.remote())
                if suite.monitor is not None
                else (None, None)
            )
            shard_logs = [logs[id(suite)][k] for k in range(len(suite.shards))]
            merged.append(
                (
                    suite.run,
                    merge_shards(
                        suite.plan, shard_logs, log_dir, options, cut, summary
                    ),
                )
            )
            if suite.monitor is not None:
                ray.kill(suite.monitor)
        return merged


def _flushed(shard_dirs: list[Path]) -> list[Any]:
    """The scored samples an interrupted run's shard logs hold (resume reuses them)."""
    samples: list[Any] = []
    for folder in shard_dirs:
        for path in sorted(folder.glob("*.eval")):
            try:
                logged = shard_samples(str(path))
            except (OSError, ValueError, zipfile.BadZipFile):
                # A log cut off before its first flush holds nothing to reuse.
                continue
            samples.extend(s for s in logged if s.error is None)
    return samples


def _report(watch: _HeadWatch, suite: _Suite, samples: list[Any]) -> None:
    """Tell the suite's monitor about finished samples (it keeps the first of each)."""
    if suite.monitor is None or not samples:
        return
    positions = suite.plan.positions()
    watch.get(
        [
            suite.monitor.completed.remote(
                positions[str(s.id), s.epoch],
                s.id,
                s.epoch,
                sample_scores(s),
                sample_usage(s),
            )
            for s in samples
            if (str(s.id), s.epoch) in positions
        ]
    )


def run_assessment_on_ray(
    options: AssessOptions = _DEFAULT_ASSESS, ray: RayOptions = RayOptions()
) -> Report:
    """`redline.assess.assess` with the suites' samples run on a Ray cluster.

    Same options, same report: for the same seed the verdicts, estimates and
    per-sample records equal those of a single-process run.
    """
    return assess(options, runner=RayTaskRunner(ray))
