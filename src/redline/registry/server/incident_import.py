"""Importing incident records: validate each on its own, upsert by content digest.

A batch is one transaction. Records are matched on `(source, external_id)`; a record
whose digest equals the stored one is not touched (not even `updated_at`), so a
second import of the same snapshot writes nothing. A record that does not validate
is skipped with its reason and never reaches storage.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from redline.incidents import IncidentRecord
from redline.registry._incidents_api import (
    REGISTRY_SOURCE,
    ImportResult,
    IncidentImport,
    SkippedRecord,
)
from redline.registry.server.db import Database
from redline.registry.server.errors import http_error
from redline.registry.server.incidents import (
    edited_classifications,
    facet_rows,
    merge,
    new_incident_id,
    now,
)
from redline.registry.server.models import IncidentFacet, IncidentRow


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    loc = ".".join(str(p) for p in error.get("loc", ())) or "record"
    more = exc.error_count() - 1
    return f"{loc}: {error['msg']}" + (f" (and {more} more)" if more else "")


def _validated(
    batch: IncidentImport,
) -> tuple[list[IncidentRecord], list[SkippedRecord]]:
    records: list[IncidentRecord] = []
    skipped: list[SkippedRecord] = []
    seen: set[str] = set()
    for index, raw in enumerate(batch.records):
        given = raw.get("external_id")
        external_id = str(given)[:100] if isinstance(given, str | int) else None

        def skip(
            reason: str, index: int = index, external_id: str | None = external_id
        ) -> None:
            skipped.append(
                SkippedRecord(index=index, external_id=external_id, reason=reason)
            )

        try:
            # A record without its own source belongs to the batch's.
            record = IncidentRecord.model_validate({"source": batch.source, **raw})
        except ValidationError as exc:
            skip(_first_error(exc))
            continue
        if record.source != batch.source:
            skip(
                f"source: {record.source!r} is not the batch's source {batch.source!r}"
            )
        elif record.external_id is None:
            skip(
                "external_id: missing; an imported record needs one so that a "
                "re-import updates it instead of adding it again"
            )
        elif record.external_id in seen:
            skip("external_id: appears twice in this batch; the first was taken")
        else:
            seen.add(record.external_id)
            records.append(record)
    return records, skipped


def import_records(db: Database, batch: IncidentImport) -> ImportResult:
    """Create or update a batch of records from one source, in one transaction.

    Records are matched on `(source, external_id)`; a record whose content digest
    equals the stored one is left untouched. Invalid records are skipped with the
    reason, and the rest of the batch is stored.

    Raises:
        RegistryError: 422 when the batch claims the registry's own source; 409 when
            concurrent imports of the same records keep colliding.
    """
    if batch.source == REGISTRY_SOURCE:
        raise http_error(
            422,
            f"body.source: {REGISTRY_SOURCE!r} is reserved for incidents opened in "
            "this registry",
        )
    records, skipped = _validated(batch)
    for attempt in range(3):
        try:
            return _store(db, batch.source, records, skipped)
        except IntegrityError:
            # A concurrent import inserted one of our new records first: the retry
            # finds it stored and compares digests instead.
            if attempt == 2:
                raise http_error(
                    409, "concurrent imports of the same records; retry"
                ) from None
    raise AssertionError("unreachable")


def _store(
    db: Database,
    source: str,
    records: list[IncidentRecord],
    skipped: list[SkippedRecord],
) -> ImportResult:
    new: list[str] = []
    changed: list[str] = []
    unchanged: list[str] = []
    stamp = now()
    with db.writer() as session:
        ids = [r.external_id for r in records]
        stored = {
            row.external_id: row
            for row in session.scalars(
                select(IncidentRow).where(
                    IncidentRow.source == source, IncidentRow.external_id.in_(ids)
                )
            )
        }
        touched: list[tuple[IncidentRow, IncidentRecord]] = []
        for record in records:
            assert record.external_id is not None
            digest = record.content_digest()
            row = stored.get(record.external_id)
            if row is not None and row.content_digest == digest:
                unchanged.append(record.external_id)
                continue
            if row is None:
                row = IncidentRow(id=new_incident_id(), source=source, created_at=stamp)
                session.add(row)
                new.append(record.external_id)
            else:
                changed.append(record.external_id)
            _fill(row, record, digest, stamp)
            touched.append((row, record))
        session.flush()
        _write_facets(session, touched)
    return ImportResult(
        source=source,
        new=tuple(new),
        changed=tuple(changed),
        unchanged=tuple(unchanged),
        skipped=tuple(skipped),
    )


def _fill(
    row: IncidentRow, record: IncidentRecord, digest: str, stamp: datetime
) -> None:
    row.external_id = record.external_id
    row.kind = record.kind.value
    row.title = record.title
    row.description = record.description
    row.date = record.date
    row.record = record.model_dump_json()
    row.content_digest = digest
    row.updated_at = stamp


def _write_facets(
    session: Session, touched: Sequence[tuple[IncidentRow, IncidentRecord]]
) -> None:
    """Replace the facets of freshly written rows (records as stored, editors' merged)."""
    if not touched:
        return
    seqs = [row.seq for row, _ in touched]
    session.execute(delete(IncidentFacet).where(IncidentFacet.incident_seq.in_(seqs)))
    edited = edited_classifications(session, seqs)
    rows: list[dict[str, Any]] = []
    for row, record in touched:
        rows += facet_rows(row.seq, merge(record, edited[row.seq]))
    if rows:
        session.execute(insert(IncidentFacet), rows)


def insert_incident(session: Session, record: IncidentRecord) -> IncidentRow:
    """Store a record opened in this registry, with its facets (inside a write)."""
    stamp = now()
    row = IncidentRow(id=new_incident_id(), source=record.source, created_at=stamp)
    _fill(row, record, record.content_digest(), stamp)
    session.add(row)
    session.flush()
    _write_facets(session, [(row, record)])
    return row
