"""Wire models of pre-registered plans: what `POST /v1/plans` takes and answers."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from redline.plans import SignedPlan

_MODEL = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

PLAN_DIGEST_PATTERN = r"^sha256:[0-9a-f]{64}$"


class PlanScope(StrEnum):
    """Who may read a registered plan."""

    NETWORK = "network"
    """Every institute of the registry (and the registering one)."""
    PUBLIC = "public"
    """Anyone, without a token: for plans of reports that will be public."""


def _from_json(value: Any) -> Any:
    # Strict models read dates and tuples only from JSON; the body arrives parsed.
    if isinstance(value, dict):
        return SignedPlan.model_validate_json(json.dumps(value))
    return value


class PlanRegistration(BaseModel):
    """A signed plan to register, and who may read it."""

    model_config = _MODEL

    envelope: Annotated[SignedPlan, BeforeValidator(_from_json)]
    """The signed plan, as `redline plan create` writes it."""
    scope: PlanScope = PlanScope.NETWORK
    """Who may read it."""


class RegisteredPlan(BaseModel):
    """The registry's record of a plan: the receipt `redline plan register` saves."""

    model_config = _MODEL

    digest: str = Field(pattern=PLAN_DIGEST_PATTERN)
    """sha256 of the plan's canonical JSON."""
    institute: str
    """Registering institute."""
    key_id: str
    """Key that signed the plan (registered to that institute)."""
    model: str
    """Model the plan assesses."""
    framework_id: str
    """Framework the plan applies."""
    scope: PlanScope
    """Who may read it."""
    registered_at: AwareDatetime
    """The registry's clock when the plan was first stored."""
    created: bool = False
    """Whether this request stored it (false: it was registered before)."""


class StoredPlan(BaseModel):
    """A fetched plan: its registration and the signed envelope as registered."""

    model_config = _MODEL

    registration: RegisteredPlan
    """When and by whom it was registered."""
    envelope: dict[str, Any]
    """The signed plan, exactly as verified at registration."""
