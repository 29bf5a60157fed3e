"""The dashboard at `/ui`: the view package's pages over what the caller may read.

Every read goes through the same functions the API routes call (`store.list_reports`,
`store.get_report`, the exercise and incident queries), with the same caller and the
same scope checks, so a page shows exactly what the API would answer and nothing it
would refuse. The token comes from the `Authorization` header, as for the API, or
from the cookie the UI's token form sets.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, ValidationError
from sqlalchemy import func, select

from redline.errors import InputError, RegistryError
from redline.registry._api import MAX_PAGE, ReportSummary, TokenScope
from redline.registry.server import exercises, incidents, store
from redline.registry.server.db import Database
from redline.registry.server.deps import (
    Caller,
    get_db,
    optional_caller,
    optionally_scoped,
    required_caller,
    scoped,
)
from redline.registry.server.models import ReportRow, ReportThreshold
from redline.reports import Report, parse_envelope
from redline.view import (
    TOKEN_COOKIE,
    VERDICTS,
    NotFound,
    ReportEntry,
    entry_of,
    view_router,
)

UI_PREFIX = "/ui"


def _credentials(request: Request) -> HTTPAuthorizationCredentials | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return HTTPAuthorizationCredentials(scheme="Bearer", credentials=value.strip())
    token = request.cookies.get(TOKEN_COOKIE)
    if token:
        return HTTPAuthorizationCredentials(scheme="Bearer", credentials=token)
    return None


def _caller(request: Request) -> Caller | None:
    return optional_caller(get_db(request), _credentials(request))


def _not_found(exc: RegistryError) -> Exception:
    status = getattr(exc, "status", None)
    return NotFound(str(exc)) if status == 404 else exc


def _parsed_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"filter 'date_to': expected an ISO date, got {value!r}"
        ) from None


def _parsed(model: type[BaseModel], filters: Mapping[str, Any]) -> Any:
    try:
        return model.model_validate(dict(filters))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(f"filter '{where}': {first['msg']}") from None


@dataclass
class RegistryReports:
    """The reports a caller may read, through the registry's own queries."""

    db: Database
    caller: Caller | None
    inspect_url: str | None = None
    """Logs live on the publishers' machines: no Inspect View link."""

    def _reader(self) -> Caller | None:
        return optionally_scoped(TokenScope.REPORTS_READ)(self.caller)

    def entries(self) -> list[ReportEntry]:
        """Every report visible to the caller, newest first, with verdict counts."""
        entries: list[ReportEntry] = []
        cursor: str | None = None
        while True:
            page, cursor = self.listing({}, cursor)
            entries += page
            if cursor is None:
                return entries

    def listing(
        self, filters: Mapping[str, str], cursor: str | None
    ) -> tuple[list[ReportEntry], str | None]:
        """One page of the caller's visible reports matching the filters, newest first."""
        query: dict[str, Any] = {"limit": MAX_PAGE, "cursor": cursor}
        for key in ("model", "framework", "decision"):
            if filters.get(key):
                query[key] = filters[key]
        if filters.get("date_from"):
            query["created_after"] = f"{filters['date_from']}T00:00:00Z"
        if filters.get("date_to"):
            until = _parsed_date(filters["date_to"]) + timedelta(days=1)
            query["created_before"] = f"{until.isoformat()}T00:00:00Z"
        page = store.list_reports(
            self.db, self._reader(), _parsed(store.ReportQuery, query)
        )
        return self._entries(page.items), page.next_cursor

    def _entries(self, summaries: Sequence[ReportSummary]) -> list[ReportEntry]:
        counts: dict[str, dict[str, int]] = {}
        ids = [s.id for s in summaries]
        with self.db.reader() as session:
            # Keyed by the ids the visibility query returned: no second read rule.
            for report_id, verdict, n in session.execute(
                select(ReportRow.id, ReportThreshold.verdict, func.count())
                .join(ReportThreshold, ReportThreshold.report_seq == ReportRow.seq)
                .where(ReportRow.id.in_(ids))
                .group_by(ReportRow.id, ReportThreshold.verdict)
            ):
                counts.setdefault(report_id, {})[verdict] = n
        empty = dict.fromkeys(VERDICTS, 0)
        return [
            ReportEntry(
                id=s.id,
                label=s.id,
                model=s.model,
                framework=s.framework_id,
                framework_version=s.framework_version,
                created_at=s.created_at,
                decision=s.decision,
                counts={**empty, **counts.get(s.id, {})},
                redacted=s.redacted,
                origin=f"{s.institute} ({s.sharing.scope.value})",
            )
            for s in summaries
        ]

    def report(self, entry_id: str) -> tuple[ReportEntry, Report]:
        """One report the caller may read; 404 otherwise, as the API answers."""
        try:
            stored = json.loads(store.get_report(self.db, self._reader(), entry_id))
        except RegistryError as exc:
            raise _not_found(exc) from None
        summary = stored["summary"]
        report = parse_envelope(stored["envelope"], source=entry_id).report
        entry = entry_of(entry_id, entry_id, report, summary["institute"])
        if summary["redacted"] and not entry.redacted:
            entry = ReportEntry(**{**entry.__dict__, "redacted": True})
        return entry, report

    def problems(self) -> list[str]:
        """Stored reports were verified on publishing."""
        return []


@dataclass
class RegistryPages:
    """Exercises and incidents, under the same scopes as their API routes."""

    db: Database
    caller: Caller | None

    def _as(self, scope: TokenScope) -> Caller:
        return scoped(scope)(required_caller(self.caller))

    def exercises(self) -> list[dict[str, Any]]:
        """Exercises the caller takes part in."""
        caller = self._as(TokenScope.EXERCISES)
        return [
            x.model_dump(mode="json") for x in exercises.list_exercises(self.db, caller)
        ]

    def exercise(self, exercise_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """An exercise and its agreement statistics."""
        caller = self._as(TokenScope.EXERCISES)
        try:
            item = exercises.get_exercise(self.db, caller, exercise_id)
            agreement = exercises.agreement(self.db, caller, exercise_id)
        except RegistryError as exc:
            raise _not_found(exc) from None
        return item.model_dump(mode="json"), agreement.model_dump(mode="json")

    def incidents(self, filters: Mapping[str, str]) -> dict[str, Any]:
        """The first page of incidents matching the filters."""
        self._as(TokenScope.INCIDENTS_READ)
        query = _parsed(incidents.IncidentQuery, {**filters, "limit": str(MAX_PAGE)})
        return incidents.list_incidents(self.db, query).model_dump(mode="json")

    def incident(self, ref: str) -> dict[str, Any]:
        """One incident with its reports and classifications."""
        self._as(TokenScope.INCIDENTS_READ)
        try:
            return incidents.get_incident(self.db, ref).model_dump(mode="json")
        except RegistryError as exc:
            raise _not_found(exc) from None

    def trends(self, filters: Mapping[str, str]) -> dict[str, Any]:
        """Incidents per year and risk domain, over the filtered incidents."""
        self._as(TokenScope.INCIDENTS_READ)
        query = _parsed(incidents.TrendQuery, filters)
        return incidents.trends(self.db, query).model_dump(mode="json")


@dataclass
class TokenCheck:
    """The UI's token form checks a token exactly as the API does."""

    db: Database

    def who(self, request: Request) -> str | None:
        """The calling institute's slug, or None when anonymous."""
        caller = _caller(request)
        return None if caller is None else caller.slug

    def check(self, token: str) -> str:
        """The slug a token belongs to; 401 when malformed, unknown or revoked."""
        credentials = HTTPAuthorizationCredentials(scheme="Bearer", credentials=token)
        return required_caller(optional_caller(self.db, credentials)).slug


def ui_router(db: Database) -> APIRouter:
    """The dashboard's routes for one registry app, to mount at `/ui`."""

    def reports_for(request: Request) -> RegistryReports:
        return RegistryReports(get_db(request), _caller(request))

    def pages_for(request: Request) -> RegistryPages:
        return RegistryPages(get_db(request), _caller(request))

    return view_router(
        reports_for,
        pages_for,
        gate=TokenCheck(db),
        base=UI_PREFIX,
        title="Redline registry",
    )
