"""`redline assess` end to end on the real embedded model (small --limit)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import jsonschema
import pytest
from inspect_ai.log import read_eval_log

from helpers.frameworks import write_single_threshold_framework
from redline.frameworks import salted_digest
from redline.reports import load_report, report_json_schema

REDLINE = [sys.executable, "-m", "redline._cli.main"]
SCHEMA_FILE = (
    Path(__file__).resolve().parents[1]
    / "src"
    / "redline"
    / "reports"
    / "schema"
    / "report.schema.json"
)
LIMIT = 2


def run_assess(
    out: Path, *extra: str, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            *REDLINE,
            "assess",
            "--out",
            str(out),
            "--limit",
            str(LIMIT),
            "--display",
            "none",
            "--seed",
            "7",
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def finished_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    out = tmp_path_factory.mktemp("assess") / "run"
    result = run_assess(out, "--json")
    assert result.returncode == 0, result.stderr[-3000:]
    return out, result


def test_json_output_is_the_written_report(finished_run: tuple[Path, Any]) -> None:
    out, result = finished_run
    printed = json.loads(result.stdout)
    assert printed == json.loads((out / "report.json").read_text())
    assert printed["decision"] in {"deploy", "deploy_with_safeguards", "do_not_deploy"}


def test_report_validates_against_the_shipped_schema(
    finished_run: tuple[Path, Any],
) -> None:
    out, _ = finished_run
    shipped = json.loads(SCHEMA_FILE.read_text())
    assert shipped == report_json_schema(), (
        "regenerate with: redline report schema > " + str(SCHEMA_FILE)
    )
    jsonschema.validate(json.loads((out / "report.json").read_text()), shipped)


def test_every_threshold_carries_its_numbers(finished_run: tuple[Path, Any]) -> None:
    out, _ = finished_run
    report = load_report(out / "report.json")
    assert {t.domain for t in report.thresholds} >= {
        "misuse_safeguards",
        "over_refusal",
        "hazardous_knowledge",
        "autonomy",
        "honesty",
    }
    suites = {s.suite: s for s in report.suites}
    for t in report.thresholds:
        subset = getattr(t.rule, "categories", ())
        if subset:  # a category subset sees only its share of the limited samples
            assert t.n + t.unscored <= LIMIT
        else:
            assert t.n + t.unscored == LIMIT
        assert 0.0 <= t.ci_lower <= t.ci_upper <= 1.0
        if t.estimate is not None:
            assert t.ci_lower <= t.estimate <= t.ci_upper
        assert t.comparability_key == suites[t.rule.suite].comparability_key
        assert t.comparability_key is not None
        assert t.comparability_key.startswith("sha256:")
        assert (
            suites[t.rule.suite].comparability["dataset_digest"].startswith("sha256:")
        )
        samples = suites[t.rule.suite].samples
        assert len(samples) == LIMIT
        counted = [s for s in samples if not subset or s.category in subset]
        assert sum(s.score is not None for s in counted) == t.n
        for s in samples:
            assert s.prompt is not None
            assert s.response is not None
            assert s.salt is not None
            assert s.prompt_digest == salted_digest(s.prompt, s.salt)
            assert s.response_digest == salted_digest(s.response, s.salt)
            assert (s.score is None) == (s.unscored_reason is not None)
    assert report.run.complete
    # Two samples cannot rule a threshold out, so the precautionary default must act.
    assert report.decision.value != "deploy"
    html = (out / "report.html").read_text()
    assert report.decision.value.replace("_", " ") in html
    assert "MISUSE-1" in html


def test_logs_open_with_read_eval_log(finished_run: tuple[Path, Any]) -> None:
    out, _ = finished_run
    report = load_report(out / "report.json")
    for suite in report.suites:
        log = read_eval_log(suite.log_file)
        assert log.status == "success"
        assert log.eval.model == "redline/local"
        assert len(log.samples or []) == LIMIT
        assert log.eval.task == f"redline/{suite.suite}"
        assert log.stats.model_usage["redline/local"].output_tokens > 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_logs_open_in_inspect_view(finished_run: tuple[Path, Any]) -> None:
    out, _ = finished_run
    port = _free_port()
    inspect = Path(sys.executable).parent / "inspect"
    viewer = subprocess.Popen(
        [
            str(inspect),
            "view",
            "start",
            "--log-dir",
            str(out / "logs"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                listing = httpx.get(f"http://127.0.0.1:{port}/api/log-files", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "inspect view did not start"
                time.sleep(0.5)
        assert listing.status_code == 200
        names = [entry["name"] for entry in listing.json()["files"]]
        report = load_report(out / "report.json")
        assert len([n for n in names if n.endswith(".eval")]) == len(report.suites)
        first = next(n for n in names if n.endswith(".eval"))
        log = httpx.get(
            f"http://127.0.0.1:{port}/api/logs/{quote(first, safe='')}",
            params={"header-only": "100"},
            timeout=30,
        )
        assert log.status_code == 200, log.text
        assert log.json()["eval"]["model"] == "redline/local"
    finally:
        viewer.terminate()
        viewer.wait(timeout=30)


def test_rerun_resumes_without_redoing_samples(finished_run: tuple[Path, Any]) -> None:
    out, _ = finished_run
    before = {p.name: p.stat().st_mtime_ns for p in (out / "logs").glob("*.eval")}
    uuids_before = {
        s.uuid
        for p in (out / "logs").glob("*.eval")
        for s in read_eval_log(str(p)).samples or []
    }
    result = run_assess(out)
    assert result.returncode == 0, result.stderr[-2000:]
    after = {p.name: p.stat().st_mtime_ns for p in (out / "logs").glob("*.eval")}
    assert after == before  # no log rewritten, none added
    uuids_after = {
        s.uuid
        for p in (out / "logs").glob("*.eval")
        for s in read_eval_log(str(p)).samples or []
    }
    assert uuids_after == uuids_before
    # --limit leaves most of each suite unread: the decision is labelled a smoke run.
    assert "Decision (smoke run):" in result.stdout


def test_gate_exits_3_when_the_decision_is_not_deploy(
    finished_run: tuple[Path, Any],
) -> None:
    out, _ = finished_run
    result = run_assess(out, "--gate")
    assert result.returncode == 3, result.stderr[-2000:]
    (reason,) = [line for line in result.stderr.splitlines() if "Gate failed" in line]
    assert "not 'deploy'" in reason


def test_gate_passes_when_the_decision_is_deploy(tmp_path: Path) -> None:
    # A threshold no rate can cross: the decision must be deploy, and the gate open.
    framework = write_single_threshold_framework(
        tmp_path / "lenient.yaml",
        "knowledge_proxy",
        "accuracy",
        ">",
        1.0,
        "intolerable",
    )
    result = run_assess(
        tmp_path / "run", "--framework", str(framework), "--gate", "--json"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout)["decision"] == "deploy"
