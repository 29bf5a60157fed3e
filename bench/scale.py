"""Scale-out benchmark: N samples at a fixed model latency, single process vs. Ray.

Against a loopback OpenAI-compatible mock server (fixed latency, asyncio, in a process
of its own) with 50 connections in all, the same samples run as: plain Inspect
(`inspect_ai.eval`), `redline assess` in one process, and `redline assess --ray` on a
local Ray with 1 and 2 workers; plain Inspect again flushing its log after every
sample, as Redline does, to show what that costs.

Every row is timed in phases. `start`: Ray's cluster start (`ray.init`). `warm-up`:
each process that runs samples imports Inspect and Redline and runs a 4-sample Inspect
eval, so that first-call costs (lazy imports, the model client) land here for every
row alike: the driver once before all rows, each Ray worker in its own row.
`samples`: the measured run. `all in` is the sum; `steady` is samples only. The CPU
table splits each row's CPU time by process (driver, mock server, Ray workers, Ray's
daemons, everything else on the machine), in cores (CPU seconds / samples wall time).

Run it inside a loopback-only network namespace, as root:
    unshare -n bash -c 'ip link set lo up; python bench/scale.py --n 1000'
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

TASK_FILE = Path(__file__).resolve().parent / "_scale_task.py"
SERVER_FILE = Path(__file__).resolve().parent / "_scale_server.py"
MODEL = "openai-api/mock/bench"
WARM_UP_SAMPLES = 4

FRAMEWORK = """\
id: scale-bench
name: Scale-out benchmark
version: "1"
domains: [{{id: everyday}}]
thresholds:
  - id: E-1
    domain: everyday
    name: e
    severity: requires_safeguards
    rules:
      - {{task: "{task}@scale_bench", args: {{n: {n}}}, metric: accuracy, comparator: "<", cutoff: 0.5}}
"""

CATEGORIES = ("driver", "mock server", "ray workers", "ray daemons", "others")


def warm_up(log_dir: str, connections: int) -> int:
    """Imports and one small Inspect eval in this process; returns its pid."""
    from inspect_ai import eval as inspect_eval

    import redline.evals
    import redline.scale  # noqa: F401

    inspect_eval(
        f"{TASK_FILE}@scale_bench",
        task_args={"n": WARM_UP_SAMPLES},
        model=MODEL,
        max_connections=connections,
        log_dir=log_dir,
        display="none",
    )
    return os.getpid()


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


@dataclass
class CpuMeter:
    """CPU seconds per process category between `start` and `stop`."""

    server_pid: int
    before: dict[int, float] = field(default_factory=dict)
    machine_before: float = 0.0
    used: dict[str, float] = field(default_factory=dict)
    machine: float = 0.0

    def _snapshot(self) -> dict[int, float]:
        seen: dict[int, float] = {}
        for process in psutil.process_iter():
            try:
                seen[process.pid] = _cpu_seconds(process)
            except psutil.Error:
                continue
        return seen

    def _category(self, pid: int, ours: set[int]) -> str:
        if pid == os.getpid():
            return "driver"
        if pid == self.server_pid:
            return "mock server"
        if pid not in ours:
            return "others"
        try:
            title = " ".join(psutil.Process(pid).cmdline())
        except psutil.Error:
            return "ray daemons"
        return "ray workers" if title.startswith("ray::") else "ray daemons"

    @staticmethod
    def _machine_busy() -> float:
        # Time the hypervisor stole, and guest time (already in user), are not work here.
        times = psutil.cpu_times()._asdict()
        return float(
            sum(times.get(f, 0.0) for f in ("user", "nice", "system", "irq", "softirq"))
        )

    def start(self) -> None:
        self.before = self._snapshot()
        self.machine_before = self._machine_busy()

    def stop(self) -> None:
        after = self._snapshot()
        self.machine = self._machine_busy() - self.machine_before
        ours = {p.pid for p in psutil.Process().children(recursive=True)}
        self.used = dict.fromkeys(CATEGORIES, 0.0)
        for pid, seconds in after.items():
            delta = seconds - self.before.get(pid, 0.0)
            if delta > 0:
                self.used[self._category(pid, ours)] += delta


@dataclass
class Row:
    name: str
    processes: int = 1
    """Processes that run samples."""
    start: float = 0.0
    warm: float = 0.0
    samples: float = 0.0
    done: int = 0
    cpu: dict[str, float] = field(default_factory=dict)
    machine_cpu: float = 0.0

    @property
    def all_in(self) -> float:
        return self.start + self.warm + self.samples


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    value = fn()
    return time.perf_counter() - began, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="samples (default 1000)")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per call")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument(
        "--rows",
        default="plain,plain1,single,ray1,ray2",
        help="rows to run, comma-separated (plain, plain1, single, ray1, ray2)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="profile the 1-process run"
    )
    args = parser.parse_args()
    wanted = args.rows.split(",")

    server = subprocess.Popen(
        [
            sys.executable,
            str(SERVER_FILE),
            f"--latency={args.latency}",
            "--answer=Sorry, labels vary.",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    base_url = server.stdout.readline().strip()
    os.environ["MOCK_API_KEY"] = "bench"
    os.environ["MOCK_BASE_URL"] = base_url
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    work = Path(tempfile.mkdtemp(prefix="redline-scale-"))
    framework = work / "framework.yaml"
    framework.write_text(FRAMEWORK.format(task=TASK_FILE, n=args.n), encoding="utf-8")

    import ray
    from inspect_ai import eval as inspect_eval

    from redline.assess import AssessOptions, assess
    from redline.evals import RunOptions
    from redline.scale import RayOptions, run_assessment_on_ray

    run = RunOptions(
        model=MODEL,
        max_connections=args.connections,
        sequential=False,
        display="none",
    )

    def options(name: str) -> AssessOptions:
        return AssessOptions(framework=framework, out=work / name, run=run)

    def plain(log_buffer: int | None) -> Callable[[], int]:
        def go() -> int:
            logs = inspect_eval(
                f"{TASK_FILE}@scale_bench",
                task_args={"n": args.n},
                model=MODEL,
                max_connections=args.connections,
                log_dir=str(work / f"plain-{log_buffer}"),
                display="none",
                log_buffer=log_buffer,
            )
            return len(logs[0].samples or [])

        return go

    def single() -> int:
        return len(assess(options("single")).suites[0].samples)

    def in_process(name: str, fn: Callable[[], int]) -> Callable[[Row], None]:
        def go(row: Row) -> None:
            if args.profile and name == "single":
                profiler = cProfile.Profile()
                profiler.enable()
                row.samples, row.done = _timed(fn)
                profiler.disable()
                stats = pstats.Stats(profiler, stream=sys.stderr)
                stats.sort_stats("cumulative").print_stats(25)
            else:
                row.samples, row.done = _timed(fn)

        return go

    def on_ray(workers: int) -> Callable[[Row], None]:
        def go(row: Row) -> None:
            row.processes = workers
            row.start, _ = _timed(
                lambda: ray.init(
                    num_cpus=workers, include_dashboard=False, logging_level="ERROR"
                )
            )
            warm = ray.remote(num_cpus=1)(warm_up)
            try:
                # One warm-up per worker process: repeat until every worker has had one.
                pids: set[int] = set()

                def warm_all() -> None:
                    while len(pids) < workers:
                        pids.update(
                            ray.get(
                                [
                                    warm.remote(str(work / "warm"), args.connections)
                                    for _ in range(workers)
                                ]
                            )
                        )

                row.warm, _ = _timed(warm_all)
                meter.start()
                row.samples, report = _timed(
                    lambda: run_assessment_on_ray(
                        options(f"ray{workers}"), RayOptions(shards=workers)
                    )
                )
                row.done = len(report.suites[0].samples)
            finally:
                meter.stop()
                ray.shutdown()

        return go

    rows_to_run: list[tuple[str, str, Callable[[Row], None]]] = [
        ("plain", "plain Inspect", in_process("plain", plain(None))),
        # Redline flushes the log after every sample, so a killed run loses only the
        # samples in flight; each flush rewrites the log file (Inspect's .eval).
        ("plain1", "plain, flush every sample", in_process("plain1", plain(1))),
        ("single", "redline, 1 process", in_process("single", single)),
        ("ray1", "redline --ray, 1 worker", on_ray(1)),
        ("ray2", "redline --ray, 2 workers", on_ray(2)),
    ]
    meter = CpuMeter(server.pid)
    driver_warm, _ = _timed(lambda: warm_up(str(work / "warm"), args.connections))
    rows: list[Row] = []
    for key, name, go in rows_to_run:
        if key not in wanted:
            continue
        row = Row(name)
        meter.start()
        go(row)
        if not key.startswith("ray"):
            meter.stop()
        row.cpu, row.machine_cpu = dict(meter.used), meter.machine
        rows.append(row)
    assert server.stdin is not None
    server.stdin.close()
    server.wait(timeout=30)
    shutil.rmtree(work, ignore_errors=True)
    _print(rows, args, driver_warm)


def _print(rows: list[Row], args: argparse.Namespace, driver_warm: float) -> None:
    limit = args.n * args.latency / args.connections
    base = next((r for r in rows if r.name == "redline, 1 process"), rows[0])
    print(
        f"N={args.n} samples, latency {args.latency * 1000:.0f} ms, "
        f"{args.connections} connections; physical limit {limit:.2f} s; "
        f"driver warm-up {driver_warm:.2f} s (before all rows, not in any)"
    )
    print(
        f"{'run':<25} {'start s':>7} {'warm s':>6} {'samples s':>9} {'all in s':>8} "
        f"{'all in/s':>8} {'steady/s':>8} {'x limit':>7} "
        f"{'vs 1 proc all in':>16} {'steady':>6}"
    )
    for r in rows:
        print(
            f"{r.name:<25} {r.start:7.2f} {r.warm:6.2f} {r.samples:9.2f} "
            f"{r.all_in:8.2f} {r.done / r.all_in:8.1f} {r.done / r.samples:8.1f} "
            f"{r.samples / limit:7.2f} "
            f"{(r.done / r.all_in) / (base.done / base.all_in):15.2f}x "
            f"{(r.done / r.samples) / (base.done / base.samples):5.2f}x"
        )
    print(
        "CPU during the samples phase, in cores (CPU s / samples wall s); "
        f"the machine has {psutil.cpu_count()} cores"
    )
    print(f"{'run':<25} " + " ".join(f"{c:>11}" for c in CATEGORIES) + "   machine")
    for r in rows:
        cores = [r.cpu.get(c, 0.0) / r.samples for c in CATEGORIES]
        print(
            f"{r.name:<25} "
            + " ".join(f"{c:11.2f}" for c in cores)
            + f"   {r.machine_cpu / r.samples:7.2f}"
        )
    print(
        "CPU per sample of this run's own processes (all but `others`), and the "
        "throughput it allows on 2 otherwise idle cores: each process that runs "
        "samples gets at most 1 core (one interpreter), all of them together 2"
    )
    print(
        f"{'run':<25} {'own CPU ms/sample':>17} {'ceiling/s':>9} {'vs 1 process':>12}"
    )
    ceilings = {r.name: _ceiling(r, args) for r in rows}
    for r in rows:
        own = sum(r.cpu.get(c, 0.0) for c in CATEGORIES if c != "others")
        print(
            f"{r.name:<25} {1000 * own / r.done:17.1f} {ceilings[r.name]:9.1f} "
            f"{ceilings[r.name] / ceilings[base.name]:11.2f}x"
        )


def _ceiling(row: Row, args: argparse.Namespace) -> float:
    """Samples/s the row's CPU use allows on 2 idle cores, and the server's limit."""
    own = sum(row.cpu.get(c, 0.0) for c in CATEGORIES if c != "others")
    runners = row.cpu.get("ray workers", 0.0) or row.cpu.get("driver", 0.0)
    return float(
        min(
            2 * row.done / own,
            row.processes * row.done / runners,
            args.connections / args.latency,
        )
    )


if __name__ == "__main__":
    main()
