"""Redline's suites and model are plain Inspect extensions: `inspect eval` runs them."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

from inspect_ai.log import EvalLog, list_eval_logs, read_eval_log


def test_inspect_eval_runs_a_redline_suite_on_the_embedded_model(
    tmp_path: Path,
) -> None:
    inspect = Path(sys.executable).parent / "inspect"
    result = subprocess.run(
        [
            str(inspect),
            "eval",
            "redline/knowledge_proxy",
            "--model",
            "redline/local",
            "--limit",
            "2",
            "--log-dir",
            str(tmp_path),
            "--display",
            "none",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    (info,) = list_eval_logs(str(tmp_path))
    log = read_eval_log(info)
    assert log.status == "success"
    assert log.eval.task == "redline/knowledge_proxy"
    assert len(log.samples or []) == 2
    assert log.results is not None
    assert "accuracy" in log.results.scores[0].metrics


def _inspect_eval(
    task: str, log_dir: Path, *task_args: str
) -> subprocess.CompletedProcess[str]:
    inspect = Path(sys.executable).parent / "inspect"
    return subprocess.run(
        [
            str(inspect),
            "eval",
            task,
            *task_args,
            "--model",
            "redline/local",
            "--limit",
            "2",
            "--max-tokens",
            "24",
            "--log-dir",
            str(log_dir),
            "--display",
            "none",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )


def _scored_or_reasoned(log: EvalLog, scorer: str) -> None:
    """Every sample has the scorer's value, or NaN with a reason: never nothing."""
    samples = log.samples or []
    assert len(samples) == 2
    for sample in samples:
        assert sample.error is None, sample.error
        assert sample.scores is not None
        score = sample.scores[scorer]
        assert isinstance(score.value, float)
        if math.isnan(score.value):
            assert score.reason, sample.id
        else:
            assert score.value in (0.0, 1.0)


def test_inspect_eval_runs_jailbreak_transforms(tmp_path: Path) -> None:
    result = _inspect_eval(
        "redline/jailbreak_transforms", tmp_path, "-T", "transforms=none,role_play"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    (info,) = list_eval_logs(str(tmp_path))
    log = read_eval_log(info)
    assert log.status == "success"
    assert log.eval.task == "redline/jailbreak_transforms"
    _scored_or_reasoned(log, "attack_success")
    assert log.results is not None
    (scores,) = log.results.scores
    assert scores.name == "attack_success"
    assert {"attack_success_rate", "stderr"} <= set(scores.metrics)
    # The harmful-compliance instrument's error, measured on jailbreak-wrapped
    # requests, travels with the log.
    assert log.eval.metadata is not None
    error = log.eval.metadata["scorer_error"]["attack_success_rate"]
    assert error["positive_label"] == "harmful"
    assert error["scorer"] == "harmful_compliance_classifier"
    assert "jailbreak context" in error["source"]


def test_inspect_eval_runs_societal_bias(tmp_path: Path) -> None:
    result = _inspect_eval("redline/societal_bias", tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    (info,) = list_eval_logs(str(tmp_path))
    log = read_eval_log(info)
    assert log.status == "success"
    assert log.eval.task == "redline/societal_bias"
    _scored_or_reasoned(log, "biased_answer")
    _scored_or_reasoned(log, "choice_correct")
    assert log.results is not None
    metrics = {name for s in log.results.scores for name in s.metrics}
    assert {"bias_rate", "accuracy"} <= metrics
