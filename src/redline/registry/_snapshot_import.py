"""Import an AIID snapshot into a registry: read it locally, send it in batches.

The snapshot is parsed on the caller's machine (so row problems name the caller's
file and line), then sent in batches; each batch is one transaction on the
service, so an interrupted import leaves whole batches and a re-run completes it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from redline.incidents import RowProblem, read_aiid_snapshot
from redline.registry.client import RegistryClient

AIID_SOURCE = "aiid"
DEFAULT_BATCH = 250
"""Records per request: a few hundred keeps a request well under a second."""


class SkippedIncident(BaseModel):
    """A record the service did not store, and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    external_id: str | None
    """The record's id in its source."""
    reason: str
    """What was wrong."""


class SnapshotImport(BaseModel):
    """What importing a snapshot did."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", use_attribute_docstrings=True
    )

    source: str
    """Source the records were imported as."""
    read: int
    """Records read from the snapshot."""
    new: tuple[str, ...]
    """External ids stored for the first time."""
    changed: tuple[str, ...]
    """External ids whose stored copy was updated."""
    unchanged: tuple[str, ...]
    """External ids equal to their stored copy."""
    skipped: tuple[SkippedIncident, ...]
    """Records the service refused, with reasons."""
    problems: tuple[RowProblem, ...]
    """Rows the snapshot reader could not take, with file, line and reason."""
    files: dict[str, str]
    """File name -> sha256 of every snapshot file read."""


def import_aiid_snapshot(
    client: RegistryClient,
    folder: str | Path,
    *,
    batch_size: int = DEFAULT_BATCH,
    on_batch: Callable[[int, int], None] | None = None,
) -> SnapshotImport:
    """Read an AIID snapshot folder and import its records into the registry.

    Args:
        client: A client whose token has `incidents:edit`.
        folder: The snapshot folder (`incidents.csv`, `classifications_*.csv`).
        batch_size: Records per request.
        on_batch: Called after each batch with (records sent so far, total).

    Returns:
        New, changed, unchanged and skipped records, and the reader's row problems.

    Raises:
        IncidentImportError: The folder cannot be read as a snapshot.
        RegistryError: The registry refused a batch or cannot be reached.
    """
    snapshot = read_aiid_snapshot(folder)
    records = snapshot.records
    new: list[str] = []
    changed: list[str] = []
    unchanged: list[str] = []
    skipped: list[SkippedIncident] = []
    for start in range(0, len(records), max(1, batch_size)):
        batch = records[start : start + batch_size]
        result = client.import_incidents(AIID_SOURCE, batch)
        new += result.new
        changed += result.changed
        unchanged += result.unchanged
        skipped += [
            SkippedIncident(
                external_id=s.external_id
                or (batch[s.index].external_id if s.index < len(batch) else None),
                reason=s.reason,
            )
            for s in result.skipped
        ]
        if on_batch is not None:
            on_batch(start + len(batch), len(records))
    return SnapshotImport(
        source=AIID_SOURCE,
        read=len(records),
        new=tuple(new),
        changed=tuple(changed),
        unchanged=tuple(unchanged),
        skipped=tuple(skipped),
        problems=tuple(snapshot.problems),
        files=snapshot.files,
    )
