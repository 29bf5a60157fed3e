"""Fault tolerance on a real cluster: a worker node killed mid-shard, a head dead before and mid-run.

Run inside a loopback-only network namespace (see conftest.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from helpers.latency_server import LatencyServer
from redline.assess import AssessOptions, assess
from redline.evals import RunOptions, shard_samples
from redline.reports import Report
from redline.scale import RayOptions, run_assessment_on_ray
from scale.conftest import Cluster, assert_loopback, free_port
from scale.test_ray_assess import _comparable
from scale.test_workers import FRAMEWORK

SAMPLES = 12


def test_worker_node_killed_mid_shard_loses_and_repeats_nothing(
    cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ray

    cluster.start_head(num_cpus=1)
    worker = cluster.add_worker(num_cpus=1)
    assert_loopback(cluster)
    ray.shutdown()
    server = LatencyServer(latency=0.5).start()
    monkeypatch.setenv("MOCK_API_KEY", "unused")
    monkeypatch.setenv("MOCK_BASE_URL", server.base_url)
    framework = tmp_path / "framework.yaml"
    framework.write_text(FRAMEWORK, encoding="utf-8")
    reports: list[Report] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            reports.append(
                run_assessment_on_ray(
                    AssessOptions(
                        framework=framework,
                        out=tmp_path / "run",
                        run=RunOptions(
                            model="openai-api/mock/m",
                            limit=SAMPLES,
                            sequential=False,
                            max_connections=2,
                            display="none",
                        ),
                    ),
                    RayOptions(address=cluster.address, shards=2),
                )
            )
        except BaseException as exc:
            errors.append(exc)

    driver = threading.Thread(target=run)
    driver.start()
    try:
        deadline = time.monotonic() + 300
        # Both shards have answered samples, and flushed some: kill mid-shard.
        while sum(server.requests.values()) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert driver.is_alive(), "the run ended before the worker node was killed"
        answered_before_kill = sum(server.requests.values())
        cluster.kill_node(worker)
        driver.join(timeout=600)
    finally:
        server.stop()
    assert not errors, errors
    report = reports[0]
    assert answered_before_kill < SAMPLES
    samples = report.suites[0].samples
    assert report.run.complete
    assert sorted(s.id for s in samples) == sorted({s.id for s in samples})
    assert len(samples) == SAMPLES
    assert [s.score for s in samples] == [1.0] * SAMPLES
    # Only the samples in flight on the killed node (one connection) are asked again:
    # the retry resumed from what the shard's log had flushed.
    asked = sum(server.requests.values())
    assert SAMPLES <= asked <= SAMPLES + 1
    assert max(server.requests.values()) <= 2


def test_dead_head_is_one_clear_line(tmp_path: Path) -> None:
    framework = tmp_path / "framework.yaml"
    framework.write_text(FRAMEWORK, encoding="utf-8")
    address = f"127.0.0.1:{free_port()}"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "redline._cli.main",
            "assess",
            "--framework",
            str(framework),
            "--out",
            str(tmp_path / "run"),
            "--model",
            "openai-api/mock/m",
            "--limit",
            "2",
            "--ray",
            address,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={
            **__import__("os").environ,
            "MOCK_API_KEY": "unused",
            "MOCK_BASE_URL": "http://127.0.0.1:9/v1",
        },
    )
    assert result.returncode == 1, result.stderr[-2000:]
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[-1].startswith("Error: cannot reach the Ray cluster at " + address), (
        result.stderr[-2000:]
    )
    assert "Traceback" not in result.stderr


def _prompt(sample: object) -> str:
    """The text the mock server counts a sample's request under (its last message)."""
    given = sample.input  # type: ignore[attr-defined]
    return given if isinstance(given, str) else str(given[-1].text)


def test_head_killed_mid_run_is_one_line_and_the_rerun_resumes(
    cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ray

    cluster.start_head(num_cpus=2)
    assert_loopback(cluster)
    ray.shutdown()
    server = LatencyServer(latency=0.4).start()
    monkeypatch.setenv("MOCK_API_KEY", "unused")
    monkeypatch.setenv("MOCK_BASE_URL", server.base_url)
    framework = tmp_path / "framework.yaml"
    framework.write_text(FRAMEWORK, encoding="utf-8")
    out = tmp_path / "run"
    # Sequential testing stays on (the rule decides after 15 samples, past the
    # limit): a resumed run's fresh monitor must learn what the shards flushed.
    command = [
        sys.executable,
        "-m",
        "redline._cli.main",
        "assess",
        "--framework",
        str(framework),
        "--out",
        str(out),
        "--model",
        "openai-api/mock/m",
        "--model-base-url",
        server.base_url,
        "--limit",
        str(SAMPLES),
        "--seed",
        "7",
        "--max-connections",
        "2",
        "--ray-shards",
        "2",
        "--ray",
    ]
    try:
        stderr_file = tmp_path / "first.err"
        with stderr_file.open("w") as stderr:
            first = subprocess.Popen(
                [*command, cluster.address],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                env=dict(os.environ),
            )
            deadline = time.monotonic() + 240
            while sum(server.requests.values()) < 6 and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.5)
            assert first.poll() is None, "the run ended before the head was killed"
            cluster.kill_node(cluster.nodes[0])
            killed_at = time.monotonic()
            # Ray alone blocks for 60 s, then ends the process from C++.
            returncode = first.wait(timeout=120)
            took = time.monotonic() - killed_at
        err = stderr_file.read_text()
        assert returncode == 1, err[-2000:]
        assert took < 40, f"the run took {took:.0f} s to notice its dead head"
        assert "Traceback" not in err
        errors = [line for line in err.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1, err[-2000:]
        assert errors[0].startswith("Error: the Ray cluster's head at 127.0.0.1:")
        assert err.strip().splitlines()[-1] == errors[0]

        flushed = [
            _prompt(s)
            for path in sorted((tmp_path / "run" / "logs-shards").rglob("*.eval"))
            for s in shard_samples(str(path))
            if s.error is None
        ]
        assert 0 < len(flushed) < SAMPLES
        asked_before = Counter(server.requests)

        cluster.port = free_port()
        cluster.start_head(num_cpus=2)
        ray.shutdown()
        second = subprocess.run(
            [*command, cluster.address],
            capture_output=True,
            text=True,
            timeout=300,
            env=dict(os.environ),
        )
        assert second.returncode == 0, second.stderr[-2000:]
        asked_again = Counter(server.requests) - asked_before
        # What the shards flushed before the kill was reused, everything else ran.
        assert not set(flushed) & set(asked_again), asked_again
        assert sum(asked_again.values()) == SAMPLES - len(flushed)

        resumed = Report.model_validate_json(
            (out / "report.json").read_text(encoding="utf-8")
        )
        single = assess(
            AssessOptions(
                framework=framework,
                out=tmp_path / "single",
                run=RunOptions(
                    model="openai-api/mock/m",
                    # Inspect memoizes a model by its arguments, and a base URL
                    # read from the environment is not one of them.
                    model_base_url=server.base_url,
                    limit=SAMPLES,
                    seed=7,
                    max_connections=2,
                    display="none",
                ),
            )
        )
    finally:
        server.stop()
    assert resumed.run.complete
    assert len(resumed.suites[0].samples) == SAMPLES
    assert _comparable(resumed) == _comparable(single)
