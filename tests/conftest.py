from __future__ import annotations

from pathlib import Path

import pytest

from helpers.shared_data import SHARED_DATA  # noqa: F401  (kept for its importers)


@pytest.fixture(autouse=True)
def redline_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    home = tmp_path_factory.mktemp("redline_home")
    monkeypatch.setenv("REDLINE_HOME", str(home))
    return home
