"""Economic indexes and published releases under the dashboard's paths.

`redline econ index --out DIR` writes `DIR/index.json` (aggregates only: shares of
published cells, counts, privacy settings; no conversation text, no user ids). A
published Anthropic Economic Index release is a folder holding its task-share file
(`onet_task_mappings.csv` or `task_pct_v*.csv`). The local dashboard shows every index
and release under its paths, read and cached like reports, and sets each index against
each release. The registry has no economic index publication yet, so its `/ui` has no
economic index page.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from redline.econ import (
    TASK_SHARE_FILES,
    EconIndex,
    ShareRow,
    ShareTable,
    load_index,
    load_release,
    release_modes,
    release_shares,
)
from redline.errors import RedlineError
from redline.view._source import NotFound

INDEX_FILE = "index.json"
"""The file `redline econ index` writes its index to."""
LEVEL_KEYS = ("major-group", "occupation", "task")


@dataclass(frozen=True)
class EconEntry:
    """One economic index or published release, as the pages show it."""

    id: str
    """URL-safe id, stable for as long as the file stays where it is."""
    label: str
    """The folder name: how a person tells indexes apart."""
    path: str
    kind: Literal["index", "release"]
    tables: Mapping[str, ShareTable]
    """Shares per level: `major-group`, `occupation`, `task` and `mode`."""
    automation: ShareRow | None
    """Directive plus feedback loop, as a share of the five interaction modes."""
    augmentation: ShareRow | None
    index: EconIndex | None = None
    """The index itself (privacy, counts, settings); None for a release."""

    @property
    def created_at(self) -> datetime | None:
        """When the index was built; None for a release (its name carries its date)."""
        return self.index.created_at if self.index is not None else None


def _index_entry(entry_id: str, label: str, path: str) -> EconEntry:
    index = load_index(Path(path))
    tables = {
        "major-group": index.major_groups,
        "occupation": index.occupations,
        "task": index.tasks,
        "mode": index.modes,
    }
    return EconEntry(
        entry_id, label, path, "index", tables,
        index.automation, index.augmentation, index,
    )  # fmt: skip


def _release_entry(entry_id: str, label: str, path: str) -> EconEntry:
    release = load_release(path)
    tables: dict[str, ShareTable] = {
        level: release_shares(release, level)
        for level in ("major-group", "occupation", "task")
    }
    tables["mode"], automation = release_modes(release)
    augmentation = None
    if automation is not None:
        augmentation = ShareRow(
            code="augmentation",
            title="Task iteration + Learning + Validation",
            share_pct=100 - automation.share_pct,
        )
    return EconEntry(entry_id, label, path, "release", tables, automation, augmentation)


@dataclass
class _Cached:
    stamp: tuple[int, int]
    entry: EconEntry | None
    problem: str | None


@dataclass
class EconFolder:
    """Indexes (`index.json`, searched for or given) and release folders under paths.

    Files are cached by (mtime, size) of the index or the release's share file, and
    folders searched again at most every `rescan_s` seconds, as `FolderSource` does.
    """

    paths: Sequence[Path]
    rescan_s: float = 2.0
    _cache: dict[str, _Cached] = field(default_factory=dict)
    _found: tuple[float, list[tuple[str, str]]] | None = None
    _last_problems: list[str] = field(default_factory=list)

    def _files(self) -> list[tuple[str, str]]:
        """(kind, path) of every candidate: an index file, or a release's share file."""
        now = time.monotonic()
        if self._found is not None and now - self._found[0] < self.rescan_s:
            return self._found[1]
        found: set[tuple[str, str]] = set()
        for path in self.paths:
            if path.is_file():
                found.add(("index", str(path.resolve())))
                continue
            for root, _dirs, files in os.walk(path):
                if INDEX_FILE in files:
                    found.add(("index", os.path.join(root, INDEX_FILE)))
                share = next((n for n in TASK_SHARE_FILES if n in files), None)
                if share is not None:
                    found.add(("release", os.path.join(root, share)))
        self._found = (now, sorted(found))
        return self._found[1]

    def _read(self, kind: str, name: str) -> _Cached:
        try:
            info = os.stat(name)
        except OSError as exc:
            return _Cached((0, 0), None, f"{name}: cannot read: {exc.strerror}")
        stamp = (info.st_mtime_ns, info.st_size)
        cached = self._cache.get(name)
        if cached is not None and cached.stamp == stamp:
            return cached
        path = Path(name)
        entry_id = hashlib.sha256(name.encode()).hexdigest()[:16]
        try:
            if kind == "release":
                entry = _release_entry(entry_id, path.parent.name, str(path.parent))
            else:
                label = path.parent.name if path.name == INDEX_FILE else path.stem
                entry = _index_entry(entry_id, label, name)
        except RedlineError as exc:
            cached = _Cached(stamp, None, str(exc))
        else:
            cached = _Cached(stamp, entry, None)
        self._cache[name] = cached
        return cached

    def entries(self) -> list[EconEntry]:
        """Every readable index (newest first), then every release (by name)."""
        found = [self._read(kind, name) for kind, name in self._files()]
        self._last_problems = [c.problem for c in found if c.problem is not None]
        entries = [c.entry for c in found if c.entry is not None]
        indexes = sorted(
            (e for e in entries if e.index is not None),
            key=lambda e: e.created_at or datetime.min.replace(tzinfo=UTC),
            reverse=True,
        )
        releases = sorted(
            (e for e in entries if e.index is None), key=lambda e: e.label
        )
        return [*indexes, *releases]

    def entry(self, entry_id: str) -> EconEntry:
        """One index or release by its id.

        Raises:
            NotFound: Nothing with that id under the paths.
        """
        for entry in self.entries():
            if entry.id == entry_id:
                return entry
        raise NotFound(
            f"no economic index {entry_id} under {', '.join(map(str, self.paths))}"
        )

    def problems(self) -> list[str]:
        """Files the last `entries()` could not read, one line each."""
        return list(self._last_problems)
