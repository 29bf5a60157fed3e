"""The report page shows what reports record since evidence could come from any task.

Bound Inspect tasks name their task; their suite runs (named by the rule's binding)
get their confidence sequence; smoke runs and failed runs say so before the decision;
safeguards, scorer corrections and logs read as evidence are listed.
"""

from __future__ import annotations

import copy
import json
import re
from html import unescape
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from view_helpers import golden, write_run

from redline.frameworks import EvidenceRule
from redline.view import create_view_app

TASK = "tasks/arith.py@arithmetic"
TASK_RULE = EvidenceRule(
    task=TASK, args={"digits": 2}, metric="accuracy", comparator=">=", cutoff=0.6
)


def _task_bound() -> dict[str, Any]:
    """The golden report with AUTONOMY-1 reading a bound task, run sequentially."""
    data = golden()
    binding = TASK_RULE.binding
    rule = json.loads(TASK_RULE.model_dump_json())
    threshold = next(t for t in data["thresholds"] if t["threshold_id"] == "AUTONOMY-1")
    threshold["rule"] = rule
    suite = next(s for s in data["suites"] if s["suite"] == "autonomy_proxy")
    suite.update(
        suite=binding,
        task=TASK,
        log_sha256="ab" * 32,
        sequential={
            "stopped_early": True, "reason": "every rule decided", "decided": True,
            "samples_used": len(suite["samples"]), "samples_total": 40,
        },
    )  # fmt: skip
    for sample in suite["samples"]:
        sample["score"] = 1.0
        sample["unscored_reason"] = None
    data["run"]["from_logs"] = [
        {"path": "/logs/arith.eval", "sha256": "cd" * 32, "task": TASK,
         "model": data["model"]},
    ]  # fmt: skip
    data["run"]["no_evidence"] = ["inspect_evals/other: no log for this task"]
    return data


def _page(tmp_path: Path, data: dict[str, Any]) -> str:
    runs = tmp_path / "runs"
    folder = runs / "one"
    folder.mkdir(parents=True)
    (folder / "report.json").write_text(json.dumps(data), encoding="utf-8")
    client = TestClient(create_view_app([runs]))
    entry = re.search(r'<tr data-id="([0-9a-f]+)"', client.get("/").text)
    assert entry is not None
    response = client.get(f"/reports/{entry.group(1)}")
    assert response.status_code == 200
    return response.text


def _row(html: str, attribute: str, value: str) -> str:
    match = re.search(rf'<tr {attribute}="{re.escape(value)}">(.*?)</tr>', html, re.S)
    assert match is not None, f"no row {attribute}={value}"
    return unescape(re.sub(r"<[^>]+>", " ", match.group(1)))


def test_a_task_bound_rule_names_its_task_and_its_sequence_is_drawn(
    tmp_path: Path,
) -> None:
    html = _page(tmp_path, _task_bound())
    row = _row(html, "data-threshold", "AUTONOMY-1")
    assert f"(task {TASK}; digits=2)" in row
    assert TASK_RULE.describe() in row
    suite = _row(html, "data-suite", TASK_RULE.binding)
    assert TASK in suite
    assert "stopped early" in suite
    assert "ab" * 32 in suite
    # The bound task's run is found through the rule's binding: its sequence is drawn
    # with AUTONOMY-1's cutoff.
    spec = re.search(r'id="sequence-1"[^>]*data-spec="([^"]+)"', html)
    assert spec is not None
    traces = json.loads(unescape(spec.group(1)))["data"]
    cutoff = [t for t in traces if t["name"] == "AUTONOMY-1 cutoff"]
    assert len(cutoff) == 1
    assert cutoff[0]["y"] == [0.6, 0.6]
    text = unescape(html)
    assert "/logs/arith.eval" in text
    assert "cd" * 32 in text
    assert "inspect_evals/other: no log for this task" in text


def test_a_smoke_run_says_so_before_its_decision(tmp_path: Path) -> None:
    data = golden()
    data["run"]["smoke_run"] = True
    html = _page(tmp_path, data)
    assert 'id="smoke-run"' in html
    assert html.index('id="smoke-run"') < html.index('id="decision-h"')
    assert "Decision (smoke run)" in html
    assert 'id="smoke-run"' not in _page(tmp_path / "plain", golden())


def test_a_failed_run_says_what_failed(tmp_path: Path) -> None:
    data = golden()
    data["run"]["failure"] = {
        "message": "every sample of misuse_refusal failed: the endpoint did not answer",
        "suites": ["misuse_refusal"],
        "reasons": {"model API error": 2},
    }
    text = unescape(_page(tmp_path, data))
    assert "Run failed: no finding." in text
    assert "the endpoint did not answer" in text
    assert "2 × model API error" in text


def test_safeguards_and_scorer_corrections_are_listed(tmp_path: Path) -> None:
    data = golden()
    threshold = data["thresholds"][0]
    threshold["safeguards"] = [
        {"id": "weights-security", "kind": "security", "evidenced": False,
         "explanation": "no attestation of weights-security"},
        {"id": "refusal-training", "kind": "deployment", "evidenced": True,
         "explanation": "misuse_refusal.refusal_rate >= 0.9 holds"},
    ]  # fmt: skip
    error = {"scorer": "refusal_classifier", "positive_label": "refused",
             "true_positives": 45, "positives": 50, "true_negatives": 48,
             "negatives": 50, "source": "validation split"}  # fmt: skip
    threshold["correction"] = {
        "applied": True, "method": "Rogan-Gladen", "scorer_error": error,
        "sensitivity": 0.9, "specificity": 0.96, "estimate": 0.71,
        "ci_lower": 0.4, "ci_upper": 0.95, "raw_estimate": 0.68,
        "raw_ci_lower": 0.45, "raw_ci_upper": 0.88, "raw_ci_method": "exact",
    }  # fmt: skip
    text = unescape(re.sub(r"<[^>]+>", " ", _page(tmp_path, copy.deepcopy(data))))
    assert "weights-security security not evidenced no attestation" in " ".join(
        text.split()
    )
    assert "refusal-training deployment evidenced" in " ".join(text.split())
    flat = " ".join(text.split())
    assert "refusal_classifier (refused)" in flat
    assert "45/50 positives, 48/50 negatives" in flat
    assert "0.710 [0.400, 0.950]" in flat
    assert "0.680 [0.450, 0.880]" in flat
    assert "corrected (Rogan-Gladen)" in flat


def test_runs_written_before_these_fields_still_render(tmp_path: Path) -> None:
    path, _ = write_run(tmp_path / "runs", "old")
    client = TestClient(create_view_app([path]))
    entry = re.search(r'<tr data-id="([0-9a-f]+)"', client.get("/").text)
    assert entry is not None
    html = client.get(f"/reports/{entry.group(1)}").text
    assert "Evidence runs" in html
    assert 'id="smoke-run"' not in html
    assert "Safeguards</h2>" not in html
