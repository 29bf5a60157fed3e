"""Scale-out benchmark: N samples at a fixed model latency, single process vs. Ray.

Against a loopback OpenAI-compatible mock server (fixed latency, asyncio) with 50
connections in all, the same samples run as: plain Inspect (`inspect_ai.eval`),
`redline assess` in one process, and `redline assess --ray` on a local Ray with 1
and 2 workers. Prints wall time, samples/s, and the ratio of wall time to the
physical limit N x latency / connections (1.0 is as fast as the server allows).

Run it inside a loopback-only network namespace, as root:
    unshare -n bash -c 'ip link set lo up; python bench/scale.py --n 1000'
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from helpers.latency_server import LatencyServer

TASK_FILE = Path(__file__).resolve().parent / "_scale_task.py"
MODEL = "openai-api/mock/bench"

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


def _timed(run: Callable[[], int]) -> tuple[float, int]:
    start = time.perf_counter()
    done = run()
    return time.perf_counter() - start, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="samples (default 1000)")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per call")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument(
        "--profile", action="store_true", help="profile the 1-process run"
    )
    args = parser.parse_args()

    server = LatencyServer(latency=args.latency, answer="Sorry, labels vary.").start()
    os.environ["MOCK_API_KEY"] = "bench"
    os.environ["MOCK_BASE_URL"] = server.base_url
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

    def plain() -> int:
        from inspect_ai import Task  # noqa: F401

        logs = inspect_eval(
            f"{TASK_FILE}@scale_bench",
            task_args={"n": args.n},
            model=MODEL,
            max_connections=args.connections,
            log_dir=str(work / "plain"),
            display="none",
        )
        return len(logs[0].samples or [])

    def single() -> int:
        return len(assess(options("single")).suites[0].samples)

    def on_ray(workers: int) -> Callable[[], int]:
        def go() -> int:
            ray.init(num_cpus=workers, include_dashboard=False, logging_level="ERROR")
            try:
                report = run_assessment_on_ray(
                    options(f"ray{workers}"), RayOptions(shards=workers)
                )
            finally:
                ray.shutdown()
            return len(report.suites[0].samples)

        return go

    limit = args.n * args.latency / args.connections
    rows = []
    for name, fn in (
        ("plain Inspect", plain),
        ("redline, 1 process", single),
        ("redline --ray, 1 worker", on_ray(1)),
        ("redline --ray, 2 workers", on_ray(2)),
    ):
        if args.profile and name == "redline, 1 process":
            profiler = cProfile.Profile()
            profiler.enable()
            wall, done = _timed(fn)
            profiler.disable()
            pstats.Stats(profiler, stream=sys.stderr).sort_stats(
                "cumulative"
            ).print_stats(25)
        else:
            wall, done = _timed(fn)
        rows.append((name, wall, done))
    server.stop()

    single_rate = next(
        done / wall for name, wall, done in rows if name == "redline, 1 process"
    )
    print(
        f"N={args.n} samples, latency {args.latency * 1000:.0f} ms, "
        f"{args.connections} connections; physical limit {limit:.2f} s"
    )
    print(
        f"{'run':<26} {'wall s':>8} {'samples/s':>10} {'x limit':>8} {'vs 1 process':>13}"
    )
    for name, wall, done in rows:
        rate = done / wall
        print(
            f"{name:<26} {wall:8.2f} {rate:10.1f} {wall / limit:8.2f} {rate / single_rate:12.2f}x"
        )


if __name__ == "__main__":
    main()
