from __future__ import annotations

from pathlib import Path

import pytest

# `shared/` sits beside the checkout in CI and in /work/main, and one level further
# up from a worktree under /work/wt/: take the nearest one.
SHARED_DATA = next(
    (
        parent / "shared" / "data"
        for parent in Path(__file__).resolve().parents[1:]
        if (parent / "shared" / "data").is_dir()
    ),
    Path(__file__).resolve().parents[2] / "shared" / "data",
)


@pytest.fixture(autouse=True)
def redline_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    home = tmp_path_factory.mktemp("redline_home")
    monkeypatch.setenv("REDLINE_HOME", str(home))
    return home
