"""A longer schemathesis run than the test suite's, against a real server on 127.0.0.1.

Runs every phase (examples, coverage, fuzzing, stateful) of `schemathesis run` on the
registry's own OpenAPI spec with a valid institute token, and fails on any 5xx or any
answer that does not match the spec. Bounded by --max-examples and --max-time.

    python bench/registry_fuzz.py [--max-examples 50] [--max-time 300]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "registry")]

from _registry_server import ServerProcess  # noqa: E402

from redline.registry import TokenScope  # noqa: E402
from redline.registry.server import (  # noqa: E402
    Database,
    Settings,
    add_institute,
    register_key,
)
from redline.reports import SigningKey, sign_report_data  # noqa: E402

# Checks that need more than a schema can say (signatures, references to other
# institutes) are left out; the rest, server errors first, all run.
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance,response_headers_conformance,negative_data_rejection,"
    "use_after_free,ensure_resource_availability,ignored_auth,unsupported_method"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=50)
    parser.add_argument("--max-time", type=int, default=300)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="redline-fuzz-"))
    url = f"sqlite:///{work / 'registry.db'}"
    db = Database(Settings(database_url=url))
    db.migrate()
    # Every scope, the editor's too, so the fuzzer reaches every route's body checks.
    token = add_institute(db, "fuzz-a", "Fuzz A", scopes=[s.value for s in TokenScope])
    add_institute(db, "fuzz-b", "Fuzz B")
    key = SigningKey.from_seed(b"\x31" * 32)
    register_key(db, "fuzz-a", key.public)
    db.dispose()
    server = ServerProcess(url, work / "server.log")
    server.start()
    try:
        import httpx

        golden = json.loads((ROOT / "tests/reports/data/report.json").read_text())
        httpx.post(
            f"{server.url}/v1/reports",
            json={
                "envelope": sign_report_data(golden, key),
                "sharing": {"scope": "network"},
            },
            headers={"Authorization": f"Bearer {token}"},
        ).raise_for_status()
        result = subprocess.run(
            ["schemathesis", "run", f"{server.url}/openapi.json",
             "--header", f"Authorization: Bearer {token}",
             "--checks", CHECKS, "--max-examples", str(args.max_examples),
             "--max-time", str(args.max_time), "--generation-deterministic"],
            check=False,
            cwd=work,  # schemathesis keeps a cache folder where it runs
        )  # fmt: skip
    finally:
        server.stop()
    sys.exit(result.returncode)


if __name__ == "__main__":
    main()
