"""Shards of a suite: run a slice of its seeded sample order, and merge them back into one log.

A scale-out runner (`redline.scale`) splits each suite's samples, in the seeded order
a single-process run schedules them, across workers. Each shard is an ordinary
Inspect eval of its sample ids; its early-stopping policy asks the suite's shared
sequential test (a coordinator) before each sample and reports each scored one.

The shards merge into one standard Inspect log per suite, so that every reader
(evidence, `--from-logs`, the report, `inspect view`) sees one suite as it would after
a single-process run, rather than each reader learning to join shards. The merged
log keeps the samples of the longest prefix the sequential test replayed, in the
seeded order, and nothing past its stop.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from inspect_ai.log import (
    EvalLog,
    EvalSample,
    EvalSampleReductions,
    EvalSampleSummary,
    read_eval_log,
    recompute_metrics,
    write_eval_log,
)
from inspect_ai.model._model import sample_model_usage
from inspect_ai.scorer import SampleScore
from inspect_ai.util import EarlyStop, EarlyStoppingSummary
from pydantic import JsonValue, TypeAdapter

from redline.evals._bindings import RUN_KEY, TaskRun
from redline.evals._run import RunOptions, _scorer_errors, prepared_task, run_tasks
from redline.evals._sequential import MANAGER, SequentialStopping, usage_totals
from redline.frameworks import Framework

if TYPE_CHECKING:
    from inspect_ai.dataset import Sample
    from inspect_ai.log import EvalSpec


SampleKey = tuple[str, int]
"""A sample's id (as text) and epoch."""

_SUMMARIES = TypeAdapter(list[EvalSampleSummary])
_REDUCTIONS = TypeAdapter(list[EvalSampleReductions])


class ShardCoordinator(Protocol):
    """The suite's shared sequential test, as a shard sees it."""

    async def may_start(self, position: int) -> str | None:
        """None if the sample at `position` of the seeded order may start, else why not."""
        ...

    async def completed(
        self,
        position: int,
        sample_id: str | int,
        epoch: int,
        scores: Mapping[str, SampleScore] | None,
        usage: tuple[int, float] = (0, 0.0),
    ) -> None:
        """Report a finished sample (scores None: it ended in an error).

        `usage` is the tokens and cost the sample spent, for a shared budget.
        """
        ...


@dataclass(frozen=True)
class SuitePlan:
    """A suite's samples in the seeded order, cut to the limit."""

    run: TaskRun
    samples: tuple[Sample, ...]
    dataset_size: int
    epochs: int

    def positions(self) -> dict[SampleKey, int]:
        """Each sample's place in the order the single-process run schedules.

        Inspect schedules epoch by epoch (every sample's first attempt, then every
        second one), and so the sequential test sees them in that order.
        """
        return {
            (str(sample.id), epoch): (epoch - 1) * len(self.samples) + index
            for epoch in range(1, self.epochs + 1)
            for index, sample in enumerate(self.samples)
        }

    def shards(self, count: int) -> list[list[str | int]]:
        """Sample ids dealt round-robin, so every shard moves along the order together.

        Contiguous blocks would leave the shared test waiting on the first block
        while the others ran far past where it may stop.
        """
        ids = [sample.id for sample in self.samples if sample.id is not None]
        count = max(1, min(count, len(ids)))
        return [ids[k::count] for k in range(count)]


def plan_suite(run: TaskRun, options: RunOptions) -> SuitePlan:
    """The suite's samples exactly as `run_tasks` would schedule them."""
    task, _ = prepared_task(run, options)
    samples = list(task.dataset)
    chosen = samples if options.limit is None else samples[: options.limit]
    epochs = task.epochs if isinstance(task.epochs, int) else 1
    return SuitePlan(run, tuple(chosen), len(samples), epochs)


async def suite_policy(
    plan: SuitePlan,
    options: RunOptions,
    framework: Framework,
    usage: Callable[[], tuple[int, float]] | None = None,
) -> SequentialStopping:
    """The suite's one sequential policy, as a single-process run would build it.

    `usage` gives what the samples it has seen spent, for its token and cost budget.
    """
    task, _ = prepared_task(plan.run, options)
    run = plan.run
    policy = SequentialStopping(
        run.suite or run.task,
        framework,
        options.budget,
        _scorer_errors(task),
        rules=[(rule, run.reader(rule)) for rule in run.rules],
        dataset_size=plan.dataset_size,
        usage=usage,
    )
    await policy.start_task(None, list(plan.samples), plan.epochs)  # type: ignore[arg-type]
    return policy


def summary_of(summary: dict[str, JsonValue]) -> EarlyStoppingSummary:
    """The early-stopping record a merged log carries."""
    return EarlyStoppingSummary(manager=MANAGER, early_stops=[], metadata=summary)


class ShardStopping:
    """Inspect EarlyStopping policy of one shard: the suite's shared test decides."""

    def __init__(
        self, coordinator: ShardCoordinator, positions: Mapping[SampleKey, int]
    ) -> None:
        self.coordinator = coordinator
        self.positions = positions

    async def start_task(
        self,
        task: EvalSpec,  # noqa: ARG002 (Inspect's protocol)
        samples: list[Sample],  # noqa: ARG002
        epochs: int,  # noqa: ARG002
    ) -> str:
        return MANAGER

    async def schedule_sample(self, id: str | int, epoch: int) -> EarlyStop | None:
        reason = await self.coordinator.may_start(self.positions[str(id), epoch])
        return None if reason is None else EarlyStop(id=id, epoch=epoch, reason=reason)

    async def complete_sample(
        self, id: str | int, epoch: int, scores: dict[str, SampleScore]
    ) -> None:
        # Inspect calls this hook inside the sample's own context.
        await self.coordinator.completed(
            self.positions[str(id), epoch],
            id,
            epoch,
            scores,
            usage_totals(sample_model_usage().values()),
        )

    async def complete_task(self) -> dict[str, JsonValue]:
        return {}


@dataclass(frozen=True)
class ShardResult:
    """What a finished shard hands back."""

    log_file: str
    pid: int
    """The worker process that ran it."""
    models_loaded: int
    """Embedded models loaded in that process so far (the cache keeps one)."""
    log: EvalLog | None = None
    """The shard's log read back in the worker, samples included: parsing the
    logs was most of the driver's merge, done there after every shard had finished."""

    def samples(self) -> list[EvalSample]:
        """The samples the shard's log holds."""
        if self.log is not None:
            return list(self.log.samples or [])
        return shard_samples(self.log_file)


def run_shard(
    run: TaskRun,
    options: RunOptions,
    shard_dir: Path,
    sample_ids: list[str | int],
    coordinator: ShardCoordinator | None,
    positions: Mapping[SampleKey, int],
) -> ShardResult:
    """Run one shard into its own folder; re-running it resumes from its flushed samples."""
    from redline.evals import _local_model

    _, ran = run_tasks(
        [run],
        shard_dir,
        options,
        sample_ids=sample_ids,
        stopping_for=None
        if coordinator is None
        else lambda _run, _task: ShardStopping(coordinator, positions),
    )
    (_, log) = ran[0]
    # Read here, beside the other shards still running, not in the driver after them.
    full = read_eval_log(log.location)
    return ShardResult(log.location, os.getpid(), len(_local_model._loaded), full)


def sample_scores(sample: EvalSample) -> dict[str, SampleScore] | None:
    """A logged sample's scores as the early-stopping hooks receive them."""
    if sample.error is not None:
        return None
    return {
        name: SampleScore(
            score=score, sample_id=sample.id, sample_metadata=sample.metadata
        )
        for name, score in (sample.scores or {}).items()
    }


def sample_usage(sample: EvalSample) -> tuple[int, float]:
    """The tokens and cost a logged sample spent, over every model it called."""
    return usage_totals((sample.model_usage or {}).values())


def shard_samples(log_file: str) -> list[EvalSample]:
    """The samples a shard's log holds."""
    return list(read_eval_log(log_file).samples or [])


def merge_shards(
    plan: SuitePlan,
    shard_logs: Sequence[str | EvalLog],
    log_dir: Path,
    options: RunOptions,
    cut: int | None,
    summary: dict[str, JsonValue] | None,
) -> EvalLog:
    """One log of the suite from its shards' logs, written into `log_dir`.

    Args:
        plan: The suite's seeded order.
        shard_logs: Each shard's log file, or its log as read.
        log_dir: Where the merged log goes.
        options: The run's options (the limit the log records).
        cut: Position where the shared test stopped; samples at or past it, run
            by shards before the stop reached them, are left out.
        summary: The shared test's early-stopping summary.
    """
    positions = plan.positions()
    logs = [read_eval_log(log) if isinstance(log, str) else log for log in shard_logs]
    base = logs[0]
    chosen: dict[SampleKey, EvalSample] = {}
    sources: dict[SampleKey, str] = {}
    for log in logs:
        for sample in log.samples or []:
            key = (str(sample.id), sample.epoch)
            position = positions.get(key)
            if position is None or (cut is not None and position >= cut):
                continue
            # A retried shard may hold a sample twice; the first finished one counts.
            if key not in chosen:
                chosen[key] = sample
                sources[key] = log.location
    # Copy the header only: the samples are the shards' own objects, never changed.
    merged = base.model_copy(update={"samples": None}).model_copy(deep=True)
    merged.samples = sorted(
        chosen.values(), key=lambda s: positions[str(s.id), s.epoch]
    )
    merged.eval.dataset.sample_ids = [s.id for s in plan.samples if s.id is not None]
    merged.eval.dataset.samples = plan.dataset_size
    merged.eval.config.limit = options.limit
    merged.eval.config.sample_id = None
    merged.status = (
        "success"
        if all(log.status == "success" for log in logs)
        else (next(log.status for log in logs if log.status != "success"))
    )
    if merged.status != "success":
        merged.error = next((log.error for log in logs if log.error), None)
    _merge_usage(merged, logs)
    if merged.results is not None:
        merged.results.early_stopping = None if summary is None else summary_of(summary)
    recompute_metrics(merged)
    name = Path(base.location).name
    merged.location = str(log_dir / name)
    log_dir.mkdir(parents=True, exist_ok=True)
    _write_merged(merged, sources, Path(merged.location))
    return merged


def _member(sample: EvalSample) -> str:
    # Inspect's name for a sample's record in an .eval log.
    return f"samples/{sample.id}_epoch_{sample.epoch}.json"


def _write_merged(
    merged: EvalLog, sources: Mapping[SampleKey, str], location: Path
) -> None:
    """Write the merged log, each sample's record copied from the shard log holding it.

    Writing the merged log through Inspect's writer re-serialises every sample in the
    driver after the shards have finished (on 2 cores, a third of a 2-shard run's
    samples phase: `bench/scale.py`). The records are the bytes the shards' Inspect
    wrote, chosen by the same rule as `merged.samples`; Inspect writes the header.
    Shard logs in another format (`.json`) take Inspect's writer.
    """
    samples = merged.samples or []
    if location.suffix != ".eval" or any(
        Path(sources[str(s.id), s.epoch]).suffix != ".eval" for s in samples
    ):
        write_eval_log(merged, str(location))
        return
    # Written beside the log folder and moved in whole: a reader of `log_dir` never
    # sees a log without its header.
    with tempfile.TemporaryDirectory(
        dir=location.parent.parent, prefix=".merge-"
    ) as tmp:
        partial = Path(tmp) / location.name
        _write_records(merged, samples, sources, partial)
        write_eval_log(merged, str(partial), header_only=True)
        os.replace(partial, location)


def _write_records(
    merged: EvalLog,
    samples: Sequence[EvalSample],
    sources: Mapping[SampleKey, str],
    partial: Path,
) -> None:
    archives: dict[str, zipfile.ZipFile] = {}
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as target:
            for sample in samples:
                source = sources[str(sample.id), sample.epoch]
                if source not in archives:
                    archives[source] = zipfile.ZipFile(source)
                # The last record of a name is the sample's (Inspect supersedes so).
                info = archives[source].getinfo(_member(sample))
                with (
                    archives[source].open(info) as reader,
                    target.open(info, "w", force_zip64=True) as writer,
                ):
                    shutil.copyfileobj(reader, writer, 1024 * 1024)
            target.writestr(
                "summaries.json",
                _SUMMARIES.dump_json([s.summary() for s in samples], exclude_none=True),
            )
            if merged.reductions is not None:
                target.writestr(
                    "reductions.json",
                    _REDUCTIONS.dump_json(merged.reductions, exclude_none=True),
                )
    finally:
        for archive in archives.values():
            archive.close()


def _merge_usage(merged: EvalLog, logs: Sequence[EvalLog]) -> None:
    starts = [log.stats.started_at for log in logs if log.stats.started_at]
    ends = [log.stats.completed_at for log in logs if log.stats.completed_at]
    if starts:
        merged.stats.started_at = min(starts)
    if ends:
        merged.stats.completed_at = max(ends)
    usage: dict[str, Any] = {}
    for log in logs:
        for model, used in log.stats.model_usage.items():
            usage[model] = used if model not in usage else usage[model] + used
    merged.stats.model_usage = usage


def merged_log(log_dir: Path, run: TaskRun) -> EvalLog | None:
    """The finished merged log of `run` in `log_dir`, if a previous run wrote one."""
    if not log_dir.is_dir():
        return None
    for path in sorted(log_dir.glob("*.eval")):
        try:
            header = read_eval_log(str(path), header_only=True)
        except (OSError, ValueError):
            continue
        if (header.eval.metadata or {}).get(RUN_KEY) == run.key and (
            header.status == "success"
        ):
            return header
    return None
