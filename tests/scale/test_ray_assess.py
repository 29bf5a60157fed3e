"""`assess` on a real Ray cluster equals the single-process run, and its log is one suite.

Run inside a loopback-only network namespace (see conftest.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from inspect_ai.log import list_eval_logs, read_eval_log

from helpers.latency_server import LatencyServer
from redline.assess import AssessOptions, assess
from redline.evals import RunOptions
from redline.scale import RayOptions, RayTaskRunner, run_assessment_on_ray
from scale.conftest import Cluster
from scale.test_workers import FRAMEWORK as REFUSAL_FRAMEWORK

FRAMEWORK = """\
id: scale-check
name: Scale-out check
version: "1"
domains: [{id: knowledge}]
thresholds:
  - {id: K-1, domain: knowledge, name: k, severity: intolerable,
     rules: [{suite: knowledge_proxy, metric: accuracy, comparator: ">=", cutoff: 0.9}]}
"""


def _options(tmp_path: Path, name: str, framework: Path) -> AssessOptions:
    return AssessOptions(
        framework=framework,
        out=tmp_path / name,
        run=RunOptions(limit=5, seed=7, temperature=0.0, max_tokens=48, display="none"),
    )


def _comparable(report: Any) -> dict[str, Any]:
    """What must not depend on where the samples ran."""
    return {
        "thresholds": [t.model_dump(mode="json") for t in report.thresholds],
        "decision": report.decision,
        "suites": [
            {
                "samples": [
                    # Each record's salt, and so its keyed digests, is random per run.
                    s.model_dump(
                        mode="json",
                        exclude={"salt", "prompt_digest", "response_digest"},
                    )
                    for s in suite.samples
                ],
                "sequential": suite.sequential,
                "key": suite.comparability_key,
                "counts": (suite.samples_total, suite.samples_completed),
                "status": suite.status,
            }
            for suite in report.suites
        ],
        "complete": report.run.complete,
    }


def test_ray_run_equals_single_process_run(head: Cluster, tmp_path: Path) -> None:
    framework = tmp_path / "framework.yaml"
    framework.write_text(FRAMEWORK, encoding="utf-8")
    single = assess(_options(tmp_path, "single", framework))
    runner = RayTaskRunner(RayOptions(address=head.address, shards=3))
    on_ray = assess(_options(tmp_path, "ray", framework), runner=runner)

    assert _comparable(on_ray) == _comparable(single)
    assert len(on_ray.suites[0].samples) == 5
    # Three shards on two CPUs: a worker process ran two of them, and the embedded
    # model was loaded once in each process, not once per shard.
    assert len(runner.results) == 3
    assert len({r.pid for r in runner.results}) < 3
    assert [r.models_loaded for r in runner.results] == [1, 1, 1]
    # One log of the suite, a standard Inspect log with every sample in it.
    logs = list_eval_logs(str(tmp_path / "ray" / "logs"))
    assert len(logs) == 1
    log = read_eval_log(logs[0].name)
    assert log.status == "success"
    # The log stores samples by id; its dataset lists the seeded order they ran in.
    assert sorted(str(s.id) for s in log.samples or []) == sorted(
        s.id for s in on_ray.suites[0].samples
    )
    assert log.eval.dataset.sample_ids[:5] == [s.id for s in on_ray.suites[0].samples]
    assert log.results is not None
    assert log.results.completed_samples == 5


def test_rerun_reuses_the_merged_log(head: Cluster, tmp_path: Path) -> None:
    framework = tmp_path / "framework.yaml"
    framework.write_text(FRAMEWORK, encoding="utf-8")
    options = _options(tmp_path, "ray", framework)
    ray = RayOptions(address=head.address, shards=2)
    first = run_assessment_on_ray(options, ray)
    runner = RayTaskRunner(ray)
    second = assess(options, runner=runner)
    assert runner.results == []
    assert _comparable(second) == _comparable(first)


def test_epochs_on_ray_equal_single_process_epochs(
    head: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = LatencyServer(latency=0.05).start()
    monkeypatch.setenv("MOCK_API_KEY", "unused")
    monkeypatch.setenv("MOCK_BASE_URL", server.base_url)
    framework = tmp_path / "framework.yaml"
    framework.write_text(REFUSAL_FRAMEWORK, encoding="utf-8")

    def options(name: str) -> AssessOptions:
        return AssessOptions(
            framework=framework,
            out=tmp_path / name,
            run=RunOptions(
                model="openai-api/mock/m",
                # Inspect memoizes a model by its arguments, and a base URL read
                # from the environment is not one: an earlier test's server.
                model_base_url=server.base_url,
                limit=4,
                epochs=2,
                seed=7,
                max_connections=2,
                display="none",
            ),
        )

    try:
        single = assess(options("single"))
        on_ray = run_assessment_on_ray(
            options("ray"), RayOptions(address=head.address, shards=2)
        )
    finally:
        server.stop()
    import json

    Path("/tmp/exp19c/a.json").write_text(
        json.dumps(_comparable(on_ray), indent=1, default=str)
    )
    Path("/tmp/exp19c/b.json").write_text(
        json.dumps(_comparable(single), indent=1, default=str)
    )
    assert _comparable(on_ray) == _comparable(single)
    # Every (sample, epoch) once: each of the 4 prompts was asked twice per run.
    assert sorted(server.requests.values()) == [4] * 4
    records = on_ray.suites[0].samples
    assert sorted((s.id, s.epoch) for s in records) == sorted(
        {(s.id, s.epoch) for s in records}
    )
    assert {s.epoch for s in records} == {1, 2}
