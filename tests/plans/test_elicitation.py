"""Elicitation on record: epochs run by Inspect, reduced per rule, recorded per suite."""

from __future__ import annotations

import json
from pathlib import Path

from inspect_ai.log import read_eval_log

from helpers.plans import make_setup
from redline.evals import reduce_epochs
from redline.frameworks import SampleRecord, load_framework


def _record(sample: str, epoch: int, score: float | None) -> SampleRecord:
    return SampleRecord.with_content(
        id=sample,
        epoch=epoch,
        score=score,
        unscored_reason=None if score is not None else "error: timeout",
        prompt=f"prompt {sample}",
        response=f"answer {epoch}",
        group=sample,
    )


def test_max_is_at_least_once_in_k_and_never_reads_a_gap_as_safe() -> None:
    records = [
        _record("a", 1, 0.0), _record("a", 2, 1.0),   # shown once: counts
        _record("b", 1, 0.0), _record("b", 2, None),  # the gap might have shown it
        _record("c", 1, None), _record("c", 2, 1.0),  # shown once: counts
        _record("d", 1, 0.0), _record("d", 2, 0.0),   # never shown
    ]  # fmt: skip
    reduced = {r.id: r for r in reduce_epochs(records, "max")}
    assert {k: r.score for k, r in reduced.items()} == {
        "a": 1.0,
        "b": None,
        "c": 1.0,
        "d": 0.0,
    }
    assert reduced["a"].epoch == 2  # the attempt that showed it is the one kept
    assert reduced["b"].unscored_reason == "error: timeout (1 of 2 attempts)"
    # Under mean every attempt stays, one cluster per sample for the clustered path.
    assert reduce_epochs(records, "mean") == records


def test_elicitation_fields_leave_older_frameworks_hash_unchanged() -> None:
    # The hash every run of the reference framework before this change recorded.
    assert load_framework("redline-reference").content_hash == (
        "sha256:a8c51d67e919abbabebb4fd297f91af3b8b2107fa552628ef9f86adcd390d319"
    )


def test_epochs_with_max_run_k_attempts_and_read_one_outcome_per_sample(
    tmp_path: Path,
) -> None:
    setup = make_setup(tmp_path)
    setup.set_cutoff(0.5, extra="        epochs_reducer: max\n")
    plan = tmp_path / "plan.json"
    setup.create_plan(plan, "--epochs", "2")
    (task,) = json.loads(plan.read_text())["plan"]["tasks"]
    assert task["elicitation"]["epochs"] == 2
    assert task["elicitation"]["epochs_reducer"] == "max"

    out = tmp_path / "run"
    setup.assess(plan, out)
    report = json.loads((out / "report.json").read_text())
    assert report["plan"]["deviations"] == []
    (suite,) = report["suites"]
    assert suite["elicitation"]["epochs"] == 2
    assert suite["elicitation"]["epochs_reducer"] == "max"
    log = read_eval_log(suite["log_file"])
    assert len(log.samples or []) == 4  # Inspect ran both attempts of 2 samples
    (threshold,) = report["thresholds"]
    (rule,) = threshold["rules"]
    assert rule["n"] == 2  # one outcome per sample
