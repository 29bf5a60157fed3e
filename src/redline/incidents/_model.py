"""The incident data model, after the AI Incident Database and the OECD definitions.

An *incident* is an event where the development, use or malfunction of an AI system
led to harm; a *hazard* is one that could plausibly have (OECD 2024). Either groups
the *source reports* that describe it (AIID's report-versus-incident split).
Taxonomies sit side by side as namespaced `Classification`s (MIT risk repository,
GMF, CSETv1, OECD, Redline's automatic classifier), so no taxonomy owns the record;
`risk_domains` maps the record onto Redline's risk domains (see `_taxonomy.py`).

These models are the wire and storage shape: the registry stores `IncidentRecord`
as JSON and indexes its facets; the CLI and importers build them.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

_MODEL = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

_ASCII_SPACE = " \t\n\r\f\v"

EntitySlug = Annotated[
    str,
    # The pattern is the published contract (JSON Schema, unanchored): at least one
    # character that is not ASCII white space. Explicit classes mean the same in
    # every regex engine; `\s` does not, and a schema-valid name must never be
    # refused after stripping.
    StringConstraints(min_length=1, max_length=200, pattern=r"[^ \t\n\r\f\v]"),
    AfterValidator(lambda value: value.strip(_ASCII_SPACE)),
]
"""An entity as AIID names it: a lowercase slug such as `openai` or `children`."""

AttributeValue = str | int | float | bool | list[str] | None


class IncidentKind(StrEnum):
    """OECD: an incident has led to harm; a hazard could plausibly lead to one."""

    INCIDENT = "incident"
    HAZARD = "hazard"


class HarmType(StrEnum):
    """OECD AI incident harm types."""

    PHYSICAL = "physical"
    """Injury or death; harm to health."""
    PSYCHOLOGICAL = "psychological"
    """Psychological or emotional harm."""
    FINANCIAL = "financial"
    """Economic or property loss."""
    REPUTATIONAL = "reputational"
    """Harm to reputation."""
    RIGHTS = "rights"
    """Violation of human, labour, privacy or intellectual property rights."""
    PUBLIC_INTEREST = "public_interest"
    """Harm to communities, democratic processes or the information ecosystem."""
    CRITICAL_INFRASTRUCTURE = "critical_infrastructure"
    """Disruption of the management or operation of critical infrastructure."""
    ENVIRONMENTAL = "environmental"
    """Harm to the environment."""


class Severity(StrEnum):
    """How serious the event was, on the OECD scale's steps."""

    HAZARD = "hazard"
    """No harm yet; it could plausibly occur."""
    MINOR = "minor"
    MODERATE = "moderate"
    SERIOUS = "serious"
    """A serious incident: death or serious harm, serious disruption, serious rights violation."""
    DISASTER = "disaster"
    """A serious incident that disrupts a community or society at scale."""


class ClassificationSource(StrEnum):
    """Where a classification came from."""

    IMPORTED = "imported"
    """From an upstream database (e.g. the AIID snapshot's taxonomy files)."""
    EDITOR = "editor"
    """Set by an editor of this registry."""
    AUTOMATIC = "automatic"
    """Proposed by Redline's offline classifier; never overrides the other two."""


class Classification(BaseModel):
    """One taxonomy's view of a record: a namespace and its attributes."""

    model_config = _MODEL

    namespace: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    """Taxonomy namespace: `MIT`, `GMF`, `CSETv1`, `OECD`, ..."""
    attributes: dict[str, AttributeValue] = Field(default_factory=dict)
    """Attribute name -> value, named as the taxonomy names them (`Risk Domain`)."""
    published: bool = True
    """Whether the upstream taxonomy published this classification."""
    source: ClassificationSource = ClassificationSource.IMPORTED
    """Imported, set by an editor, or proposed automatically."""
    confidence: float | None = Field(default=None, ge=0, le=1)
    """For automatic classifications: the classifier's probability of its label."""


class InputOutput(BaseModel):
    """A prompt and what the system answered, as recorded in a report (AIID variants)."""

    model_config = _MODEL

    input: str = Field(min_length=1, max_length=20_000)
    """What was sent to the system."""
    output: str = Field(default="", max_length=50_000)
    """What it answered (empty when not recorded)."""


class SourceReport(BaseModel):
    """One source document about an event: an article, a filing, an institute's report."""

    model_config = _MODEL

    title: str = Field(default="", max_length=1000)
    """Headline or title; empty for AIID snapshot reports (the snapshot has only numbers)."""
    text: str = Field(default="", max_length=100_000)
    """Body text or summary, where the source allows storing it."""
    url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://\S+$")
    """Where the report is published."""
    external_id: str | None = Field(default=None, max_length=100)
    """The report's id upstream (AIID report number)."""
    date_published: date | None = None
    """Publication date."""
    language: str = Field(default="en", min_length=2, max_length=16)
    """BCP 47 language tag."""
    submitted_by: str | None = Field(default=None, max_length=63)
    """Registry institute that submitted it, when it came through a submission."""
    inputs_outputs: tuple[InputOutput, ...] = Field(default=(), max_length=200)
    """Recorded prompts and outputs; they become regression samples."""


class IncidentRecord(BaseModel):
    """An incident or hazard as stored, imported or exported.

    `(source, external_id)` identifies a record from an upstream database, so a
    re-import updates it instead of duplicating it; records opened in the registry
    have `source = "redline"` and no external id.
    """

    model_config = _MODEL

    source: str = Field(default="redline", pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")
    """Where the record comes from: `aiid`, `oecd`, or `redline` for this registry."""
    external_id: str | None = Field(default=None, min_length=1, max_length=100)
    """Its id in that source (AIID `incident_id`)."""
    kind: IncidentKind = IncidentKind.INCIDENT
    """Incident (harm occurred) or hazard (harm plausible)."""
    title: str = Field(min_length=1, max_length=1000)
    """Short title."""
    description: str = Field(default="", max_length=20_000)
    """What happened."""
    date: date
    """When it happened (or began)."""
    reports: tuple[SourceReport, ...] = Field(default=(), max_length=5000)
    """Source reports that describe it."""
    developers: tuple[EntitySlug, ...] = ()
    """Alleged developers of the AI system."""
    deployers: tuple[EntitySlug, ...] = ()
    """Alleged deployers of the AI system."""
    harmed_parties: tuple[EntitySlug, ...] = ()
    """Alleged harmed or nearly harmed parties."""
    implicated_systems: tuple[EntitySlug, ...] = ()
    """Models or systems implicated (`gpt-4`, `tesla-autopilot`)."""
    harm_types: tuple[HarmType, ...] = ()
    """OECD harm types."""
    severity: Severity | None = None
    """OECD severity step, when assessed."""
    sectors: tuple[str, ...] = ()
    """Sectors of deployment (`transportation`, `healthcare`)."""
    classifications: tuple[Classification, ...] = ()
    """Taxonomy classifications, side by side."""
    risk_domains: tuple[str, ...] = ()
    """Redline risk domains (`misuse_safeguards`, `societal_harms`, ...)."""

    def content_digest(self) -> str:
        """SHA-256 over the canonical JSON of the record: equal digests, equal content.

        Re-imports compare digests, so a record that did not change upstream is
        skipped as unchanged without a field-by-field comparison.
        """
        canonical = json.dumps(
            self.model_dump(mode="json"),
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()

    def classification(self, namespace: str) -> Classification | None:
        """This record's classification in `namespace`, preferring editor over imported over automatic."""
        order = {
            ClassificationSource.EDITOR: 0,
            ClassificationSource.IMPORTED: 1,
            ClassificationSource.AUTOMATIC: 2,
        }
        found = [c for c in self.classifications if c.namespace == namespace]
        return min(found, key=lambda c: order[c.source]) if found else None


class RowProblem(BaseModel):
    """A row an importer could not take, and why; the import goes on without it."""

    model_config = _MODEL

    file: str
    """The file, as given."""
    line: int
    """1-based line of the row's start in the file (the header is line 1)."""
    external_id: str | None = None
    """The row's id, when it could be read."""
    field: str | None = None
    """The offending column."""
    reason: str
    """What was wrong and what was expected."""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        column = f" [{self.field}]" if self.field else ""
        return f"{where}{column}: {self.reason}"


FacetName = Literal[
    "developer",
    "deployer",
    "harmed_party",
    "system",
    "harm_type",
    "sector",
    "risk_domain",
    "mit_domain",
    "severity",
    "kind",
]
"""What query and trend endpoints can filter or group by."""


def facets(record: IncidentRecord) -> list[tuple[FacetName, str]]:
    """The (facet, value) pairs a record is filed under, for filters and trends."""
    pairs: list[tuple[FacetName, str]] = [("kind", record.kind.value)]
    pairs += [("developer", v) for v in record.developers]
    pairs += [("deployer", v) for v in record.deployers]
    pairs += [("harmed_party", v) for v in record.harmed_parties]
    pairs += [("system", v) for v in record.implicated_systems]
    pairs += [("harm_type", v.value) for v in record.harm_types]
    pairs += [("sector", v) for v in record.sectors]
    pairs += [("risk_domain", v) for v in record.risk_domains]
    if record.severity is not None:
        pairs.append(("severity", record.severity.value))
    mit = record.classification("MIT")
    if mit is not None:
        domain = mit.attributes.get("Risk Domain")
        if isinstance(domain, str) and domain:
            pairs.append(("mit_domain", domain))
    return sorted(set(pairs))
