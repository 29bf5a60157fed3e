"""Options evaluators expect, end to end through the CLI with the embedded model.

One small run (two samples of one suite) checks: --suite, --temperature, --max-tokens
and -T reach the run and its comparability key; the smoke-run label and the
"limit reached" reason; --gate's one-line reason; --explain prints each line once.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import redline
from redline._cli.common import EXIT_GATE

SRC = Path(redline.__file__).resolve().parents[1]


def test_a_small_gated_explained_run_with_generation_options(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
        "COLUMNS": "200",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "redline._cli.main",
            "assess",
            "--suite",
            "over_refusal",
            "--limit",
            "2",
            "--temperature",
            "0",
            "--max-tokens",
            "24",
            "-T",
            "over_refusal.source=redline",
            "--display",
            "none",
            "--explain",
            "--gate",
            "--out",
            str(tmp_path / "run"),
        ],  # fmt: skip
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert result.returncode == EXIT_GATE, result.stdout + result.stderr
    gate_lines = [
        line for line in result.stderr.splitlines() if line.startswith("Gate failed")
    ]
    assert len(gate_lines) == 1, result.stderr
    assert "decision is '" in gate_lines[0]
    assert "not 'deploy'" in gate_lines[0]

    assert "Smoke run: --limit 2" in result.stdout
    assert "Decision (smoke run):" in result.stdout
    explained = [
        re.sub(r"^\s+\d+\. ", "", line)
        for line in result.stdout.splitlines()
        if re.match(r"^\s+\d+\. ", line)
    ]
    assert explained, result.stdout
    assert len(explained) == len(set(explained))
    reasons = [
        line.strip()[2:]
        for line in result.stdout.splitlines()
        if line.startswith("  - ")
    ]
    assert reasons
    assert not set(reasons) & set(explained)

    report = json.loads((tmp_path / "run" / "report.json").read_text())
    assert report["run"]["smoke_run"] is True
    (suite,) = report["suites"]
    assert suite["suite"] == "over_refusal"
    generate = suite["comparability"]["generate_config"]
    assert generate["temperature"] == 0
    assert generate["max_tokens"] == 24
    assert suite["comparability"]["task_args"]["source"] == "redline"
    assert suite["sequential"]["reason"].startswith("limit reached (2 of ")
    read = {t["rule"]["suite"] for t in report["thresholds"] if t["n"] > 0}
    assert read == {"over_refusal"}
