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
import time
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

    def listing(
        self, filters: Mapping[str, str], cursor: str | None
    ) -> tuple[Sequence[ReportEntry], str | None]:
        """One page of the reports matching the list page's filters, and the next cursor.

        Filters: `model`, `framework`, `decision` (exact), `date_from` and `date_to`
        (ISO dates, inclusive). A source that holds few reports answers them all at once.
        """
        ...

    def report(self, entry_id: str) -> tuple[ReportEntry, Report]:
        """One report this reader may see.

        Raises:
            NotFound: No such report, or not visible to this reader.
        """
        ...

    def problems(self) -> Sequence[str]:
        """Report files the last `entries()` met but could not read (file and field)."""
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


def filter_entries(
    entries: Sequence[ReportEntry], filters: Mapping[str, str]
) -> list[ReportEntry]:
    """The entries matching the list page's filters (see `ReportSource.listing`)."""
    out = list(entries)
    for key in ("model", "framework", "decision"):
        wanted = filters.get(key)
        if wanted:
            out = [e for e in out if getattr(e, key) == wanted]
    since, until = filters.get("date_from"), filters.get("date_to")
    if since:
        out = [e for e in out if e.created_at.date().isoformat() >= since]
    if until:
        out = [e for e in out if e.created_at.date().isoformat() <= until]
    return out


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
    a page over a thousand reports costs one `stat` each, not one parse each; folders
    are searched again at most every `rescan_s` seconds, so a new run shows up within
    that time and a changed report at once.
    """

    paths: Sequence[Path]
    inspect_url: str | None = None
    rescan_s: float = 2.0
    _cache: dict[str, _Cached] = field(default_factory=dict)
    _last_problems: list[str] = field(default_factory=list)
    _found: tuple[float, list[str]] | None = None

    def __post_init__(self) -> None:
        for path in self.paths:
            if not path.exists():
                raise InputError(f"{path}: no such run folder or report file")
        self.paths = [path.resolve() for path in self.paths]

    def _files(self) -> list[str]:
        now = time.monotonic()
        if self._found is not None and now - self._found[0] < self.rescan_s:
            return self._found[1]
        found: set[str] = set()
        for path in self.paths:
            if path.is_file():
                found.add(str(path))
                continue
            for root, _dirs, files in os.walk(path):
                if "report.json" in files:
                    found.add(os.path.join(root, "report.json"))
        self._found = (now, sorted(found))
        return self._found[1]

    def _read(self, name: str) -> _Cached:
        try:
            info = os.stat(name)
        except OSError as exc:
            return _Cached((0, 0), None, None, f"{name}: cannot read: {exc.strerror}")
        stamp = (info.st_mtime_ns, info.st_size)
        cached = self._cache.get(name)
        if cached is not None and cached.stamp == stamp:
            return cached
        path = Path(name)
        entry_id = hashlib.sha256(name.encode()).hexdigest()[:16]
        label = path.parent.name if path.name == "report.json" else path.name
        try:
            report, _envelope = read_report_file(path)
        except RedlineError as exc:
            cached = _Cached(stamp, None, None, str(exc))
        else:
            cached = _Cached(
                stamp, entry_of(entry_id, label, report, name), report, None
            )
        self._cache[name] = cached
        return cached

    def _all(self) -> list[_Cached]:
        found = [self._read(name) for name in self._files()]
        self._last_problems = [c.problem for c in found if c.problem is not None]
        return found

    def entries(self) -> list[ReportEntry]:
        """Every readable report under the paths."""
        return [c.entry for c in self._all() if c.entry is not None]

    def listing(
        self, filters: Mapping[str, str], cursor: str | None
    ) -> tuple[list[ReportEntry], str | None]:
        """Every readable report matching the filters, in one page."""
        del cursor  # one page holds them all
        return filter_entries(self.entries(), filters), None

    def report(self, entry_id: str) -> tuple[ReportEntry, Report]:
        """One report by its id."""
        for cached in self._all():
            if cached.entry is not None and cached.entry.id == entry_id:
                assert cached.report is not None
                return cached.entry, cached.report
        raise NotFound(f"no report {entry_id} under {', '.join(map(str, self.paths))}")

    def problems(self) -> list[str]:
        """Report files the last `entries()` could not read, one line each."""
        return list(self._last_problems)
