"""Drive a real registry server on 127.0.0.1 with concurrent clients.

Prints reports published per second and p50/p99 latency of reads (fetch one report,
list a page), for SQLite and PostgreSQL. Each backend gets a fresh database and a
`redline registry serve` subprocess; reports are signed up front so the figures are
the service's, not the signer's. Every loop is bounded in count.

Each backend runs twice in the same invocation, with the transparency log off
(`REDLINE_REGISTRY_TRANSPARENCY_LOG=false`, a setting for this measurement only)
and on (the default: every publish appends an entry and answers with a signed
receipt), and the log's cost is printed as the ratio of the two throughputs.

    python bench/registry.py [--clients 8] [--publishes 300] [--reads 1500]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "registry")]

from _registry_server import ServerProcess  # noqa: E402

from helpers.postgres import start_postgres  # noqa: E402
from redline.registry.server import (  # noqa: E402
    Database,
    Settings,
    add_institute,
    register_key,
)
from redline.reports import SigningKey, sign_report_data  # noqa: E402

GOLDEN = ROOT / "tests" / "reports" / "data" / "report.json"
INSTITUTES = ("bench-a", "bench-b", "bench-c", "bench-d")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def prepare(url: str, publishes: int) -> tuple[dict[str, str], list[tuple[str, dict]]]:
    db = Database(Settings(database_url=url))
    db.migrate()
    tokens, jobs = {}, []
    golden = json.loads(GOLDEN.read_text())
    for i, slug in enumerate(INSTITUTES):
        tokens[slug] = add_institute(db, slug, slug)
        key = SigningKey.from_seed(bytes([i + 1]) * 32)
        register_key(db, slug, key.public)
    keys = {
        s: SigningKey.from_seed(bytes([i + 1]) * 32) for i, s in enumerate(INSTITUTES)
    }
    for n in range(publishes):
        slug = INSTITUTES[n % len(INSTITUTES)]
        data = copy.deepcopy(golden)
        data["created_at"] = (
            f"2026-04-{1 + n // 1440:02d}T{n // 60 % 24:02d}:{n % 60:02d}:00Z"
        )
        data["model"] = f"bench/model-{n % 10}"
        jobs.append((slug, sign_report_data(data, keys[slug])))
    db.dispose()
    return tokens, jobs


def send(http: httpx.Client, method: str, url: str, **kwargs: Any) -> httpx.Response:
    # uvicorn closes keep-alive connections idle for 5 s; on a loaded machine a
    # request can race that close. Retry it once on a fresh connection, as clients
    # do (publishing is idempotent).
    try:
        return http.request(method, url, **kwargs)
    except httpx.RemoteProtocolError:
        return http.request(method, url, **kwargs)


def run_backend(
    name: str, url: str, args: argparse.Namespace, log: Path, *, transparency: bool
) -> dict[str, Any]:
    tokens, jobs = prepare(url, args.publishes)
    server = ServerProcess(url, log)
    os.environ["REDLINE_REGISTRY_TRANSPARENCY_LOG"] = str(transparency).lower()
    try:
        server.start()
    finally:
        del os.environ["REDLINE_REGISTRY_TRANSPARENCY_LOG"]
    local = threading.local()

    def client(slug: str) -> httpx.Client:
        if not hasattr(local, "clients"):
            local.clients = {}
        if slug not in local.clients:
            local.clients[slug] = httpx.Client(
                base_url=server.url,
                headers={"Authorization": f"Bearer {tokens[slug]}"},
                timeout=60,
            )
        return local.clients[slug]

    ids: list[str] = []
    publish_latency: list[float] = []

    def publish(job: tuple[str, dict]) -> None:
        slug, envelope = job
        start = time.perf_counter()
        r = send(
            client(slug),
            "POST",
            "/v1/reports",
            json={"envelope": envelope, "sharing": {"scope": "network"}},
        )
        publish_latency.append(time.perf_counter() - start)
        r.raise_for_status()
        ids.append(r.json()["report"]["id"])
        assert (r.json()["log"] is not None) is transparency

    try:
        with ThreadPoolExecutor(args.clients) as pool:
            start = time.perf_counter()
            list(pool.map(publish, jobs))
            publish_s = time.perf_counter() - start

        fetch_latency: list[float] = []
        list_latency: list[float] = []

        def read(n: int) -> None:
            slug = INSTITUTES[n % len(INSTITUTES)]
            start = time.perf_counter()
            if n % 2:
                r = send(client(slug), "GET", f"/v1/reports/{ids[n % len(ids)]}")
                r.raise_for_status()
                fetch_latency.append(time.perf_counter() - start)
            else:
                r = send(
                    client(slug),
                    "GET",
                    "/v1/reports",
                    params={"model": f"bench/model-{n % 10}", "limit": 20},
                )
                r.raise_for_status()
                list_latency.append(time.perf_counter() - start)

        with ThreadPoolExecutor(args.clients) as pool:
            start = time.perf_counter()
            list(pool.map(read, range(args.reads)))
            read_s = time.perf_counter() - start
    finally:
        server.stop()
    ms = 1000.0
    return {
        "backend": name,
        "log": "on" if transparency else "off",
        "publishes_per_s": len(jobs) / publish_s,
        "publish_p50_ms": statistics.median(publish_latency) * ms,
        "publish_p99_ms": percentile(publish_latency, 0.99) * ms,
        "reads_per_s": args.reads / read_s,
        "fetch_p50_ms": statistics.median(fetch_latency) * ms,
        "fetch_p99_ms": percentile(fetch_latency, 0.99) * ms,
        "list_p50_ms": statistics.median(list_latency) * ms,
        "list_p99_ms": percentile(list_latency, 0.99) * ms,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--publishes", type=int, default=300)
    parser.add_argument("--reads", type=int, default=1500)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--json", action="store_true", help="Print results as JSON.")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="redline-bench-"))
    results = []
    for backend in args.backends.split(","):
        pg = None if backend == "sqlite" else start_postgres(durable=True)
        try:
            for transparency in (False, True):
                mode = "log" if transparency else "nolog"
                url = (
                    f"sqlite:///{work / f'registry-{mode}.db'}"
                    if pg is None
                    else pg.create_database()
                )
                results.append(
                    run_backend(
                        backend,
                        url,
                        args,
                        work / f"{backend}-{mode}.log",
                        transparency=transparency,
                    )
                )
        finally:
            if pg is not None:
                pg.stop()
    if args.json:
        print(json.dumps(results, indent=2))
        return
    size = GOLDEN.stat().st_size // 1024
    print(
        f"registry bench: {args.clients} concurrent clients on 127.0.0.1, "
        f"{args.publishes} signed reports (~{size} KiB each), {args.reads} reads"
    )
    header = (
        f"{'backend':<11} {'log':<4} {'publish/s':>9} {'pub p50':>8} {'pub p99':>8} "
        f"{'read/s':>7} {'fetch p50':>9} {'fetch p99':>9} {'list p50':>8} {'list p99':>8}"
    )
    print(header)
    for r in results:
        print(
            f"{r['backend']:<11} {r['log']:<4} {r['publishes_per_s']:>9.1f} {r['publish_p50_ms']:>6.1f}ms "
            f"{r['publish_p99_ms']:>6.1f}ms {r['reads_per_s']:>7.1f} {r['fetch_p50_ms']:>7.1f}ms "
            f"{r['fetch_p99_ms']:>7.1f}ms {r['list_p50_ms']:>6.1f}ms {r['list_p99_ms']:>6.1f}ms"
        )

    for backend in dict.fromkeys(r["backend"] for r in results):
        by_log = {r["log"]: r for r in results if r["backend"] == backend}
        if {"on", "off"} <= set(by_log):
            ratio = by_log["on"]["publishes_per_s"] / by_log["off"]["publishes_per_s"]
            print(
                f"{backend}: publish throughput with the transparency log = "
                f"{ratio:.2f} x without it (same run)"
            )


if __name__ == "__main__":
    main()
