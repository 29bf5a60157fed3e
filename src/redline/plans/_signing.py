"""Sign and verify plans; a plan is named by the digest of its canonical JSON.

The signature and the digest are both computed from the plan as JSON data, as
written, so a plan verifies whatever tool wrote it.
"""

from __future__ import annotations

import base64
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from redline.errors import PlanError
from redline.plans._model import Plan, PlanSignature, SignedPlan, plan_data
from redline.reports import (
    SigningKey,
    canonical_json,
    check_signature,
    read_json_file,
    sha256_digest,
)


@dataclass(frozen=True)
class PlanVerification:
    """What a successful plan verification established."""

    key_id: str
    """Key that signed the plan."""
    digest: str
    """`sha256:<hex>` of the plan's canonical JSON: the plan's name."""


def plan_digest(plan: Plan | Mapping[str, Any]) -> str:
    """`sha256:<hex>` of a plan's RFC 8785 canonical JSON."""
    data = plan_data(plan) if isinstance(plan, Plan) else plan
    return sha256_digest(canonical_json(data))


def sign_plan(plan: Plan, key: SigningKey) -> SignedPlan:
    """Sign a plan with an Ed25519 key."""
    public = key.public
    message = canonical_json(plan_data(plan))
    return SignedPlan(
        plan=plan,
        signature=PlanSignature(
            key_id=public.key_id,
            public_key=public.b64,
            value=base64.b64encode(key.sign(message)).decode("ascii"),
        ),
    )


def _problems(exc: ValidationError) -> str:
    return "; ".join(
        f"field '{'.'.join(str(p) for p in e['loc']) or '(document)'}': {e['msg']}"
        for e in exc.errors()[:5]
    )


def parse_plan(data: Any, *, source: str = "plan") -> SignedPlan:
    """Validate JSON data as a signed plan.

    Raises:
        PlanError: Not a signed plan, naming the fields that are wrong.
    """
    if not isinstance(data, Mapping) or data.get("kind") != "redline-plan":
        raise PlanError(
            f"{source}: not a Redline plan (expected a JSON object with "
            '"kind": "redline-plan"; write one with `redline plan create`)'
        )
    try:
        # JSON mode: dates arrive as text, which strict models accept only from JSON.
        return SignedPlan.model_validate_json(canonical_json(dict(data)))
    except ValidationError as exc:
        raise PlanError(f"{source}: not a valid plan: {_problems(exc)}") from None


def verify_signed_plan(
    data: Mapping[str, Any],
    *,
    trusted_keys: Collection[str] | None = None,
    source: str = "plan",
) -> tuple[SignedPlan, PlanVerification]:
    """Verify a signed plan given as JSON data.

    Args:
        data: The envelope as read from JSON.
        trusted_keys: Base64 public keys to accept; None accepts the envelope's own
            key (integrity only: the caller must know whose key it is).
        source: Name of the input for messages.

    Raises:
        PlanError: Not a valid plan.
        SignatureError: Signed by an untrusted key, or changed after signing.
    """
    signed = parse_plan(data, source=source)
    sig = signed.signature
    message = canonical_json(data["plan"])
    check_signature(
        sig.key_id,
        sig.public_key,
        sig.value,
        message,
        signed="plan",
        source=source,
        trusted_keys=trusted_keys,
    )
    return signed, PlanVerification(key_id=sig.key_id, digest=sha256_digest(message))


def read_plan_file(path: Path) -> tuple[SignedPlan, PlanVerification]:
    """Read and verify a signed plan file (integrity: its own key).

    Raises:
        ReportError: The file cannot be read or is not JSON.
        PlanError: Not a valid plan.
        SignatureError: The plan was changed after signing.
    """
    return verify_signed_plan(read_json_file(path), source=str(path))
