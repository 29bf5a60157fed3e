"""The incident database: views, queries, trends and editors' classifications.

An incident row keeps the record exactly as imported or opened (`record`, with its
`content_digest`), so a re-import (`incident_import`) compares digests and touches
nothing that did not change. What this registry adds on top (editors' classifications, attached
submissions) lives in its own tables and is merged into every view, so a re-import
never drops it. Filters and trends read `incident_facets`, written in the same
transaction as the record they index.
"""

from __future__ import annotations

import json
import re
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from sqlalchemy import ColumnElement, and_, delete, exists, insert, or_, select
from sqlalchemy.orm import Session

from redline.incidents import (
    Classification,
    ClassificationSource,
    FacetName,
    HarmType,
    IncidentKind,
    IncidentRecord,
    SourceReport,
    TrendTable,
    count_trends,
    facets,
    redline_domains,
)
from redline.registry._api import MAX_PAGE
from redline.registry._incidents_api import (
    ClassificationUpdate,
    Incident,
    IncidentPage,
    IncidentSummary,
    TrendInterval,
)
from redline.registry.server.db import Database
from redline.registry.server.deps import Caller
from redline.registry.server.errors import http_error
from redline.registry.server.models import (
    IncidentClassificationRow,
    IncidentFacet,
    IncidentRow,
    IncidentSubmissionRow,
)
from redline.registry.server.paging import fetch_page

_FACET_VALUE_MAX = 500
_MIT = "MIT"


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def _iso_date_only(value: Any) -> Any:
    # Pydantic would read a bare number as a Unix timestamp; the spec says date.
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("expected a date as YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]


class IncidentFilters(BaseModel):
    """Filters of an incident query or trend; every filter narrows the result."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    risk_domain: str | None = Field(default=None, min_length=1, max_length=100)
    """A Redline risk domain (`misuse_safeguards`, `societal_harms`, ...)."""
    mit_domain: str | None = Field(default=None, min_length=1, max_length=200)
    """An MIT risk domain, by name or number (`4`)."""
    harm_type: HarmType | None = None
    """An OECD harm type."""
    developer: str | None = Field(default=None, min_length=1, max_length=200)
    """An alleged developer (entity slug)."""
    deployer: str | None = Field(default=None, min_length=1, max_length=200)
    """An alleged deployer (entity slug)."""
    harmed_party: str | None = Field(default=None, min_length=1, max_length=200)
    """An alleged harmed party (entity slug)."""
    system: str | None = Field(default=None, min_length=1, max_length=200)
    """An implicated model or system (entity slug)."""
    sector: str | None = Field(default=None, min_length=1, max_length=200)
    """A sector of deployment."""
    kind: IncidentKind | None = None
    """Incidents or hazards only."""
    source: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")
    """Where the incident comes from (`aiid`, `redline`)."""
    date_from: IsoDate | None = None
    """Incidents on or after this date."""
    date_to: IsoDate | None = None
    """Incidents on or before this date."""
    q: str | None = Field(default=None, min_length=1, max_length=200)
    """Words in the title or description (case-insensitive substring)."""


class IncidentQuery(IncidentFilters):
    """Filters and paging of an incident list."""

    limit: int = Field(default=20, ge=1, le=MAX_PAGE)
    """Page size."""
    cursor: str | None = Field(default=None, pattern=r"^c[0-9]{1,7}_[0-9]{1,18}$")
    """`next_cursor` of the previous page (opaque)."""


class TrendQuery(IncidentFilters):
    """A trend: counts per period and group, over the filtered incidents."""

    by: FacetName = "risk_domain"
    """What to group by."""
    interval: TrendInterval = "year"
    """Period length."""
    top: int | None = Field(default=None, ge=1, le=50)
    """Keep the `top` largest groups and sum the rest as `other`."""


def _conditions(filters: IncidentFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    facet_filters: dict[str, str | None] = {
        "risk_domain": filters.risk_domain,
        "harm_type": filters.harm_type.value if filters.harm_type else None,
        "developer": filters.developer,
        "deployer": filters.deployer,
        "harmed_party": filters.harmed_party,
        "system": filters.system,
        "sector": filters.sector,
    }
    for facet, value in facet_filters.items():
        if value is not None:
            conditions.append(_has_facet(facet, IncidentFacet.value == value))
    if filters.mit_domain is not None:
        # A bare number names the domain as MIT numbers it: `4` is `4. Malicious ...`.
        if re.fullmatch(r"\d{1,2}", filters.mit_domain):
            match = IncidentFacet.value.startswith(filters.mit_domain + ". ")
        else:
            match = IncidentFacet.value == filters.mit_domain
        conditions.append(_has_facet("mit_domain", match))
    if filters.kind is not None:
        conditions.append(IncidentRow.kind == filters.kind.value)
    if filters.source is not None:
        conditions.append(IncidentRow.source == filters.source)
    if filters.date_from is not None:
        conditions.append(IncidentRow.date >= filters.date_from)
    if filters.date_to is not None:
        conditions.append(IncidentRow.date <= filters.date_to)
    if filters.q is not None:
        conditions.append(
            or_(
                IncidentRow.title.icontains(filters.q, autoescape=True),
                IncidentRow.description.icontains(filters.q, autoescape=True),
            )
        )
    return conditions


def _has_facet(facet: str, match: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(
        IncidentFacet.incident_seq == IncidentRow.seq,
        IncidentFacet.facet == facet,
        match,
    )


def mit_redline_domains(classification: Classification | None) -> tuple[str, ...]:
    """Redline risk domains of an MIT classification; empty when it names none."""
    if classification is None:
        return ()
    domain = classification.attributes.get("Risk Domain")
    subdomain = classification.attributes.get("Risk Subdomain")
    if not isinstance(domain, str) or not domain:
        return ()
    try:
        return redline_domains(
            domain, subdomain if isinstance(subdomain, str) else None
        )
    except ValueError:
        return ()


def merge(
    record: IncidentRecord,
    edited: Sequence[Classification] = (),
    reports: Sequence[SourceReport] = (),
) -> IncidentRecord:
    """A stored record with editors' classifications and attached reports merged in.

    An editor's classification replaces any editor classification of its namespace
    in the record and sits beside imported and automatic ones (`classification()`
    prefers it). An editor's MIT classification decides the Redline risk domains.
    """
    if not edited and not reports:
        return record
    namespaces = {c.namespace for c in edited}
    kept = tuple(
        c
        for c in record.classifications
        if not (c.namespace in namespaces and c.source is ClassificationSource.EDITOR)
    )
    update: dict[str, Any] = {
        "classifications": kept + tuple(edited),
        "reports": record.reports + tuple(reports),
    }
    mit = next((c for c in edited if c.namespace == _MIT), None)
    if mit is not None:
        update["risk_domains"] = mit_redline_domains(mit)
    return record.model_copy(update=update)


def facet_rows(seq: int, record: IncidentRecord) -> list[dict[str, Any]]:
    """`incident_facets` rows of a (merged) record, ready for a bulk insert."""
    values = {(f, v[:_FACET_VALUE_MAX]) for f, v in facets(record) if v}
    return [{"incident_seq": seq, "facet": f, "value": v} for f, v in sorted(values)]


def new_incident_id() -> str:
    """A fresh public incident id."""
    return "inc_" + secrets.token_hex(8)


def edited_classifications(
    session: Session, seqs: Iterable[int]
) -> dict[int, list[Classification]]:
    """Editors' classifications of incidents, by incident seq."""
    found: dict[int, list[Classification]] = defaultdict(list)
    seqs = list(seqs)
    if not seqs:
        return found
    for seq, text in session.execute(
        select(
            IncidentClassificationRow.incident_seq,
            IncidentClassificationRow.classification,
        )
        .where(IncidentClassificationRow.incident_seq.in_(seqs))
        .order_by(IncidentClassificationRow.namespace)
    ):
        found[seq].append(Classification.model_validate_json(text))
    return found


def _submitted(
    session: Session, seqs: Iterable[int]
) -> dict[int, list[tuple[str, SourceReport]]]:
    found: dict[int, list[tuple[str, SourceReport]]] = defaultdict(list)
    seqs = list(seqs)
    if not seqs:
        return found
    for seq, sub_id, text in session.execute(
        select(
            IncidentSubmissionRow.incident_seq,
            IncidentSubmissionRow.id,
            IncidentSubmissionRow.report,
        )
        .where(IncidentSubmissionRow.incident_seq.in_(seqs))
        .order_by(IncidentSubmissionRow.seq)
    ):
        if seq is not None:
            found[seq].append((sub_id, SourceReport.model_validate_json(text)))
    return found


def _views(
    session: Session, rows: Sequence[IncidentRow]
) -> list[tuple[IncidentRow, IncidentRecord, list[str]]]:
    seqs = [r.seq for r in rows]
    edited = edited_classifications(session, seqs)
    submitted = _submitted(session, seqs)
    return [
        (
            row,
            merge(
                IncidentRecord.model_validate_json(row.record),
                edited[row.seq],
                [report for _, report in submitted[row.seq]],
            ),
            [sub_id for sub_id, _ in submitted[row.seq]],
        )
        for row in rows
    ]


def reindex(session: Session, row: IncidentRow) -> IncidentRecord:
    """Rewrite one incident's facets from its merged record; returns that record."""
    _, record, _ = _views(session, [row])[0]
    session.execute(delete(IncidentFacet).where(IncidentFacet.incident_seq == row.seq))
    rows = facet_rows(row.seq, record)
    if rows:
        session.execute(insert(IncidentFacet), rows)
    return record


def _summary(row: IncidentRow, record: IncidentRecord) -> IncidentSummary:
    mit = record.classification(_MIT)
    domain = mit.attributes.get("Risk Domain") if mit is not None else None
    return IncidentSummary(
        id=row.id,
        source=row.source,
        external_id=row.external_id,
        kind=record.kind,
        title=record.title,
        date=record.date,
        developers=record.developers,
        deployers=record.deployers,
        implicated_systems=record.implicated_systems,
        harm_types=record.harm_types,
        risk_domains=record.risk_domains,
        mit_domain=domain if isinstance(domain, str) and domain else None,
        report_count=len(record.reports),
    )


def _incident(view: tuple[IncidentRow, IncidentRecord, list[str]]) -> Incident:
    row, record, submissions = view
    return Incident(
        id=row.id,
        record=record,
        content_digest=row.content_digest,
        submissions=tuple(submissions),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def find_incident(session: Session, ref: str, *, lock: bool = False) -> IncidentRow:
    """An incident by registry id or `source:external_id`.

    Raises:
        RegistryError: 404 when there is none.
    """
    if ":" in ref:
        source, external_id = ref.split(":", 1)
        where = and_(
            IncidentRow.source == source, IncidentRow.external_id == external_id
        )
    else:
        where = IncidentRow.id == ref
    statement = select(IncidentRow).where(where)
    if lock:
        statement = statement.with_for_update()
    row = session.scalar(statement)
    if row is None:
        raise http_error(404, f"no incident {ref}")
    return row


def get_incident(db: Database, ref: str) -> Incident:
    """One incident, merged, by registry id or `source:external_id`."""
    with db.reader() as session:
        row = find_incident(session, ref)
        return _incident(_views(session, [row])[0])


def list_incidents(db: Database, query: IncidentQuery) -> IncidentPage:
    """Incidents matching the query, most recent first (by date, then by arrival)."""
    conditions = _conditions(query)
    if query.cursor is not None:
        day, seq = query.cursor[1:].split("_")
        # The pattern bounds the digits, not the value: clamp to valid dates.
        when = date.fromordinal(min(max(1, int(day)), date.max.toordinal()))
        conditions.append(
            or_(
                IncidentRow.date < when,
                and_(IncidentRow.date == when, IncidentRow.seq < int(seq)),
            )
        )
    with db.reader() as session:
        rows, more = fetch_page(
            session,
            select(IncidentRow)
            .where(*conditions)
            .order_by(IncidentRow.date.desc(), IncidentRow.seq.desc()),
            query.limit,
        )
        items = tuple(_summary(row, record) for row, record, _ in _views(session, rows))
    last = rows[-1] if rows else None
    return IncidentPage(
        items=items,
        next_cursor=f"c{last.date.toordinal()}_{last.seq}" if more and last else None,
    )


def trends(db: Database, query: TrendQuery) -> TrendTable:
    """Counts of the filtered incidents per period and per value of `query.by`."""
    matching = select(IncidentRow.seq).where(*_conditions(query))
    with db.reader() as session:
        dates = dict(
            session.execute(
                select(IncidentRow.seq, IncidentRow.date).where(*_conditions(query))
            ).all()
        )
        groups: dict[int, list[str]] = defaultdict(list)
        for seq, value in session.execute(
            select(IncidentFacet.incident_seq, IncidentFacet.value).where(
                IncidentFacet.facet == query.by,
                IncidentFacet.incident_seq.in_(matching),
            )
        ):
            groups[seq].append(value)
    rows = ((dates[seq], sorted(groups[seq])) for seq in sorted(dates))
    return count_trends(rows, interval=query.interval, top=query.top)


# --- editors' classifications ------------------------------------------------------


def set_classification(
    db: Database,
    editor: Caller,
    ref: str,
    namespace: str,
    update: ClassificationUpdate,
) -> Incident:
    """Set an editor's classification of an incident in one namespace.

    An MIT classification must name a known `Risk Domain` (and, optionally, a
    `Risk Subdomain` of it): it decides the incident's Redline risk domains.

    Raises:
        RegistryError: 404 for an unknown incident; 422 for an MIT classification
            whose domain or subdomain is unknown.
    """
    classification = Classification(
        namespace=namespace,
        attributes=update.attributes,
        published=update.published,
        source=ClassificationSource.EDITOR,
    )
    if namespace == _MIT:
        domain = update.attributes.get("Risk Domain")
        subdomain = update.attributes.get("Risk Subdomain")
        if not isinstance(domain, str) or (
            subdomain is not None and not isinstance(subdomain, str)
        ):
            raise http_error(
                422,
                "body.attributes: an MIT classification needs a 'Risk Domain' text "
                "(and an optional 'Risk Subdomain' text)",
            )
        try:
            redline_domains(domain, subdomain)
        except ValueError as exc:
            raise http_error(422, f"body.attributes: {exc}") from None
    with db.writer() as session:
        row = find_incident(session, ref, lock=True)
        stored = session.get(IncidentClassificationRow, (row.seq, namespace))
        text = classification.model_dump_json()
        if stored is None:
            session.add(
                IncidentClassificationRow(
                    incident_seq=row.seq,
                    namespace=namespace,
                    classification=text,
                    set_by=editor.id,
                    set_at=now(),
                )
            )
        else:
            stored.classification = text
            stored.set_by = editor.id
            stored.set_at = now()
        row.updated_at = now()
        session.flush()
        reindex(session, row)
        return _incident(_views(session, [row])[0])


def stored_json(value: BaseModel | Sequence[BaseModel]) -> str:
    """JSON text of a model or a list of models, for a JSON column."""
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    return json.dumps([v.model_dump(mode="json") for v in value])
