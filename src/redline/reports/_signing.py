"""Signed reports: an envelope holding a report and an Ed25519 signature over it.

What is signed is the RFC 8785 canonical JSON of the report's *redacted* form (see
`_redact`): every sample's prompt, response and salt set to null, its salted digests
kept, free-text reasons reduced to codes and local paths to file names. The digests
commit to the content, so one signature covers both the full report (once each digest
is checked against its content with the salt the full copy holds) and any redaction
of it, and publishing a redacted copy needs no second signature. The signature names
its form: envelopes signed before salting (`rfc8785-redacted`) verify as they were
signed. The bytes are computed from the report as JSON data, never from a re-dumped
model, so reports written by other tools or versions verify as signed.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from redline.errors import ConfigError, ReportError, SignatureError
from redline.reports._canonical import (
    canonical_json,
    check_json_depth,
    sha256_digest,
)
from redline.reports._keys import PublicKey, SigningKey
from redline.reports._redact import (
    CURRENT_FORM,
    LEGACY_FORM,
    SignedForm,
    check_content_digests,
    has_salted_digests,
    is_redacted_data,
    redacted_data,
)
from redline.reports._schema import Report

ENVELOPE_VERSION: Literal["1.0"] = "1.0"
SIGNED_FORM: Literal["rfc8785-redacted-v2"] = CURRENT_FORM

_FROZEN = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class ReportSignature(BaseModel):
    """An Ed25519 signature over a report's canonical redacted form."""

    model_config = _FROZEN

    algorithm: Literal["ed25519"] = "ed25519"
    """Signature algorithm."""
    signed_form: SignedForm = LEGACY_FORM
    """What was signed: RFC 8785 JSON of the report's redacted form, `-v2` (salts,
    free-text reasons and local paths removed too) or the form before salting."""
    key_id: str = Field(pattern=r"^ed25519:[0-9a-f]{24}$")
    """Id of the signing key: `ed25519:` + 24 hex of sha256 of the raw public key."""
    public_key: str = Field(pattern=r"^[A-Za-z0-9+/]{43}=$")
    """Base64 of the raw 32-byte public key."""
    value: str = Field(pattern=r"^[A-Za-z0-9+/]{86}==$")
    """Base64 of the 64-byte signature."""


class SignedReport(BaseModel):
    """A report and its signature: the unit that is shared between institutes."""

    model_config = _FROZEN

    envelope_version: Literal["1.0"] = ENVELOPE_VERSION
    """Version of the envelope format."""
    report: Report
    """The report, full or redacted."""
    signature: ReportSignature
    """Signature over the report's canonical redacted form."""


class Verification(BaseModel):
    """What a successful verification established."""

    model_config = _FROZEN

    key_id: str
    """Key that made the signature."""
    assessment_digest: str
    """sha256 of the signed bytes; the same for the full report and its redactions."""
    redacted: bool
    """Whether the verified copy is in its redacted form: nothing left to remove."""
    salted: bool
    """Whether every content digest is salted; false for reports written before
    salting, whose short or published content can be recovered by guessing."""
    signed_form: SignedForm
    """The redaction the signature covers."""


def signed_message(
    report_data: Mapping[str, Any], form: SignedForm = SIGNED_FORM
) -> bytes:
    """The bytes a signature covers, from a report as JSON data."""
    return canonical_json(redacted_data(report_data, form))


def sign_report_data(report: Mapping[str, Any], key: SigningKey) -> dict[str, Any]:
    """Sign a report given as JSON data; returns the signed envelope as JSON data.

    The report data goes into the envelope unchanged, so a report read from a file is
    signed exactly as written, whatever Redline version or tool wrote it.

    Raises:
        ReportError: The data is not a valid report.
    """
    check_json_depth(report)
    try:
        Report.model_validate(report)
    except ValidationError as exc:
        raise ReportError(f"not a valid Redline report: {_problems(exc)}") from None
    public = key.public
    signature = ReportSignature(
        signed_form=SIGNED_FORM,
        key_id=public.key_id,
        public_key=public.b64,
        value=base64.b64encode(key.sign(signed_message(report))).decode("ascii"),
    )
    return {
        "envelope_version": ENVELOPE_VERSION,
        "report": copy.deepcopy(dict(report)),
        "signature": signature.model_dump(mode="json"),
    }


def sign_report(report: Report, key: SigningKey) -> SignedReport:
    """Sign a report model (full or redacted; the signature covers both)."""
    return SignedReport.model_validate(
        sign_report_data(report.model_dump(mode="json"), key)
    )


def redact_envelope(envelope: Mapping[str, Any]) -> dict[str, Any]:
    """A signed envelope with its report redacted in the form its signature covers.

    The signature holds: an envelope signed before salting is redacted as it was then
    (prompts and responses only), since anything more would break its signature.
    """
    out = dict(envelope)
    out["report"] = redacted_data(envelope["report"], _form_of(envelope))
    return out


def _form_of(envelope: Mapping[str, Any]) -> SignedForm:
    signature = envelope.get("signature")
    form = signature.get("signed_form") if isinstance(signature, Mapping) else None
    return CURRENT_FORM if form == CURRENT_FORM else LEGACY_FORM


def _problems(exc: ValidationError) -> str:
    return "; ".join(
        f"field '{'.'.join(str(p) for p in e['loc']) or '(document)'}': {e['msg']}"
        for e in exc.errors()[:5]
    )


def _as_data(envelope: SignedReport | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(envelope, SignedReport):
        return envelope.model_dump(mode="json")
    return dict(envelope)


def parse_envelope(data: Any, *, source: str = "envelope") -> SignedReport:
    """Validate JSON data as a signed report; an unsigned report gets its own message.

    Raises:
        SignatureError: The data is a report without a signature.
        ReportError: The data is neither, naming the fields that are wrong.
    """
    check_json_depth(data, source)
    if isinstance(data, Mapping) and "signature" not in data and "suites" in data:
        raise SignatureError(
            f"{source}: the report is not signed (sign it with `redline report sign`)"
        )
    try:
        return SignedReport.model_validate(data)
    except ValidationError as exc:
        raise ReportError(
            f"{source}: not a valid signed report: {_problems(exc)}"
        ) from None


def verify_signed_report(
    envelope: SignedReport | Mapping[str, Any],
    *,
    trusted_keys: Collection[str] | None = None,
    source: str = "envelope",
    parsed: SignedReport | None = None,
) -> tuple[SignedReport, Verification]:
    """Verify a signed report, from its JSON data or its model.

    Args:
        envelope: The envelope as read from JSON (preferred: verified as written) or as
            a model.
        trusted_keys: Base64 public keys to accept; None accepts the envelope's own key
            (integrity only, not identity: the caller must know whose key it is).
        source: Name of the input for error messages.
        parsed: The envelope already validated from this same data, to skip doing it
            again.

    Returns:
        The validated envelope and what was verified.

    Raises:
        SignatureError: Unsigned, signed by an untrusted key, or the signature does not
            match the report.
        ReportError: Malformed, or sample content does not match its digests.
    """
    data = _as_data(envelope)
    model = parsed or parse_envelope(data, source=source)
    sig = model.signature
    message = signed_message(data["report"], sig.signed_form)
    check_signature(
        sig.key_id,
        sig.public_key,
        sig.value,
        message,
        signed="report",
        source=source,
        trusted_keys=trusted_keys,
    )
    check_content_digests(data["report"])
    return model, Verification(
        key_id=sig.key_id,
        assessment_digest=sha256_digest(message),
        redacted=is_redacted_data(data["report"], sig.signed_form),
        salted=has_salted_digests(data["report"]),
        signed_form=sig.signed_form,
    )


def check_signature(
    key_id: str,
    public_key: str,
    value: str,
    message: bytes,
    *,
    signed: str,
    source: str,
    trusted_keys: Collection[str] | None = None,
) -> None:
    """Check an Ed25519 signature of `message` as a signed document records it.

    Args:
        key_id: The key id the document names.
        public_key: The base64 public key it names.
        value: The base64 signature.
        message: The bytes that were signed.
        signed: What was signed ("report", "plan"), for messages.
        source: Name of the input for messages.
        trusted_keys: Base64 public keys to accept; None accepts the named key.

    Raises:
        SignatureError: The key id and key disagree, the key is not trusted, the
            value is not base64, or the signature does not match.
    """
    public = PublicKey.from_b64(public_key)
    if public.key_id != key_id:
        raise SignatureError(f"{source}: key_id does not match the public key it names")
    if trusted_keys is not None and public_key not in trusted_keys:
        raise SignatureError(f"{source}: signed by {key_id}, which is not trusted")
    try:
        raw_signature = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError(f"{source}: signature value is not base64") from None
    from cryptography.exceptions import InvalidSignature

    try:
        public.verifier().verify(raw_signature, message)
    except InvalidSignature:
        raise SignatureError(
            f"{source}: signature does not match the {signed} (it was changed after "
            f"signing, or signed by another key than {key_id})"
        ) from None


def read_json_file(path: Path) -> Any:
    """Read a JSON file; errors name the file and line.

    Raises:
        ReportError: The file cannot be read or is not JSON.
    """
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeError) as exc:
        raise ReportError(f"{path}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ReportError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None


def write_json_file(data: BaseModel | Mapping[str, Any], path: Path) -> None:
    """Write a model or JSON data, atomically, so a crash never leaves half a file."""
    if isinstance(data, BaseModel):
        text = data.model_dump_json(indent=2)
    else:
        text = json.dumps(data, indent=2, ensure_ascii=False)
    tmp = path.with_suffix(path.suffix + ".tmp")
    try:
        tmp.write_text(text + "\n", encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write: {exc.strerror}") from None


def read_report_file(path: Path) -> tuple[Report, Any]:
    """Read a report file that holds either a plain report or a signed envelope.

    Returns:
        The report, and the envelope's JSON data when the file is signed (else None);
        the signature is not verified here.

    Raises:
        ReportError: The file is not JSON, or neither a report nor an envelope.
    """
    data = read_json_file(path)
    if isinstance(data, dict) and "signature" in data:
        return parse_envelope(data, source=str(path)).report, data
    try:
        return Report.model_validate(data), None
    except ValidationError as exc:
        raise ReportError(
            f"{path}: not a valid Redline report: {_problems(exc)}"
        ) from None
