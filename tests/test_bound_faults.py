"""Faults and resume on a task bound from an installed package, not a built-in suite.

A real OpenAI-compatible server on 127.0.0.1 injects 500s, 429s and a stall; the
bound task's samples that still fail are unscored with their reason, and re-running
the same command reuses the finished log instead of asking the model again.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from evidence.helpers import ARITHMETIC_RULE, framework_text
from helpers.fault_server import FaultServer
from redline.assess import AssessOptions, assess
from redline.evals import RunOptions

MAX_RETRIES = 2


@pytest.fixture
def fault_server() -> Iterator[FaultServer]:
    server = FaultServer(transient_failures=1, stall_seconds=8.0).start()
    yield server
    server.stop()


def test_a_bound_task_retries_faults_unscores_failures_and_resumes(
    fault_server: FaultServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAULT_API_KEY", "test-key")
    framework = tmp_path / "framework.yaml"
    framework.write_text(
        framework_text(ARITHMETIC_RULE, policy="{max_unscored_share: 0.05}")
    )
    options = AssessOptions(
        framework=framework,
        out=tmp_path / "run",
        run=RunOptions(
            model="openai-api/fault/fault-model",
            model_base_url=fault_server.base_url,
            max_retries=MAX_RETRIES,
            attempt_timeout=4,
            display="none",
            model_args=(("max_retries", 0),),
        ),
    )
    report = assess(options)

    by_class = {kind: p for p, kind in fault_server.classes.items()}
    assert len(by_class) == 4  # one sample per fault class
    assert fault_server.attempts[by_class["always_500"]] == MAX_RETRIES + 1
    (verdict,) = report.thresholds
    assert verdict.unscored == 1
    assert verdict.n == 3
    # The server's answer names no number: `includes()` scores each I, mapped to 0.
    assert verdict.estimate == 0.0
    assert verdict.unscored_reasons == {
        "error: InternalServerError: Error code: 500 - injected server error": 1
    }
    assert verdict.verdict.value == "inconclusive"

    before = dict(fault_server.attempts)
    again = assess(options)
    # The finished log is reused: no sample asks the model again.
    assert dict(fault_server.attempts) == before
    # The same log file (Inspect names a reused log by URI, a new one by path).
    assert again.suites[0].log_file.removeprefix("file://") == report.suites[
        0
    ].log_file.removeprefix("file://")
    (verdict_again,) = again.thresholds
    assert (verdict_again.n, verdict_again.unscored) == (3, 1)
