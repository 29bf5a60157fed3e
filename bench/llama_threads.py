"""llama.cpp's decode speed on the embedded model by thread count and OpenMP wait policy.

Replays the same greedy chat calls in a fresh process per setting (OpenMP reads
`OMP_WAIT_POLICY` once, when llama.cpp's library loads), optionally with a busy
Python thread beside them as Inspect's event loop is during an assessment, and
prints seconds per call and tokens per second, against one thread (the default on
two cores) measured in the same run. What `default_threads()` picks rests on it.

Usage: python bench/llama_threads.py [--calls N] [--busy FRACTION]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

_PROMPTS = (
    "Explain how a rainbow forms.",
    "Give three tips for keeping houseplants healthy.",
    "What does a librarian do during a normal day?",
    "Describe the water cycle in a short paragraph.",
)

_WORKER = """
import json, sys, threading, time
from llama_cpp import Llama
from redline.evals._local_model import default_gguf_path
threads, calls, busy = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
prompts = json.loads(sys.argv[4])
llama = Llama(model_path=str(default_gguf_path()), n_ctx=2048, n_threads=threads,
              n_threads_batch=threads, verbose=False)
stop = threading.Event()
def python_side():
    # Python work on the event loop's thread: `busy` of every 10 ms, then idle.
    while not stop.is_set():
        until = time.perf_counter() + busy * 0.01
        while time.perf_counter() < until:
            sum(range(100))
        time.sleep((1 - busy) * 0.01)
side = threading.Thread(target=python_side, daemon=True)
if busy > 0:
    side.start()
tokens, started = 0, time.perf_counter()
for i in range(calls):
    llama.reset()
    reply = llama.create_chat_completion(
        messages=[{"role": "user", "content": prompts[i % len(prompts)]}],
        temperature=0.0, max_tokens=96)
    tokens += reply["usage"]["completion_tokens"]
print(json.dumps({"seconds": time.perf_counter() - started, "tokens": tokens}))
stop.set()
"""


def _run(threads: int, policy: str | None, calls: int, busy: float) -> dict[str, float]:
    env = dict(os.environ)
    env.pop("OMP_WAIT_POLICY", None)
    env.pop("GOMP_SPINCOUNT", None)
    if policy is not None and policy.startswith("spin="):
        env["GOMP_SPINCOUNT"] = policy.removeprefix("spin=")
    elif policy is not None:
        env["OMP_WAIT_POLICY"] = policy
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            _WORKER,
            str(threads),
            str(calls),
            str(busy),
            json.dumps(_PROMPTS),
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=8)
    parser.add_argument(
        "--busy",
        type=float,
        default=0.2,
        help="share of a core a Python thread beside the calls keeps busy",
    )
    parser.add_argument(
        "--settings",
        default="1,2,2:PASSIVE,2:spin=10000,1",
        help="threads[:OMP_WAIT_POLICY or spin=GOMP_SPINCOUNT], comma-separated",
    )
    parser.add_argument(
        "--hogs",
        type=int,
        default=0,
        help="CPU-bound processes run beside, as other users of a shared machine",
    )
    args = parser.parse_args()
    settings = []
    for item in args.settings.split(","):
        threads, _, policy = item.partition(":")
        settings.append((int(threads), policy or None))
    hogs = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"])
        for _ in range(args.hogs)
    ]
    try:
        rows = _measure(settings, args.calls, args.busy)
    finally:
        for hog in hogs:
            hog.kill()
    print(
        f"cpus: {os.cpu_count()}  calls per setting: {args.calls}  "
        f"other CPU-bound processes: {args.hogs}"
    )
    _print(rows, args.calls, args.busy)


def _measure(
    settings: list[tuple[int, str | None]], calls: int, busy_share: float
) -> list[tuple[float, int, str, dict[str, float]]]:
    rows = []
    for busy in (0.0, busy_share):
        for threads, policy in settings:
            result = _run(threads, policy, calls, busy)
            rows.append((busy, threads, policy or "default", result))
    return rows


def _print(
    rows: list[tuple[float, int, str, dict[str, float]]], calls: int, busy_share: float
) -> None:
    print(
        f"{'python side':>11} {'threads':>7} {'OMP wait':>11} {'s/call':>7} "
        f"{'tok/s':>6} {'vs 1':>6}"
    )
    for busy in (0.0, busy_share):
        group = [r for r in rows if r[0] == busy]
        one = [r[3]["seconds"] for r in group if r[1] == 1]
        base = sum(one) / len(one)
        for _, threads, policy, result in group:
            seconds = result["seconds"]
            print(
                f"{busy:>11.0%} {threads:>7} {policy:>11} {seconds / calls:7.2f} "
                f"{result['tokens'] / seconds:6.1f} {base / seconds:5.2f}x"
            )


if __name__ == "__main__":
    main()
