"""Checks that cannot pass by skipping.

Under CI (`CI=true`, which `.ci/run` exports) a missing real component or data set
fails the test that needs it, and any skip not listed by name in
`REDLINE_ALLOWED_SKIPS` (with its reason) fails the run. Outside CI the same tests
skip, naming what is missing, so a developer without PostgreSQL or the shared data
still runs the rest. Hypothesis runs derandomized under CI, so a failure there
replays exactly.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

from helpers.shared_data import SHARED_DATA

ALLOWED_SKIPS_ENV = "REDLINE_ALLOWED_SKIPS"


def in_ci() -> bool:
    """Whether this run is CI, where nothing may be silently left out."""
    return os.environ.get("CI", "").lower() in ("true", "1")


def missing(what: str) -> NoReturn:
    """Fail under CI, skip elsewhere, naming what is missing and how to get it."""
    if in_ci():
        pytest.fail(f"{what} is required in CI", pytrace=False)
    pytest.skip(f"{what} is missing")


def shared_data(relative: str) -> Path:
    """A path under `../shared/data`; fails (CI) or skips when it is absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        missing(f"shared data {path} (see ../shared/data/MANIFEST.md)")
    return path


def allowed_skips(text: str) -> dict[str, str]:
    """`node id -> reason` from lines `<node id>  # <reason>`; a reason is required.

    Raises:
        pytest.UsageError: A line names no reason.
    """
    allowed = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        node, _, reason = line.partition("#")
        if not reason.strip():
            raise pytest.UsageError(
                f"{ALLOWED_SKIPS_ENV}: {line.strip()!r} needs '# <why it may skip>'"
            )
        allowed[node.strip()] = reason.strip()
    return allowed


class SkipGuard:
    """Collects skips; under CI fails the session on any skip not allowed by name."""

    def __init__(self, allowed: dict[str, str]) -> None:
        self.allowed = allowed
        self.skipped: list[tuple[str, str]] = []

    @pytest.hookimpl
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        for marker in item.iter_markers("requires_shared"):
            shared_data(marker.args[0])

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.skipped and not hasattr(report, "wasxfail"):
            self.skipped.append((report.nodeid, _reason(report)))

    @pytest.hookimpl
    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.skipped:
            self.skipped.append((report.nodeid, _reason(report)))

    @property
    def unexpected(self) -> list[tuple[str, str]]:
        return [(n, r) for n, r in self.skipped if n not in self.allowed]

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if in_ci() and self.unexpected and session.exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    @pytest.hookimpl
    def pytest_terminal_summary(
        self, terminalreporter: pytest.TerminalReporter
    ) -> None:
        write = terminalreporter.write_line
        allowed = len(self.skipped) - len(self.unexpected)
        write(
            f"redline: {len(self.skipped)} skipped ({allowed} allowed by name, "
            f"{len(self.unexpected)} unexpected){' [CI]' if in_ci() else ''}"
        )
        if in_ci():
            for node, reason in self.unexpected:
                write(f"UNEXPECTED SKIP (fails CI): {node}: {reason}", red=True)


def _reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def configure(config: pytest.Config) -> None:
    """Install the skip guard and, under CI, derandomized Hypothesis."""
    guard = SkipGuard(allowed_skips(os.environ.get(ALLOWED_SKIPS_ENV, "")))
    config.pluginmanager.register(guard, "redline-skip-guard")
    if in_ci():
        from hypothesis import settings

        settings.register_profile("redline-ci", derandomize=True, print_blob=True)
        settings.load_profile("redline-ci")
