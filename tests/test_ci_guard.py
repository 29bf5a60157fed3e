"""The CI skip guard (tests/helpers/ci.py), run on a small test session of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

CONFTEST = """\
from helpers import ci

def pytest_configure(config):
    ci.configure(config)
"""
INNER = """\
import pytest

def test_runs():
    assert True

def test_skips():
    pytest.skip("no widget here")

@pytest.mark.requires_shared("no-such-dataset/at-all.csv")
def test_needs_data():
    assert False, "never reached: the data is missing"
"""


def _session(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_inner.py").write_text(INNER)
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nmarkers =\n    requires_shared(path): needs shared data\n"
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS")}
    clean.pop("REDLINE_ALLOWED_SKIPS", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(tmp_path), "-p", "no:cacheprovider",
         "-p", "no:randomly", "-q", "-rs"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={**clean, "PYTHONPATH": str(TESTS), **env},
    )  # fmt: skip


def test_outside_ci_a_skip_names_what_is_missing(tmp_path: Path) -> None:
    result = _session(tmp_path)
    assert result.returncode == 0, result.stdout
    assert "2 skipped" in result.stdout
    assert "no-such-dataset/at-all.csv" in result.stdout
    assert "redline: 2 skipped (0 allowed by name, 2 unexpected)" in result.stdout


def test_in_ci_missing_data_fails_and_an_unlisted_skip_fails_the_run(
    tmp_path: Path,
) -> None:
    result = _session(tmp_path, CI="true")
    assert result.returncode == 1, result.stdout
    assert "1 error" in result.stdout  # a setup failure
    assert "is required in CI" in result.stdout
    assert "UNEXPECTED SKIP (fails CI): test_inner.py::test_skips" in result.stdout


def test_in_ci_a_skip_listed_by_name_with_a_reason_passes(tmp_path: Path) -> None:
    listed = "\ntest_inner.py::test_skips  # widgets exist only on the lab machine\n"
    result = _session(tmp_path, CI="true", REDLINE_ALLOWED_SKIPS=listed)
    # The missing data still fails; the listed skip no longer does.
    assert "UNEXPECTED SKIP" not in result.stdout
    assert "redline: 1 skipped (1 allowed by name, 0 unexpected) [CI]" in result.stdout
    assert "1 error" in result.stdout  # a setup failure


@pytest.mark.parametrize("line", ["test_inner.py::test_skips", "x  #   "])
def test_an_allowed_skip_without_a_reason_is_refused(tmp_path: Path, line: str) -> None:
    result = _session(tmp_path, CI="true", REDLINE_ALLOWED_SKIPS=line)
    assert result.returncode == 4, result.stdout + result.stderr
    assert "needs '# <why it may skip>'" in result.stdout + result.stderr
