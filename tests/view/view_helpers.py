"""Report files for dashboard tests: variants of the golden report, written to disk."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

GOLDEN = Path(__file__).resolve().parents[1] / "reports" / "data" / "report.json"


def golden() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return data


def write_run(
    runs: Path, name: str, minutes: int = 0, **changes: Any
) -> tuple[Path, dict[str, Any]]:
    """A run folder `runs/name/report.json` holding a distinct golden variant."""
    data = copy.deepcopy(golden())
    when = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    data["created_at"] = when.isoformat().replace("+00:00", "Z")
    data.update(changes)
    folder = runs / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.json").write_text(json.dumps(data), encoding="utf-8")
    return folder / "report.json", data
