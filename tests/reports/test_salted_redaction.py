"""Salted content digests, and what redaction removes besides content."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from redline._cli.main import cli
from redline.errors import ReportError, SignatureError
from redline.frameworks import SampleRecord, text_digest
from redline.reports import (
    CURRENT_FORM,
    LEGACY_FORM,
    SigningKey,
    prove_same_assessment,
    reason_code,
    redact_envelope,
    redacted_data,
    sign_report_data,
    verify_signed_report,
)

# Short replies a guesser tries first.
GUESSES = ("No", "Yes", "no", "yes", "I can't help with that.", "")


def _samples(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for suite in data["suites"] for s in suite["samples"]]


def _recovered(redacted: dict[str, Any]) -> set[str]:
    """What a guesser learns from a redacted report's digests alone."""
    by_digest = {text_digest(guess): guess for guess in GUESSES}
    return {
        by_digest[s[field]]
        for s in _samples(redacted)
        for field in ("prompt_digest", "response_digest")
        if s[field] in by_digest
    }


def test_unsalted_digests_give_short_replies_away_and_salted_do_not(
    unsalted_envelope, golden_envelope
) -> None:
    # The same assessment: honesty_pressure's replies are a bare "No".
    assert _recovered(redact_envelope(unsalted_envelope)["report"]) == {"No"}
    assert _recovered(redact_envelope(golden_envelope)["report"]) == set()


def test_every_record_gets_its_own_salt() -> None:
    def record() -> SampleRecord:
        return SampleRecord.with_content(
            id="a", epoch=1, score=1.0, unscored_reason=None, prompt="Q?", response="No"
        )

    first, second = record(), record()
    assert first.salt
    assert second.salt
    assert first.salt != second.salt
    assert first.response_digest.startswith("hmac-sha256:")
    assert first.response_digest != second.response_digest
    assert first.response_digest != text_digest("No")


def test_salted_envelope_verifies_full_and_redacted(golden_envelope) -> None:
    _, full = verify_signed_report(golden_envelope)
    redacted = redact_envelope(golden_envelope)
    _, short = verify_signed_report(redacted)
    assert (full.salted, short.salted) == (True, True)
    assert (full.redacted, short.redacted) == (False, True)
    assert full.signed_form == short.signed_form == CURRENT_FORM
    assert full.assessment_digest == short.assessment_digest
    assert all(s["salt"] is None for s in _samples(redacted["report"]))
    assert all(s["salt"] for s in _samples(golden_envelope["report"]))


def test_an_envelope_signed_before_salting_verifies_and_says_unsalted(
    unsalted_envelope,
) -> None:
    _, full = verify_signed_report(unsalted_envelope)
    assert full.signed_form == LEGACY_FORM
    assert not full.salted
    redacted = redact_envelope(unsalted_envelope)
    _, short = verify_signed_report(redacted)
    assert short.redacted
    assert short.assessment_digest == full.assessment_digest
    # Redacted as it was signed: removing anything more would break the signature.
    assert redacted["report"]["run"]["out_dir"] == "/tmp/r6"


def test_full_copy_content_is_checked_with_its_salt(golden_envelope) -> None:
    sample = ("report", "suites", 4, "samples", 0)
    changed = copy.deepcopy(golden_envelope)
    target = changed
    for part in sample:
        target = target[part]
    # The salt is not signed (redaction removes it), but it keys the digests the
    # signature covers: a different salt no longer matches the content.
    target["salt"] = "0" * 32
    with pytest.raises(ReportError, match=r"suites\[4\]\.samples\[0\]\.prompt"):
        verify_signed_report(changed)
    target["salt"] = None
    with pytest.raises(
        ReportError, match="has a salted digest but the sample has no salt"
    ):
        verify_signed_report(changed)
    target["salt"] = "not hex"
    with pytest.raises(
        ReportError, match=r"field 'report\.suites\.4\.samples\.0\.salt'"
    ):
        verify_signed_report(changed)


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        (
            "error: APIConnectionError: Connection to 10.0.0.7 refused",
            "error: APIConnectionError",
        ),
        (
            "error: openai.InternalServerError: Error code: 500",
            "error: openai.InternalServerError",
        ),
        ("error: the process said: something", "error"),
        (
            "grader_failed: the judge wrote 'maybe' about the user's question",
            "grader_failed",
        ),
        ("invalid_response_format", "invalid_response_format"),
        ("no answer (N)", "no answer (N)"),
        ("not run (interrupted)", "not run (interrupted)"),
        ("not scored by refusal", "not scored by refusal"),
        ("The model said it would rather not answer about Jane Doe", "unscored"),
    ],
)
def test_reason_codes(reason: str, code: str) -> None:
    assert reason_code(reason) == code
    assert reason_code(code) == code  # redacting twice changes nothing


LEAK_DIR = "/tmp/leaky-machine/home/alice"
FREE_TEXT = "Connection to /tmp/leaky-machine/home/alice/socket dropped for Jane Doe"


def _leaky_report(report_data: dict[str, Any]) -> dict[str, Any]:
    """The golden report as a run on a machine might leave it: paths and free text."""
    data = copy.deepcopy(report_data)
    reason = f"error: APIConnectionError: {FREE_TEXT}"
    data["model"] = f"redline/local/{LEAK_DIR}/models/tiny.gguf"
    data["run"]["out_dir"] = f"{LEAK_DIR}/run"
    data["run"]["log_dir"] = f"{LEAK_DIR}/run/logs"
    data["run"]["no_evidence"] = [f"no evidence: {LEAK_DIR}/data/wmdp.json is missing"]
    data["run"]["from_logs"] = [
        {"path": f"file://{LEAK_DIR}/logs/a.eval", "sha256": "sha256:00",
         "task": "t", "model": "m"}
    ]  # fmt: skip
    data["run"]["failure"] = {
        "message": "the model endpoint could not be reached (APIConnectionError)",
        "suites": ["misuse_refusal"],
        "reasons": {reason: 1},
    }
    suite = data["suites"][0]
    suite["log_file"] = f"{LEAK_DIR}/run/logs/x_misuse-refusal_1.eval"
    suite["comparability"]["task_args"] = {"path": f"{LEAK_DIR}/data/items.csv"}
    suite["samples"][1].update(score=None, unscored_reason=reason)
    suite["samples"][0]["unscored_reason"] = None
    data["thresholds"][0]["unscored_reasons"] = {
        reason: 1,
        "grader_failed: judge said 'the user Jane Doe asked...'": 2,
    }
    return data


def test_redaction_leaves_no_content_reason_text_or_machine_path(
    report_data, key: SigningKey
) -> None:
    leaky = _leaky_report(report_data)
    envelope = sign_report_data(leaky, key)
    redacted = redact_envelope(envelope)
    text = json.dumps(redacted)
    for leak in ("/tmp/leaky-machine", "alice", "Jane Doe", "dropped"):
        assert leak not in text
    for sample in _samples(leaky):
        assert sample["prompt"] not in text
    report = redacted["report"]
    assert report["model"] == "redline/local/tiny.gguf"
    assert report["run"]["out_dir"] == report["run"]["log_dir"] == ""
    assert report["run"]["from_logs"][0]["path"] == "a.eval"
    assert report["suites"][0]["log_file"] == "x_misuse-refusal_1.eval"
    assert report["suites"][0]["comparability"]["task_args"] == {"path": "items.csv"}
    assert report["run"]["no_evidence"] == ["no evidence: wmdp.json is missing"]
    assert report["suites"][0]["samples"][1]["unscored_reason"] == (
        "error: APIConnectionError"
    )
    assert report["run"]["failure"]["reasons"] == {"error: APIConnectionError": 1}
    assert report["thresholds"][0]["unscored_reasons"] == {
        "error: APIConnectionError": 1,
        "grader_failed": 2,
    }
    # Both copies verify under the one signature and are the same assessment.
    _, full = verify_signed_report(envelope)
    _, short = verify_signed_report(redacted)
    assert short.redacted
    assert not full.redacted
    assert full.assessment_digest == short.assessment_digest
    assert prove_same_assessment(leaky, report) == full.assessment_digest
    assert redacted_data(report) == report


def test_reason_text_is_covered_by_nothing_but_its_code(
    report_data, key: SigningKey
) -> None:
    # A full copy's free-text reason is for its holder; the signature commits to
    # its code, so changing the code is caught and changing the words is not.
    envelope = sign_report_data(_leaky_report(report_data), key)
    sample = envelope["report"]["suites"][0]["samples"][1]
    sample["unscored_reason"] = "error: APIConnectionError: other words"
    verify_signed_report(envelope)
    sample["unscored_reason"] = "error: RateLimitError: other words"
    with pytest.raises(SignatureError, match="does not match the report"):
        verify_signed_report(envelope)


def _cli(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_verify_says_whether_digests_are_salted(tmp_path: Path) -> None:
    data = Path(__file__).parent / "data"
    assert "content digests: salted" in _cli(
        "report", "verify", str(data / "report.signed.json")
    )
    legacy = _cli("report", "verify", str(data / "report.unsalted.signed.json"))
    assert "content digests: unsalted" in legacy
    redacted = tmp_path / "legacy.redacted.json"
    _cli(
        "report",
        "redact",
        str(data / "report.unsalted.signed.json"),
        "-o",
        str(redacted),
    )
    same = _cli(
        "report", "verify", str(redacted),
        "--same-as", str(data / "report.unsalted.json"),
    )  # fmt: skip
    assert "is the same assessment" in same
