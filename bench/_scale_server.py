"""The benchmark's mock model server in a process of its own.

Run beside the measured run rather than in a thread of it, so that no row shares its
interpreter's GIL with the server, and every row (plain Inspect, one process, Ray) is
measured against the same server the same way. Prints its base URL, then serves until
its standard input closes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from helpers.latency_server import LatencyServer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, required=True)
    parser.add_argument("--answer", required=True)
    args = parser.parse_args()
    server = LatencyServer(latency=args.latency, answer=args.answer).start()
    print(server.base_url, flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
