"""The bubblewrap sandbox, driven through Inspect's sandbox API with the real `bwrap`.

Each check is something a model-written command might try: write outside its folder,
reach the network, read the host's secrets, leave files in the host's /tmp, run long,
or start too many processes.
"""

from __future__ import annotations

import asyncio
import os
import socket
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from redline.evals._sandbox import (
    MAX_CPU_SECONDS,
    MAX_PROCESSES,
    BubblewrapSandbox,
)


def _in_sandbox(check: Callable[[BubblewrapSandbox], Awaitable[None]]) -> None:
    async def run() -> None:
        environments = await BubblewrapSandbox.sample_init("test", None, {})
        sandbox = environments["default"]
        assert isinstance(sandbox, BubblewrapSandbox)
        try:
            await check(sandbox)
        finally:
            await BubblewrapSandbox.sample_cleanup("test", None, environments, False)

    asyncio.run(run())


def test_the_work_folder_is_writable_and_the_host_read_only() -> None:
    async def check(sandbox: BubblewrapSandbox) -> None:
        await sandbox.write_file("data/notes.txt", "three\nlines\nhere\n")
        result = await sandbox.exec(
            ["bash", "-c", "wc -l < data/notes.txt && echo fixed >> data/notes.txt"]
        )
        assert result.success, result.stderr
        assert result.stdout.strip() == "3"
        assert (await sandbox.read_file("data/notes.txt")).endswith("fixed\n")
        made = await sandbox.exec(["bash", "-c", "echo new > made.txt"])
        assert made.success, made.stderr
        assert (Path(sandbox.directory.name) / "made.txt").read_text() == "new\n"

        outside = await sandbox.exec(["bash", "-c", "touch /usr/redline-probe"])
        assert not outside.success
        assert "Read-only file system" in outside.stderr
        assert not Path("/usr/redline-probe").exists()

    _in_sandbox(check)


def test_no_network_even_to_a_server_on_this_host() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]

        async def check(sandbox: BubblewrapSandbox) -> None:
            code = (
                "import socket\n"
                f"socket.create_connection(('127.0.0.1', {port}), timeout=3)\n"
                "print('connected')\n"
            )
            result = await sandbox.exec(["python3", "-"], input=code)
            assert not result.success
            assert "connected" not in result.stdout
            assert (
                "ConnectionRefusedError" in result.stderr or "Network" in result.stderr
            )

        _in_sandbox(check)


def test_host_secrets_and_host_tmp_are_out_of_reach(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-host-secret")
    with tempfile.NamedTemporaryFile(dir="/tmp", suffix=".host") as host_file:

        async def check(sandbox: BubblewrapSandbox) -> None:
            result = await sandbox.exec(
                [
                    "bash",
                    "-c",
                    f'echo "key=${{OPENAI_API_KEY:-}}"; ls {host_file.name} 2>&1; '
                    "echo private > /tmp/inside.txt && cat /tmp/inside.txt",
                ]
            )
            assert "key=\n" in result.stdout
            assert "sk-host-secret" not in result.stdout
            assert "No such file or directory" in result.stdout
            assert "private" in result.stdout
            assert not Path("/tmp/inside.txt").exists()

        _in_sandbox(check)


def test_time_and_process_limits() -> None:
    async def check(sandbox: BubblewrapSandbox) -> None:
        limits = await sandbox.exec(["bash", "-c", "ulimit -u; ulimit -t"])
        assert limits.success, limits.stderr
        assert limits.stdout.split() == [str(MAX_PROCESSES), str(MAX_CPU_SECONDS)]
        with pytest.raises(TimeoutError):
            await sandbox.exec(["sleep", "30"], timeout=1)

    _in_sandbox(check)


@pytest.mark.skipif(os.geteuid() != 0, reason="only a root run drops to nobody")
def test_commands_never_run_as_root() -> None:
    async def check(sandbox: BubblewrapSandbox) -> None:
        result = await sandbox.exec(["id", "-u"])
        assert result.stdout.strip() == "65534"

    _in_sandbox(check)
