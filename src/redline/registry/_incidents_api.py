"""Wire models of the registry's incident database: imports, queries, submissions.

The records themselves are `redline.incidents.IncidentRecord`; these models are what
travels around them. Shared by the client and the server, like `_api.py`.
"""

from __future__ import annotations

import datetime as dt
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from redline.incidents import (
    AttributeValue,
    Classification,
    EntitySlug,
    FacetName,
    HarmType,
    IncidentKind,
    IncidentRecord,
    Severity,
    SourceReport,
)

_MODEL = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

Entity = EntitySlug
EntitySlugs = Annotated[tuple[Entity, ...], Field(max_length=100)]
"""Entities as AIID names them: lowercase slugs such as `openai` or `children`."""

SOURCE_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,31}$"
REGISTRY_SOURCE = "redline"
"""The source of incidents opened in this registry; imports may not use it."""
MAX_IMPORT_BATCH = 1000


class IncidentImport(BaseModel):
    """A batch of records from one upstream source to create or update."""

    model_config = _MODEL

    source: str = Field(pattern=SOURCE_PATTERN)
    """Upstream database, e.g. `aiid`; every record must have this source."""
    records: tuple[dict[str, Any], ...] = Field(max_length=MAX_IMPORT_BATCH)
    """`IncidentRecord` objects as JSON; each is validated on its own, so one bad
    record is skipped with its reason instead of failing the batch."""


class SkippedRecord(BaseModel):
    """A record of an import batch that was not stored, and why."""

    model_config = _MODEL

    index: int
    """Position in the batch (0-based)."""
    external_id: str | None
    """The record's external id, when it could be read."""
    reason: str
    """What was wrong, naming the field."""


class ImportResult(BaseModel):
    """What an import batch did, by external id."""

    model_config = _MODEL

    source: str
    """The batch's source."""
    new: tuple[str, ...]
    """Records stored for the first time."""
    changed: tuple[str, ...]
    """Records whose content differed from the stored copy, now updated."""
    unchanged: tuple[str, ...]
    """Records equal to the stored copy (same content digest); untouched."""
    skipped: tuple[SkippedRecord, ...]
    """Records not stored, each with its reason."""


class IncidentSummary(BaseModel):
    """What lists show of an incident."""

    model_config = _MODEL

    id: str
    """Registry id of the incident."""
    source: str
    """Where it comes from (`aiid`, or `redline` when opened here)."""
    external_id: str | None
    """Its id in that source."""
    kind: IncidentKind
    """Incident or hazard."""
    title: str
    """Short title."""
    date: date
    """When it happened."""
    developers: tuple[str, ...]
    """Alleged developers."""
    deployers: tuple[str, ...]
    """Alleged deployers."""
    implicated_systems: tuple[str, ...]
    """Implicated models or systems."""
    harm_types: tuple[HarmType, ...]
    """OECD harm types."""
    risk_domains: tuple[str, ...]
    """Redline risk domains."""
    mit_domain: str | None
    """MIT risk domain (editor's, else imported, else automatic)."""
    report_count: int
    """Source reports, attached submissions included."""


class IncidentPage(BaseModel):
    """One page of incidents, most recent first."""

    model_config = _MODEL

    items: tuple[IncidentSummary, ...]
    """Incidents on this page."""
    next_cursor: str | None
    """Pass as `cursor` for the next page; null on the last page."""


class Incident(BaseModel):
    """An incident with everything known about it."""

    model_config = _MODEL

    id: str
    """Registry id."""
    record: IncidentRecord
    """The record as imported or opened, with editors' classifications and attached
    submissions' reports merged in."""
    content_digest: str
    """Digest of the record as imported or opened (re-imports compare it)."""
    submissions: tuple[str, ...]
    """Submissions attached to it, or the one it was opened from."""
    created_at: AwareDatetime
    """When it was first stored."""
    updated_at: AwareDatetime
    """When it last changed."""


class ClassificationUpdate(BaseModel):
    """An editor's classification of an incident in one namespace."""

    model_config = _MODEL

    attributes: dict[str, AttributeValue] = Field(max_length=200)
    """Attribute name -> value, as the taxonomy names them (`Risk Domain`)."""
    published: bool = True
    """Whether the classification is final."""


class IncidentProposal(BaseModel):
    """What a submitter says about the event their report describes."""

    model_config = _MODEL

    title: str = Field(min_length=1, max_length=1000)
    """Short title of the event."""
    description: str = Field(default="", max_length=20_000)
    """What happened."""
    date: date
    """When it happened (or began)."""
    kind: IncidentKind = IncidentKind.INCIDENT
    """Incident (harm occurred) or hazard (harm plausible)."""
    developers: EntitySlugs = ()
    """Alleged developers."""
    deployers: EntitySlugs = ()
    """Alleged deployers."""
    harmed_parties: EntitySlugs = ()
    """Alleged harmed parties."""
    implicated_systems: EntitySlugs = ()
    """Implicated models or systems."""
    harm_types: tuple[HarmType, ...] = ()
    """OECD harm types."""
    severity: Severity | None = None
    """OECD severity step."""
    sectors: tuple[str, ...] = Field(default=(), max_length=50)
    """Sectors of deployment."""


class SubmissionCreate(BaseModel):
    """An incident report to submit: the source report and what it says happened."""

    model_config = _MODEL

    report: SourceReport
    """The report itself (title, text, url, recorded prompts and outputs)."""
    proposal: IncidentProposal
    """The event as the submitter describes it."""


class SubmissionStatus(StrEnum):
    """Where a submission stands."""

    PENDING = "pending"
    """Waiting for an editor."""
    ATTACHED = "attached"
    """Attached to an existing incident."""
    OPENED = "opened"
    """Opened as a new incident."""


class IncidentSuggestion(BaseModel):
    """An existing incident a submission may describe."""

    model_config = _MODEL

    incident_id: str
    """Registry id of the incident."""
    reference: str | None = None
    """`source:external_id` of an imported incident (`aiid:23`); null otherwise."""
    title: str
    """Its title."""
    date: date
    """Its date."""
    score: float
    """Text similarity, higher is closer."""
    rank: int
    """1 for the most likely."""


class IncidentSubmission(BaseModel):
    """A submitted incident report and what became of it."""

    model_config = _MODEL

    id: str
    """Registry id of the submission."""
    institute: str
    """Submitting institute."""
    status: SubmissionStatus
    """pending, attached or opened."""
    report: SourceReport
    """The submitted report."""
    proposal: IncidentProposal
    """The event as submitted."""
    suggestions: tuple[IncidentSuggestion, ...]
    """Incidents it most likely describes, best first (at submission time)."""
    classification: Classification
    """Automatic MIT risk-domain classification of the proposal."""
    risk_domains: tuple[str, ...]
    """Redline risk domains of that classification."""
    incident_id: str | None
    """The incident it was attached to or opened as."""
    created_at: AwareDatetime
    """When it was submitted."""
    decided_by: str | None
    """Institute of the editor who decided it."""
    decided_at: AwareDatetime | None
    """When it was decided."""


class SubmissionPage(BaseModel):
    """One page of submissions, newest first."""

    model_config = _MODEL

    items: tuple[IncidentSubmission, ...]
    """Submissions on this page."""
    next_cursor: str | None
    """Pass as `cursor` for the next page; null on the last page."""


class AttachRequest(BaseModel):
    """Attach a submission to an existing incident."""

    model_config = _MODEL

    incident_id: str = Field(min_length=1, max_length=140)
    """Registry id of the incident (or `source:external_id`)."""


class OpenRequest(BaseModel):
    """Open a submission as a new incident; unset fields keep the proposal's."""

    model_config = _MODEL

    kind: IncidentKind | None = None
    """Incident or hazard."""
    title: str | None = Field(default=None, min_length=1, max_length=1000)
    """Title."""
    description: str | None = Field(default=None, max_length=20_000)
    """What happened."""
    date: dt.date | None = None
    """When it happened."""
    severity: Severity | None = None
    """OECD severity step."""
    harm_types: tuple[HarmType, ...] | None = None
    """OECD harm types."""
    classifications: tuple[Classification, ...] = Field(default=(), max_length=20)
    """Classifications to record; an `MIT` one replaces the automatic one."""


TrendBy = FacetName
"""What trends group by: any facet (`risk_domain`, `mit_domain`, `harm_type`, ...)."""
TrendInterval = Literal["year", "quarter", "month"]
"""Period length of a trend table."""
