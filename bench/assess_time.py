"""Wall-clock time of a full `redline assess` on the embedded model, against raw llama.cpp.

The baseline replays, in one process and one after another, every model call the
assessment made (read back from its Inspect logs) straight into llama-cpp-python. The
ratio is Redline's and Inspect's overhead on top of the model's own compute, measured
in the same run on the same machine.

It also prints where the difference goes, each part measured in the same run: process
start and imports (a fresh interpreter importing what `assess` imports, including
Inspect's entry points), model load, and the remainder per model call (Inspect's
per-sample logging, scoring, monitors, the event loop beside llama.cpp's threads).
On a shared machine absolute seconds are noisy; compare the ratios.

Usage: python bench/assess_time.py [--limit N]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from inspect_ai.event import ModelEvent
from inspect_ai.log import list_eval_logs, read_eval_log

from redline.evals._local_model import default_gguf_path

# What `redline assess` imports before its first model call; Inspect loads every installed
# package's entry points (inspect_evals among them) when it resolves a task or model.
_IMPORTS = (
    "import redline.assess, redline._cli.main, redline.evals._run; "
    "from inspect_ai._util.entrypoints import ensure_entry_points; ensure_entry_points()"
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--limit", type=int, default=None, help="samples per suite (default: all)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        command = [
            sys.executable,
            "-m",
            "redline._cli.main",
            "assess",
            "--out",
            str(out),
            "--display",
            "none",
        ]
        if args.limit:
            command += ["--limit", str(args.limit)]
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        assess_seconds = time.perf_counter() - started

        requests = []
        for info in list_eval_logs(str(out / "logs")):
            for sample in read_eval_log(info).samples or []:
                requests += [
                    e.call.request
                    for e in sample.events
                    if isinstance(e, ModelEvent) and e.call is not None
                ]

    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", _IMPORTS], check=True)
    import_seconds = time.perf_counter() - started

    from llama_cpp import Llama

    started = time.perf_counter()
    llama = Llama(model_path=str(default_gguf_path()), n_ctx=4096, verbose=False)
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for request in requests:
        llama.reset()
        llama.create_chat_completion(**request)
    raw_seconds = time.perf_counter() - started

    print(f"model calls replayed:            {len(requests)}")
    print(f"redline assess (wall, all in):   {assess_seconds:7.1f} s")
    print(f"raw llama.cpp, same calls:       {raw_seconds:7.1f} s")
    print(f"ratio assess / raw model:        {assess_seconds / raw_seconds:7.2f}")
    remainder = assess_seconds - raw_seconds - import_seconds - load_seconds
    print("where the difference goes:")
    print(f"  process start and imports:     {import_seconds:7.1f} s")
    print(f"  model load:                    {load_seconds:7.1f} s")
    print(f"  the rest, all in:              {remainder:7.1f} s")
    if requests:
        print(f"  the rest, per model call:      {remainder / len(requests):7.3f} s")


if __name__ == "__main__":
    main()
