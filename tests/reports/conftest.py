from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from redline.reports import SigningKey

DATA = Path(__file__).parent / "data"
# A fixed test key: Ed25519 is deterministic, so signatures are reproducible.
TEST_SEED = b"\x07" * 32


@pytest.fixture
def key() -> SigningKey:
    return SigningKey.from_seed(TEST_SEED)


def _read(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return copy.deepcopy(data)


@pytest.fixture
def report_data() -> dict[str, Any]:
    """A report as Redline writes it now: salted digests (fixed salts, for goldens)."""
    return _read("report.json")


@pytest.fixture
def golden_envelope() -> dict[str, Any]:
    return _read("report.signed.json")


@pytest.fixture
def unsalted_report_data() -> dict[str, Any]:
    """A report written before salting: plain sha256 digests, no salts."""
    return _read("report.unsalted.json")


@pytest.fixture
def unsalted_envelope() -> dict[str, Any]:
    """That report as signed then, in the `rfc8785-redacted` form."""
    return _read("report.unsalted.signed.json")
