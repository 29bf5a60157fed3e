"""Comparing the settings a folder was made with to those of a run that would resume it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def changed_settings(
    recorded: Mapping[str, Any],
    wanted: Mapping[str, Any],
    defaults: Mapping[str, Any] | None = None,
) -> list[str]:
    """The keys whose values differ, in the order `wanted` lists them, then `recorded`.

    Both sides are compared as JSON stores them, so a tuple and the list it was
    written as are equal. A key one side lacks reads as its default (None unless
    `defaults` names one): files written before a setting existed leave it out.
    """
    fallback = defaults or {}
    old = json.loads(json.dumps(dict(recorded)))
    new = json.loads(json.dumps(dict(wanted)))
    return [
        key
        for key in dict.fromkeys([*new, *old])
        if old.get(key, fallback.get(key)) != new.get(key, fallback.get(key))
    ]
