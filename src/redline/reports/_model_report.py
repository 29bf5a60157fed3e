"""A model report for regulators, built only from signed reports and plans.

The sections follow the Safety and Security Model Report of the EU GPAI Code of
Practice (systemic risks considered, evaluations and their elicitation, results with
their uncertainty, the risk-acceptance decision and safeguards, external evaluators
and their access), written in Redline's words. Nothing enters the document unless a
signature vouches for it, and every claim names the digest of its evidence, so a
reader can check each line against the signed report it came from.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from redline.errors import PrerequisiteError, ReportError, SignatureError
from redline.reports._canonical import canonical_json, sha256_digest
from redline.reports._html import _environment
from redline.reports._schema import Report, SuiteRun
from redline.reports._signing import (
    Verification,
    check_signature,
    verify_signed_report,
)
from redline.reports._terminal import decision_label, format_estimate

_LOCAL_PREFIXES = ("redline/local", "hf/", "vllm/", "llama-cpp", "transformers/")


@dataclass(frozen=True)
class EvidenceReport:
    """A signed report that verified, with where it was read."""

    source: str
    report: Report
    verification: Verification

    @property
    def anchor(self) -> str:
        """HTML id of the report's evidence entry."""
        return "r-" + self.verification.assessment_digest.removeprefix("sha256:")[:16]


@dataclass(frozen=True)
class PlanRef:
    """A signed plan, opaque here: who signed it and its digest."""

    source: str
    digest: str
    key_id: str


@dataclass(frozen=True)
class ModelReport:
    """The verified inputs of a model report."""

    reports: tuple[EvidenceReport, ...]
    plans: tuple[PlanRef, ...]
    generated_at: datetime

    @property
    def models(self) -> list[str]:
        """Models assessed, in order of first appearance."""
        return list(dict.fromkeys(r.report.model for r in self.reports))


def verify_plan_data(data: Any, *, source: str) -> PlanRef:
    """Check a signed plan's Ed25519 signature over its plan's canonical JSON.

    The plan's own format belongs to `redline.plans`, which builds on this package:
    here it stays opaque, and only the signature is checked, by the same check as
    reports and plans.

    Raises:
        SignatureError: It is unsigned, or the signature does not verify.
        ReportError: It is not a signed plan at all.
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("plan"), Mapping):
        raise ReportError(f"{source}: not a signed plan (expected a 'plan' object)")
    signature = data.get("signature")
    if not isinstance(signature, Mapping):
        raise SignatureError(f"{source}: the plan is not signed")
    key_id = str(signature.get("key_id", ""))
    message = canonical_json(data["plan"])
    check_signature(
        key_id,
        str(signature.get("public_key", "")),
        str(signature.get("value", "")),
        message,
        signed="plan",
        source=source,
    )
    return PlanRef(source=source, digest=sha256_digest(message), key_id=key_id)


def build_model_report(
    reports: Sequence[tuple[str, Any]],
    plans: Sequence[tuple[str, Any]] = (),
    *,
    trusted_keys: Collection[str] | None = None,
) -> ModelReport:
    """Verify every input; only what verifies goes into the document.

    Args:
        reports: (source name, signed envelope as JSON data), at least one.
        plans: (source name, signed plan as JSON data).
        trusted_keys: Base64 public keys to accept; None accepts each envelope's own
            key (the document then names the key ids, for the reader to check).

    Raises:
        SignatureError: An input is unsigned, or its signature does not verify.
        ReportError: An input is not a report or plan, or none was given.
    """
    if not reports:
        raise ReportError("a model report needs at least one signed report")
    evidence = []
    for source, data in reports:
        if not isinstance(data, Mapping) or "signature" not in data:
            raise SignatureError(
                f"{source}: the report is not signed: a model report takes signed "
                "reports only (sign it with `redline report sign`)"
            )
        model, checked = verify_signed_report(
            data, trusted_keys=trusted_keys, source=source
        )
        evidence.append(
            EvidenceReport(source=source, report=model.report, verification=checked)
        )
    return ModelReport(
        reports=tuple(evidence),
        plans=tuple(verify_plan_data(d, source=s) for s, d in plans),
        generated_at=datetime.now(UTC),
    )


def _access(model: str) -> str:
    # Inferred from the model string only: the report records no access level.
    if model.startswith(_LOCAL_PREFIXES) or model.endswith(".gguf"):
        return "model weights run by the evaluator (inferred from the model string)"
    return "query access through the provider's API (inferred from the model string)"


def _elicitation(run: SuiteRun, report: Report) -> dict[str, str]:
    epochs = max((s.epoch for s in run.samples), default=1)
    config = run.comparability.get("generate_config") or {}
    return {
        "generation": ", ".join(f"{k}={v}" for k, v in sorted(config.items()))
        or "provider defaults",
        "epochs": str(epochs),
        "limit": "all samples"
        if report.run.limit is None
        else f"{report.run.limit} per suite",
        "seed": "none" if report.run.seed is None else str(report.run.seed),
        "sandbox": run.sandbox or "none (no tools)",
        "stopping": "fixed sample"
        if run.sequential is None
        else f"sequential: {run.sequential.reason}",
    }


def render_model_report(model_report: ModelReport) -> str:
    """The model report as one self-contained HTML page."""
    risks: dict[str, list[tuple[EvidenceReport, Any]]] = {}
    for evidence in model_report.reports:
        for verdict in evidence.report.thresholds:
            risks.setdefault(verdict.domain, []).append((evidence, verdict))
    return _environment.get_template("model_report.html.j2").render(
        doc=model_report,
        risks=risks,
        access=_access,
        elicitation=_elicitation,
        estimate=format_estimate,
        decision_label=decision_label,
    )


def print_pdf(html: str, target: Path, *, timeout_s: float = 120) -> None:
    """Print an HTML page to PDF with headless Chromium, as the dashboard ships it.

    Raises:
        PrerequisiteError: Chromium is not installed, or could not print.
    """
    browser = next(
        (
            found
            for name in ("chromium", "chromium-browser", "google-chrome")
            if (found := shutil.which(name))
        ),
        None,
    )
    if browser is None:
        raise PrerequisiteError(
            "PDF output needs Chromium (apt-get install chromium); write .html instead"
        )
    with tempfile.TemporaryDirectory(prefix="redline-pdf-") as work:
        page = Path(work) / "model-report.html"
        page.write_text(html, encoding="utf-8")
        out = Path(work) / "model-report.pdf"
        command = [
            browser, "--headless", "--no-sandbox", "--disable-gpu",
            "--no-pdf-header-footer", f"--user-data-dir={work}/profile",
            f"--print-to-pdf={out}", page.as_uri(),
        ]  # fmt: skip
        try:
            subprocess.run(command, capture_output=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired:
            raise PrerequisiteError(
                f"Chromium did not print within {timeout_s:.0f} s"
            ) from None
        if not out.exists() or out.stat().st_size == 0:
            raise PrerequisiteError("Chromium ran but wrote no PDF")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(out), target)
