"""A real Ray cluster on 127.0.0.1 for the scale-out tests, started and stopped by PID.

These tests must run inside a network namespace that has only loopback (.ci/run runs
them as `unshare -n bash -c 'ip link set lo up; python -m pytest tests/scale'`): Ray
replaces 127.0.0.1 by the machine's outward address wherever it finds one, and test
traffic stays on loopback. A node whose address is anything else fails the test.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest

RAY = shutil.which("ray") or "ray"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    """A head node and any worker nodes, each a blocking `ray start` process."""

    temp_dir: Path
    port: int = field(default_factory=free_port)
    nodes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _start(self, *args: str, num_cpus: int) -> subprocess.Popen[bytes]:
        log = (self.temp_dir / f"node-{len(self.nodes)}.log").open("wb")
        node = subprocess.Popen(
            [
                RAY,
                "start",
                "--block",
                f"--num-cpus={num_cpus}",
                "--node-ip-address=127.0.0.1",
                "--disable-usage-stats",
                *args,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own process group, so stopping it never signals the test process.
            start_new_session=True,
        )
        self.nodes.append(node)
        return node

    def start_head(self, num_cpus: int = 1) -> None:
        self._start(
            "--head",
            f"--port={self.port}",
            f"--temp-dir={self.temp_dir}",
            "--include-dashboard=false",
            num_cpus=num_cpus,
        )
        self.wait_for_nodes(1)

    def add_worker(self, num_cpus: int = 1) -> subprocess.Popen[bytes]:
        node = self._start(f"--address={self.address}", num_cpus=num_cpus)
        self.wait_for_nodes(len(self.nodes))
        return node

    def alive_nodes(self) -> list[dict[str, object]]:
        import ray

        return [n for n in ray.nodes() if n["Alive"]]

    def wait_for_nodes(self, count: int, timeout: float = 90) -> None:
        import ray

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if not ray.is_initialized():
                    ray.init(address=self.address, logging_level="ERROR")
                if len(self.alive_nodes()) >= count:
                    return
            except (ConnectionError, RuntimeError):
                pass
            time.sleep(0.5)
        raise AssertionError(f"Ray cluster did not reach {count} nodes")

    def kill_node(self, node: subprocess.Popen[bytes]) -> list[int]:
        """SIGKILL a node's `ray start` process and every process under it, by PID."""
        pids = [node.pid] + [
            p.pid for p in psutil.Process(node.pid).children(recursive=True)
        ]
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        node.wait(timeout=30)
        return pids

    def stop(self) -> None:
        import ray

        if ray.is_initialized():
            ray.shutdown()
        for node in reversed(self.nodes):
            if node.poll() is None:
                children = psutil.Process(node.pid).children(recursive=True)
                node.send_signal(signal.SIGTERM)
                try:
                    node.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    node.kill()
                    node.wait(timeout=10)
                for child in children:
                    with contextlib.suppress(psutil.NoSuchProcess):
                        child.kill()


@pytest.fixture
def cluster(monkeypatch: pytest.MonkeyPatch) -> Iterator[Cluster]:
    temp_dir = Path(tempfile.mkdtemp(prefix="rl-ray-", dir="/tmp"))
    # Ray 2.60's token auth reads ~/.ray/auth_token, which every Ray user of this
    # account shares and any of them may regenerate; inside a loopback-only network
    # namespace nothing else can reach the cluster, so it runs without.
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")
    monkeypatch.delenv("RAY_AUTH_TOKEN_PATH", raising=False)
    monkeypatch.delenv("RAY_AUTH_TOKEN", raising=False)
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    # At info, each node's runtime-env agent logs the runtime environment, the keys
    # in its env_vars included: nodes that receive keys run at warning (docs/deploy).
    monkeypatch.setenv("RAY_LOGGER_LEVEL", "warning")
    # Workers import Redline and the test helpers from this checkout.
    import redline

    paths = [str(Path(redline.__file__).parents[1]), str(Path(__file__).parents[1])]
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([*paths, os.environ.get("PYTHONPATH", "")])
    )
    made = Cluster(temp_dir)
    try:
        yield made
    finally:
        made.stop()
        shutil.rmtree(temp_dir, ignore_errors=True)


@pytest.fixture
def head(cluster: Cluster) -> Cluster:
    """A one-node cluster with two CPUs, checked to be on loopback."""
    import ray

    cluster.start_head(num_cpus=2)
    assert_loopback(cluster)
    # The run under test connects on its own terms (runtime environment, keys).
    ray.shutdown()
    return cluster


def assert_loopback(cluster: Cluster) -> None:
    addresses = {str(n["NodeManagerAddress"]) for n in cluster.alive_nodes()}
    assert addresses == {"127.0.0.1"}, (
        f"Ray nodes are at {addresses}, not 127.0.0.1: run these tests inside a "
        "loopback-only network namespace (unshare -n; see tests/scale/conftest.py)"
    )
