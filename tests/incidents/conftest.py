"""Fixtures of the incident tests: the AIID snapshot in ../shared/data, read once."""

from __future__ import annotations

import pytest
from incidents_helpers import AIID

from helpers.ci import shared_data
from redline.incidents import AiidSnapshot, read_aiid_snapshot


@pytest.fixture(scope="session")
def aiid() -> AiidSnapshot:
    shared_data("aiid/incidents.csv")
    return read_aiid_snapshot(AIID)
