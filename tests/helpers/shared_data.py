"""Where `shared/data` is: beside the checkout, or one level further up from a worktree."""

from __future__ import annotations

from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[2]

SHARED_DATA = next(
    (
        parent / "shared" / "data"
        for parent in _CHECKOUT.parents
        if (parent / "shared" / "data").is_dir()
    ),
    _CHECKOUT.parent / "shared" / "data",
)
"""The nearest `shared/data` above the checkout (CI: `../shared/data`)."""
