"""Redaction: strip what a report says about its content and its machine, keep commitments.

Two forms exist, named by the signature's `signed_form`:

- `rfc8785-redacted-v2` (current): each sample's prompt, response and salt are nulled,
  and their salted digests stay; free-text unscored reasons become their reason code;
  local file paths (run folder, log files, data files) are cut to file names.
- `rfc8785-redacted` (reports signed before salting): only prompt and response are
  nulled; their digests are plain sha256.

Either way the redacted form of a full report is computable by anyone holding it, and
redacting twice changes nothing, so a signature over the redacted canonical form (see
`_signing`) binds the full and the redacted versions: a partner proves that they are
the same assessment by checking every digest against its content (with the salts the
full copy holds) and comparing the canonical redacted forms.
"""

from __future__ import annotations

import copy
import hmac
import re
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from redline.errors import ReportError
from redline.frameworks import SALTED_DIGEST_PREFIX, salted_digest, text_digest
from redline.reports._canonical import (
    canonical_json,
    check_json_depth,
    sha256_digest,
)
from redline.reports._schema import Report

LEGACY_FORM: Literal["rfc8785-redacted"] = "rfc8785-redacted"
"""Signed form of reports before salting: only prompt and response removed."""
CURRENT_FORM: Literal["rfc8785-redacted-v2"] = "rfc8785-redacted-v2"
"""Signed form now written: salts, free-text reasons and local paths removed too."""
SignedForm = Literal["rfc8785-redacted", "rfc8785-redacted-v2"]

_CONTENT_FIELDS = (("prompt", "prompt_digest"), ("response", "response_digest"))

# Reasons that are already codes: written by Redline itself, never carrying text.
_FIXED_REASONS = frozenset(
    {
        "unscored",
        "unscored (NaN)",
        "not scored",
        "no answer (N)",
        "not run (interrupted)",
    }
)
_CODE = re.compile(r"[a-z][a-z0-9_]*")
_EXCEPTION_NAME = re.compile(r"[A-Za-z_][\w.]*")
# An absolute local path (POSIX, home-relative, Windows, or a file:// URI) standing
# alone or inside text; the lookbehind keeps URL paths and fractions like 2/3 out.
_LOCAL_PATH = re.compile(
    r"(?<![\w.:/\\~-])"
    r"(?:file://)?"
    r"(?:~?/(?:[^/\s\"'<>|]+/)+|[A-Za-z]:[\\/](?:[^\\/\s\"'<>|]+[\\/])+)"
    r"(?P<name>[^/\\\s\"'<>|]*)"
)
_LOCAL_MODEL = "redline/local/"


def reason_code(reason: str) -> str:
    """The code of an unscored reason, without the free text that may follow it.

    `error: APIConnectionError: <message>` keeps the exception name, scorer reasons
    such as `grader_failed: <what>` keep their snake_case head, Redline's own fixed
    reasons stay, and any other text becomes `unscored`. Applying it twice changes
    nothing, which redaction relies on.
    """
    head, sep, rest = reason.partition(": ")
    if head == "error":
        name = rest.partition(":")[0].strip()
        return f"error: {name}" if sep and _EXCEPTION_NAME.fullmatch(name) else "error"
    if _CODE.fullmatch(head):
        return head
    if reason in _FIXED_REASONS or reason.startswith("not scored by "):
        return reason
    return "unscored"


def _coded_counts(counts: Any) -> Any:
    if not isinstance(counts, dict):
        return counts
    out: dict[str, Any] = {}
    for reason, count in counts.items():
        code = reason_code(str(reason))
        out[code] = out.get(code, 0) + count if isinstance(count, int) else count
    return out


def _without_paths(value: Any) -> Any:
    """Every string in the data with its absolute local paths cut to file names."""
    if isinstance(value, str):
        return _LOCAL_PATH.sub(lambda m: m.group("name"), value)
    if isinstance(value, dict):
        return {k: _without_paths(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_paths(v) for v in value]
    return value


def _redact_machine(out: dict[str, Any]) -> None:
    run = out.get("run")
    if isinstance(run, dict):
        # Where the run folder was says whose machine ran it, and nothing else.
        for folder in ("out_dir", "log_dir"):
            if folder in run:
                run[folder] = ""
        failure = run.get("failure")
        if isinstance(failure, dict) and "reasons" in failure:
            failure["reasons"] = _coded_counts(failure["reasons"])
    model = out.get("model")
    if isinstance(model, str) and model.startswith(_LOCAL_MODEL):
        # `redline/local/<path.gguf>`: the file's name identifies the weights.
        name = model.removeprefix(_LOCAL_MODEL).replace("\\", "/").rsplit("/", 1)[-1]
        out["model"] = _LOCAL_MODEL + name
    for threshold in out.get("thresholds") or ():
        if not isinstance(threshold, dict):
            continue
        if "unscored_reasons" in threshold:
            threshold["unscored_reasons"] = _coded_counts(threshold["unscored_reasons"])
        for rule in threshold.get("rules") or ():
            if isinstance(rule, dict) and "unscored_reasons" in rule:
                rule["unscored_reasons"] = _coded_counts(rule["unscored_reasons"])


def is_redacted(report: Report) -> bool:
    """Whether no sample of the report carries prompt or response text, or a salt."""
    return all(
        s.prompt is None and s.response is None and s.salt is None
        for suite in report.suites
        for s in suite.samples
    )


def _raw_samples(data: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for i, suite in enumerate(data.get("suites") or ()):
        if not isinstance(suite, dict):
            continue
        for j, sample in enumerate(suite.get("samples") or ()):
            if isinstance(sample, dict):
                yield f"suites[{i}].samples[{j}]", sample


def redacted_data(
    data: Mapping[str, Any], form: SignedForm = CURRENT_FORM
) -> dict[str, Any]:
    """Redacted copy of a report given as JSON data (as read, before any re-dumping).

    Works on the data rather than the model so that a report written by another tool,
    or by another Redline version, redacts to exactly what its author signed. Fields
    are changed only where present, so an older report keeps its shape.

    Args:
        data: The report, full or redacted.
        form: Which redaction: the current one, or the one a legacy signature covers.

    Raises:
        ReportError: The data is nested too deeply to copy.
    """
    check_json_depth(data)
    out = copy.deepcopy(dict(data))
    for _, sample in _raw_samples(out):
        for content, _digest in _CONTENT_FIELDS:
            if content in sample:
                sample[content] = None
        if form == LEGACY_FORM:
            continue
        if "salt" in sample:
            sample["salt"] = None
        if isinstance(sample.get("unscored_reason"), str):
            sample["unscored_reason"] = reason_code(sample["unscored_reason"])
    if form == LEGACY_FORM:
        return out
    _redact_machine(out)
    return dict(_without_paths(out))


def is_redacted_data(data: Mapping[str, Any], form: SignedForm = CURRENT_FORM) -> bool:
    """Whether the data is already in its redacted form: nothing left to remove."""
    return redacted_data(data, form) == dict(data)


def _expected_digest(
    where: str, content: str, text: str, recorded: Any, salt: Any
) -> str:
    if isinstance(recorded, str) and recorded.startswith(SALTED_DIGEST_PREFIX):
        if not isinstance(salt, str):
            raise ReportError(
                f"{where}.{content} has a salted digest but the sample has no salt "
                "to check it with"
            )
        try:
            return salted_digest(text, salt)
        except ValueError:
            raise ReportError(f"{where}.salt is not hex") from None
    return text_digest(text)


def check_content_digests(data: Mapping[str, Any]) -> None:
    """Check that every prompt and response present matches the digest kept beside it.

    A salted digest (`hmac-sha256:`) is checked with the sample's salt; a plain one
    (`sha256:`, reports written before salting) as it is.

    Raises:
        ReportError: Naming the first sample whose content does not match its digest.
    """
    for where, sample in _raw_samples(data):
        for content, digest in _CONTENT_FIELDS:
            text = sample.get(content)
            if text is None:
                continue
            recorded = sample.get(digest)
            expected = _expected_digest(
                where, content, str(text), recorded, sample.get("salt")
            )
            if not isinstance(recorded, str) or not hmac.compare_digest(
                expected, recorded
            ):
                raise ReportError(
                    f"{where}.{content} does not match {digest}: the content was "
                    "changed after the report was written"
                )


def has_salted_digests(data: Mapping[str, Any]) -> bool:
    """Whether every sample's digests are salted (false for reports before salting)."""
    return all(
        str(sample.get(digest, "")).startswith(SALTED_DIGEST_PREFIX)
        for _, sample in _raw_samples(data)
        for _content, digest in _CONTENT_FIELDS
    )


def redact_report(report: Report) -> Report:
    """The report in its current redacted form (see the module docstring)."""
    return Report.model_validate(redacted_data(report.model_dump(mode="json")))


def assessment_digest(data: Mapping[str, Any], form: SignedForm = CURRENT_FORM) -> str:
    """Digest of the report's canonical redacted form: equal for full and redacted copies."""
    return sha256_digest(canonical_json(redacted_data(data, form)))


def prove_same_assessment(
    first: Mapping[str, Any],
    second: Mapping[str, Any],
    form: SignedForm = CURRENT_FORM,
) -> str:
    """Show that two copies of a report (full or redacted) are the same assessment.

    Args:
        first: One copy, as JSON data.
        second: The other copy, as JSON data.
        form: The redaction both are compared under (a legacy signature's, or current).

    Returns:
        The shared assessment digest.

    Raises:
        ReportError: A digest does not match its content, or the copies differ in
            anything but what redaction removes.
    """
    check_content_digests(first)
    check_content_digests(second)
    a, b = assessment_digest(first, form), assessment_digest(second, form)
    if a != b:
        raise ReportError(
            "the reports are not the same assessment: their redacted canonical forms "
            f"differ ({a} vs {b})"
        )
    return a
