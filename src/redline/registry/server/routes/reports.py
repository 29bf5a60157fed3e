"""Publishing, searching and fetching reports."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from redline.registry._api import (
    PublishRequest,
    PublishResult,
    ReportPage,
    ReportSummary,
    Sharing,
    StoredReport,
)
from redline.registry.server import store
from redline.registry.server.deps import DB, ReportPublisher, ReportReader

router = APIRouter(tags=["reports"])

ReportId = Annotated[str, Path(min_length=1, max_length=64)]


async def _raw_json(request: Request) -> Any:
    # The body FastAPI has already read (cached), kept as data so the signature is
    # checked over what was sent. A body that is not JSON fails the body model too.
    try:
        return json.loads(await request.body())
    except (ValueError, RecursionError):
        return None


@router.post(
    "/reports",
    response_model=PublishResult,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": PublishResult, "description": "already published"}},
)
def publish_report(
    db: DB,
    caller: ReportPublisher,
    body: PublishRequest,
    raw: Annotated[Any, Depends(_raw_json)],
    response: Response,
    request: Request,
) -> PublishResult:
    """Publish a signed report; it must verify against one of the caller's keys.

    Publishing the same assessment again with the same sharing answers 200 with the
    stored report, so a client may safely retry after a lost answer.
    """
    result = store.publish(db, caller, body, raw, log_key=request.app.state.log_key)
    if not result.created:
        response.status_code = status.HTTP_200_OK
    return result


# Reading needs no token: anonymous callers see public reports only.
_OPTIONAL_AUTH: dict[str, Any] = {"security": [{}, {"HTTPBearer": []}]}


@router.get("/reports", response_model=ReportPage, openapi_extra=_OPTIONAL_AUTH)
def list_reports(
    db: DB, caller: ReportReader, query: Annotated[store.ReportQuery, Query()]
) -> ReportPage:
    """Reports you may read, newest first, filtered; without a token, public ones."""
    return store.list_reports(db, caller, query)


@router.get(
    "/reports/{report_id}", response_model=StoredReport, openapi_extra=_OPTIONAL_AUTH
)
def get_report(db: DB, caller: ReportReader, report_id: ReportId) -> Response:
    """A report you may read, with its signed envelope as published."""
    return Response(
        store.get_report(db, caller, report_id), media_type="application/json"
    )


@router.put("/reports/{report_id}/sharing", response_model=ReportSummary)
def update_sharing(
    db: DB, caller: ReportPublisher, report_id: ReportId, body: Sharing
) -> ReportSummary:
    """Change who may read one of your reports."""
    return store.update_sharing(db, caller, report_id, body)
