"""Wall-clock time of a full `redline assess` on the embedded model, against raw llama.cpp.

The baseline replays, in one process and one after another, every model call the
assessment made (read back from its Inspect logs) straight into llama-cpp-python, with
the threads Redline's embedded model uses by default. The ratio is Redline's and
Inspect's overhead on top of the model's own compute, measured in the same run on the
same machine.

With `--baseline-ref REF` (e.g. `main`) the same assessment first runs on that commit's
code, from a temporary git worktree, so before and after come from the same run; on a
shared machine absolute seconds are noisy, so compare the ratios.

It also prints where the assessment's time goes, each part measured in the same run:
process start and imports (a fresh interpreter importing what `assess` imports),
Inspect's entry points of every installed package (each timed), model load, the model
calls as timed inside the assessment (against the same calls raw: the difference is
contention with the Python side), and the remainder per model call (Inspect's
per-sample logging, scoring, monitors, the event loop). The tokens the raw replay
generates show what bounds the wall time when the ratio is near 1: the model itself.

Usage: python bench/assess_time.py [--limit N] [--baseline-ref REF]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspect_ai.event import ModelEvent
from inspect_ai.log import (
    list_eval_logs,
    read_eval_log,
    resolve_sample_attachments,
)

from redline.evals._local_model import default_gguf_path, default_threads

CHECKOUT = Path(__file__).resolve().parents[1]

# What `redline assess` imports before its first model call.
_IMPORTS = (
    "import redline._cli.main, redline._cli.assess, redline.assess, redline.evals._run"
)
# Then Inspect loads every installed package's `inspect_ai` entry points (to find
# hooks), whatever the run: each is timed on its own, since which packages are
# installed (inspect_evals, with the extra of that name) is the machine's, not Redline's.
_ENTRY_POINTS = (
    "import time, json; " + _IMPORTS + "; "
    "from importlib.metadata import entry_points; times = {}\n"
    "for ep in entry_points(group='inspect_ai'):\n"
    "    t = time.perf_counter(); ep.load(); times[ep.value] = time.perf_counter() - t\n"
    "print(json.dumps(times))"
)


@dataclass
class Run:
    """One `redline assess` and the model calls it made."""

    seconds: float
    requests: list[dict[str, Any]]
    call_seconds: float
    """The model calls' own time, as Inspect timed them inside the assessment."""
    to_first_call: float
    """From the process's start to its first model call: imports, setup, model load."""
    after_last_call: float
    """From the end of its last model call to its exit: scoring, the report."""


def _env(source: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(source)}


def _assess(source: Path, out: Path, limit: int | None) -> Run:
    command = [sys.executable, "-m", "redline._cli.main", "assess"]
    command += ["--out", str(out), "--display", "none"]
    if limit:
        command += ["--limit", str(limit)]
    started, wall_started = time.perf_counter(), time.time()
    # The exit code is the decision (a gate), not a failure: only a missing report is.
    subprocess.run(command, env=_env(source), stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    wall_ended = time.time()
    if not (out / "report.json").is_file():
        raise SystemExit(f"no report from the assessment in {out}")
    requests: list[dict[str, Any]] = []
    call_seconds = 0.0
    first, last = wall_ended, wall_started
    for info in list_eval_logs(str(out / "logs")):
        for logged in read_eval_log(info).samples or []:
            # Logs keep long texts (prompts among them) as attachments: the replay
            # must send the text itself, not its `attachment://` reference.
            sample = resolve_sample_attachments(logged, "full")
            for event in sample.events:
                if isinstance(event, ModelEvent) and event.call is not None:
                    requests.append(event.call.request)
                    call_seconds += event.call.time or event.working_time or 0.0
                    first = min(first, event.timestamp.timestamp())
                    if event.completed is not None:
                        last = max(last, event.completed.timestamp())
    return Run(
        seconds,
        requests,
        call_seconds,
        to_first_call=first - wall_started,
        after_last_call=wall_ended - last,
    )


def _baseline(ref: str, tmp: Path, limit: int | None) -> Run:
    tree = tmp / "baseline"
    subprocess.run(
        ["git", "-C", str(CHECKOUT), "worktree", "add", "--detach", str(tree), ref],
        check=True,
        capture_output=True,
    )
    try:
        return _assess(tree / "src", tmp / "baseline-run", limit)
    finally:
        subprocess.run(
            ["git", "-C", str(CHECKOUT), "worktree", "remove", "--force", str(tree)],
            check=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--limit", type=int, default=None, help="samples per suite (default: all)"
    )
    parser.add_argument(
        "--baseline-ref",
        default=None,
        help="git commit whose code runs the same assessment first, e.g. main",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        before = (
            _baseline(args.baseline_ref, tmp, args.limit) if args.baseline_ref else None
        )
        source = CHECKOUT / "src"
        if before is not None:
            # From a copy too: Inspect looks up which installed distribution ships each
            # task, and a source tree other than the installed one costs it a scan of
            # every distribution (seconds). Both runs then pay it alike.
            source = tmp / "current" / "src"
            shutil.copytree(
                CHECKOUT / "src", source, ignore=shutil.ignore_patterns("__pycache__")
            )
        after = _assess(source, tmp / "run", args.limit)

    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", _IMPORTS], env=_env(CHECKOUT / "src"), check=True
    )
    import_seconds = time.perf_counter() - started
    entry_points: dict[str, float] = json.loads(
        subprocess.run(
            [sys.executable, "-c", _ENTRY_POINTS],
            env=_env(CHECKOUT / "src"),
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )

    from llama_cpp import Llama

    threads = default_threads()
    started = time.perf_counter()
    llama = Llama(
        model_path=str(default_gguf_path()),
        n_ctx=4096,
        n_threads=threads,
        n_threads_batch=threads,
        verbose=False,
    )
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    tokens = 0
    for request in after.requests:
        llama.reset()
        reply: Any = llama.create_chat_completion(**request)
        tokens += int(reply.get("usage", {}).get("completion_tokens", 0))
    raw_seconds = time.perf_counter() - started
    llama.close()

    calls = len(after.requests)
    print(f"cpus: {os.cpu_count()}  llama.cpp threads: {threads}  limit: {args.limit}")
    print(f"model calls replayed:              {calls}")
    print(f"raw llama.cpp, same calls:         {raw_seconds:7.1f} s")
    print(
        f"  tokens generated:                {tokens:7d}"
        f"  ({tokens / raw_seconds:.1f} tokens/s, {raw_seconds / max(calls, 1):.2f} s/call)"
    )
    print(f"redline assess (wall, all in):     {after.seconds:7.1f} s")
    print(f"ratio assess / raw model:          {after.seconds / raw_seconds:7.2f}")
    if before is not None:
        print(
            f"baseline {args.baseline_ref} assess (wall):     {before.seconds:7.1f} s"
        )
        print(f"  its model calls:                 {len(before.requests)}")
        print(f"  ratio baseline / raw model:      {before.seconds / raw_seconds:7.2f}")
        print(
            f"  ratio baseline / this assess:    {before.seconds / after.seconds:7.2f}"
        )
    entry_seconds = sum(entry_points.values())
    remainder = (
        after.seconds
        - import_seconds
        - entry_seconds
        - load_seconds
        - after.call_seconds
    )
    print("where this assessment's time goes:")
    print(f"  process start and imports:       {import_seconds:7.1f} s")
    print(f"  Inspect's entry points, in all:  {entry_seconds:7.1f} s")
    for value, seconds in sorted(entry_points.items(), key=lambda kv: -kv[1]):
        print(f"    {value:<31}{seconds:7.1f} s")
    print(f"  model load:                      {load_seconds:7.1f} s")
    print(f"  model calls inside assess:       {after.call_seconds:7.1f} s")
    print(
        f"    of which beyond raw llama.cpp: {after.call_seconds - raw_seconds:7.1f} s"
    )
    print(f"  the rest, all in:                {remainder:7.1f} s")
    print(f"  start to first model call:       {after.to_first_call:7.1f} s")
    print(f"  last model call to exit:         {after.after_last_call:7.1f} s")
    if calls:
        print(f"  the rest, per model call:        {remainder / calls:7.3f} s")


if __name__ == "__main__":
    main()
