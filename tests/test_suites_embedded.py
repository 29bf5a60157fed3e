"""Each built-in suite end to end on the real embedded model, from one shared run.

llama.cpp's kernels differ by CPU, so replies may differ between machines: these
tests assert what holds on every machine (structure, counts, verdicts computed, the
report verifies and redacts), never what the model said.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from inspect_ai.log import read_eval_log

from helpers.embedded_run import LIMIT, EmbeddedRun
from redline.evals.tasks import SUITES
from redline.reports import (
    SigningKey,
    check_content_digests,
    reason_code,
    redact_envelope,
    sign_report_data,
    verify_signed_report,
)

VERDICTS = {"below", "approaching", "crossed", "inconclusive"}


def _suite(report: dict[str, Any], name: str) -> dict[str, Any]:
    (suite,) = [s for s in report["suites"] if s["suite"] == name]
    return suite


def test_the_run_covers_every_builtin_suite(
    embedded_reference_run: EmbeddedRun,
) -> None:
    ran = {s["suite"] for s in embedded_reference_run.report["suites"]}
    assert ran == set(SUITES)


@pytest.mark.parametrize("name", sorted(SUITES))
def test_suite_runs_end_to_end_on_the_embedded_model(
    embedded_reference_run: EmbeddedRun, name: str
) -> None:
    report = embedded_reference_run.report
    suite = _suite(report, name)
    samples = suite["samples"]
    assert suite["status"] == "success"
    assert suite["task_version"] == str(SUITES[name].version)
    # Counts match the samples listed, and the log holds the same samples.
    assert 0 < len(samples) == suite["samples_total"] <= LIMIT
    assert suite["samples_completed"] <= suite["samples_total"]
    log = read_eval_log(suite["log_file"])
    assert sorted((str(s.id), s.epoch) for s in log.samples or []) == sorted(
        (s["id"], s["epoch"]) for s in samples
    )
    for sample in samples:
        # Scored in [0, 1], or unscored with its reason: never neither.
        if sample["score"] is None:
            assert sample["unscored_reason"]
        else:
            assert 0.0 <= sample["score"] <= 1.0
            assert sample["unscored_reason"] is None
        assert sample["prompt"]
        assert sample["salt"]
        assert sample["prompt_digest"].startswith("hmac-sha256:")
    check_content_digests(report)

    # Every threshold a rule of this suite decides has a computed verdict, over
    # exactly the samples of the categories it reads.
    deciding = [t for t in report["thresholds"] if t["rule"].get("suite") == name]
    assert deciding, f"no threshold of the reference framework reads {name}"
    for threshold in deciding:
        assert threshold["verdict"] in VERDICTS
        assert threshold["trail"]
        categories = threshold["rule"].get("categories") or []
        read = [s for s in samples if not categories or s["category"] in categories]
        assert threshold["n"] + threshold["unscored"] == len(read)
        assert threshold["n"] == sum(s["score"] is not None for s in read)
        assert sum(threshold["unscored_reasons"].values()) == threshold["unscored"]


def test_the_embedded_report_verifies_and_redacts_to_nothing_of_the_machine(
    embedded_reference_run: EmbeddedRun, tmp_path: Path
) -> None:
    report = embedded_reference_run.report
    envelope = sign_report_data(report, SigningKey.from_seed(b"\x05" * 32))
    _, full = verify_signed_report(envelope)
    redacted = redact_envelope(envelope)
    _, short = verify_signed_report(json.loads(json.dumps(redacted)))
    assert full.salted
    assert short.redacted
    assert short.assessment_digest == full.assessment_digest

    text = json.dumps(redacted)
    # The run folder is under the machine's temporary folder: no path of it is left.
    assert str(embedded_reference_run.out) not in text
    assert str(embedded_reference_run.out.parent.parent) not in text
    samples = [s for suite in redacted["report"]["suites"] for s in suite["samples"]]
    for suite in report["suites"]:
        for sample in suite["samples"]:
            assert json.dumps(sample["prompt"])[1:-1] not in text
    for sample in samples:
        assert sample["prompt"] is None
        assert sample["response"] is None
        assert sample["salt"] is None
        reason = sample["unscored_reason"]
        assert reason is None or reason == reason_code(reason)
    for threshold in redacted["report"]["thresholds"]:
        assert all(reason_code(r) == r for r in threshold["unscored_reasons"])
