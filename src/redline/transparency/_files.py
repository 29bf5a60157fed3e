"""Tree heads and receipts on disk: what a verifier keeps between runs."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from redline.errors import LogError
from redline.transparency._log import LogReceipt, SignedTreeHead

M = TypeVar("M", bound=BaseModel)


def _read(path: Path, model: type[M], what: str) -> M:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeError) as exc:
        raise LogError(f"{path}: cannot read the {what}: {exc}") from None
    try:
        return model.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(document)"
        raise LogError(
            f"{path}: not a {what}: field '{where}': {first['msg']}"
        ) from None


def read_tree_head(path: Path) -> SignedTreeHead:
    """A signed tree head saved as JSON (by `save_tree_head` or from `/v1/log/sth`).

    Raises:
        LogError: The file cannot be read or is not a tree head.
    """
    return _read(path, SignedTreeHead, "signed tree head")


def read_receipt(path: Path) -> LogReceipt:
    """A log receipt saved as JSON (`redline log proof -o`).

    Raises:
        LogError: The file cannot be read or is not a receipt.
    """
    return _read(path, LogReceipt, "log receipt")


def load_tree_heads(directory: Path) -> list[SignedTreeHead]:
    """Every tree head saved in a folder, smallest first; none when it does not exist."""
    if not directory.is_dir():
        return []
    heads = [read_tree_head(p) for p in sorted(directory.glob("sth-*.json"))]
    return sorted(heads, key=lambda h: (h.tree_size, h.timestamp))


def save_tree_head(directory: Path, head: SignedTreeHead) -> Path:
    """Keep a tree head, one file per size and root, written atomically.

    Raises:
        LogError: The folder cannot be written.
    """
    name = f"sth-{head.tree_size:012d}-{head.root_hash[:12].replace('/', '_')}.json"
    target = directory / name
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(head.model_dump_json(indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, target)
    except OSError as exc:
        raise LogError(f"{directory}: cannot save the tree head: {exc}") from None
    return target


def write_receipt(path: Path, receipt: LogReceipt) -> None:
    """Write a receipt as JSON, atomically.

    Raises:
        LogError: The file cannot be written.
    """
    try:
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps(receipt.model_dump(mode="json"), indent=2) + "\n")
        os.replace(tmp, path)
    except OSError as exc:
        raise LogError(f"{path}: cannot write the receipt: {exc}") from None
