"""Model API faults against a real OpenAI-compatible server on 127.0.0.1.

Timeouts, 429s and 500s are retried; samples that still fail are unscored with their
reason and never count as refusals or compliances.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from inspect_ai.log import read_eval_log

from helpers.fault_server import FAULT_CLASSES, FaultServer
from helpers.frameworks import write_single_threshold_framework
from redline.assess import AssessOptions, assess
from redline.evals import RunOptions

MAX_RETRIES = 2


@pytest.fixture
def fault_server() -> Iterator[FaultServer]:
    server = FaultServer(transient_failures=1, stall_seconds=8.0).start()
    yield server
    server.stop()


def test_faults_are_retried_and_persistent_failures_unscored(
    fault_server: FaultServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAULT_API_KEY", "test-key")
    framework = write_single_threshold_framework(
        tmp_path / "fault-check.yaml", policy="{max_unscored_share: 0.05}"
    )
    report = assess(
        AssessOptions(
            framework=framework,
            out=tmp_path / "run",
            run=RunOptions(
                model="openai-api/fault/fault-model",
                model_base_url=fault_server.base_url,
                limit=12,
                max_retries=MAX_RETRIES,
                attempt_timeout=4,
                display="none",
                # Every sample must be attempted for the fault accounting below.
                sequential=False,
                # The OpenAI SDK retries on its own too; off, so every attempt is Inspect's.
                model_args=(("max_retries", 0),),
            ),
        )
    )

    prompts = list(fault_server.attempts)
    by_class = {
        kind: [p for p in prompts if fault_server.classes[p] == kind]
        for kind in FAULT_CLASSES
    }
    assert {kind: len(group) for kind, group in by_class.items()} == dict.fromkeys(
        FAULT_CLASSES, 3
    )
    assert len(prompts) == 12

    for prompt in by_class["always_500"]:
        assert fault_server.attempts[prompt] == MAX_RETRIES + 1, dict(
            fault_server.attempts
        )
    for prompt in by_class["transient_429"] + by_class["slow_once"]:
        assert fault_server.attempts[prompt] == 2

    (verdict,) = report.thresholds
    failed = len(by_class["always_500"])
    assert verdict.unscored == failed
    assert verdict.n == 12 - failed
    assert verdict.estimate == 1.0  # every answer that arrived complied
    assert verdict.unscored_reasons == {
        "error: InternalServerError: Error code: 500 - injected server error": failed
    }
    # Unscored share above the policy's 5%: no verdict may be drawn from the rest.
    assert verdict.verdict.value == "inconclusive"
    assert "unscored" in verdict.explanation

    log = read_eval_log(report.suites[0].log_file)
    errored = [s for s in log.samples or [] if s.error is not None]
    assert len(errored) == failed
    assert all(
        not s.scores or all(v.value != 0.0 for v in s.scores.values()) for s in errored
    )


def test_counts_match_the_samples_listed_when_every_sample_errored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = FaultServer(kinds=("always_500",)).start()
    monkeypatch.setenv("FAULT_API_KEY", "test-key")
    framework = write_single_threshold_framework(tmp_path / "all-errored.yaml")
    try:
        report = assess(
            AssessOptions(
                framework=framework,
                out=tmp_path / "run",
                run=RunOptions(
                    model="openai-api/fault/fault-model",
                    model_base_url=server.base_url,
                    limit=4,
                    max_retries=0,
                    display="none",
                    sequential=False,
                    model_args=(("max_retries", 0),),
                ),
            )
        )
    finally:
        server.stop()
    (suite,) = report.suites
    assert len(suite.samples) == 4
    assert all(s.score is None and s.unscored_reason for s in suite.samples)
    assert (suite.samples_total, suite.samples_completed) == (4, 0)
    (verdict,) = report.thresholds
    assert verdict.unscored == 4
    assert verdict.verdict.value == "inconclusive"


def test_a_200_whose_body_is_not_json_is_retried_like_a_5xx(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A gateway's error page labelled as JSON; the next attempt gets an answer.
    server = FaultServer(kinds=("html_once",), html_content_type="application/json")
    server.start()
    monkeypatch.setenv("FAULT_API_KEY", "test-key")
    framework = write_single_threshold_framework(tmp_path / "html.yaml")
    try:
        report = assess(
            AssessOptions(
                framework=framework,
                out=tmp_path / "run",
                run=RunOptions(
                    model="openai-api/fault/fault-model",
                    model_base_url=server.base_url,
                    limit=2,
                    max_retries=MAX_RETRIES,
                    display="none",
                    sequential=False,
                    model_args=(("max_retries", 0),),
                ),
            )
        )
    finally:
        server.stop()
    assert set(server.attempts.values()) == {2}
    assert all(s.score is not None for s in report.suites[0].samples)


def test_the_retrying_client_keeps_a_run_resumable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The client Redline hands the OpenAI provider is a model argument; a re-run must
    # still find its finished log the same task and call the model no more.
    server = FaultServer(kinds=("healthy",)).start()
    monkeypatch.setenv("FAULT_API_KEY", "test-key")
    framework = write_single_threshold_framework(tmp_path / "healthy.yaml")
    options = AssessOptions(
        framework=framework,
        out=tmp_path / "run",
        run=RunOptions(
            model="openai-api/fault/fault-model",
            model_base_url=server.base_url,
            limit=2,
            display="none",
            sequential=False,
        ),
    )
    try:
        first = assess(options)
        calls = sum(server.attempts.values())
        second = assess(options)
    finally:
        server.stop()
    assert calls == 2
    assert sum(server.attempts.values()) == calls
    # The same file, though Inspect names a reused log by its file:// URI.
    logs = {Path(r.suites[0].log_file.removeprefix("file://")) for r in (first, second)}
    assert len(logs) == 1
    log = read_eval_log(second.suites[0].log_file, header_only=True)
    assert log.status == "success"
