"""A model nobody answers for is a broken setup, not a safety finding (end to end, CLI).

Nothing listens on the port: the run exits with its own code, names the cause with
counts, writes `complete: false` and prints no decision. Then a real OpenAI-compatible
server (llama-cpp-python's, serving the embedded GGUF) comes up on that port, and the
same command resumes and finishes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import redline
from helpers.frameworks import write_single_threshold_framework
from helpers.llama_server import LlamaServer, free_port
from redline._cli.common import EXIT_MODEL_UNAVAILABLE

SRC = Path(redline.__file__).resolve().parents[1]


def _redline(
    cwd: Path, *args: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "redline._cli.main", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_unreachable_endpoint_fails_loudly_then_resumes_against_a_real_server(
    tmp_path: Path,
) -> None:
    port = free_port()
    framework = write_single_threshold_framework(tmp_path / "one.yaml")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
        "MYPROVIDER_API_KEY": "not-checked",
        "COLUMNS": "200",
    }
    command = [
        "assess",
        "--model",
        "openai-api/myprovider/my-model",
        "--model-base-url",
        f"http://127.0.0.1:{port}/v1",
        "--framework",
        str(framework),
        "--limit",
        "2",
        "--max-retries",
        "1",
        "--display",
        "none",
    ]

    failed = _redline(tmp_path, *command, env=env)

    assert failed.returncode == EXIT_MODEL_UNAVAILABLE, failed.stdout + failed.stderr
    assert "Traceback" not in failed.stderr
    assert "Run failed: the model endpoint could not be reached" in failed.stdout
    assert "Top unscored reasons:" in failed.stdout
    assert "2  error: ConnectError: All connection attempts failed" in failed.stdout
    assert "Decision" not in failed.stdout
    (run_dir,) = (tmp_path / "runs").iterdir()
    report = json.loads((run_dir / "report.json").read_text())
    assert report["run"]["complete"] is False
    assert report["run"]["failure"]["suites"] == ["over_refusal"]
    assert report["run"]["failure"]["reasons"] == {
        "error: ConnectError: All connection attempts failed": 2
    }

    server = LlamaServer(port, tmp_path / "server.log").start()
    try:
        resumed = _redline(tmp_path, *command, env=env)
    finally:
        server.stop()

    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert f"Resuming run runs/{run_dir.name}: 0 of 2 samples done" in resumed.stderr
    assert "Decision (smoke run):" in resumed.stdout
    assert [p.name for p in (tmp_path / "runs").iterdir()] == [run_dir.name]
    finished = json.loads((run_dir / "report.json").read_text())
    assert finished["run"]["complete"] is True
    assert finished["run"]["failure"] is None
    (threshold,) = finished["thresholds"]
    assert threshold["n"] == 2
    assert threshold["unscored"] == 0
