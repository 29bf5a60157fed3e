"""Shared helpers of the incident tests."""

from __future__ import annotations

from pathlib import Path

import pytest

AIID = Path(__file__).resolve().parents[3] / "shared" / "data" / "aiid"
"""The AIID snapshot beside the checkout (../shared/data/aiid), read in place."""

needs_aiid = pytest.mark.skipif(
    not (AIID / "incidents.csv").is_file(), reason="../shared/data/aiid absent"
)
