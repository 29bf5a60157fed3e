"""The incident database: import, query, trends, submissions and classifications.

Reads need `incidents:read`, submissions `incidents:submit`, and everything an
editor does (import, attach, open, classify) `incidents:edit`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, status

from redline.incidents import TrendTable
from redline.registry._incidents_api import (
    AttachRequest,
    ClassificationUpdate,
    ImportResult,
    Incident,
    IncidentImport,
    IncidentPage,
    IncidentSubmission,
    OpenRequest,
    SubmissionCreate,
    SubmissionPage,
)
from redline.registry.server import incident_import, incidents
from redline.registry.server import incident_submissions as submissions
from redline.registry.server.deps import (
    DB,
    IncidentEditor,
    IncidentReader,
    IncidentSubmitter,
)

router = APIRouter(tags=["incidents"])

IncidentRef = Annotated[
    str,
    Path(
        min_length=1,
        max_length=140,
        description="Registry id, or `source:external_id` (e.g. `aiid:23`).",
    ),
]
SubmissionId = Annotated[str, Path(min_length=1, max_length=64)]
Namespace = Annotated[
    str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
]


def _index(request: Request) -> submissions.SuggestionIndex:
    index: submissions.SuggestionIndex = request.app.state.incident_index
    return index


@router.post("/incidents/import", response_model=ImportResult)
def import_incidents(
    db: DB, _editor: IncidentEditor, body: IncidentImport
) -> ImportResult:
    """Create or update a batch of records from one upstream source.

    Idempotent: a record equal to its stored copy is reported unchanged and left
    alone. Invalid records are skipped, each with its reason; the rest is stored in
    one transaction.
    """
    return incident_import.import_records(db, body)


@router.get("/incidents", response_model=IncidentPage)
def list_incidents(
    db: DB,
    _reader: IncidentReader,
    query: Annotated[incidents.IncidentQuery, Query()],
) -> IncidentPage:
    """Incidents matching the filters, most recent first."""
    return incidents.list_incidents(db, query)


@router.get("/incidents/trends", response_model=TrendTable)
def incident_trends(
    db: DB, _reader: IncidentReader, query: Annotated[incidents.TrendQuery, Query()]
) -> TrendTable:
    """Counts of the filtered incidents per period, grouped by a facet."""
    return incidents.trends(db, query)


@router.post(
    "/incidents/submissions",
    response_model=IncidentSubmission,
    status_code=status.HTTP_201_CREATED,
)
def submit_incident(
    db: DB, caller: IncidentSubmitter, body: SubmissionCreate, request: Request
) -> IncidentSubmission:
    """Submit an incident report; the answer proposes incidents it may describe."""
    return submissions.submit(db, caller, body, _index(request))


@router.get("/incidents/submissions", response_model=SubmissionPage)
def list_submissions(
    db: DB,
    caller: IncidentReader,
    query: Annotated[submissions.SubmissionQuery, Query()],
) -> SubmissionPage:
    """Your submissions, newest first; an editor sees everyone's."""
    return submissions.list_submissions(db, caller, query)


@router.get("/incidents/submissions/{submission_id}", response_model=IncidentSubmission)
def get_submission(
    db: DB, caller: IncidentReader, submission_id: SubmissionId
) -> IncidentSubmission:
    """One of your submissions (an editor: any)."""
    return submissions.get_submission(db, caller, submission_id)


@router.post(
    "/incidents/submissions/{submission_id}/attach",
    response_model=IncidentSubmission,
)
def attach_submission(
    db: DB, editor: IncidentEditor, submission_id: SubmissionId, body: AttachRequest
) -> IncidentSubmission:
    """Attach a pending submission to an existing incident."""
    return submissions.attach(db, editor, submission_id, body)


@router.post(
    "/incidents/submissions/{submission_id}/open",
    response_model=IncidentSubmission,
)
def open_submission(
    db: DB, editor: IncidentEditor, submission_id: SubmissionId, body: OpenRequest
) -> IncidentSubmission:
    """Open a pending submission as a new incident."""
    return submissions.open_incident(db, editor, submission_id, body)


@router.get("/incidents/{incident_id}", response_model=Incident)
def get_incident(db: DB, _reader: IncidentReader, incident_id: IncidentRef) -> Incident:
    """One incident, with editors' classifications and attached reports merged in."""
    return incidents.get_incident(db, incident_id)


@router.put(
    "/incidents/{incident_id}/classifications/{namespace}", response_model=Incident
)
def set_classification(
    db: DB,
    editor: IncidentEditor,
    incident_id: IncidentRef,
    namespace: Namespace,
    body: ClassificationUpdate,
) -> Incident:
    """Set an editor's classification of an incident in one namespace."""
    return incidents.set_classification(db, editor, incident_id, namespace, body)
