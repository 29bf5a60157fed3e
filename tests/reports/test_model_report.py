"""`redline report model-report`: a regulator-facing document from signed reports only."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pypdf
from click.testing import CliRunner

from redline._cli.main import cli
from redline.reports import SigningKey, canonical_json, sha256_digest, sign_report_data

SECTIONS = (
    "1. Model and scope of the assessment",
    "2. Systemic risks considered",
    "3. Evaluations and their elicitation",
    "4. Results and their uncertainty",
    "5. The risk-acceptance decision and safeguards",
    "6. Evaluators and their access",
    "7. Pre-registered plans",
    "8. Evidence",
)


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def _signed_plan(key: SigningKey) -> dict[str, Any]:
    # The shape `redline plan create` writes: a plan object signed over its
    # canonical JSON (the plan format itself is opaque here).
    plan = {"framework": {"id": "redline-reference"}, "seed": 7, "tasks": []}
    signature = base64.b64encode(key.sign(canonical_json(plan))).decode()
    return {
        "envelope_version": "1.0",
        "kind": "redline-plan",
        "plan": plan,
        "signature": {
            "key_id": key.public.key_id,
            "public_key": key.public.b64,
            "value": signature,
        },
    }


def _write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data))
    return path


def test_every_section_and_claim_names_its_evidence(
    tmp_path: Path, report_data, key: SigningKey
) -> None:
    other = json.loads(json.dumps(report_data))
    other["model"] = "openai/gpt-4o-mini"
    other["created_at"] = "2026-11-25T10:00:00Z"
    a = _write(tmp_path / "a.json", sign_report_data(report_data, key))
    b = _write(tmp_path / "b.json", sign_report_data(other, key))
    plan = _write(tmp_path / "plan.json", _signed_plan(key))
    out = tmp_path / "model-report.html"

    result = run(
        "report", "model-report", str(a), str(b), "--plan", str(plan), "-o", str(out)
    )
    assert result.exit_code == 0, result.output
    html = out.read_text()
    positions = [html.index(f">{s}</h2>") for s in SECTIONS]
    assert positions == sorted(positions)
    digests = [_digest(p) for p in (a, b)]
    for digest in digests:
        assert digest in html
    # Every link to evidence lands on an entry of the evidence section.
    targets = set(re.findall(r'id="(r-[0-9a-f]{16})"', html))
    links = re.findall(r'href="#(r-[0-9a-f]{16})"', html)
    assert len(targets) == 2
    assert set(links) == targets
    for t in report_data["thresholds"]:
        # In the risks and in the results, for each of the two reports.
        assert html.count(f"<td>{t['threshold_id']}</td>") == 4
        assert t["comparability_key"] in html
    for s in report_data["suites"]:
        assert s["dataset_digest"] in html
    assert "deploy with safeguards" in html
    assert "query access through the provider" in html  # openai/...
    assert "model weights run by the evaluator" in html  # redline/local
    assert sha256_digest(canonical_json(_signed_plan(key)["plan"])) in html
    assert "No signed plan was given" not in html


def _digest(path: Path) -> str:
    result = run("report", "verify", str(path))
    return str(result.output.split("assessment ")[1].split()[0])


def test_without_a_plan_the_document_says_so(tmp_path: Path, report_data, key) -> None:
    a = _write(tmp_path / "a.json", sign_report_data(report_data, key))
    out = tmp_path / "m.html"
    assert run("report", "model-report", str(a), "-o", str(out)).exit_code == 0
    assert "No signed plan was given" in out.read_text()


def test_pdf_through_chromium(tmp_path: Path, report_data, key) -> None:
    a = _write(tmp_path / "a.json", sign_report_data(report_data, key))
    out = tmp_path / "model-report.pdf"
    result = run("report", "model-report", str(a), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(out).pages)
    for section in SECTIONS:
        assert section in text
    assert "MISUSE-1" in text


def test_unsigned_tampered_or_untrusted_input_is_refused(
    tmp_path: Path, report_data, key: SigningKey
) -> None:
    out = tmp_path / "m.html"
    plain = _write(tmp_path / "plain.json", report_data)
    refused = run("report", "model-report", str(plain), "-o", str(out))
    assert refused.exit_code == 2
    assert "plain.json: the report is not signed" in refused.output
    assert "Traceback" not in refused.output

    envelope = sign_report_data(report_data, key)
    envelope["report"]["decision"] = "deploy"
    tampered = _write(tmp_path / "tampered.json", envelope)
    bad = run("report", "model-report", str(tampered), "-o", str(out))
    assert bad.exit_code == 2
    assert "signature does not match" in bad.output

    signed = _write(tmp_path / "signed.json", sign_report_data(report_data, key))
    stranger = tmp_path / "stranger.pub"
    stranger.write_bytes(SigningKey.from_seed(b"\x08" * 32).public.to_pem())
    untrusted = run(
        "report",
        "model-report",
        str(signed),
        "--public-key",
        str(stranger),
        "-o",
        str(out),
    )
    assert untrusted.exit_code == 2
    assert "not trusted" in untrusted.output

    plan = _signed_plan(key)
    plan["plan"]["seed"] = 8
    forged = _write(tmp_path / "forged-plan.json", plan)
    bad_plan = run(
        "report", "model-report", str(signed), "--plan", str(forged), "-o", str(out)
    )
    assert bad_plan.exit_code == 2
    # The check reports and plans share: it says why a signature fails.
    assert (
        "forged-plan.json: signature does not match the plan (it was changed after "
        "signing, or signed by another key than "
    ) in " ".join(bad_plan.output.split())
    garbled = _signed_plan(key)
    garbled["signature"]["value"] = "not base64!"
    not_b64 = run(
        "report",
        "model-report",
        str(signed),
        "--plan",
        str(_write(tmp_path / "garbled-plan.json", garbled)),
        "-o",
        str(out),
    )
    assert not_b64.exit_code == 2
    assert "garbled-plan.json: signature value is not base64" in " ".join(
        not_b64.output.split()
    )
    unsigned_plan = _write(tmp_path / "unsigned-plan.json", {"plan": {"seed": 1}})
    nosig = run(
        "report",
        "model-report",
        str(signed),
        "--plan",
        str(unsigned_plan),
        "-o",
        str(out),
    )
    assert nosig.exit_code == 2
    assert "the plan is not signed" in nosig.output

    wrong_suffix = run(
        "report", "model-report", str(signed), "-o", str(tmp_path / "m.docx")
    )
    assert wrong_suffix.exit_code == 2
    assert not out.exists()  # nothing was written by any refused run
