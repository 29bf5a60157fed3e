"""Shards of a suite run and merge into one log, without a cluster.

The merged log copies each sample's record from the shard log that holds it rather
than re-serialising it; what a reader sees must be what Inspect's own writer would
have written for the same log.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from inspect_ai.log import (
    read_eval_log,
    read_eval_log_sample,
    read_eval_log_sample_summaries,
    write_eval_log,
)

from helpers.latency_server import LatencyServer
from redline.evals import (
    RunOptions,
    SuitePlan,
    merge_shards,
    plan_suite,
    run_shard,
    run_tasks,
)
from redline.evals._bindings import TaskRun

TASKS = Path(__file__).resolve().parents[1] / "evidence" / "tasks" / "user_tasks.py"
OPTIONS = RunOptions(
    model="openai-api/mock/m", seed=3, display="none", sequential=False
)


@pytest.fixture(scope="module", autouse=True)
def model() -> Iterator[LatencyServer]:
    # One server for the module: Inspect keeps a model's client between evals of one
    # process, so a second server on another port would never be asked.
    server = LatencyServer(latency=0.0).start()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MOCK_API_KEY", "unused")
        env.setenv("MOCK_BASE_URL", server.base_url)
        yield server
    server.stop()


def _run() -> TaskRun:
    return TaskRun(
        task="everyday_facts",
        args={},
        spec=f"{TASKS}@everyday_facts",
        suite=None,
        rules=(),
    )


def _shards(tmp_path: Path) -> tuple[SuitePlan, list[str]]:
    run = _run()
    plan = plan_suite(run, OPTIONS)
    positions = plan.positions()
    logs = [
        run_shard(run, OPTIONS, tmp_path / f"shard-{k}", ids, None, positions).log_file
        for k, ids in enumerate(plan.shards(2))
    ]
    return plan, logs


def test_merged_log_reads_as_inspects_own_write(tmp_path: Path) -> None:
    plan, shard_logs = _shards(tmp_path)
    merged = merge_shards(plan, shard_logs, tmp_path / "logs", OPTIONS, None, None)

    again = tmp_path / "rewritten" / Path(merged.location).name
    write_eval_log(merged, str(again))
    on_disk = read_eval_log(merged.location)
    assert on_disk.model_dump(exclude={"location"}) == read_eval_log(
        str(again)
    ).model_dump(exclude={"location"})
    # Readers order samples by id; the merged log keeps the seeded order in memory.
    assert sorted(
        (s.model_dump_json() for s in on_disk.samples or []), key=str
    ) == sorted((s.model_dump_json() for s in merged.samples or []), key=str)
    assert on_disk.model_dump(exclude={"location", "samples"}) == merged.model_dump(
        exclude={"location", "samples"}
    )
    assert read_eval_log_sample_summaries(
        merged.location
    ) == read_eval_log_sample_summaries(str(again))
    first = (merged.samples or [])[0]
    assert read_eval_log_sample(merged.location, id=first.id, epoch=1) == first
    # Only the merged log is in the log folder: nothing half-written is left there.
    assert [p.name for p in (tmp_path / "logs").iterdir()] == [
        Path(merged.location).name
    ]

    # The same samples, scores and metrics as one process running the whole suite.
    _, ran = run_tasks([_run()], tmp_path / "single", OPTIONS)
    single = read_eval_log(ran[0][1].location)
    assert {s.id: s.scores for s in on_disk.samples or []} == {
        s.id: s.scores for s in single.samples or []
    }
    assert on_disk.results is not None
    assert single.results is not None
    assert on_disk.results.scores == single.results.scores


def test_a_stop_leaves_later_samples_out_of_the_merged_log(tmp_path: Path) -> None:
    plan, shard_logs = _shards(tmp_path)
    merged = merge_shards(plan, shard_logs, tmp_path / "logs", OPTIONS, 3, None)
    kept = read_eval_log(merged.location)
    order = [str(s.id) for s in plan.samples]
    assert sorted(str(s.id) for s in kept.samples or []) == sorted(order[:3])
    assert [s.id for s in read_eval_log_sample_summaries(merged.location)] == [
        s.id for s in merged.samples or []
    ]
    assert kept.results is not None
    assert kept.results.scores[0].scored_samples == 3
