"""Real servers, real assessments and a real browser for the dashboard's tests.

Reports come from real `redline assess` runs of the embedded model (small --limit),
made once per session. Pages are served by a real `redline view` or `redline registry
serve` subprocess on 127.0.0.1 and driven by Playwright through Debian's Chromium.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from helpers.frameworks import write_single_threshold_framework
from helpers.postgres import free_port

REDLINE = [sys.executable, "-m", "redline._cli.main"]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ARTEFACTS = (
    Path(
        os.environ.get(
            "REDLINE_TEST_ARTEFACTS", Path(__file__).parents[2] / "test-artefacts"
        )
    )
    / "view"
)
LIMIT = 2


def redline(
    *args: str, timeout: float = 900, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*REDLINE, *args], capture_output=True, text=True, timeout=timeout, **kwargs
    )


def assess(out: Path, *extra: str) -> Path:
    result = redline(
        "assess", "--out", str(out), "--limit", str(LIMIT), "--display", "none", *extra
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return out / "report.json"


@dataclass(frozen=True)
class Runs:
    root: Path
    first: Path
    second: Path
    other_seed: Path


@pytest.fixture(scope="session")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    """Three real assessments: two alike (comparable), one under another seed."""
    kept = os.environ.get("REDLINE_TEST_VIEW_RUNS")
    root = Path(kept) if kept else tmp_path_factory.mktemp("view_runs") / "runs"
    runs = Runs(
        root,
        root / "first" / "report.json",
        root / "second" / "report.json",
        root / "other-seed" / "report.json",
    )
    # REDLINE_TEST_VIEW_RUNS keeps the assessments between sessions (made when absent).
    if not runs.first.is_file():
        assess(root / "first", "--seed", "7")
    if not runs.second.is_file():
        assess(root / "second", "--seed", "7")
    if not runs.other_seed.is_file():
        framework = write_single_threshold_framework(
            tmp_path_factory.mktemp("framework") / "one-threshold.yaml"
        )
        assess(root / "other-seed", "--seed", "8", "--framework", str(framework))
    return runs


class Server:
    """A `redline ...` server subprocess on 127.0.0.1, up once `ready` answers 200."""

    def __init__(
        self, args: list[str], ready: str, log: Path, cwd: Path | None = None
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                [*REDLINE, *args, "--port", str(self.port)],
                stdout=out, stderr=subprocess.STDOUT, cwd=cwd,
                env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + ready, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not come up: {log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)


@pytest.fixture(scope="session")
def view_server(
    runs: Runs, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("view_log") / "view.log"
    server = Server(
        [
            "view",
            str(runs.root),
            "--no-browser",
            "--inspect-url",
            "http://127.0.0.1:7576",
        ],
        "/",
        log,
    )
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: the dashboard tests need Debian's chromium "
            "(apt-get install chromium; .ci/run installs it)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    page = context.new_page()
    # Offline: any request off 127.0.0.1 (a CDN, a font) fails the test.
    outside: list[str] = []
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith(("http://127.0.0.1", "data:", "blob:"))
            else outside.append(r.url)
        ),
    )
    yield page
    context.close()
    assert not outside, f"the page reached outside 127.0.0.1: {outside}"


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot as a test artefact."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    # Sticky table headers follow the scroll position into a full-page capture.
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(path), full_page=True)
    return path


def copy_to_docs(page: Any, name: str) -> None:
    """Refresh a README screenshot (the first screenful) when REDLINE_UPDATE_DOCS=1."""
    if os.environ.get("REDLINE_UPDATE_DOCS") == "1":
        docs = Path(__file__).parents[2] / "docs" / "images"
        docs.mkdir(parents=True, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        height = min(1500, page.evaluate("document.documentElement.scrollHeight"))
        page.screenshot(
            path=str(docs / name),
            full_page=True,
            clip={"x": 0, "y": 0, "width": 1280, "height": height},
        )
