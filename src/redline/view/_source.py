"""Where the dashboard's reports come from: run folders on disk, or a registry.

The pages only ever see a `ReportSource`. A source decides what exists for its reader:
the folder source shows every report under its paths; the registry's source (defined
by the registry, which mounts the UI) answers with exactly what the caller's token may
read, through the registry's own queries. The UI therefore never holds a visibility
rule of its own.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from redline.errors import InputError, RedlineError
from redline.frameworks import Verdict
from redline.reports import Report, is_redacted, read_report_file

VERDICTS: tuple[str, ...] = tuple(v.value for v in Verdict)


class NotFound(RedlineError):
    """The page asks for something this reader cannot see (or that does not exist)."""


@dataclass(frozen=True)
class ReportEntry:
    """One assessment as the list page shows it."""

    id: str
    """URL-safe id, stable for as long as the report stays where it is."""
    label: str
    """Run folder, file name or registry id: how a person tells reports apart."""
    model: str
    framework: str
    framework_version: str
    created_at: datetime
    decision: str
    counts: Mapping[str, int]
    """Thresholds per verdict."""
    redacted: bool
    origin: str = ""
    """Where it came from: a path, or the publishing institute."""


class ReportSource(Protocol):
    """What the report pages read; one per request, scoped to its reader."""

    @property
    def inspect_url(self) -> str | None:
        """Base URL of an Inspect View serving the logs, or None where logs are remote."""
        ...

    def entries(self) -> Sequence[ReportEntry]:
        """Every report this reader may see."""
        ...

    def report(self, entry_id: str) -> tuple[ReportEntry, Report]:
        """One report this reader may see.

        Raises:
            NotFound: No such report, or not visible to this reader.
        """
        ...

    def problems(self) -> Sequence[str]:
        """One line per report file that could not be read (file and field)."""
        ...


class RegistryData(Protocol):
    """The registry-only pages' data, as JSON-ready dicts, already scoped to the reader.

    Each method raises `NotFound` for what the reader may not see, and the registry's
    own errors (with an HTTP `status`) for refusals such as a missing token scope.
    """

    def exercises(self) -> list[dict[str, Any]]:
        """Exercises the reader takes part in."""
        ...

    def exercise(self, exercise_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """An exercise and its agreement statistics."""
        ...

    def incidents(self, filters: Mapping[str, str]) -> dict[str, Any]:
        """One page of incidents matching the filters."""
        ...

    def incident(self, ref: str) -> dict[str, Any]:
        """One incident with its reports and classifications."""
        ...

    def trends(self, filters: Mapping[str, str]) -> dict[str, Any]:
        """Incident counts per period and group, over the filtered incidents."""
        ...


TOKEN_COOKIE = "redline_token"
"""Cookie the registry UI keeps the reader's API token in (HttpOnly, same-site)."""


class TokenGate(Protocol):
    """How the registry UI tells who is reading."""

    def who(self, request: Any) -> str | None:
        """The reading institute of a request, or None when anonymous."""
        ...

    def check(self, token: str) -> str:
        """The institute a token belongs to.

        Raises:
            RedlineError: The token is malformed, unknown or revoked.
        """
        ...


def verdict_counts(report: Report) -> dict[str, int]:
    """Thresholds per verdict, every verdict present (zero when none)."""
    counts = dict.fromkeys(VERDICTS, 0)
    for t in report.thresholds:
        counts[str(t.verdict)] += 1
    return counts


def entry_of(entry_id: str, label: str, report: Report, origin: str) -> ReportEntry:
    """The list-page entry of a report."""
    return ReportEntry(
        id=entry_id,
        label=label,
        model=report.model,
        framework=report.framework.id,
        framework_version=report.framework.version,
        created_at=report.created_at,
        decision=str(report.decision),
        counts=verdict_counts(report),
        redacted=is_redacted(report),
        origin=origin,
    )


@dataclass
class _Cached:
    stamp: tuple[int, int]
    entry: ReportEntry | None
    report: Report | None
    problem: str | None


@dataclass
class FolderSource:
    """Reports under run folders and report files, re-read only when a file changes.

    A folder is searched recursively for `report.json` (as `redline assess` writes it);
    a file is read as a report, plain or signed. Files are cached by (mtime, size), so
    a page over a thousand reports costs one `stat` each, not one parse each.
    """

    paths: Sequence[Path]
    inspect_url: str | None = None
    _cache: dict[Path, _Cached] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for path in self.paths:
            if not path.exists():
                raise InputError(f"{path}: no such run folder or report file")

    def _files(self) -> list[Path]:
        found: list[Path] = []
        for path in self.paths:
            if path.is_file():
                found.append(path.resolve())
                continue
            for root, _dirs, files in os.walk(path):
                if "report.json" in files:
                    found.append((Path(root) / "report.json").resolve())
        return sorted(set(found))

    def _read(self, path: Path) -> _Cached:
        try:
            info = path.stat()
        except OSError as exc:
            return _Cached((0, 0), None, None, f"{path}: cannot read: {exc.strerror}")
        stamp = (info.st_mtime_ns, info.st_size)
        cached = self._cache.get(path)
        if cached is not None and cached.stamp == stamp:
            return cached
        entry_id = hashlib.sha256(str(path).encode()).hexdigest()[:16]
        label = path.parent.name if path.name == "report.json" else path.name
        try:
            report, _envelope = read_report_file(path)
        except RedlineError as exc:
            cached = _Cached(stamp, None, None, str(exc))
        else:
            entry = entry_of(entry_id, label, report, str(path))
            cached = _Cached(stamp, entry, report, None)
        self._cache[path] = cached
        return cached

    def _all(self) -> list[_Cached]:
        return [self._read(path) for path in self._files()]

    def entries(self) -> list[ReportEntry]:
        """Every readable report under the paths."""
        return [c.entry for c in self._all() if c.entry is not None]

    def report(self, entry_id: str) -> tuple[ReportEntry, Report]:
        """One report by its id."""
        for cached in self._all():
            if cached.entry is not None and cached.entry.id == entry_id:
                assert cached.report is not None
                return cached.entry, cached.report
        raise NotFound(f"no report {entry_id} under {', '.join(map(str, self.paths))}")

    def problems(self) -> list[str]:
        """Report files that could not be read, one line each."""
        return [c.problem for c in self._all() if c.problem is not None]
