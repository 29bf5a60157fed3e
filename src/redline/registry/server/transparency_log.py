"""The registry's transparency log: appends inside the caller's transaction, proofs.

Every publication, exercise submission, key registration and revocation (and, once
merged, plan registration) calls `append_log_entry` in the same write transaction
as the change it records, so both commit or neither does: a kill -9 cannot leave a
report without its entry, nor an entry for a report that was never stored.

Appends are serialised: SQLite's writers already queue on `BEGIN IMMEDIATE`;
PostgreSQL takes a table lock that conflicts only with itself (readers go on), held
to commit, so two appends never read the same tree head.

Tree heads are signed when asked for, not stored: the roots are in the log's rows,
and anyone who cares keeps the signed heads they saw (`redline log verify
--sth-dir`). An edit made straight in the database shows up as a tree head that is
not an extension of one saved before, or as an entry whose proof does not verify.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from redline.errors import ConfigError
from redline.registry.server.errors import http_error
from redline.registry.server.models import LogEntryRow
from redline.reports import (
    PRIVATE_KEY_SUFFIX,
    SigningKey,
    load_signing_key,
    write_key_pair,
)
from redline.transparency import (
    EMPTY_ROOT,
    ConsistencyProof,
    EntryKind,
    InclusionProof,
    LogEntry,
    LogReceipt,
    SignedTreeHead,
    append_leaf,
    b64,
    consistency_proof,
    frontier_root,
    inclusion_proof,
    log_timestamp,
    newest_leaf_proof,
    sign_tree_head,
    unb64,
)


def load_log_key(path: Path) -> SigningKey:
    """The log key at `path`, made (mode 0600, with a `.pub` beside it) if missing.

    Raises:
        ConfigError: The folder cannot be written.
        SignatureError: The file holds no Ed25519 private key.
    """
    if not path.exists():
        try:
            write_key_pair(
                SigningKey.generate(),
                path.parent,
                path.name.removesuffix(PRIVATE_KEY_SUFFIX),
            )
        except ConfigError:
            if not path.exists():
                raise
            # Another server process made it first: use that one.
    return load_signing_key(path)


def append_log_entry(
    session: Session,
    kind: EntryKind,
    subject: str,
    *,
    institute: str | None = None,
    ref: str | None = None,
) -> LogEntry | None:
    """Append an entry, inside the caller's open write transaction.

    Args:
        session: A `Database.writer()` session; the entry commits with its work.
        kind: What happened.
        subject: `sha256:<hex>` digest of what it happened to.
        institute: Slug of the institute that did it.
        ref: Registry id of the thing, when it has one.

    Returns:
        The entry; None when the log is turned off (`Settings.transparency_log`).
    """
    if not session.info.get("transparency_log", True):
        return None
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE transparency_log IN SHARE ROW EXCLUSIVE MODE"))
    last = session.scalar(
        select(LogEntryRow).order_by(LogEntryRow.leaf_index.desc()).limit(1)
    )
    size = 0 if last is None else last.leaf_index + 1
    frontier = [] if last is None else [unb64(h) for h in json.loads(last.frontier)]
    entry = LogEntry(
        index=size,
        kind=kind,
        subject=subject,
        institute=institute,
        ref=ref,
        timestamp=log_timestamp(),
    )
    hashed = entry.leaf_hash()
    after = append_leaf(frontier, size, hashed)
    session.add(
        LogEntryRow(
            leaf_index=size,
            kind=kind,
            subject=subject,
            ref=ref,
            leaf=entry.leaf().decode("utf-8"),
            leaf_hash=b64(hashed),
            root_hash=b64(frontier_root(after)),
            frontier=json.dumps([b64(h) for h in after]),
            created_at=datetime.now(UTC),
        )
    )
    session.flush()
    return entry


def log_size(session: Session) -> int:
    """Entries in the log."""
    last = session.scalar(select(LogEntryRow.leaf_index).order_by(
        LogEntryRow.leaf_index.desc()).limit(1))  # fmt: skip
    return 0 if last is None else last + 1


def _root(session: Session, size: int) -> bytes:
    if size == 0:
        return EMPTY_ROOT
    root = session.scalar(
        select(LogEntryRow.root_hash).where(LogEntryRow.leaf_index == size - 1)
    )
    if root is None:
        raise http_error(404, f"the log has no tree of size {size}")
    return unb64(root)


def tree_head(
    session: Session, key: SigningKey, size: int | None = None
) -> SignedTreeHead:
    """The signed head of the tree of `size` entries (the whole log by default)."""
    current = log_size(session)
    size = current if size is None else size
    if size > current:
        raise http_error(422, f"the log has {current} entries, not {size}")
    return sign_tree_head(size, _root(session, size), key)


def _leaf_hashes(session: Session, size: int) -> list[bytes]:
    return [
        unb64(h)
        for h in session.scalars(
            select(LogEntryRow.leaf_hash)
            .where(LogEntryRow.leaf_index < size)
            .order_by(LogEntryRow.leaf_index)
        )
    ]


def stored_entry(session: Session, index: int) -> LogEntry:
    """The entry at `index`, parsed from its stored leaf bytes."""
    leaf = session.scalar(
        select(LogEntryRow.leaf).where(LogEntryRow.leaf_index == index)
    )
    if leaf is None:
        raise http_error(404, f"the log has no entry {index}")
    return LogEntry.model_validate_json(leaf)


def find_entry(
    session: Session,
    subject: str,
    kind: EntryKind | None = None,
    *,
    ref: str | None = None,
) -> int:
    """Index of the first entry recording `subject` (of `kind`, `ref`, when given)."""
    query = select(LogEntryRow.leaf_index).where(LogEntryRow.subject == subject)
    if kind is not None:
        query = query.where(LogEntryRow.kind == kind)
    if ref is not None:
        query = query.where(LogEntryRow.ref == ref)
    index = session.scalar(query.order_by(LogEntryRow.leaf_index).limit(1))
    if index is None:
        raise http_error(404, f"the log has no entry for {subject}")
    return index


def receipt(
    session: Session, key: SigningKey, index: int, tree_size: int | None = None
) -> LogReceipt:
    """An entry with its inclusion proof in the tree of `tree_size` (default: all)."""
    head = tree_head(session, key, tree_size)
    if not 0 <= index < head.tree_size:
        raise http_error(
            422, f"entry {index} is not in the tree of size {head.tree_size}"
        )
    proof = inclusion_proof(_leaf_hashes(session, head.tree_size), index)
    return LogReceipt(
        entry=stored_entry(session, index),
        inclusion=InclusionProof(
            leaf_index=index,
            tree_size=head.tree_size,
            hashes=tuple(b64(h) for h in proof),
        ),
        tree_head=head,
    )


def new_entry_receipt(session: Session, key: SigningKey, entry: LogEntry) -> LogReceipt:
    """The receipt of an entry just appended, from the row before it: O(log n)."""
    before: list[bytes] = []
    if entry.index > 0:
        frontier = session.scalar(
            select(LogEntryRow.frontier).where(
                LogEntryRow.leaf_index == entry.index - 1
            )
        )
        before = [unb64(h) for h in json.loads(frontier or "[]")]
    size = entry.index + 1
    return LogReceipt(
        entry=entry,
        inclusion=InclusionProof(
            leaf_index=entry.index,
            tree_size=size,
            hashes=tuple(b64(h) for h in newest_leaf_proof(before)),
        ),
        tree_head=sign_tree_head(size, _root(session, size), key),
    )


def consistency(session: Session, first: int, second: int) -> ConsistencyProof:
    """Proof that the tree of `second` entries extends the tree of `first`."""
    current = log_size(session)
    if not 0 < first <= second:
        raise http_error(
            422, f"first ({first}) must be at least 1 and at most second ({second})"
        )
    if second > current:
        raise http_error(422, f"the log has {current} entries, not {second}")
    proof = consistency_proof(_leaf_hashes(session, second), first)
    return ConsistencyProof(
        first=first, second=second, hashes=tuple(b64(h) for h in proof)
    )


def entries(session: Session, start: int, limit: int) -> list[LogEntry]:
    """Entries from `start`, in order, as stored."""
    rows = session.scalars(
        select(LogEntryRow.leaf)
        .where(LogEntryRow.leaf_index >= start)
        .order_by(LogEntryRow.leaf_index)
        .limit(limit)
    )
    return [LogEntry.model_validate_json(leaf) for leaf in rows]
