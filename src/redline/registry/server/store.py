"""Reports in the registry: publish, fetch, search, and who may read what.

Read access is one SQL condition (`visible_to`), used by every query that returns a
report or anything computed from one (exercise agreement too), so no endpoint can
forget a scope. A publish is one transaction: the report,
its partners and its threshold index commit together or not at all.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field
from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer

from redline.errors import RegistryError
from redline.registry._api import (
    MAX_PAGE,
    PublishRequest,
    PublishResult,
    ReportPage,
    ReportSummary,
    Scope,
    Sharing,
    Slug,
)
from redline.registry.server.db import Database
from redline.registry.server.deps import Caller
from redline.registry.server.errors import http_error
from redline.registry.server.models import (
    Institute,
    ReportPartner,
    ReportRow,
    ReportThreshold,
    SigningKeyRow,
)
from redline.registry.server.paging import fetch_page, make_seq_cursor, seq_cursor
from redline.registry.server.transparency_log import (
    append_log_entry,
    find_entry,
    new_entry_receipt,
    receipt,
)
from redline.reports import (
    SigningKey,
    canonical_json,
    redact_envelope,
    verify_signed_report,
)


def _iso_only(value: Any) -> Any:
    # Pydantic would read a bare number as a Unix timestamp; the spec says date-time.
    if isinstance(value, str) and not re.match(r"^\d{4}-\d{2}-\d{2}", value):
        raise ValueError("expected an ISO 8601 date-time with a timezone")
    return value


IsoDatetime = Annotated[AwareDatetime, BeforeValidator(_iso_only)]


class ReportQuery(BaseModel):
    """Filters and paging of a report search; every filter narrows the result."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    model: str | None = Field(default=None, min_length=1, max_length=300)
    """Exact Inspect model string."""
    framework: str | None = Field(default=None, min_length=1, max_length=200)
    """Framework id."""
    domain: str | None = Field(default=None, min_length=1, max_length=200)
    """A risk domain the report has a threshold in."""
    verdict: str | None = Field(
        default=None, pattern=r"^(below|approaching|crossed|inconclusive)$"
    )
    """A threshold verdict (in `domain`, when given)."""
    decision: str | None = Field(default=None, min_length=1, max_length=40)
    """Deployment decision."""
    institute: Slug | None = None
    """Publishing institute."""
    created_after: IsoDatetime | None = None
    """Reports written at or after this time."""
    created_before: IsoDatetime | None = None
    """Reports written before this time."""
    limit: int = Field(default=20, ge=1, le=MAX_PAGE)
    """Page size."""
    cursor: str | None = Field(default=None, pattern=r"^c[0-9]{1,18}$")
    """`next_cursor` of the previous page (opaque)."""


def visible_to(caller: Caller | None) -> ColumnElement[bool]:
    """The one rule of who may read a report, as a condition on `ReportRow`.

    Evaluated on every read, so narrowing a report's sharing takes effect at once.
    """
    if caller is None:
        return ReportRow.scope == Scope.PUBLIC.value
    shared = exists().where(
        ReportPartner.report_seq == ReportRow.seq,
        ReportPartner.institute_id == caller.id,
    )
    return or_(
        ReportRow.institute_id == caller.id,
        ReportRow.scope.in_((Scope.NETWORK.value, Scope.PUBLIC.value)),
        and_(ReportRow.scope == Scope.PARTNERS.value, shared),
    )


def _summaries(session: Session, rows: Sequence[ReportRow]) -> list[ReportSummary]:
    seqs = [r.seq for r in rows]
    slugs = dict(session.execute(select(Institute.id, Institute.slug)).all())  # few
    partners: dict[int, list[str]] = {s: [] for s in seqs}
    for seq, inst in session.execute(
        select(ReportPartner.report_seq, ReportPartner.institute_id).where(
            ReportPartner.report_seq.in_(seqs)
        )
    ):
        partners[seq].append(slugs[inst])
    domains: dict[int, set[str]] = {s: set() for s in seqs}
    for seq, domain in session.execute(
        select(ReportThreshold.report_seq, ReportThreshold.domain).where(
            ReportThreshold.report_seq.in_(seqs)
        )
    ):
        domains[seq].add(domain)
    return [
        ReportSummary(
            id=r.id,
            institute=slugs[r.institute_id],
            model=r.model,
            framework_id=r.framework_id,
            framework_version=r.framework_version,
            decision=r.decision,
            domains=tuple(sorted(domains[r.seq])),
            created_at=r.created_at,
            published_at=r.published_at,
            sharing=Sharing(
                scope=Scope(r.scope), partners=tuple(sorted(partners[r.seq]))
            ),
            redacted=r.redacted,
            key_id=r.key_id,
            assessment_digest=r.assessment_digest,
        )
        for r in rows
    ]


def _partner_ids(session: Session, caller: Caller, sharing: Sharing) -> list[int]:
    if caller.slug in sharing.partners:
        raise http_error(422, "do not list your own institute as a partner")
    found = dict(
        session.execute(
            select(Institute.slug, Institute.id).where(
                Institute.slug.in_(sharing.partners)
            )
        ).all()
    )
    unknown = sorted(set(sharing.partners) - set(found))
    if unknown:
        raise http_error(
            422,
            f"unknown partner institutes: {', '.join(unknown)}",
            "unknown_institute",
        )
    return [found[s] for s in sharing.partners]


def publish(
    db: Database,
    caller: Caller,
    request: PublishRequest,
    raw: dict[str, Any],
    log_key: SigningKey | None = None,
) -> PublishResult:
    """Verify a signed report against the caller's keys and store it.

    The publication is appended to the transparency log in the same transaction;
    the answer carries its receipt (signed by `log_key`, when given).

    Args:
        db: The database.
        caller: The publishing institute.
        request: The validated request.
        raw: The request as JSON data: the signature is checked over it, not over a
            re-serialised model.
        log_key: The registry's log key, to sign the receipt's tree head.

    Raises:
        RegistryError: 422 for an unregistered key or unknown partner, 409 when the
            same assessment was published with different sharing.
        SignatureError: The signature does not verify.
        ReportError: Sample content does not match its digests.
    """
    signature = request.envelope.signature
    with db.reader() as session:
        keys = set(
            session.scalars(
                select(SigningKeyRow.public_key).where(
                    SigningKeyRow.institute_id == caller.id,
                    SigningKeyRow.revoked_at.is_(None),
                )
            )
        )
    if signature.public_key not in keys:
        raise http_error(
            422,
            f"key {signature.key_id} is not registered to {caller.slug} "
            "(register it with `redline keys register`)",
            "key_not_registered",
        )
    envelope = raw["envelope"]
    model, checked = verify_signed_report(
        envelope, trusted_keys=keys, parsed=request.envelope
    )
    redacted = checked.redacted
    if request.sharing.scope is Scope.PUBLIC and not redacted:
        # Public means redacted: the content never reaches storage.
        envelope, redacted = redact_envelope(envelope), True
    text = canonical_json(envelope).decode("utf-8")
    report = model.report
    try:
        with db.writer() as session:
            existing = _existing(session, caller, checked.assessment_digest)
            if existing is not None:
                result = _republished(session, existing, request.sharing)
                return _with_receipt(session, log_key, result)
            partner_ids = _partner_ids(session, caller, request.sharing)
            row = ReportRow(
                id="rpt_" + secrets.token_hex(8),
                institute_id=caller.id,
                key_id=checked.key_id,
                assessment_digest=checked.assessment_digest,
                model=report.model,
                framework_id=report.framework.id,
                framework_version=report.framework.version,
                decision=str(report.decision),
                created_at=report.created_at,
                published_at=datetime.now(UTC),
                scope=request.sharing.scope.value,
                redacted=redacted,
                envelope=text,
            )
            session.add(row)
            session.flush()
            session.add_all(
                ReportPartner(report_seq=row.seq, institute_id=i) for i in partner_ids
            )
            seen: dict[str, ReportThreshold] = {}
            for t in report.thresholds:
                seen.setdefault(
                    t.threshold_id,
                    ReportThreshold(
                        report_seq=row.seq,
                        threshold_id=t.threshold_id,
                        domain=t.domain,
                        verdict=str(t.verdict),
                    ),
                )
            session.add_all(seen.values())
            entry = append_log_entry(
                session,
                "report.published",
                checked.assessment_digest,
                institute=caller.slug,
                ref=row.id,
            )
            session.flush()
            return PublishResult(
                report=_summaries(session, [row])[0],
                created=True,
                log=None
                if entry is None or log_key is None
                else new_entry_receipt(session, log_key, entry),
            )
    except IntegrityError:
        # Lost a race with an identical publish: answer as the winner stored it.
        with db.reader() as session:
            existing = _existing(session, caller, checked.assessment_digest)
            if existing is None:
                raise
            result = _republished(session, existing, request.sharing)
            return _with_receipt(session, log_key, result)


def _with_receipt(
    session: Session, log_key: SigningKey | None, result: PublishResult
) -> PublishResult:
    # A retried publish gets the receipt of the entry its first publish made.
    if log_key is None or not session.info.get("transparency_log", True):
        return result
    report = result.report
    try:
        index = find_entry(
            session, report.assessment_digest, "report.published", ref=report.id
        )
    except RegistryError:
        return result  # published before the log existed
    return result.model_copy(update={"log": receipt(session, log_key, index)})


def _existing(session: Session, caller: Caller, digest: str) -> ReportRow | None:
    return session.scalar(
        select(ReportRow).where(
            ReportRow.institute_id == caller.id, ReportRow.assessment_digest == digest
        )
    )


def _republished(session: Session, row: ReportRow, sharing: Sharing) -> PublishResult:
    summary = _summaries(session, [row])[0]
    if summary.sharing != sharing.model_copy(
        update={"partners": tuple(sorted(sharing.partners))}
    ):
        raise http_error(
            409,
            f"this assessment is already published as {row.id} with scope "
            f"'{row.scope}'; change its sharing instead",
        )
    return PublishResult(report=summary, created=False)


def _visible_row(session: Session, caller: Caller | None, report_id: str) -> ReportRow:
    row = session.scalar(
        select(ReportRow).where(ReportRow.id == report_id, visible_to(caller))
    )
    if row is None:
        # The same answer whether it does not exist or is not shared with the caller.
        raise http_error(404, f"no report {report_id} is visible to you")
    return row


def get_report(db: Database, caller: Caller | None, report_id: str) -> str:
    """A report the caller may read, as `StoredReport` JSON text.

    The stored envelope is canonical JSON already: it is spliced in as stored rather
    than parsed, validated and serialised again for every read.
    """
    with db.reader() as session:
        row = _visible_row(session, caller, report_id)
        summary = _summaries(session, [row])[0].model_dump_json()
        return f'{{"summary":{summary},"envelope":{row.envelope}}}'


def list_reports(db: Database, caller: Caller | None, query: ReportQuery) -> ReportPage:
    """Reports the caller may read that match the query, newest first."""
    conditions: list[ColumnElement[bool]] = [visible_to(caller)]
    if query.cursor is not None:
        conditions.append(ReportRow.seq < seq_cursor(query.cursor))
    for column, value in (
        (ReportRow.model, query.model),
        (ReportRow.framework_id, query.framework),
        (ReportRow.decision, query.decision),
    ):
        if value is not None:
            conditions.append(column == value)
    if query.created_after is not None:
        conditions.append(ReportRow.created_at >= query.created_after)
    if query.created_before is not None:
        conditions.append(ReportRow.created_at < query.created_before)
    if query.domain is not None or query.verdict is not None:
        match = [ReportThreshold.report_seq == ReportRow.seq]
        if query.domain is not None:
            match.append(ReportThreshold.domain == query.domain)
        if query.verdict is not None:
            match.append(ReportThreshold.verdict == query.verdict)
        conditions.append(exists().where(*match))
    with db.reader() as session:
        if query.institute is not None:
            inst = session.scalar(
                select(Institute.id).where(Institute.slug == query.institute)
            )
            conditions.append(ReportRow.institute_id == inst if inst else false())
        rows, more = fetch_page(
            session,
            select(ReportRow)
            .options(defer(ReportRow.envelope))  # summaries only: skip the JSON
            .where(*conditions)
            .order_by(ReportRow.seq.desc()),
            query.limit,
        )
        return ReportPage(
            items=tuple(_summaries(session, rows)),
            next_cursor=make_seq_cursor(rows[-1].seq) if more else None,
        )


def update_sharing(
    db: Database, caller: Caller, report_id: str, sharing: Sharing
) -> ReportSummary:
    """Change who may read a report; only its publisher may.

    Widening to `public` redacts the stored copy for good (the signature still holds).
    """
    with db.writer() as session:
        row = _visible_row(session, caller, report_id)
        if row.institute_id != caller.id:
            raise http_error(403, "only the publishing institute may change sharing")
        partner_ids = _partner_ids(session, caller, sharing)
        for old in session.scalars(
            select(ReportPartner).where(ReportPartner.report_seq == row.seq)
        ):
            session.delete(old)
        session.flush()
        session.add_all(
            ReportPartner(report_seq=row.seq, institute_id=i) for i in partner_ids
        )
        row.scope = sharing.scope.value
        if sharing.scope is Scope.PUBLIC and not row.redacted:
            row.envelope = canonical_json(
                redact_envelope(json.loads(row.envelope))
            ).decode("utf-8")
            row.redacted = True
        session.flush()
        return _summaries(session, [row])[0]


def stored_envelopes(
    session: Session, caller: Caller | None, seqs: Sequence[int]
) -> dict[int, tuple[str, dict[str, Any]]]:
    """(institute slug, envelope data) of the stored reports the caller may read."""
    rows = session.execute(
        select(ReportRow.seq, Institute.slug, ReportRow.envelope)
        .join(Institute, Institute.id == ReportRow.institute_id)
        .where(ReportRow.seq.in_(seqs), visible_to(caller))
    )
    return {seq: (slug, json.loads(text)) for seq, slug, text in rows}
