"""Fault tolerance on a real two-node cluster: a worker node killed mid-shard, a dead head.

Run inside a loopback-only network namespace (see conftest.py).
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from helpers.latency_server import LatencyServer
from redline.assess import AssessOptions
from redline.evals import RunOptions
from redline.reports import Report
from redline.scale import RayOptions, run_assessment_on_ray
from scale.conftest import Cluster, assert_loopback, free_port
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
