"""Time importing the whole AIID snapshot into a real registry server, twice.

The first import stores every incident; the second must change nothing (every
record unchanged by content digest) and should cost a fraction of the first. Each
backend gets a fresh database and a `redline registry serve` subprocess on
127.0.0.1; the import runs through the client as `redline incidents import` does.
Prints seconds per import, the second-to-first ratio, and the counts.

    python bench/incidents_import.py [--postgres] [--batch-size 250]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "registry")]

from _registry_server import ServerProcess  # noqa: E402

from helpers.postgres import start_postgres  # noqa: E402
from redline.registry import RegistryClient  # noqa: E402
from redline.registry._snapshot_import import import_aiid_snapshot  # noqa: E402
from redline.registry.server import Database, Settings, add_institute  # noqa: E402

AIID = ROOT.parent / "shared" / "data" / "aiid"
BUDGET_S = 60.0
"""The issue's bar: the whole snapshot imports in under a minute."""


def run_backend(name: str, url: str, batch_size: int, log: Path) -> dict[str, float]:
    db = Database(Settings(database_url=url))
    db.migrate()
    token = add_institute(db, "bench-editor", "Bench", scopes=["incidents:edit"])
    db.dispose()
    server = ServerProcess(url, log)
    server.start()
    try:
        with RegistryClient(server.url, token, timeout=120) as client:
            started = time.perf_counter()
            first = import_aiid_snapshot(client, AIID, batch_size=batch_size)
            first_s = time.perf_counter() - started
            started = time.perf_counter()
            second = import_aiid_snapshot(client, AIID, batch_size=batch_size)
            second_s = time.perf_counter() - started
    finally:
        server.stop()
    if len(first.new) != first.read:
        sys.exit(f"{name}: the first import did not store every record")
    if second.new or second.changed:
        sys.exit(f"{name}: the second import changed stored data")
    print(
        f"{name:10s} records {first.read}  first {first_s:6.2f} s "
        f"(new {len(first.new)}, skipped {len(first.skipped)}, "
        f"row problems {len(first.problems)})  "
        f"second {second_s:6.2f} s (unchanged {len(second.unchanged)})  "
        f"second/first {second_s / first_s:.2f}  "
        f"{'within' if first_s < BUDGET_S else 'OVER'} the {BUDGET_S:.0f} s budget"
    )
    return {"first_s": first_s, "second_s": second_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="Also on PostgreSQL.")
    parser.add_argument("--batch-size", type=int, default=250)
    args = parser.parse_args()
    if not (AIID / "incidents.csv").is_file():
        sys.exit(f"{AIID}: the AIID snapshot is missing")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        run_backend(
            "sqlite",
            f"sqlite:///{folder / 'registry.db'}",
            args.batch_size,
            folder / "sqlite.log",
        )
        if args.postgres:
            postgres = start_postgres(durable=True)
            try:
                run_backend(
                    "postgresql",
                    postgres.create_database(),
                    args.batch_size,
                    folder / "postgres.log",
                )
            finally:
                postgres.stop()


if __name__ == "__main__":
    main()
