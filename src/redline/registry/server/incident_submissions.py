"""Incident submissions: an institute reports an event, an editor attaches or opens it.

On submission the service proposes the stored incidents the report most likely
describes (text similarity over titles and descriptions) and classifies the event
into the MIT risk-domain taxonomy, offline. A submission is decided once: attached
to an incident, or opened as a new one; deciding it again is a 409. Submitters see
their own submissions; editors (`incidents:edit`) see everyone's, through the one
access condition `_visible`.
"""

from __future__ import annotations

import json
import secrets
import threading
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import Session

from redline.incidents import (
    Classification,
    DuplicateIndex,
    IncidentRecord,
    SourceReport,
    automatic_classification,
)
from redline.registry._api import MAX_PAGE, TokenScope
from redline.registry._incidents_api import (
    REGISTRY_SOURCE,
    AttachRequest,
    IncidentProposal,
    IncidentSubmission,
    IncidentSuggestion,
    OpenRequest,
    SubmissionCreate,
    SubmissionPage,
    SubmissionStatus,
)
from redline.registry.server.db import Database
from redline.registry.server.deps import Caller
from redline.registry.server.errors import http_error
from redline.registry.server.incident_import import insert_incident
from redline.registry.server.incidents import (
    find_incident,
    mit_redline_domains,
    now,
    stored_json,
)
from redline.registry.server.models import IncidentRow, IncidentSubmissionRow, Institute
from redline.registry.server.paging import fetch_page, make_seq_cursor, seq_cursor

SUGGESTIONS = 5


class SubmissionQuery(BaseModel):
    """Filters and paging of a submission list."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    status: SubmissionStatus | None = None
    """Only submissions in this state."""
    limit: int = Field(default=20, ge=1, le=MAX_PAGE)
    """Page size."""
    cursor: str | None = Field(default=None, pattern=r"^c[0-9]{1,18}$")
    """`next_cursor` of the previous page (opaque)."""


class SuggestionIndex:
    """The duplicate-suggestion index of one app, rebuilt when incidents change.

    Its key is (count, newest update, largest seq) of the incidents table: any
    import, opening, attachment or classification moves one of them, and computing
    it is one cheap aggregate query, where rebuilding is a pass over every text.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[Any, ...] | None = None
        self._index: DuplicateIndex | None = None
        self._known: dict[str, tuple[str, date, str | None]] = {}

    def suggest(self, db: Database, text: str) -> list[IncidentSuggestion]:
        """The stored incidents `text` most likely describes, best first."""
        with db.reader() as session:
            key = tuple(
                session.execute(
                    select(
                        func.count(IncidentRow.seq),
                        func.max(IncidentRow.updated_at),
                        func.max(IncidentRow.seq),
                    )
                ).one()
            )
            with self._lock:
                if key != self._key:
                    self._rebuild(session)
                    self._key = key
                index, known = self._index, self._known
        if index is None:
            return []
        return [
            IncidentSuggestion(
                incident_id=s.key,
                reference=known[s.key][2],
                title=known[s.key][0],
                date=known[s.key][1],
                score=round(s.score, 4),
                rank=s.rank,
            )
            for s in index.suggest(text, k=SUGGESTIONS)
        ]

    def _rebuild(self, session: Session) -> None:
        rows = session.execute(
            select(
                IncidentRow.id,
                IncidentRow.title,
                IncidentRow.description,
                IncidentRow.date,
                IncidentRow.source,
                IncidentRow.external_id,
            )
        ).all()
        self._known = {
            r.id: (
                r.title,
                r.date,
                f"{r.source}:{r.external_id}" if r.external_id else None,
            )
            for r in rows
        }
        self._index = (
            DuplicateIndex((r.id, f"{r.title}\n{r.description}") for r in rows)
            if rows
            else None
        )


def _visible(caller: Caller) -> ColumnElement[bool]:
    if caller.may(TokenScope.INCIDENTS_EDIT):
        return true()
    return IncidentSubmissionRow.institute_id == caller.id


def _submission(session: Session, row: IncidentSubmissionRow) -> IncidentSubmission:
    return _submissions(session, [row])[0]


def _submissions(
    session: Session, rows: list[IncidentSubmissionRow]
) -> list[IncidentSubmission]:
    slugs = dict(session.execute(select(Institute.id, Institute.slug)).all())  # few
    seqs = {r.incident_seq for r in rows if r.incident_seq is not None}
    ids = dict(
        session.execute(
            select(IncidentRow.seq, IncidentRow.id).where(IncidentRow.seq.in_(seqs))
        ).all()
    )
    result = []
    for row in rows:
        classification = Classification.model_validate_json(row.classification)
        result.append(
            IncidentSubmission(
                id=row.id,
                institute=slugs[row.institute_id],
                status=SubmissionStatus(row.status),
                report=SourceReport.model_validate_json(row.report),
                proposal=IncidentProposal.model_validate_json(row.proposal),
                suggestions=tuple(
                    IncidentSuggestion.model_validate(s)
                    for s in json.loads(row.suggestions)
                ),
                classification=classification,
                risk_domains=mit_redline_domains(classification),
                incident_id=ids.get(row.incident_seq) if row.incident_seq else None,
                created_at=row.created_at,
                decided_by=slugs[row.decided_by] if row.decided_by else None,
                decided_at=row.decided_at,
            )
        )
    return result


def submit(
    db: Database, caller: Caller, body: SubmissionCreate, index: SuggestionIndex
) -> IncidentSubmission:
    """Store a submission with its suggested incidents and automatic classification."""
    proposal = body.proposal
    report = body.report.model_copy(update={"submitted_by": caller.slug})
    query = "\n".join(
        t for t in (proposal.title, proposal.description, report.title) if t
    )
    suggestions = index.suggest(db, query)
    classification = automatic_classification(proposal.title, proposal.description)
    with db.writer() as session:
        row = IncidentSubmissionRow(
            id="isub_" + secrets.token_hex(8),
            institute_id=caller.id,
            status=SubmissionStatus.PENDING.value,
            report=report.model_dump_json(),
            proposal=proposal.model_dump_json(),
            suggestions=stored_json(suggestions),
            classification=classification.model_dump_json(),
            created_at=now(),
        )
        session.add(row)
        session.flush()
        return _submission(session, row)


def list_submissions(
    db: Database, caller: Caller, query: SubmissionQuery
) -> SubmissionPage:
    """Submissions the caller may see, newest first: editors all, others their own."""
    conditions = [_visible(caller)]
    if query.status is not None:
        conditions.append(IncidentSubmissionRow.status == query.status.value)
    if query.cursor is not None:
        conditions.append(IncidentSubmissionRow.seq < seq_cursor(query.cursor))
    with db.reader() as session:
        rows, more = fetch_page(
            session,
            select(IncidentSubmissionRow)
            .where(*conditions)
            .order_by(IncidentSubmissionRow.seq.desc()),
            query.limit,
        )
        return SubmissionPage(
            items=tuple(_submissions(session, rows)),
            next_cursor=make_seq_cursor(rows[-1].seq) if more else None,
        )


def _visible_row(
    session: Session, caller: Caller, submission_id: str, *, lock: bool = False
) -> IncidentSubmissionRow:
    statement = select(IncidentSubmissionRow).where(
        IncidentSubmissionRow.id == submission_id, _visible(caller)
    )
    if lock:
        # Two editors deciding at once: the second waits, then sees it decided.
        statement = statement.with_for_update()
    row = session.scalar(statement)
    if row is None:
        raise http_error(404, f"no submission {submission_id} is visible to you")
    return row


def get_submission(
    db: Database, caller: Caller, submission_id: str
) -> IncidentSubmission:
    """One submission: the submitter's own, or any for an editor."""
    with db.reader() as session:
        return _submission(session, _visible_row(session, caller, submission_id))


def _pending(
    session: Session, editor: Caller, submission_id: str
) -> IncidentSubmissionRow:
    row = _visible_row(session, editor, submission_id, lock=True)
    if row.status != SubmissionStatus.PENDING.value:
        incident = session.scalar(
            select(IncidentRow.id).where(IncidentRow.seq == row.incident_seq)
        )
        raise http_error(
            409,
            f"submission {submission_id} is already {row.status}"
            + (f" ({incident})" if incident else ""),
        )
    return row


def _decide(
    row: IncidentSubmissionRow,
    editor: Caller,
    status: SubmissionStatus,
    incident: IncidentRow,
    stamp: datetime,
) -> None:
    row.status = status.value
    row.incident_seq = incident.seq
    row.decided_by = editor.id
    row.decided_at = stamp
    # The incident's view changed (a report more): suggestion caches key on this.
    incident.updated_at = stamp


def attach(
    db: Database, editor: Caller, submission_id: str, body: AttachRequest
) -> IncidentSubmission:
    """Attach a pending submission's report to an existing incident.

    Raises:
        RegistryError: 404 for an unknown submission or incident, 409 when the
            submission was already decided.
    """
    with db.writer() as session:
        row = _pending(session, editor, submission_id)
        incident = find_incident(session, body.incident_id, lock=True)
        _decide(row, editor, SubmissionStatus.ATTACHED, incident, now())
        session.flush()
        return _submission(session, row)


def open_incident(
    db: Database, editor: Caller, submission_id: str, body: OpenRequest
) -> IncidentSubmission:
    """Open a pending submission as a new incident (source `redline`).

    The incident takes the proposal's fields unless `body` overrides them, and the
    automatic MIT classification unless `body` gives an MIT one.

    Raises:
        RegistryError: 404 for an unknown submission, 409 when it was already
            decided.
    """
    with db.writer() as session:
        row = _pending(session, editor, submission_id)
        record = _opened_record(row, body)
        incident = insert_incident(session, record)
        _decide(row, editor, SubmissionStatus.OPENED, incident, incident.created_at)
        session.flush()
        return _submission(session, row)


def _opened_record(row: IncidentSubmissionRow, body: OpenRequest) -> IncidentRecord:
    proposal = IncidentProposal.model_validate_json(row.proposal)
    automatic = Classification.model_validate_json(row.classification)
    given = {c.namespace for c in body.classifications}
    classifications = tuple(body.classifications) + (
        () if automatic.namespace in given else (automatic,)
    )
    mit = next(c for c in classifications if c.namespace == automatic.namespace)
    return IncidentRecord(
        source=REGISTRY_SOURCE,
        kind=body.kind or proposal.kind,
        title=body.title or proposal.title,
        description=(
            body.description if body.description is not None else proposal.description
        ),
        date=body.date or proposal.date,
        developers=proposal.developers,
        deployers=proposal.deployers,
        harmed_parties=proposal.harmed_parties,
        implicated_systems=proposal.implicated_systems,
        harm_types=(
            body.harm_types if body.harm_types is not None else proposal.harm_types
        ),
        severity=body.severity or proposal.severity,
        sectors=proposal.sectors,
        classifications=classifications,
        risk_domains=mit_redline_domains(mit),
    )
