"""Shared helpers of the incident tests."""

from __future__ import annotations

import pytest

from helpers.ci import SHARED_DATA

AIID = SHARED_DATA / "aiid"
"""The AIID snapshot beside the checkout (../shared/data/aiid), read in place."""

needs_aiid = pytest.mark.requires_shared("aiid/incidents.csv")
