"""The registry's wire models: what the client sends and the server answers.

Shared by `client.py` and `server/`, so both sides validate the same shapes and the
OpenAPI spec documents exactly what is checked.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from redline.reports import Comparison, SignedReport
from redline.transparency import LogEntry, LogReceipt

_MODEL = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{1,62}$"
Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]
"""An institute's short name: lowercase letters, digits and '-', 2 to 63 long."""
MAX_PAGE = 100


class Scope(StrEnum):
    """Who may read a published report."""

    PRIVATE = "private"
    """Only the publishing institute."""
    PARTNERS = "partners"
    """The publisher and the institutes it names."""
    NETWORK = "network"
    """Every institute of the registry."""
    PUBLIC = "public"
    """Anyone, without a token; stored and served redacted only."""


class TokenScope(StrEnum):
    """What an API token may do; a token carries any set of these."""

    REPORTS_PUBLISH = "reports:publish"
    """Publish reports and change their sharing."""
    REPORTS_READ = "reports:read"
    """Read reports shared with the institute."""
    EXERCISES = "exercises"
    """Open, join and submit to joint testing exercises."""
    INCIDENTS_READ = "incidents:read"
    """Query incidents, trends, and one's own submissions."""
    INCIDENTS_SUBMIT = "incidents:submit"
    """Submit incident reports for an editor to attach or open."""
    INCIDENTS_EDIT = "incidents:edit"
    """The editor role: import, attach, open, and set classifications."""
    KEYS_MANAGE = "keys:manage"
    """Register and revoke the institute's signing keys."""


ALL_SCOPES: tuple[TokenScope, ...] = tuple(TokenScope)
"""Every scope there is."""

DEFAULT_SCOPES: tuple[TokenScope, ...] = tuple(
    s for s in TokenScope if s is not TokenScope.INCIDENTS_EDIT
)
"""What a token gets unless told otherwise: everything but the editor role, which
sees every institute's confidential incident submissions and is granted by name."""


class Sharing(BaseModel):
    """A report's sharing scope."""

    model_config = _MODEL

    scope: Scope
    """private, partners, network or public."""
    partners: tuple[Slug, ...] = Field(default=(), max_length=100)
    """Partner institutes; required with `partners`, refused with any other scope."""

    @model_validator(mode="after")
    def _partners_match_scope(self) -> Sharing:
        if self.scope is Scope.PARTNERS and not self.partners:
            raise ValueError("scope 'partners' needs at least one partner institute")
        if self.scope is not Scope.PARTNERS and self.partners:
            raise ValueError(f"scope '{self.scope}' takes no partners")
        if len(set(self.partners)) != len(self.partners):
            raise ValueError("partners are listed twice")
        return self


class PublishRequest(BaseModel):
    """A signed report to publish, and with whom to share it."""

    model_config = _MODEL

    envelope: SignedReport
    """The signed report, as `redline report sign` writes it."""
    sharing: Sharing
    """Who may read it."""


class ReportSummary(BaseModel):
    """What lists and searches show of a report."""

    model_config = _MODEL

    id: str
    """Registry id of the report."""
    institute: str
    """Publishing institute."""
    model: str
    """Assessed model."""
    framework_id: str
    """Framework the verdicts were computed under."""
    framework_version: str
    """Its version."""
    decision: str
    """Deployment decision of the report."""
    domains: tuple[str, ...]
    """Risk domains its thresholds cover."""
    created_at: AwareDatetime
    """When the report was written."""
    published_at: AwareDatetime
    """When it was published."""
    sharing: Sharing
    """Who may read it."""
    redacted: bool
    """Whether the stored copy carries no sample content."""
    key_id: str
    """Key that signed it."""
    assessment_digest: str
    """Digest of the signed bytes; equal for full and redacted copies."""


class PublishResult(BaseModel):
    """The answer to a publish."""

    model_config = _MODEL

    report: ReportSummary
    """The stored report."""
    created: bool
    """False when this institute had already published the same assessment."""
    log: LogReceipt | None = None
    """The publication's transparency-log entry, its inclusion proof and the signed
    tree head it leads to; null when the registry keeps no log."""


class LogEntryPage(BaseModel):
    """Entries of the transparency log, in order."""

    model_config = _MODEL

    entries: tuple[LogEntry, ...]
    """Entries from `start`."""
    tree_size: int
    """Entries in the whole log when the page was read."""


class StoredReport(BaseModel):
    """A fetched report: its summary and the signed envelope as published."""

    model_config = _MODEL

    summary: ReportSummary
    """Summary of the report."""
    envelope: dict[str, Any]
    """The signed envelope, exactly as verified at publishing (redacted if public)."""


class ReportPage(BaseModel):
    """One page of reports, newest first."""

    model_config = _MODEL

    items: tuple[ReportSummary, ...]
    """Reports on this page."""
    next_cursor: str | None
    """Pass as `cursor` for the next page; null on the last page."""


_PUBLIC_KEY = r"^[A-Za-z0-9+/]{43}=$"


class KeyChallengeRequest(BaseModel):
    """A public key the calling institute means to register."""

    model_config = _MODEL

    public_key: str = Field(pattern=_PUBLIC_KEY)
    """Base64 of the raw 32-byte Ed25519 public key (`redline keys show`)."""


class KeyChallenge(BaseModel):
    """What the private key must sign to prove that the caller holds it."""

    model_config = _MODEL

    nonce: str
    """Single-use random value, to send back with the signature."""
    institute: str
    """The institute the key is to be registered to."""
    key_id: str
    """Id of the key to register."""
    expires_at: AwareDatetime
    """After this the challenge is refused; ask for a new one."""

    def message(self) -> bytes:
        """The exact bytes to sign: every field, so a signature answers one challenge."""
        expires = utc(self.expires_at).strftime("%Y-%m-%dT%H:%M:%SZ")
        return (
            "redline key registration v1\n"
            f"institute={self.institute}\nkey_id={self.key_id}\n"
            f"nonce={self.nonce}\nexpires_at={expires}\n"
        ).encode()


class KeyRegistration(BaseModel):
    """A public key to register, with proof that the caller holds its private key."""

    model_config = _MODEL

    public_key: str = Field(pattern=_PUBLIC_KEY)
    """Base64 of the raw 32-byte Ed25519 public key (`redline keys show`)."""
    nonce: str = Field(pattern=r"^[A-Za-z0-9_-]{16,64}$")
    """The nonce of a challenge from `POST /v1/keys/challenges`."""
    signature: str = Field(pattern=r"^[A-Za-z0-9+/]{86}==$")
    """Base64 Ed25519 signature of the challenge's message by the private key."""


class RegisteredKey(BaseModel):
    """A public key registered to an institute."""

    model_config = _MODEL

    key_id: str
    """Key id."""
    public_key: str
    """Base64 of the raw public key."""
    created_at: AwareDatetime
    """When it was registered."""
    revoked: bool
    """Whether it was revoked (reports it signed stay; new ones are refused)."""


class InstituteInfo(BaseModel):
    """An institute of the registry."""

    model_config = _MODEL

    slug: str
    """Short name."""
    name: str
    """Full name."""
    keys: tuple[RegisteredKey, ...] = ()
    """Registered keys (only shown to the institute itself)."""


class ExerciseCreate(BaseModel):
    """A joint testing exercise to open."""

    model_config = _MODEL

    title: str = Field(min_length=1, max_length=200)
    """Title of the exercise."""
    model: str = Field(min_length=1, max_length=300)
    """Inspect model string every participant assesses."""
    framework_id: str = Field(min_length=1, max_length=200)
    """Framework every participant applies."""
    suites: tuple[str, ...] = Field(min_length=1, max_length=50)
    """Suites every submitted report must include."""
    participants: tuple[Slug, ...] = Field(min_length=1, max_length=50)
    """Participating institutes (the creator is always one)."""
    description: str = Field(default="", max_length=5000)
    """What the exercise is for."""


class Submission(BaseModel):
    """One participant's submitted report."""

    model_config = _MODEL

    institute: str
    """Submitting institute."""
    report_id: str
    """Registry id of the report."""
    submitted_at: AwareDatetime
    """When it was (last) submitted."""


class Exercise(BaseModel):
    """A joint testing exercise and its submissions."""

    model_config = _MODEL

    id: str
    """Registry id of the exercise."""
    title: str
    """Title."""
    description: str
    """What it is for."""
    model: str
    """Model under test."""
    framework_id: str
    """Framework applied."""
    suites: tuple[str, ...]
    """Suites every report must include."""
    participants: tuple[str, ...]
    """Participating institutes."""
    created_by: str
    """Institute that opened it."""
    created_at: AwareDatetime
    """When it was opened."""
    submissions: tuple[Submission, ...]
    """Reports submitted so far."""


class SubmissionRequest(BaseModel):
    """A report of the calling institute to submit to an exercise."""

    model_config = _MODEL

    report_id: str = Field(min_length=1, max_length=100)
    """Registry id of a report the caller published."""


class ExerciseAgreement(BaseModel):
    """Agreement between the participants' submitted reports."""

    model_config = _MODEL

    exercise_id: str
    """The exercise."""
    submitted: tuple[str, ...]
    """Institutes that submitted."""
    missing: tuple[str, ...]
    """Participants yet to submit."""
    withheld: tuple[str, ...] = ()
    """Participants whose submitted report is no longer shared with the caller."""
    comparison: Comparison | None
    """Differences, concordance and alpha; null until two reports are in."""


class ErrorDetail(BaseModel):
    """One problem with a request, e.g. a field that failed validation."""

    model_config = _MODEL

    loc: str
    """Where: `body.sharing.scope`, `query.limit`, `header.authorization`."""
    msg: str
    """What is wrong."""


class ErrorBody(BaseModel):
    """The error itself."""

    model_config = _MODEL

    status: int
    """HTTP status."""
    code: str
    """Machine-readable code, e.g. `not_found`, `signature_invalid`."""
    message: str
    """One line for a person."""
    details: tuple[ErrorDetail, ...] = ()
    """Per-field problems, when there are several."""


class ErrorResponse(BaseModel):
    """The one shape of every error the registry returns."""

    model_config = _MODEL

    error: ErrorBody
    """The error."""


class Health(BaseModel):
    """Liveness and storage status."""

    model_config = _MODEL

    status: Literal["ok"]
    """Always `ok` when the service answers."""
    database: str
    """Storage backend: `sqlite` or `postgresql`."""
    schema_revision: str | None
    """Alembic revision the database is at."""


def utc(value: datetime) -> datetime:
    """A datetime as timezone-aware UTC; naive values (from SQLite) are taken as UTC."""
    from datetime import UTC

    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
