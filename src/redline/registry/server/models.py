"""Database tables (SQLAlchemy 2 declarative). Change them only with a migration."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# What a token issued before scopes existed could do (migration 0002); frozen, as
# newer scopes are granted to such tokens by their own migrations.
PRE_SCOPE_TOKEN_SCOPES = (
    "reports:publish reports:read exercises incidents:read incidents:submit "
    "incidents:edit"
)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self,
        value: datetime | None,
        dialect: Dialect,  # noqa: ARG002
    ) -> datetime | None:
        """Store UTC; refuse naive datetimes."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: store timezone-aware values")
        return value.astimezone(UTC)

    def process_result_value(
        self,
        value: datetime | None,
        dialect: Dialect,  # noqa: ARG002
    ) -> datetime | None:
        """Give back timezone-aware UTC."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value


class Base(DeclarativeBase):
    """Declarative base with constraint names that migrations can rely on."""

    # Named constraints keep migrations portable between SQLite and PostgreSQL.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class Institute(Base):
    """An institute of the network."""

    __tablename__ = "institutes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ApiToken(Base):
    """An institute's API token, as a salted HMAC of its secret."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_id: Mapped[str] = mapped_column(String(32), unique=True)
    institute_id: Mapped[int] = mapped_column(ForeignKey("institutes.id"), index=True)
    salt: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Space-separated, as OAuth writes scopes; tokens from before scopes have all.
    scopes: Mapped[str] = mapped_column(Text, server_default=PRE_SCOPE_TOKEN_SCOPES)


class SigningKeyRow(Base):
    """A public key an institute signs reports with."""

    __tablename__ = "signing_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_id: Mapped[str] = mapped_column(String(40), unique=True)
    institute_id: Mapped[int] = mapped_column(ForeignKey("institutes.id"), index=True)
    public_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class KeyChallengeRow(Base):
    """A pending proof-of-possession challenge for registering a signing key."""

    __tablename__ = "key_challenges"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    institute_id: Mapped[int] = mapped_column(ForeignKey("institutes.id"), index=True)
    key_id: Mapped[str] = mapped_column(String(40))
    public_key: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReportRow(Base):
    """A published signed report; `envelope` is its canonical JSON as verified."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint(
            "institute_id", "assessment_digest", name="uq_reports_institute_digest"
        ),
        Index("ix_reports_model_seq", "model", "seq"),
    )

    # seq orders pages (keyset pagination); id is what users see.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    institute_id: Mapped[int] = mapped_column(ForeignKey("institutes.id"), index=True)
    key_id: Mapped[str] = mapped_column(String(40))
    assessment_digest: Mapped[str] = mapped_column(String(80))
    model: Mapped[str] = mapped_column(String(300))
    framework_id: Mapped[str] = mapped_column(String(200), index=True)
    framework_version: Mapped[str] = mapped_column(String(100))
    decision: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    scope: Mapped[str] = mapped_column(String(16), index=True)
    redacted: Mapped[bool] = mapped_column(Boolean)
    envelope: Mapped[str] = mapped_column(Text)


class ReportPartner(Base):
    """An institute a `partners`-scoped report is shared with."""

    __tablename__ = "report_partners"

    report_seq: Mapped[int] = mapped_column(
        ForeignKey("reports.seq", ondelete="CASCADE"), primary_key=True
    )
    institute_id: Mapped[int] = mapped_column(
        ForeignKey("institutes.id"), primary_key=True, index=True
    )


class ReportThreshold(Base):
    """Threshold verdicts of a report, indexed for search by domain and verdict."""

    __tablename__ = "report_thresholds"

    report_seq: Mapped[int] = mapped_column(
        ForeignKey("reports.seq", ondelete="CASCADE"), primary_key=True
    )
    threshold_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    domain: Mapped[str] = mapped_column(String(200), index=True)
    verdict: Mapped[str] = mapped_column(String(40))


class ExerciseRow(Base):
    """A joint testing exercise; `suites` is a JSON list."""

    __tablename__ = "exercises"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    model: Mapped[str] = mapped_column(String(300))
    framework_id: Mapped[str] = mapped_column(String(200))
    suites: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(ForeignKey("institutes.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ExerciseParticipant(Base):
    """An institute taking part in an exercise."""

    __tablename__ = "exercise_participants"

    exercise_seq: Mapped[int] = mapped_column(
        ForeignKey("exercises.seq", ondelete="CASCADE"), primary_key=True
    )
    institute_id: Mapped[int] = mapped_column(
        ForeignKey("institutes.id"), primary_key=True, index=True
    )


class ExerciseSubmission(Base):
    """The report an institute submitted to an exercise."""

    __tablename__ = "exercise_submissions"

    exercise_seq: Mapped[int] = mapped_column(
        ForeignKey("exercises.seq", ondelete="CASCADE"), primary_key=True
    )
    institute_id: Mapped[int] = mapped_column(
        ForeignKey("institutes.id"), primary_key=True
    )
    report_seq: Mapped[int] = mapped_column(ForeignKey("reports.seq"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class IncidentRow(Base):
    """An incident or hazard; `record` is its `IncidentRecord` JSON as imported or opened.

    What editors add later (classifications, attached submissions) lives in other
    tables, so a re-import that replaces `record` never drops it.
    """

    __tablename__ = "incidents"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_incidents_source_external"),
        Index("ix_incidents_date_seq", "date", "seq"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    source: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(1000))
    description: Mapped[str] = mapped_column(Text)
    date: Mapped[date] = mapped_column(Date)
    record: Mapped[str] = mapped_column(Text)
    content_digest: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class IncidentFacet(Base):
    """A (facet, value) an incident is filed under, for filters and trends."""

    __tablename__ = "incident_facets"
    __table_args__ = (Index("ix_incident_facets_facet_value", "facet", "value"),)

    incident_seq: Mapped[int] = mapped_column(
        ForeignKey("incidents.seq", ondelete="CASCADE"), primary_key=True
    )
    facet: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(500), primary_key=True)


class IncidentClassificationRow(Base):
    """An editor's classification of an incident in one namespace (JSON)."""

    __tablename__ = "incident_classifications"

    incident_seq: Mapped[int] = mapped_column(
        ForeignKey("incidents.seq", ondelete="CASCADE"), primary_key=True
    )
    namespace: Mapped[str] = mapped_column(String(64), primary_key=True)
    classification: Mapped[str] = mapped_column(Text)
    set_by: Mapped[int] = mapped_column(ForeignKey("institutes.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime())


class IncidentSubmissionRow(Base):
    """An institute's incident report, waiting for an editor or decided.

    JSON columns: `report` (SourceReport), `proposal` (the submitted title, date,
    entities...), `suggestions` (likely incidents at submission time) and
    `classification` (the automatic MIT classification).
    """

    __tablename__ = "incident_submissions"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    institute_id: Mapped[int] = mapped_column(ForeignKey("institutes.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    report: Mapped[str] = mapped_column(Text)
    proposal: Mapped[str] = mapped_column(Text)
    suggestions: Mapped[str] = mapped_column(Text)
    classification: Mapped[str] = mapped_column(Text)
    incident_seq: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.seq", ondelete="SET NULL"), nullable=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[int | None] = mapped_column(
        ForeignKey("institutes.id"), nullable=True
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class LogEntryRow(Base):
    """One entry of the append-only transparency log, with the tree head after it.

    `leaf` is the entry's RFC 8785 JSON, exactly the bytes hashed into the tree;
    `root_hash` and `frontier` describe the tree of `leaf_index + 1` entries, so an
    append reads one row. Rows are never updated or deleted.
    """

    __tablename__ = "transparency_log"

    leaf_index: Mapped[int] = mapped_column(
        Integer, primary_key=True, autoincrement=False
    )
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(80), index=True)
    ref: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    leaf: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[str] = mapped_column(String(44))
    root_hash: Mapped[str] = mapped_column(String(44))
    frontier: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PlanRow(Base):
    """A registered pre-registration plan; `envelope` is its canonical JSON as verified.

    `registered_at` is the registry's clock when the plan was stored: the time a
    report's run start is compared with.
    """

    __tablename__ = "plans"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    digest: Mapped[str] = mapped_column(String(80), unique=True)
    institute_id: Mapped[int] = mapped_column(ForeignKey("institutes.id"), index=True)
    key_id: Mapped[str] = mapped_column(String(40))
    model: Mapped[str] = mapped_column(String(300))
    framework_id: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(String(16))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    envelope: Mapped[str] = mapped_column(Text)
