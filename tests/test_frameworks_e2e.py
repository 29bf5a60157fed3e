"""Every built-in framework assesses the embedded model, on one shared set of logs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers.embedded_run import EmbeddedRun, assess
from redline.frameworks import builtin_framework_ids, load_framework

BUILTINS = [
    "redline-reference",
    "rsp-like",
    "preparedness-like",
    "fsf-like",
    "seoul-baseline",
    "idais-red-lines",
]


_assess = assess


@pytest.fixture(scope="module")
def shared_out(embedded_reference_run: EmbeddedRun) -> Path:
    """A run folder whose logs cover every suite: the reference framework ran there.

    Seeded by the session's one embedded run, not by whichever test happens to run
    first, so each test below passes alone and in any order.
    """
    return embedded_reference_run.out


def test_the_builtins_are_the_expected_six_and_redline_public() -> None:
    # redline-public reads public benchmarks from --data-dir, not the packaged items
    # these tests share a run of; tests/test_public_framework.py assesses it.
    assert sorted(builtin_framework_ids()) == sorted([*BUILTINS, "redline-public"])


@pytest.mark.parametrize("framework_id", BUILTINS)
def test_assess_runs_under_each_builtin_framework(
    shared_out: Path, framework_id: str
) -> None:
    logs_before = {p.name for p in (shared_out / "logs").glob("*.eval")}
    assert logs_before
    result = _assess(shared_out, framework_id, "--json")
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    framework = load_framework(framework_id)
    assert report["framework"]["id"] == framework_id
    assert report["framework"]["content_hash"] == framework.content_hash
    assert [t["threshold_id"] for t in report["thresholds"]] == [
        t.id for t in framework.thresholds
    ]
    assert report["decision"] in {
        "deploy",
        "deploy_with_safeguards",
        "do_not_deploy",
        "halt_development",
    }
    for threshold in report["thresholds"]:
        assert threshold["trail"], threshold["threshold_id"]
    # Logs are framework-independent evidence: every framework reuses the reference
    # run's logs, which cover every suite, and runs nothing new.
    logs_after = {p.name for p in (shared_out / "logs").glob("*.eval")}
    assert logs_after == logs_before


def test_seoul_baseline_reads_the_model_card(tmp_path: Path, shared_out: Path) -> None:
    card = tmp_path / "card.yaml"
    card.write_text("training_compute_flop: 2.0e+26\n")
    attest = tmp_path / "attest.yaml"
    attest.write_text(
        "- {safeguard: third-party-evaluation, document: eval-report.pdf, attested_by: UK AISI}\n"
    )
    result = _assess(
        shared_out, "seoul-baseline",
        "--model-card", str(card), "--attestations", str(attest), "--explain",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((shared_out / "report.json").read_text())
    frontier = next(
        t for t in report["thresholds"] if t["threshold_id"] == "FRONTIER-1"
    )
    assert frontier["verdict"] == "crossed"
    assert frontier["safeguards"][0]["evidenced"] is True
    assert "third-party-evaluation" not in report["outstanding_safeguards"]
    assert "model card declares training_compute_flop" in " ".join(
        result.stdout.split()
    )
