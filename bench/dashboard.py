"""Server time of the dashboard's pages at 10, 100 and 1,000 stored reports.

For `redline view` (run folders on disk) and the registry's `/ui` (SQLite), the list,
report and compare pages are requested in-process (the app's own handling, without a
network hop) many times; p50 and p95 are printed beside the baseline measured in the
same run: reading the same report files from disk with `json.load`, which is what any
page over those reports must at least do once. The list page at 1,000 reports must stay
under 300 ms at p95. `redline view` lists every report on one page; the registry's list
is one keyset page (the API's page size) with a link to the next.

Usage: python bench/dashboard.py [--sizes 10,100,1000] [--repeats 30]
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from redline.registry._api import MAX_PAGE
from redline.registry.server import (
    Database,
    Settings,
    add_institute,
    create_app,
    register_key,
)
from redline.reports import SigningKey, sign_report_data
from redline.view import create_view_app

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "reports" / "data" / "report.json"
LIST_BUDGET_MS = 300.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(call: Callable[[], Any], repeats: int) -> list[float]:
    call()  # warm: first request fills caches and compiles templates
    out = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def variants(n: int) -> list[dict[str, Any]]:
    golden = json.loads(GOLDEN.read_text())
    out = []
    for i in range(n):
        data = copy.deepcopy(golden)
        data["created_at"] = (
            f"2026-04-{1 + i // 1440:02d}T{i // 60 % 24:02d}:{i % 60:02d}:00Z"
        )
        data["model"] = f"bench/model-{i % 10}"
        out.append(data)
    return out


def write_runs(root: Path, reports: list[dict[str, Any]]) -> list[Path]:
    files = []
    for i, data in enumerate(reports):
        folder = root / f"run-{i:05d}"
        folder.mkdir(parents=True)
        (folder / "report.json").write_text(json.dumps(data, indent=2))
        files.append(folder / "report.json")
    return files


def ids_on(html: str, marker: str) -> list[str]:
    out = []
    for part in html.split(marker)[1:]:
        out.append(part.split('"', 1)[0])
    return out


def bench_view(root: Path, files: list[Path], repeats: int) -> dict[str, list[float]]:
    client = TestClient(create_view_app([root]))
    listed = client.get("/")
    assert listed.status_code == 200
    ids = ids_on(listed.text, '<tr data-id="')
    assert len(ids) == len(files), (len(ids), len(files))
    return {
        "list": timed(lambda: client.get("/").raise_for_status(), repeats),
        "report": timed(
            lambda: client.get(f"/reports/{ids[0]}").raise_for_status(), repeats
        ),
        "compare": timed(
            lambda: client.get("/compare", params={"id": ids[:2]}).raise_for_status(),
            repeats,
        ),
    }


def bench_registry(
    tmp: Path, reports: list[dict[str, Any]], repeats: int
) -> dict[str, list[float]]:
    settings = Settings(database_url=f"sqlite:///{tmp / 'registry.db'}")
    db = Database(settings)
    db.migrate()
    token = add_institute(db, "bench-a", "bench-a")
    key = SigningKey.from_seed(bytes([7]) * 32)
    register_key(db, "bench-a", key.public)
    app = create_app(settings, database=db)
    client = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    for data in reports:
        body = {
            "envelope": sign_report_data(data, key),
            "sharing": {"scope": "network"},
        }
        client.post("/v1/reports", json=body).raise_for_status()
    listed = client.get("/ui/")
    ids = ids_on(listed.text, '<tr data-id="')
    # The registry's list page is one keyset page of the API's own size.
    assert len(ids) == min(len(reports), MAX_PAGE), (len(ids), len(reports))
    return {
        "list": timed(lambda: client.get("/ui/").raise_for_status(), repeats),
        "report": timed(
            lambda: client.get(f"/ui/reports/{ids[0]}").raise_for_status(), repeats
        ),
        "compare": timed(
            lambda: client.get(
                "/ui/compare", params={"id": ids[:2]}
            ).raise_for_status(),
            repeats,
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    over_budget = False
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "runs"
            reports = variants(n)
            files = write_runs(root, reports)

            def load_all(paths: list[Path] = files) -> None:
                for p in paths:
                    with p.open() as f:
                        json.load(f)

            baseline = timed(load_all, max(5, args.repeats // 3))
            base50 = statistics.median(baseline)
            rows.append(
                (n, "baseline", "json.load all", base50, percentile(baseline, 0.95))
            )
            for where, result in (
                ("view", bench_view(root, files, args.repeats)),
                ("registry /ui", bench_registry(Path(tmp), reports, args.repeats)),
            ):
                for page, times in result.items():
                    p95 = percentile(times, 0.95)
                    rows.append((n, where, page, statistics.median(times), p95))
                    if page == "list" and n >= 1000 and p95 >= LIST_BUDGET_MS:
                        over_budget = True
    print(
        f"{'reports':>7}  {'app':<13} {'page':<14} {'p50 ms':>9} {'p95 ms':>9} {'p50/base':>9}"
    )
    baselines = {n: p50 for n, where, _, p50, _ in rows if where == "baseline"}
    for n, where, page, p50, p95 in rows:
        ratio = p50 / baselines[n] if baselines[n] else float("nan")
        print(f"{n:>7}  {where:<13} {page:<14} {p50:>9.1f} {p95:>9.1f} {ratio:>9.2f}")
    print(
        f"list page at 1000 reports, p95 budget {LIST_BUDGET_MS:.0f} ms: "
        + ("EXCEEDED" if over_budget else "met")
    )
    if over_budget:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
