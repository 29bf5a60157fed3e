"""Helpers shared by the command modules."""

from __future__ import annotations

import os

from rich.console import Console

PIPED_WIDTH = 180


def stdout_console() -> Console:
    """A console for tables on stdout.

    Piped output gets room instead of rich's 80 columns, unless `COLUMNS` says how
    wide the reader is: a width someone set is a width to respect.
    """
    console = Console()
    if not console.is_terminal and not os.environ.get("COLUMNS", "").isdigit():
        console.width = max(console.width, PIPED_WIDTH)
    return console


EXIT_OK = 0
EXIT_ERROR = 1
EXIT_BAD_INPUT = 2
EXIT_GATE = 3
"""`assess --gate`: the decision is not `deploy`."""
EXIT_MODEL_UNAVAILABLE = 4
"""`assess`: the model's samples failed for infrastructure reasons (nothing listening,
a refused key or model name, most samples errored); no decision was reached."""
EXIT_REGISTRY_UNREACHABLE = 5
"""A registry command got no answer from the registry."""
EXIT_INTERRUPTED = 130


def stderr_console() -> Console:
    """A console for diagnostics, so stdout stays clean for tables and JSON."""
    return Console(stderr=True, highlight=False)
