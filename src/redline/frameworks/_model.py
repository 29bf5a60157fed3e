"""A safety framework as data: domains, thresholds, safeguards and a decision policy."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    JsonValue,
    SerializerFunctionWrapHandler,
    Tag,
    model_serializer,
    model_validator,
)

_FROZEN = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

DEFAULT_CATEGORY_FIELD = "category"
NO_ANSWER = "N"
"""Inspect's value for "no answer": unscored, never an outcome."""
_BINDING_DEFAULTS: dict[str, Any] = {
    "suite": None,
    "task": None,
    "args": {},
    "scorer": None,
    "values": {},
    "category_field": DEFAULT_CATEGORY_FIELD,
    "epochs": None,
    "epochs_reducer": None,
}


def _number_as_text(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


Comparator = Literal["<", "<=", ">", ">="]
Identifier = Annotated[
    str, Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
]


def _compare(value: float, comparator: Comparator, cutoff: float) -> bool:
    match comparator:
        case "<":
            return value < cutoff
        case "<=":
            return value <= cutoff
        case ">":
            return value > cutoff
        case ">=":
            return value >= cutoff


class Severity(StrEnum):
    """What crossing a threshold means unless its required safeguards are evidenced."""

    REQUIRES_SAFEGUARDS = "requires_safeguards"
    INTOLERABLE = "intolerable"


class RiskDomain(BaseModel):
    """A risk domain the framework tracks (or researches without binding thresholds)."""

    model_config = _FROZEN

    id: Identifier
    """Identifier, e.g. `cbrn`, `cyber`, `autonomy`."""
    name: str = ""
    """Human name."""
    status: Literal["tracked", "research"] = "tracked"
    """Tracked domains bind decisions; research domains are reported only."""
    description: str = ""
    """What the domain covers."""


class Level(BaseModel):
    """Ordinal level of a threshold, with the label its framework uses."""

    model_config = _FROZEN

    rank: int = Field(ge=0)
    """Ordinal rank; higher is more severe."""
    label: str = Field(min_length=1)
    """Label such as `ASL-3`, `High`, `Critical` or a CCL name."""


class EvidenceRule(BaseModel):
    """Crossed when `metric comparator cutoff` holds for the model; alert before that.

    The evidence comes from a built-in suite (`suite`) or from any Inspect task
    (`task`: a registry name, `redline/<suite>`, or `path/to/file.py@task` relative
    to the framework file), run with `args`; `scorer` and `values` say how each
    sample's score becomes an outcome in [0, 1].
    """

    model_config = _FROZEN

    suite: str | None = Field(default=None, min_length=1)
    """Redline suite (Inspect task `redline/<suite>`) that produces the metric."""
    task: str | None = Field(default=None, min_length=1)
    """Any Inspect task: registry name (`inspect_evals/wmdp_bio`), `redline/<suite>`,
    or `file.py@task` relative to the framework file."""
    args: dict[str, JsonValue] = Field(default_factory=dict)
    """Task arguments; `${VAR}` in strings is expanded from the environment (or
    `REDLINE_DATA` from `--data-dir`)."""
    scorer: str | None = Field(default=None, min_length=1)
    """Scorer whose per-sample value is read (default: the suite's, else the first);
    `<scorer>.<key>` reads one entry of a scorer whose value is a dict."""
    values: dict[str, float] = Field(default_factory=dict)
    """How each sample's value becomes an outcome in [0, 1], e.g. `{C: 1, I: 0}`;
    numbers pass through. Default for text values: `{C: 1, I: 0}`."""
    category_field: str = Field(default=DEFAULT_CATEGORY_FIELD, min_length=1)
    """Sample metadata field that `categories` reads."""
    metric: str = Field(min_length=1)
    """Metric the rule reads: a suite's metric, e.g. `refusal_rate`, or the name
    reports show for a task's mapped outcomes, e.g. `accuracy`."""
    comparator: Comparator
    """Direction in which the threshold is crossed."""
    cutoff: float = Field(ge=0.0, le=1.0)
    """Value at which the rule is crossed (metrics are rates in [0, 1])."""
    alert_cutoff: float | None = Field(default=None, ge=0.0, le=1.0)
    """Early-warning value on the safe side of the cutoff; between the two is `approaching`."""
    categories: tuple[str, ...] = ()
    """Only samples of these dataset categories count (all when empty)."""
    correct_scorer_error: bool | None = None
    """Read the misclassification-corrected rate when the scorer's error is known;
    null follows `decision_policy.correct_scorer_error`."""
    epochs: int | None = Field(default=None, ge=1, le=100)
    """Attempts per sample (Inspect epochs); null: one, unless `assess --epochs`."""
    epochs_reducer: Literal["mean", "max"] | None = None
    """How a sample's attempts become its one outcome: `mean`, or `max` (the
    behaviour counts when it shows at least once in k: for capability rules, which
    read a lower bound of elicited capability). null: mean."""

    @model_validator(mode="after")
    def _one_evidence_source(self) -> EvidenceRule:
        if (self.suite is None) == (self.task is None):
            raise ValueError(
                "give exactly one of `suite` (a built-in suite) or `task` (an Inspect task)"
            )
        for value, outcome in self.values.items():
            if value == NO_ANSWER:
                raise ValueError(
                    f"values: {NO_ANSWER!r} means no answer and is always unscored; remove it"
                )
            if not 0.0 <= outcome <= 1.0:
                raise ValueError(
                    f"values: {value!r} maps to {outcome:g}; outcomes must lie in [0, 1]"
                )
        return self

    @model_serializer(mode="wrap")
    def _omit_unused(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Fields at their defaults are left out, so frameworks written before tasks
        # could be bound keep their content hash.
        data: dict[str, Any] = handler(self)
        for name, default in _BINDING_DEFAULTS.items():
            if name in data and data[name] == default:
                del data[name]
        return data

    @property
    def task_ref(self) -> str:
        """The Inspect task this rule runs: `redline/<suite>` for a built-in suite."""
        return self.task if self.task is not None else f"redline/{self.suite}"

    @property
    def binding(self) -> str:
        """Name of the evidence this rule reads (the `suite` of its `Evidence`).

        The suite name for a plain built-in suite; otherwise the task plus a digest
        of its arguments and outcome mapping, so that two rules binding one task
        differently never read each other's evidence.
        """
        base = self.suite or self.task_ref.removeprefix("redline/")
        mapping = {
            "args": self.args,
            "scorer": self.scorer,
            "values": self.values,
            "category_field": self.category_field,
        }
        # Only when set, so bindings named before elicitation was recorded keep their name.
        if self.epochs_reducer is not None:
            mapping["epochs_reducer"] = self.epochs_reducer
        if all(value == _BINDING_DEFAULTS[key] for key, value in mapping.items()):
            return base
        canonical = json.dumps(mapping, sort_keys=True, separators=(",", ":"))
        return f"{base}#{hashlib.sha256(canonical.encode()).hexdigest()[:8]}"

    @model_validator(mode="after")
    def _alert_before_cutoff(self) -> EvidenceRule:
        if self.alert_cutoff is not None and (
            self.crossed_by(self.alert_cutoff) or self.alert_cutoff == self.cutoff
        ):
            side = "below" if self.comparator in (">", ">=") else "above"
            raise ValueError(
                f"alert_cutoff {self.alert_cutoff:g} must lie {side} the cutoff "
                f"{self.cutoff:g}, on the safe side of `{self.comparator}`"
            )
        return self

    def crossed_by(self, value: float) -> bool:
        """Whether a metric value lies on the crossed side of the cutoff."""
        return _compare(value, self.comparator, self.cutoff)

    def corrects_scorer_error(self, policy: DecisionPolicy) -> bool:
        """Whether this rule reads the corrected rate when its scorer's error is known."""
        if self.correct_scorer_error is not None:
            return self.correct_scorer_error
        return policy.correct_scorer_error

    def describe(self) -> str:
        """Readable form, e.g. `misuse_refusal.refusal_rate < 0.9`."""
        subset = f"[{','.join(self.categories)}]" if self.categories else ""
        return f"{self.binding}.{self.metric}{subset} {self.comparator} {self.cutoff:g}"


class DeclaredPropertyRule(BaseModel):
    """Crossed when a property the model card declares satisfies the comparison."""

    model_config = _FROZEN

    property: str = Field(min_length=1)
    """Model-card property, e.g. `training_compute_flop`."""
    comparator: Comparator
    """Direction in which the threshold is crossed."""
    value: float
    """Value the declared property is compared with, e.g. `1e26`."""

    def crossed_by(self, declared: float) -> bool:
        """Whether the declared value crosses."""
        return _compare(declared, self.comparator, self.value)

    def describe(self) -> str:
        """Readable form, e.g. `model card training_compute_flop >= 1e+26`."""
        return f"model card {self.property} {self.comparator} {self.value:g}"


def _rule_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "declared-property" if "property" in value else "evidence-rule"
    return (
        "declared-property"
        if isinstance(value, DeclaredPropertyRule)
        else "evidence-rule"
    )


Rule = Annotated[
    Annotated[EvidenceRule, Tag("evidence-rule")]
    | Annotated[DeclaredPropertyRule, Tag("declared-property")],
    Discriminator(_rule_kind),
]


class Threshold(BaseModel):
    """A capability or propensity level that, once crossed, changes what may be done."""

    model_config = _FROZEN

    id: Identifier
    """Stable identifier, e.g. `CBRN-3`."""
    domain: str = Field(min_length=1)
    """Risk domain id (declared under `domains`)."""
    name: str = Field(min_length=1)
    """Short human name."""
    level: Level | None = None
    """Ordinal level and its label."""
    threat_model: str = ""
    """The threat model in words: who could do what harm with this capability."""
    severity: Severity
    """`intolerable` unless mitigated, or `requires_safeguards`."""
    applies_to: tuple[
        Literal["deployment", "internal_deployment", "further_training"], ...
    ] = ("deployment",)
    """Activities the threshold governs; `further_training` can halt development."""
    required_safeguards: tuple[str, ...] = ()
    """Ids of safeguards (declared under `safeguards`) that must be evidenced once crossed."""
    combine: Literal["any", "all"] = "any"
    """Crossed when any rule, or all rules, are crossed."""
    rules: tuple[Rule, ...] = Field(min_length=1)
    """How the threshold is operationalised."""


class EvaluationEvidence(BaseModel):
    """A safeguard shown in place by an evaluation: in place when the rule is *not* crossed."""

    model_config = _FROZEN

    evaluation: EvidenceRule
    """E.g. `misuse_refusal.refusal_rate < 0.95`: refusing less than that is a failure."""


class AttestationEvidence(BaseModel):
    """A safeguard shown in place by a referenced document that someone attests."""

    model_config = _FROZEN

    attestation: str = Field(min_length=1)
    """What must be attested, e.g. `security review of weight storage`."""
    attested_by: str = Field(min_length=1)
    """Role that attests, e.g. `CISO`."""


def _safeguard_evidence_kind(value: Any) -> str:
    if isinstance(value, dict):
        return (
            "attestation-evidence" if "attestation" in value else "evaluation-evidence"
        )
    return (
        "attestation-evidence"
        if isinstance(value, AttestationEvidence)
        else "evaluation-evidence"
    )


SafeguardEvidence = Annotated[
    Annotated[EvaluationEvidence, Tag("evaluation-evidence")]
    | Annotated[AttestationEvidence, Tag("attestation-evidence")],
    Discriminator(_safeguard_evidence_kind),
]


class Safeguard(BaseModel):
    """A mitigation and the evidence that shows it in place."""

    model_config = _FROZEN

    id: Identifier
    """Identifier, referenced from thresholds' `required_safeguards`."""
    kind: Literal["deployment", "security", "alignment"]
    """Deployment, security or alignment safeguard."""
    description: str = ""
    """What the safeguard is."""
    evidence: tuple[SafeguardEvidence, ...] = Field(min_length=1)
    """Every item must hold for the safeguard to count as evidenced."""


class DecisionPolicy(BaseModel):
    """How evidence becomes verdicts and verdicts become a decision."""

    model_config = _FROZEN

    confidence: float = Field(default=0.95, gt=0.5, lt=1.0)
    """Confidence level of the intervals verdicts are read from."""
    interval: Literal["wilson", "exact"] = "wilson"
    """Kept for frameworks that name it: verdicts on rates always decide from exact
    one-sided binomial tests and print their Clopper-Pearson interval, because each
    tail of Wilson's score test can miss its level near 0 and 1."""
    inconclusive_as: Literal["crossed", "below"] = "crossed"
    """How an inconclusive verdict counts in the decision; precautionary by default."""
    max_unscored_share: float = Field(default=0.2, ge=0.0, le=1.0)
    """Largest share of unscored samples a rule tolerates before it is inconclusive."""
    multiplicity: Literal["holm", "bh", "none"] = "holm"
    """Correction across the evidence rules of one domain."""
    correct_scorer_error: bool = True
    """When a metric's scorer has a measured sensitivity and specificity, read verdicts
    from the misclassification-corrected rate and its wider interval (Rogan-Gladen,
    worst case over exact bounds on both); the uncorrected figures are reported beside it."""
    sequential_share: float = Field(default=0.5, gt=0.0, le=1.0)
    """Share of each side's error level spent by sequential (early-stopping) tests; a
    fixed-sample fallback after an undecided run gets the rest (union bound). 1.0
    leaves none: an undecided rule is then inconclusive."""

    @model_serializer(mode="wrap")
    def _omit_default_share(
        self, handler: SerializerFunctionWrapHandler
    ) -> dict[str, Any]:
        # Left out at its default, as the rule binding fields are, so frameworks
        # written before the split keep their content hash (and their runs resume).
        data: dict[str, Any] = handler(self)
        if data.get("sequential_share") == _DEFAULT_SEQUENTIAL_SHARE:
            del data["sequential_share"]
        return data


_DEFAULT_SEQUENTIAL_SHARE = 0.5


class Framework(BaseModel):
    """A versioned safety framework."""

    model_config = _FROZEN

    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    """Stable identifier, e.g. `redline-reference`."""
    name: str = Field(min_length=1)
    """Human name."""
    version: Annotated[str, BeforeValidator(_number_as_text)] = Field(min_length=1)
    """Version of this encoding (`version: 2` in YAML reads as "2")."""
    publisher: str = ""
    """Who publishes this encoding."""
    effective_date: date | None = None
    """Date from which this version applies."""
    source_url: str = ""
    """Where the framework this encodes is published."""
    description: str = ""
    """What the framework is for, and caveats about its source."""
    decision_policy: DecisionPolicy = DecisionPolicy()
    """How verdicts are reached and combined."""
    domains: tuple[RiskDomain, ...] = Field(min_length=1)
    """Risk domains the thresholds belong to."""
    safeguards: tuple[Safeguard, ...] = ()
    """Safeguards thresholds may require."""
    thresholds: tuple[Threshold, ...] = Field(min_length=1)
    """The thresholds; at least one."""

    @model_validator(mode="after")
    def _references_resolve(self) -> Framework:
        _unique("domain", [d.id for d in self.domains])
        _unique("safeguard", [s.id for s in self.safeguards])
        _unique("threshold", [t.id for t in self.thresholds])
        domains = {d.id for d in self.domains}
        safeguards = {s.id for s in self.safeguards}
        for threshold in self.thresholds:
            if threshold.domain not in domains:
                raise ValueError(
                    f"threshold {threshold.id} names domain {threshold.domain!r}, which is not "
                    f"declared under domains (declared: {', '.join(sorted(domains))})"
                )
            for safeguard in threshold.required_safeguards:
                if safeguard not in safeguards:
                    raise ValueError(
                        f"threshold {threshold.id} requires safeguard {safeguard!r}, which is not "
                        "declared under safeguards"
                    )
        return self

    @property
    def content_hash(self) -> str:
        """sha256 over the canonical JSON of the framework's content."""
        canonical = json.dumps(
            self.model_dump(mode="json"), sort_keys=True, separators=(",", ":")
        )
        return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()

    def evidence_rules(self) -> list[EvidenceRule]:
        """Every evaluation rule: of thresholds, then of safeguards."""
        rules = [
            r for t in self.thresholds for r in t.rules if isinstance(r, EvidenceRule)
        ]
        rules += [
            e.evaluation
            for s in self.safeguards
            for e in s.evidence
            if isinstance(e, EvaluationEvidence)
        ]
        return rules

    def suites(self) -> list[str]:
        """Suites the framework needs evidence from, in first-use order."""
        return list(dict.fromkeys(rule.binding for rule in self.evidence_rules()))

    def domain(self, domain_id: str) -> RiskDomain:
        """The declared domain with this id."""
        return next(d for d in self.domains if d.id == domain_id)

    def safeguard(self, safeguard_id: str) -> Safeguard:
        """The declared safeguard with this id."""
        return next(s for s in self.safeguards if s.id == safeguard_id)


def _unique(kind: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for identifier in ids:
        if identifier in seen:
            raise ValueError(f"{kind} id {identifier!r} appears more than once")
        seen.add(identifier)
