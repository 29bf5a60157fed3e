"""The transparency log's wire models, signed tree heads, and checking a receipt.

A leaf is the RFC 8785 canonical JSON of a `LogEntry`, so anyone can recompute it
from the fields the registry serves. A tree head is signed over a short text form
(like a transparency-dev checkpoint) with the registry's own Ed25519 log key.
Checking happens here, without a network, so the online and the offline
`redline log verify` run the very same code.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from redline.errors import LogError, SignatureError
from redline.reports import PublicKey, SigningKey, canonical_json
from redline.transparency._merkle import (
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)

_FROZEN = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)
TIMESTAMP_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"
_B64_HASH = r"^[A-Za-z0-9+/]{43}=$"
LOG_FORMAT = "redline-transparency-log/v1"

EntryKind = Literal[
    "report.published",
    "exercise.submitted",
    "key.registered",
    "key.revoked",
    "plan.registered",
]
"""What an entry records."""


def log_timestamp(when: datetime | None = None) -> str:
    """UTC time to the millisecond, as leaves and tree heads carry it."""
    when = (when or datetime.now(UTC)).astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def b64(raw: bytes) -> str:
    """Standard base64, as transparency-dev's JSON writes hashes."""
    return base64.b64encode(raw).decode("ascii")


def unb64(text: str, what: str = "hash") -> bytes:
    """Bytes of a base64 string; LogError when it is not base64."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise LogError(f"{what} is not base64: {text[:60]!r}") from None


class LogEntry(BaseModel):
    """One entry of the log; its leaf is the canonical JSON of these fields."""

    model_config = _FROZEN

    index: int = Field(ge=0)
    """Position in the log, from 0."""
    kind: EntryKind
    """What happened."""
    subject: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")
    """Digest of what it happened to: a report's assessment digest, a key's, a plan's."""
    institute: str | None = None
    """The institute that did it."""
    ref: str | None = None
    """Registry id of the thing (report, exercise, key id, plan), when it has one."""
    timestamp: str = Field(pattern=TIMESTAMP_PATTERN)
    """When the registry appended it (UTC, milliseconds)."""

    def leaf(self) -> bytes:
        """The leaf bytes: RFC 8785 JSON of every field."""
        return canonical_json(self.model_dump(mode="json"))

    def leaf_hash(self) -> bytes:
        """RFC 9162 leaf hash of `leaf()`."""
        return leaf_hash(self.leaf())


class SignedTreeHead(BaseModel):
    """The log's size and root at a time, signed with the registry's log key."""

    model_config = _FROZEN

    log_key_id: str = Field(pattern=r"^ed25519:[0-9a-f]{24}$")
    """Id of the log key (as for signing keys: a digest of the raw public key)."""
    log_public_key: str = Field(pattern=_B64_HASH)
    """Base64 of the raw Ed25519 log public key."""
    tree_size: int = Field(ge=0)
    """Entries in the tree."""
    root_hash: str = Field(pattern=_B64_HASH)
    """Base64 of the tree's RFC 9162 root hash."""
    timestamp: str = Field(pattern=TIMESTAMP_PATTERN)
    """When the head was signed."""
    signature: str = Field(pattern=r"^[A-Za-z0-9+/]{86}==$")
    """Base64 Ed25519 signature of `message()`."""

    def message(self) -> bytes:
        """The signed bytes: format, key, size, root and time, one per line."""
        return (
            f"{LOG_FORMAT}\n{self.log_key_id}\n{self.tree_size}\n"
            f"{self.root_hash}\n{self.timestamp}\n"
        ).encode()


class InclusionProof(BaseModel):
    """RFC 9162 inclusion proof: sibling hashes from the leaf up."""

    model_config = _FROZEN

    leaf_index: int = Field(ge=0)
    """The entry's index."""
    tree_size: int = Field(ge=1)
    """Size of the tree the proof is for."""
    hashes: tuple[str, ...] = Field(max_length=64)
    """Base64 hashes, nearest the leaf first."""


class ConsistencyProof(BaseModel):
    """RFC 9162 consistency proof between two tree sizes."""

    model_config = _FROZEN

    first: int = Field(ge=1)
    """The smaller size."""
    second: int = Field(ge=1)
    """The larger size."""
    hashes: tuple[str, ...] = Field(max_length=128)
    """Base64 hashes, as RFC 9162 §2.1.4.1 orders them."""


class LogReceipt(BaseModel):
    """Everything needed to check an entry's inclusion offline."""

    model_config = _FROZEN

    entry: LogEntry
    """The entry."""
    inclusion: InclusionProof
    """Its inclusion proof in the tree of `tree_head`."""
    tree_head: SignedTreeHead
    """The signed head the proof leads to."""
    consistency: tuple[ConsistencyProof, ...] = ()
    """Proofs between `tree_head` and tree heads saved earlier, to check offline."""


class ReceiptCheck(BaseModel):
    """What checking a receipt established."""

    model_config = _FROZEN

    entry: LogEntry
    """The entry, included in the tree head."""
    tree_head: SignedTreeHead
    """The tree head, signed by the log key."""
    consistent_with: tuple[int, ...]
    """Sizes of saved tree heads the tree head was proven consistent with."""


def sign_tree_head(
    size: int, root: bytes, key: SigningKey, when: datetime | None = None
) -> SignedTreeHead:
    """Sign the head of a tree of `size` leaves with root `root`."""
    public = key.public
    unsigned = SignedTreeHead.model_construct(
        log_key_id=public.key_id,
        log_public_key=public.b64,
        tree_size=size,
        root_hash=b64(root),
        timestamp=log_timestamp(when),
        signature="",
    )
    return SignedTreeHead.model_validate(
        {
            **unsigned.model_dump(),
            "signature": b64(key.sign(unsigned.message())),
        }
    )


def verify_tree_head(head: SignedTreeHead, *, trusted_key: str | None = None) -> None:
    """Check a tree head's signature, and that it is by the trusted log key if given.

    Raises:
        LogError: The signature does not verify, or another key made it.
    """
    from cryptography.exceptions import InvalidSignature

    try:
        public = PublicKey.from_b64(head.log_public_key)
    except SignatureError as exc:
        raise LogError(f"tree head of size {head.tree_size}: {exc}") from None
    if public.key_id != head.log_key_id:
        raise LogError(
            f"tree head of size {head.tree_size}: log_key_id does not match its key"
        )
    if trusted_key is not None and head.log_public_key != trusted_key:
        raise LogError(
            f"tree head of size {head.tree_size} is signed by {head.log_key_id}, not "
            f"by the log key trusted so far ({PublicKey.from_b64(trusted_key).key_id})"
        )
    try:
        public.verifier().verify(unb64(head.signature, "signature"), head.message())
    except InvalidSignature:
        raise LogError(
            f"tree head of size {head.tree_size}: bad signature (it was altered, or "
            f"not signed by {head.log_key_id})"
        ) from None


def check_consistency(
    older: SignedTreeHead, newer: SignedTreeHead, proof: ConsistencyProof | None
) -> None:
    """Check that `newer` extends `older` (either may be the larger one).

    Raises:
        LogError: The heads disagree: a fork, a rewritten history, or no proof.
    """
    small, large = sorted((older, newer), key=lambda h: h.tree_size)
    if small.tree_size == 0:
        return  # every tree extends the empty one
    if small.tree_size == large.tree_size:
        if small.root_hash != large.root_hash:
            raise LogError(
                f"two tree heads of size {small.tree_size} with different roots: "
                "the log shows different histories"
            )
        return
    if older.tree_size > newer.tree_size and proof is None:
        raise LogError(
            f"the log shows a tree of size {newer.tree_size}, smaller than the tree "
            f"of size {older.tree_size} saved earlier: it was rolled back or forked"
        )
    if proof is None or (proof.first, proof.second) != (
        small.tree_size,
        large.tree_size,
    ):
        raise LogError(
            f"no consistency proof between tree sizes {small.tree_size} and "
            f"{large.tree_size}"
        )
    try:
        verify_consistency(
            small.tree_size,
            large.tree_size,
            [unb64(h) for h in proof.hashes],
            unb64(small.root_hash),
            unb64(large.root_hash),
        )
    except LogError as exc:
        raise LogError(
            f"the tree head of size {large.tree_size} is not an extension of the "
            f"one of size {small.tree_size} saved earlier ({exc})"
        ) from None


def check_receipt(
    receipt: LogReceipt,
    *,
    subject: str,
    saved: Sequence[SignedTreeHead] = (),
    trusted_key: str | None = None,
    kind: EntryKind | None = None,
) -> ReceiptCheck:
    """Check an entry's inclusion, and the log's consistency with saved tree heads.

    Args:
        receipt: The entry, its proof, the tree head, and consistency proofs.
        subject: The digest the entry must record (a report's assessment digest).
        saved: Tree heads seen before; each must be consistent with the receipt's.
        trusted_key: The log's public key (base64); by default the key of the saved
            heads, or, with none saved, the receipt's own (trust on first use).
        kind: The kind the entry must have.

    Raises:
        LogError: Any check fails; the message says which.
    """
    head = receipt.tree_head
    pinned = trusted_key or (saved[0].log_public_key if saved else None)
    for old in saved:
        verify_tree_head(old, trusted_key=pinned)
    verify_tree_head(head, trusted_key=pinned)
    entry, proof = receipt.entry, receipt.inclusion
    if entry.subject != subject:
        raise LogError(
            f"log entry {entry.index} records {entry.subject}, not {subject}"
        )
    if kind is not None and entry.kind != kind:
        raise LogError(f"log entry {entry.index} is a {entry.kind}, not a {kind}")
    if (proof.leaf_index, proof.tree_size) != (entry.index, head.tree_size):
        raise LogError(
            f"the inclusion proof is for leaf {proof.leaf_index} of a tree of size "
            f"{proof.tree_size}, not entry {entry.index} in the tree of size "
            f"{head.tree_size}"
        )
    try:
        verify_inclusion(
            entry.index,
            head.tree_size,
            entry.leaf_hash(),
            [unb64(h) for h in proof.hashes],
            unb64(head.root_hash),
        )
    except LogError as exc:
        raise LogError(f"forged or stale inclusion proof: {exc}") from None
    proofs = {(p.first, p.second): p for p in receipt.consistency}
    checked = []
    for old in saved:
        low, high = sorted((old.tree_size, head.tree_size))
        check_consistency(old, head, proofs.get((low, high)))
        checked.append(old.tree_size)
    return ReceiptCheck(entry=entry, tree_head=head, consistent_with=tuple(checked))
