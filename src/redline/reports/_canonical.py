"""RFC 8785 (JSON Canonicalization Scheme) bytes and digests of JSON values.

Signatures are computed over canonical bytes so that any JSON writer's whitespace, key
order and number formatting (`1` vs `1.0`) verify alike; only the *values* are signed.
"""

from __future__ import annotations

import hashlib
from typing import Any

from redline.errors import PrerequisiteError, ReportError

MAX_JSON_DEPTH = 64
"""Deepest nesting a report may have; real reports stay under 12 levels."""


def check_json_depth(value: Any, where: str = "report") -> None:
    """Refuse JSON data nested deeper than `MAX_JSON_DEPTH`, without recursing.

    Copying, canonicalising and validating all recurse; a document nested a few
    hundred levels deep would otherwise end in a RecursionError deep in one of them.

    Raises:
        ReportError: The data is nested too deeply.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise ReportError(
                f"{where}: JSON nested deeper than {MAX_JSON_DEPTH} levels"
            )
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list | tuple):
            stack.extend((v, depth + 1) for v in item)


def canonical_json(value: Any) -> bytes:
    """Canonical UTF-8 bytes of a JSON value, per RFC 8785.

    Args:
        value: JSON-compatible data (dicts with string keys, lists, strings, finite
            numbers, booleans, None).

    Raises:
        ReportError: The value has no canonical form (NaN, infinity, an integer beyond
            2**53, a non-string key).
        PrerequisiteError: The `rfc8785` package is missing.
    """
    try:
        import rfc8785
    except ImportError:  # pragma: no cover - the server extra ships it
        raise PrerequisiteError(
            "canonical JSON needs the 'rfc8785' package: pip install 'redline[server]'"
        ) from None
    check_json_depth(value, "value")
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise ReportError(f"value has no RFC 8785 canonical form: {exc}") from None


def sha256_digest(data: bytes) -> str:
    """`sha256:<hex>` of bytes, the digest format used throughout reports."""
    return "sha256:" + hashlib.sha256(data).hexdigest()
