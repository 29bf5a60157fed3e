"""Run in each Ray worker process before its first task (Ray's `worker_process_setup_hook`)."""

from __future__ import annotations

import importlib


def register_test_models() -> None:
    """Register the tests' `canned/...` model with Inspect in the worker."""
    importlib.import_module("helpers.canned_model")
