"""A transparency log in the style of Certificate Transparency (RFC 9162).

Pure code, no service: Merkle hashing and proofs, the log's wire models, signed tree
heads, and checking an entry's receipt against tree heads saved earlier. The
registry keeps the log; `redline log verify` checks it.
"""

from redline.transparency._files import (
    load_tree_heads,
    read_receipt,
    read_tree_head,
    save_tree_head,
    write_receipt,
)
from redline.transparency._log import (
    LOG_FORMAT,
    ConsistencyProof,
    EntryKind,
    InclusionProof,
    LogEntry,
    LogReceipt,
    ReceiptCheck,
    SignedTreeHead,
    b64,
    check_consistency,
    check_receipt,
    log_timestamp,
    sign_tree_head,
    unb64,
    verify_tree_head,
)
from redline.transparency._merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    append_leaf,
    consistency_proof,
    frontier_root,
    inclusion_proof,
    leaf_hash,
    newest_leaf_proof,
    node_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "LOG_FORMAT",
    "ConsistencyProof",
    "EntryKind",
    "InclusionProof",
    "LogEntry",
    "LogReceipt",
    "ReceiptCheck",
    "SignedTreeHead",
    "append_leaf",
    "b64",
    "check_consistency",
    "check_receipt",
    "consistency_proof",
    "frontier_root",
    "inclusion_proof",
    "leaf_hash",
    "load_tree_heads",
    "log_timestamp",
    "newest_leaf_proof",
    "node_hash",
    "read_receipt",
    "read_tree_head",
    "root_hash",
    "save_tree_head",
    "sign_tree_head",
    "unb64",
    "verify_consistency",
    "verify_inclusion",
    "verify_tree_head",
    "write_receipt",
]
