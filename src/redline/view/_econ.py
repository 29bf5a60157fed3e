"""Economic indexes under the dashboard's paths: found, read and cached like reports.

`redline econ index --out DIR` writes `DIR/index.json` (aggregates only: shares of
published cells, counts, privacy settings; no conversation text, no user ids). The
local dashboard shows every such file under its paths. The registry has no economic
index publication yet, so its `/ui` has no economic index page.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from redline.econ import EconIndex, load_index
from redline.errors import RedlineError
from redline.view._source import NotFound

INDEX_FILE = "index.json"
"""The file `redline econ index` writes its index to."""


@dataclass(frozen=True)
class EconEntry:
    """One economic index as the pages show it."""

    id: str
    """URL-safe id, stable for as long as the file stays where it is."""
    label: str
    """The index's folder name: how a person tells indexes apart."""
    path: str
    index: EconIndex


@dataclass
class _Cached:
    stamp: tuple[int, int]
    entry: EconEntry | None
    problem: str | None


@dataclass
class EconFolder:
    """Economic index files under folders (searched for `index.json`) and given files.

    Files are cached by (mtime, size) and folders searched again at most every
    `rescan_s` seconds, as `FolderSource` does for reports.
    """

    paths: Sequence[Path]
    rescan_s: float = 2.0
    _cache: dict[str, _Cached] = field(default_factory=dict)
    _found: tuple[float, list[str]] | None = None
    _last_problems: list[str] = field(default_factory=list)

    def _files(self) -> list[str]:
        now = time.monotonic()
        if self._found is not None and now - self._found[0] < self.rescan_s:
            return self._found[1]
        found: set[str] = set()
        for path in self.paths:
            if path.is_file():
                found.add(str(path.resolve()))
                continue
            for root, _dirs, files in os.walk(path):
                if INDEX_FILE in files:
                    found.add(os.path.join(root, INDEX_FILE))
        self._found = (now, sorted(found))
        return self._found[1]

    def _read(self, name: str) -> _Cached:
        try:
            info = os.stat(name)
        except OSError as exc:
            return _Cached((0, 0), None, f"{name}: cannot read: {exc.strerror}")
        stamp = (info.st_mtime_ns, info.st_size)
        cached = self._cache.get(name)
        if cached is not None and cached.stamp == stamp:
            return cached
        path = Path(name)
        try:
            index = load_index(path)
        except RedlineError as exc:
            cached = _Cached(stamp, None, str(exc))
        else:
            entry_id = hashlib.sha256(name.encode()).hexdigest()[:16]
            label = path.parent.name if path.name == INDEX_FILE else path.stem
            cached = _Cached(stamp, EconEntry(entry_id, label, name, index), None)
        self._cache[name] = cached
        return cached

    def entries(self) -> list[EconEntry]:
        """Every readable index under the paths, newest first."""
        found = [self._read(name) for name in self._files()]
        self._last_problems = [c.problem for c in found if c.problem is not None]
        entries = [c.entry for c in found if c.entry is not None]
        entries.sort(key=lambda e: e.index.created_at, reverse=True)
        return entries

    def entry(self, entry_id: str) -> EconEntry:
        """One index by its id.

        Raises:
            NotFound: No index with that id under the paths.
        """
        for entry in self.entries():
            if entry.id == entry_id:
                return entry
        raise NotFound(
            f"no economic index {entry_id} under {', '.join(map(str, self.paths))}"
        )

    def problems(self) -> list[str]:
        """Index files the last `entries()` could not read, one line each."""
        return list(self._last_problems)
