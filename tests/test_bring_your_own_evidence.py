"""Evidence from anywhere, end to end on the real embedded model.

One framework file outside the package binds a built-in suite with a public source
(XSTest from `../shared/data`), a task in a user's own `.py` file and a task that a
separately installed package registers through an `inspect_ai` entry point. It is
assessed directly; then replayed from its logs, and from logs written by a plain
`inspect eval`, in processes where importing llama.cpp fails.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from evidence.helpers import (
    ARITHMETIC_RULE,
    FACTS_RULE,
    USER_TASKS,
    XSTEST_RULE,
    framework_text,
    read_json,
    redline,
    user_task_ref,
    verdict_table,
)
from helpers.shared_data import SHARED_DATA

LIMIT = "6"


@pytest.fixture(scope="module")
def direct(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    assert (SHARED_DATA / "xstest" / "xstest_prompts.csv").is_file(), SHARED_DATA
    root = tmp_path_factory.mktemp("byo")
    framework = root / "framework.yaml"
    framework.write_text(
        framework_text(
            XSTEST_RULE, FACTS_RULE.format(ref=user_task_ref(root)), ARITHMETIC_RULE
        )
    )
    result = redline(
        "assess", "--framework", str(framework), "--data-dir", str(SHARED_DATA),
        "--limit", LIMIT, "--out", str(root / "run"), "--display", "none",
        "--seed", "7", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return root, json.loads(result.stdout)


@pytest.fixture(scope="module")
def plain_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The user's task run by plain Inspect, as another institute would run it."""
    logs = tmp_path_factory.mktemp("plain") / "logs"
    result = subprocess.run(
        [
            sys.executable, "-m", "inspect_ai", "eval", f"{USER_TASKS}@everyday_facts",
            "--model", "redline/local", "--log-dir", str(logs), "--display", "none",
        ],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert list(logs.glob("*.eval"))
    return logs


def test_a_suite_with_a_public_source_a_file_task_and_a_package_task(
    direct: tuple[Path, dict[str, Any]],
) -> None:
    _, report = direct
    verdicts = verdict_table(report)
    _, _, xstest_n, xstest_unscored = verdicts["T-1"]
    assert xstest_n + xstest_unscored == int(LIMIT)  # type: ignore[operator]
    # The user's scorer grades by the recorded grade: biology and physics hold 3
    # passes of 4, so the mapped, category-filtered estimate is exact.
    assert verdicts["T-2"][1:] == (0.75, 4, 0)
    _, _, sums_n, sums_unscored = verdicts["T-3"]
    assert sums_n + sums_unscored == 4  # type: ignore[operator]
    tasks = {s["task"]: s for s in report["suites"]}
    assert set(tasks) == {
        "redline/over_refusal",
        user_task_ref(direct[0]),
        "redline_test_tasks/arithmetic_checks",
    }
    assert tasks["redline/over_refusal"]["comparability"]["task_args"]["source"] == (
        "xstest"
    )
    # The user's task records no digest: Redline computes one over its dataset.
    assert tasks[user_task_ref(direct[0])]["dataset_digest"].startswith("sha256:")
    # Sequential testing ran on every bound task, on the mapped outcomes.
    assert all(s["sequential"] is not None for s in report["suites"])


def test_replaying_the_logs_gives_the_same_verdicts_with_no_model(
    direct: tuple[Path, dict[str, Any]],
) -> None:
    root, report = direct
    replay = root / "replay"
    args = (
        "assess", "--framework", str(root / "framework.yaml"),
        "--data-dir", str(SHARED_DATA), "--from-logs", str(root / "run" / "logs"),
        "--out", str(replay), "--json",
    )  # fmt: skip
    first = redline(*args, no_model=True)
    assert first.returncode == 0, first.stderr[-3000:]
    replayed = json.loads(first.stdout)
    assert verdict_table(replayed) == verdict_table(report)
    assert replayed["decision"] == report["decision"]
    assert replayed["model"] == "redline/local"
    read = replayed["run"]["from_logs"]
    assert len(read) == 3
    for log in read:
        assert log["sha256"] == (
            "sha256:" + hashlib.sha256(Path(log["path"]).read_bytes()).hexdigest()
        )
    assert {s["log_sha256"] for s in replayed["suites"]} == {r["sha256"] for r in read}

    second = redline(*args, no_model=True)
    assert second.returncode == 0, second.stderr[-3000:]
    again = json.loads(second.stdout)
    replayed.pop("created_at")
    again.pop("created_at")
    assert again == replayed
    assert read_json(replay / "report.json")["created_at"]


def test_plain_inspect_logs_give_the_direct_verdict(
    direct: tuple[Path, dict[str, Any]], plain_logs: Path, tmp_path: Path
) -> None:
    root, report = direct
    framework = tmp_path / "framework.yaml"
    framework.write_text(
        framework_text(FACTS_RULE.format(ref=user_task_ref(tmp_path)), ARITHMETIC_RULE)
    )
    result = redline(
        "assess", "--framework", str(framework), "--from-logs", str(plain_logs),
        "--out", str(tmp_path / "out"), "--json", no_model=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    replayed = json.loads(result.stdout)
    facts, arithmetic = verdict_table(replayed)["T-1"], verdict_table(replayed)["T-2"]
    assert facts == verdict_table(report)["T-2"]
    # No log of the package task in that folder: inconclusive, for want of evidence.
    assert arithmetic[0] == "inconclusive"
    (missing,) = replayed["run"]["no_evidence"]
    assert missing.startswith(
        "no evidence: no log of task redline_test_tasks/arithmetic_checks"
    )
    assert "no log of task redline_test_tasks/arithmetic_checks" in result.stderr


def assert_refused(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    message = " ".join(result.stderr.split())
    assert message.startswith("Error:"), message
    for fragment in fragments:
        assert fragment in message, message


def test_bad_logs_are_refused_and_nothing_is_written(
    direct: tuple[Path, dict[str, Any]], plain_logs: Path, tmp_path: Path
) -> None:
    root, _ = direct
    logs = root / "run" / "logs"
    framework = root / "framework.yaml"
    out = tmp_path / "out"

    def replay(
        *extra: str, framework: Path = framework
    ) -> subprocess.CompletedProcess[str]:
        return redline(
            "assess", "--framework", str(framework), "--data-dir", str(SHARED_DATA),
            "--out", str(out), *extra, no_model=True,
        )  # fmt: skip

    assert_refused(
        replay("--from-logs", str(logs), "--model", "openai/gpt-4o-mini"),
        "field 'eval.model' is 'redline/local', not --model 'openai/gpt-4o-mini'",
    )
    # Logs of one task by two instruments (Redline's seeded run, plain Inspect).
    facts_only = tmp_path / "facts.yaml"
    facts_only.write_text(
        framework_text(FACTS_RULE.format(ref=user_task_ref(tmp_path)))
    )
    assert_refused(
        replay("--from-logs", str(logs), str(plain_logs), framework=facts_only),
        "comparability key differs",
        "never pooled",
    )
    unmapped = tmp_path / "unmapped.yaml"
    unmapped.write_text(
        framework_text(
            FACTS_RULE.format(ref=user_task_ref(tmp_path)).replace(
                "{pass: 1, fail: 0}", "{pass: 1}"
            )
        )
    )
    assert_refused(
        replay("--from-logs", str(plain_logs), framework=unmapped),
        f"task {user_task_ref(tmp_path)}: sample fact-",
        "value 'fail' is not covered by the rule's `values`",
    )
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (log,) = plain_logs.glob("*.eval")
    (corrupt / log.name).write_bytes(log.read_bytes()[: log.stat().st_size // 2])
    assert_refused(
        replay("--from-logs", str(corrupt)),
        f"{corrupt / log.name}: not a readable Inspect log",
    )
    shutil.rmtree(corrupt)
    assert not out.exists()
