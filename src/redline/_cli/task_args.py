"""`-T suite.arg=value`: suite task arguments from the command line."""

from __future__ import annotations

from typing import Any

import yaml

from redline.errors import ConfigError


def parse_task_args(
    items: tuple[str, ...],
) -> tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]:
    """`("autonomy_proxy.max_turns=4",)` -> `(("autonomy_proxy", (("max_turns", 4),)),)`.

    Values are read as YAML, as Inspect reads `-T`, so `4` is a number and `true` a
    boolean; the suite is named because one run holds several tasks.
    """
    by_suite: dict[str, dict[str, Any]] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        suite, dot, name = key.partition(".")
        if not sep or not dot or not suite or not name:
            raise ConfigError(
                f"-T {item}: expected SUITE.ARG=VALUE, e.g. -T autonomy_proxy.max_turns=4"
            )
        try:
            value = yaml.safe_load(raw) if raw else ""
        except yaml.YAMLError:
            value = raw
        by_suite.setdefault(suite, {})[name] = value
    return tuple((suite, tuple(args.items())) for suite, args in by_suite.items())
