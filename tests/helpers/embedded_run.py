"""One run of every built-in suite on the real embedded model, shared by the session.

The reference framework reads all seven suites, so one `redline assess` at a small
`--limit` gives each suite's end-to-end test its real log and report; tests that
only read them share it instead of paying for the run again.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REDLINE = [sys.executable, "-m", "redline._cli.main"]
LIMIT = 2


@dataclass(frozen=True)
class EmbeddedRun:
    out: Path
    """The run folder; others may assess more frameworks in it, reusing its logs."""
    report: dict[str, Any]
    """The reference framework's report as the run wrote it (a copy, before others)."""


def assess(
    out: Path, framework_id: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*REDLINE, "assess", "--framework", framework_id, "--out", str(out),
         "--limit", str(LIMIT), "--display", "none", *extra],
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip


@pytest.fixture(scope="session")
def embedded_reference_run(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedRun:
    """The reference framework assessed on the embedded model, every suite at LIMIT."""
    out = tmp_path_factory.mktemp("embedded") / "run"
    result = assess(out, "redline-reference")
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return EmbeddedRun(out, report)
