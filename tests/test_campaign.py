"""`redline campaign`: every model under every framework, one run folder each, resumable.

The two models are different deployments of a model: the embedded one in-process
(`redline/local`) and the same GGUF behind a real OpenAI-compatible server on
127.0.0.1 (llama-cpp-python's), reached as `openai-api/llama/smollm2`.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers.frameworks import write_single_threshold_framework
from helpers.llama_server import LlamaServer, free_port
from redline._cli.common import EXIT_MODEL_UNAVAILABLE
from redline._cli.main import cli
from redline.campaign import folder_name
from redline.reports import decision_label, load_report

SERVED = "openai-api/llama/smollm2"


def _frameworks(tmp_path: Path) -> tuple[Path, Path]:
    return (
        write_single_threshold_framework(tmp_path / "lenient.yaml", cutoff=0.9),
        write_single_threshold_framework(tmp_path / "strict.yaml", cutoff=0.1),
    )


def _campaign(cwd: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        cli, ["campaign", "--display", "none", *args], catch_exceptions=False
    )
    return result.exit_code, result.stdout, result.stderr


def test_two_models_under_two_frameworks_then_a_resume(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "220")  # room for every folder name on one line
    lenient, strict = _frameworks(tmp_path)
    server = LlamaServer(free_port(), tmp_path / "server.log").start()
    monkeypatch.setenv("LLAMA_BASE_URL", server.base_url)
    monkeypatch.setenv("LLAMA_API_KEY", "not-checked")
    command = [
        *("--model", "redline/local", "--model", SERVED),
        *("--framework", str(lenient), "--framework", str(strict)),
        *("--limit", "1", "--seed", "3", "--no-sequential", "--max-retries", "0"),
    ]
    try:
        code, stdout, stderr = _campaign(tmp_path, *command)
    finally:
        server.stop()

    assert code == 0, stdout + stderr
    (folder,) = (tmp_path / "runs").iterdir()
    assert folder.name.startswith("campaign-")
    summary = json.loads((folder / "campaign.json").read_text())
    pairs = [(p["model"], p["framework"]) for p in summary["pairs"]]
    assert pairs == [
        ("redline/local", "lenient"),
        ("redline/local", "strict"),
        (SERVED, "lenient"),
        (SERVED, "strict"),
    ]
    rows = list(csv.DictReader((folder / "campaign.csv").open()))
    assert [(r["model"], r["framework"]) for r in rows] == pairs
    for pair, row in zip(summary["pairs"], rows, strict=True):
        run_dir = folder / pair["folder"]
        assert pair["folder"] == folder_name(pair["model"], pair["framework"])
        # The layout `redline assess --out` writes.
        assert {p.name for p in run_dir.iterdir()} >= {
            "run.json",
            "logs",
            "report.json",
            "report.html",
        }
        report = load_report(run_dir / "report.json")
        assert report.model == pair["model"]
        assert report.framework.id == pair["framework"]
        assert pair["status"] == row["status"] == "done"
        assert pair["decision"] == row["decision"] == decision_label(report.decision)
        (threshold,) = report.thresholds
        assert threshold.n + threshold.unscored == 1
        counts = {
            v: pair[v] for v in ("crossed", "approaching", "below", "inconclusive")
        }
        assert counts[threshold.verdict.value] == 1
        assert sum(counts.values()) == 1
    # The rich table names every pair and its run folder.
    flat = " ".join(stdout.split())
    for pair in summary["pairs"]:
        assert pair["folder"] in flat
    assert "campaign.json" in flat
    assert f"Compare: redline view {folder.relative_to(tmp_path)}" in flat

    # An interrupted pair: its report is gone, its run folder and logs are there.
    local = folder / folder_name("redline/local", "strict")
    (local / "report.json").unlink()
    others = {
        p: (folder / p / "report.json").stat().st_mtime_ns
        for p in (r["folder"] for r in rows)
        if p != local.name
    }
    # The server is down: any served pair assessed again would fail.
    code, stdout, stderr = _campaign(tmp_path, *command)

    assert code == 0, stdout + stderr
    assert [p.name for p in (tmp_path / "runs").iterdir()] == [folder.name]
    notes = " ".join(stderr.split())
    assert notes.count("done before, skipped") == 3
    assert "redline/local x strict: assessing into" in notes
    assert f"Resuming run {local.relative_to(tmp_path)}" in notes
    for name, mtime in others.items():
        assert (folder / name / "report.json").stat().st_mtime_ns == mtime
    assert load_report(local / "report.json").run.complete


def test_bad_input_is_refused_before_anything_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    lenient, strict = _frameworks(tmp_path)
    cases = [
        (
            ["--model", "redline/local", "--model", "redline/local"],
            [str(lenient)],
            "--model 'redline/local' is given twice",
        ),
        (
            ["--model", "redline/local"],
            [str(lenient), "no-such-framework"],
            "no-such-framework",
        ),
        (
            ["--model", "redline/local"],
            [str(lenient), str(lenient)],
            "is given twice",
        ),
        (["--model", "nosuchprovider/x"], [str(lenient)], "nosuchprovider/x"),
    ]
    for models, frameworks, expected in cases:
        args = [*models, *(a for f in frameworks for a in ("--framework", f))]
        code, _, stderr = _campaign(tmp_path, *args)
        assert code == 2, (args, stderr)
        assert expected in " ".join(stderr.split())
        assert "Traceback" not in stderr
        assert not (tmp_path / "runs").exists()


def test_a_folder_of_another_campaign_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    lenient, strict = _frameworks(tmp_path)
    out = tmp_path / "c"
    args = ["--model", "redline/local", "--framework", str(lenient), "--out", str(out)]
    code, stdout, stderr = _campaign(tmp_path, *args, "--limit", "1")
    assert code == 0, stdout + stderr
    before = (out / "campaign.json").read_text()

    code, _, stderr = _campaign(tmp_path, *args, "--limit", "2")

    assert code == 2
    refusal = " ".join(stderr.split())
    assert "holds a campaign of other models, frameworks or settings" in refusal
    assert "(it differs in limit)" in refusal
    assert (out / "campaign.json").read_text() == before


def test_a_pair_whose_model_is_unreachable_is_incomplete_not_a_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LLAMA_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    monkeypatch.setenv("LLAMA_API_KEY", "not-checked")
    lenient, _ = _frameworks(tmp_path)
    args = [
        "--model",
        SERVED,
        "--framework",
        str(lenient),
        "--out",
        str(tmp_path / "c"),
    ]
    code, stdout, stderr = _campaign(
        tmp_path, *args, "--limit", "1", "--max-retries", "0"
    )

    assert code == EXIT_MODEL_UNAVAILABLE, stdout + stderr
    assert "re-run the same command to resume" in " ".join(stderr.split())
    (pair,) = json.loads((tmp_path / "c" / "campaign.json").read_text())["pairs"]
    assert pair["status"] == "incomplete"
    assert "the model endpoint could not be reached" in pair["error"]
    report = load_report(tmp_path / "c" / pair["folder"] / "report.json")
    assert report.run.complete is False
