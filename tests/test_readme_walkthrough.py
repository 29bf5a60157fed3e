"""The README's walkthrough runs exactly as written, so the README cannot drift from the CLI.

Blocks marked `<!-- walkthrough -->` in README.md run in order, as one bash script with
`set -euo pipefail`, in an empty folder, against a real registry (`redline registry
serve`, uvicorn on 127.0.0.1) and the embedded model.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import redline
from helpers.llama_server import free_port

README = Path(__file__).resolve().parents[1] / "README.md"
SRC = Path(redline.__file__).resolve().parents[1]
MARKED_BLOCK = re.compile(r"<!-- walkthrough -->\s*```bash\n(.*?)```", re.DOTALL)


def walkthrough_script() -> str:
    blocks = MARKED_BLOCK.findall(README.read_text(encoding="utf-8"))
    assert len(blocks) >= 2, "README.md lost its walkthrough blocks"
    return "set -euxo pipefail\n" + "\n".join(blocks)


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
        "REDLINE_HOME": str(tmp_path / "home"),
        "COLUMNS": "160",
    }
    env.pop("REDLINE_REGISTRY_TOKEN", None)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (tmp_path / "registry.log").open("wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "redline._cli.main",
            "registry",
            "serve",
            "--port",
            str(port),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, (tmp_path / "registry.log").read_text()
            assert time.monotonic() < deadline, "the registry did not start"
            time.sleep(0.3)
        yield url, {**env, "REDLINE_REGISTRY_URL": url}
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def test_the_readme_walkthrough_runs_as_written(
    tmp_path: Path, registry: tuple[str, dict[str, str]]
) -> None:
    _, env = registry
    folder = tmp_path / "fresh"
    folder.mkdir()
    bin_dir = Path(sys.executable).parent
    env["PATH"] = os.pathsep.join([str(bin_dir), env["PATH"]])
    result = subprocess.run(
        ["bash", "-c", walkthrough_script()],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-4000:] + result.stdout[-2000:]
    assert "Traceback" not in result.stderr
    assert (folder / "runs" / "first" / "report.json").is_file()
    assert "| threshold |" in result.stdout
    assert "signature OK" in result.stdout + result.stderr
    assert (folder / "shared.json").is_file()
    # The Trust section: the shared report is in the log; the model report is written.
    assert "consistent with 1 saved tree head" in result.stdout
    assert (folder / "proof.json").is_file()
    assert "Safety and security model report" in (
        folder / "model-report.html"
    ).read_text(encoding="utf-8")
