from __future__ import annotations

from pathlib import Path

import pytest

from helpers import ci
from helpers.embedded_run import embedded_reference_run  # noqa: F401  (a fixture)
from helpers.shared_data import SHARED_DATA  # noqa: F401  (kept for its importers)


def pytest_configure(config: pytest.Config) -> None:
    # CI fails on any skip not allowed by name in .ci/run (see helpers/ci.py).
    ci.configure(config)


@pytest.fixture(autouse=True)
def redline_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    home = tmp_path_factory.mktemp("redline_home")
    monkeypatch.setenv("REDLINE_HOME", str(home))
    return home
