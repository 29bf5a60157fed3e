"""Redaction: strip sample content from a report, keep the digests that commit to it.

A redacted report differs from the full one only in `prompt` and `response` of each
sample being null; their sha256 digests stay. So the redacted form of a full report is
computable by anyone holding it, and a signature over the redacted canonical form (see
`_signing`) binds both versions: a partner proves that a redacted and a full report are
the same assessment by checking every digest against its content and comparing the
canonical redacted forms.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

from redline.errors import ReportError
from redline.frameworks import text_digest
from redline.reports._canonical import (
    canonical_json,
    check_json_depth,
    sha256_digest,
)
from redline.reports._schema import Report

_CONTENT_FIELDS = (("prompt", "prompt_digest"), ("response", "response_digest"))


def redact_report(report: Report) -> Report:
    """The report with every sample's prompt and response removed, digests kept."""
    suites = tuple(
        suite.model_copy(
            update={
                "samples": tuple(
                    s.model_copy(update={"prompt": None, "response": None})
                    for s in suite.samples
                )
            }
        )
        for suite in report.suites
    )
    return report.model_copy(update={"suites": suites})


def is_redacted(report: Report) -> bool:
    """Whether no sample of the report carries prompt or response text."""
    return all(
        s.prompt is None and s.response is None
        for suite in report.suites
        for s in suite.samples
    )


def _raw_samples(data: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for i, suite in enumerate(data.get("suites") or ()):
        for j, sample in enumerate(suite.get("samples") or ()):
            yield f"suites[{i}].samples[{j}]", sample


def redacted_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """Redacted copy of a report given as JSON data (as read, before any re-dumping).

    Works on the data rather than the model so that a report written by another tool,
    or by another Redline version, redacts to exactly what its author signed.

    Raises:
        ReportError: The data is nested too deeply to copy.
    """
    check_json_depth(data)
    out = copy.deepcopy(dict(data))
    for _, sample in _raw_samples(out):
        for content, _digest in _CONTENT_FIELDS:
            if content in sample:
                sample[content] = None
    return out


def check_content_digests(data: Mapping[str, Any]) -> None:
    """Check that every prompt and response present matches the digest kept beside it.

    Raises:
        ReportError: Naming the first sample whose content does not match its digest.
    """
    for where, sample in _raw_samples(data):
        for content, digest in _CONTENT_FIELDS:
            text = sample.get(content)
            if text is not None and text_digest(str(text)) != sample.get(digest):
                raise ReportError(
                    f"{where}.{content} does not match {digest}: the content was "
                    "changed after the report was written"
                )


def assessment_digest(data: Mapping[str, Any]) -> str:
    """Digest of the report's canonical redacted form: equal for full and redacted copies."""
    return sha256_digest(canonical_json(redacted_data(data)))


def prove_same_assessment(first: Mapping[str, Any], second: Mapping[str, Any]) -> str:
    """Show that two copies of a report (full or redacted) are the same assessment.

    Args:
        first: One copy, as JSON data.
        second: The other copy, as JSON data.

    Returns:
        The shared assessment digest.

    Raises:
        ReportError: A digest does not match its content, or the copies differ in
            anything but sample content.
    """
    check_content_digests(first)
    check_content_digests(second)
    a, b = assessment_digest(first), assessment_digest(second)
    if a != b:
        raise ReportError(
            "the reports are not the same assessment: their redacted canonical forms "
            f"differ ({a} vs {b})"
        )
    return a
