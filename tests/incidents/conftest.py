"""Fixtures of the incident tests: the AIID snapshot in ../shared/data, read once."""

from __future__ import annotations

import pytest
from incidents_helpers import AIID

from redline.incidents import AiidSnapshot, read_aiid_snapshot


@pytest.fixture(scope="session")
def aiid() -> AiidSnapshot:
    if not (AIID / "incidents.csv").is_file():
        pytest.skip("../shared/data/aiid absent")
    return read_aiid_snapshot(AIID)
