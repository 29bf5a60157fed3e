"""The plan document: what an assessment will run, fixed and signed before it runs."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue

from redline.reports import Elicitation

PLAN_VERSION: Literal["1.0"] = "1.0"

_FROZEN = ConfigDict(
    frozen=True, extra="forbid", strict=True, use_attribute_docstrings=True
)


class FrameworkPin(BaseModel):
    """The framework the plan applies, pinned by its content."""

    model_config = _FROZEN

    id: str
    """Framework id."""
    version: str
    """Framework version."""
    content_hash: str
    """sha256 over the framework's canonical content: any edit changes it."""
    source: str = ""
    """Where the framework was loaded from: a built-in id, or the file's path."""


class PlannedTask(BaseModel):
    """One task the plan runs, pinned to its version, arguments and data."""

    model_config = _FROZEN

    suite: str
    """The suite, or the task as the framework names it (what `--suite` and `-T` name)."""
    task: str
    """The Inspect task as the framework names it."""
    task_version: str
    """Version of the task."""
    args: dict[str, JsonValue] = Field(default_factory=dict)
    """Task arguments after `${VAR}` expansion, `-T` arguments included."""
    run_args: dict[str, JsonValue] = Field(default_factory=dict)
    """Of `args`, those the run adds to the framework's (`-T suite.arg=value`)."""
    dataset_digest: str
    """Digest of the task's whole dataset, as the run's comparability key reads it."""
    scorers: tuple[str, ...] = ()
    """Identities of the scorers read, each `name` or `name:judge-model`."""
    elicitation: Elicitation = Elicitation()
    """Attempts per sample, how they reduce, and the generation limits."""


class StoppingRule(BaseModel):
    """When suites stop and how the error level is split (from the framework)."""

    model_config = _FROZEN

    sequential: bool
    """Whether each suite stops once every rule it feeds is decided."""
    confidence: float
    """Confidence level of every verdict."""
    multiplicity: str
    """Correction across the rules of one domain."""
    sequential_share: float
    """Share of each side's error level spent by the sequential test; the fixed-sample
    fallback gets the rest."""


class Budgets(BaseModel):
    """Caps per suite; null means none."""

    model_config = _FROZEN

    samples: int | None = None
    """Most samples per suite under sequential testing."""
    tokens: int | None = None
    """Most model tokens per suite under sequential testing."""
    cost: float | None = None
    """Most model cost (USD) per suite."""


class Plan(BaseModel):
    """What an assessment will run, fixed before any result is seen."""

    model_config = _FROZEN

    plan_version: Literal["1.0"] = PLAN_VERSION
    """Version of the plan format."""
    created_at: AwareDatetime
    """When the plan was written (the registry's timestamp proves when it was fixed)."""
    model: str
    """Inspect model string of the model to assess."""
    model_base_url: str | None = None
    """Base URL of the model's API, when one is needed."""
    framework: FrameworkPin
    """The framework and its content hash."""
    tasks: tuple[PlannedTask, ...] = Field(min_length=1)
    """Every task the run reads, in the order the framework binds them."""
    seed: int | None = None
    """Generation and sample-order seed."""
    limit: int | None = None
    """Samples per suite; null for every sample."""
    epochs: int | None = None
    """Attempts per sample of every task (`--epochs`); null: what each rule asks
    (each task's `elicitation` says what that came to)."""
    stopping: StoppingRule
    """Stopping rule and error split."""
    budgets: Budgets = Budgets()
    """Caps per suite."""
    judge: str | None = None
    """LLM judge of the refusal suites; null keeps the trained classifier."""
    judge_validation: str | None = None
    """The judge's validation counts or file, as given."""
    sandbox: str = "auto"
    """Sandbox of the agentic suites."""


class PlanSignature(BaseModel):
    """An Ed25519 signature over a plan's canonical JSON (a report signature's shape)."""

    model_config = _FROZEN

    algorithm: Literal["ed25519"] = "ed25519"
    """Signature algorithm."""
    signed_form: Literal["rfc8785"] = "rfc8785"
    """What was signed: RFC 8785 JSON of `plan`."""
    key_id: str = Field(pattern=r"^ed25519:[0-9a-f]{24}$")
    """Id of the signing key: `ed25519:` + 24 hex of sha256 of the raw public key."""
    public_key: str = Field(pattern=r"^[A-Za-z0-9+/]{43}=$")
    """Base64 of the raw 32-byte public key."""
    value: str = Field(pattern=r"^[A-Za-z0-9+/]{86}==$")
    """Base64 of the 64-byte signature."""


class SignedPlan(BaseModel):
    """A plan and its signature: what `redline plan create` writes and registries hold."""

    model_config = _FROZEN

    envelope_version: Literal["1.0"] = "1.0"
    """Version of the envelope format."""
    kind: Literal["redline-plan"] = "redline-plan"
    """Tells a plan from a signed report."""
    plan: Plan
    """The plan."""
    signature: PlanSignature
    """Signature over the plan's canonical JSON."""


def plan_data(plan: Plan) -> dict[str, Any]:
    """The plan as JSON data, the form that is signed and digested."""
    return plan.model_dump(mode="json")
