"""Registering and fetching pre-registered plans."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response, status

from redline.registry._plans_api import (
    PlanRegistration,
    RegisteredPlan,
    StoredPlan,
)
from redline.registry.server import plans
from redline.registry.server.deps import DB, ReportPublisher, ReportReader

router = APIRouter(tags=["plans"])

PlanDigest = Annotated[str, Path(min_length=1, max_length=80)]


async def _raw_json(request: Request) -> Any:
    # The body as sent, so the signature is checked over it, not a re-dumped model.
    try:
        return json.loads(await request.body())
    except (ValueError, RecursionError):
        return None


@router.post(
    "/plans",
    response_model=RegisteredPlan,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": RegisteredPlan, "description": "already registered"}},
)
def register_plan(
    db: DB,
    caller: ReportPublisher,
    body: PlanRegistration,
    raw: Annotated[Any, Depends(_raw_json)],
    response: Response,
) -> RegisteredPlan:
    """Register a signed plan, timestamped by the registry's clock.

    It must verify against one of the caller's registered keys. Registering it
    again answers 200 with the first registration's time.
    """
    result = plans.register_plan(db, caller, body, raw)
    if not result.created:
        response.status_code = status.HTTP_200_OK
    return result


_OPTIONAL_AUTH: dict[str, Any] = {"security": [{}, {"HTTPBearer": []}]}


@router.get("/plans/{digest}", response_model=StoredPlan, openapi_extra=_OPTIONAL_AUTH)
def get_plan(db: DB, caller: ReportReader, digest: PlanDigest) -> Response:
    """A registered plan you may read, with when it was registered."""
    return Response(plans.get_plan(db, caller, digest), media_type="application/json")
