"""RFC 9162 §2.1 Merkle tree hashing, inclusion and consistency proofs.

Small on purpose: the Python Merkle libraries keep their own storage and their own
proof formats, while the registry keeps leaves in its database, and proofs here must
be the plain RFC 9162 hash lists that any Certificate Transparency verifier checks.
Proofs are built from the list of leaf hashes (`MTH` recomputed per request); the
log's head is kept as its *frontier*, the roots of the perfect subtrees that make up
the tree, so an append and the newest leaf's inclusion proof cost O(log n).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from redline.errors import LogError

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH of the empty tree: the hash of the empty string."""


def leaf_hash(leaf: bytes) -> bytes:
    """`SHA-256(0x00 || leaf)`: leaves and nodes are hashed apart (second preimages)."""
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """`SHA-256(0x01 || left || right)`."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    # The largest power of two smaller than n (n > 1): RFC 9162's k.
    return 1 << ((n - 1).bit_length() - 1)


def root_hash(leaves: Sequence[bytes]) -> bytes:
    """MTH over leaf *hashes*, for any size (RFC 9162 §2.1.1)."""
    n = len(leaves)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaves[0]
    k = _split(n)
    return node_hash(root_hash(leaves[:k]), root_hash(leaves[k:]))


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(index, D[n]) over leaf hashes (RFC 9162 §2.1.3.1).

    Raises:
        LogError: The index is outside the tree.
    """
    if not 0 <= index < len(leaves):
        raise LogError(f"leaf {index} is outside a tree of size {len(leaves)}")
    return _path(index, leaves)


def _path(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    n = len(leaves)
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return [*_path(m, leaves[:k]), root_hash(leaves[k:])]
    return [*_path(m - k, leaves[k:]), root_hash(leaves[:k])]


def consistency_proof(leaves: Sequence[bytes], first: int) -> list[bytes]:
    """PROOF(first, D[n]) over leaf hashes (RFC 9162 §2.1.4.1); empty when equal.

    Raises:
        LogError: `first` is not between 1 and the tree size.
    """
    if not 0 < first <= len(leaves):
        raise LogError(
            f"no consistency proof from size {first} to size {len(leaves)}: the "
            "first size must be between 1 and the second"
        )
    return _subproof(first, leaves, complete=True)


def _subproof(m: int, leaves: Sequence[bytes], *, complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [root_hash(leaves)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, leaves[:k], complete=complete), root_hash(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], complete=False), root_hash(leaves[:k])]


def _check_hashes(proof: Sequence[bytes], *roots: bytes) -> None:
    for value in (*proof, *roots):
        if len(value) != HASH_SIZE:
            raise LogError(f"a hash has {len(value)} bytes; SHA-256 has {HASH_SIZE}")


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Check an inclusion proof of a leaf hash (RFC 9162 §2.1.3.2).

    Raises:
        LogError: The proof does not lead from the leaf to the root.
    """
    _check_hashes(proof, leaf, root)
    if not 0 <= index < size:
        raise LogError(f"leaf {index} is outside a tree of size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise LogError("the inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise LogError("the inclusion proof is shorter than the tree is deep")
    if r != root:
        raise LogError(
            f"the inclusion proof of leaf {index} does not lead to the root of the "
            f"tree of size {size}"
        )


def verify_consistency(
    first: int, second: int, proof: Sequence[bytes], first_root: bytes, root: bytes
) -> None:
    """Check that the tree `second` extends the tree `first` (RFC 9162 §2.1.4.2).

    A first size of 0 is refused, as transparency-dev does: every tree extends the
    empty one, so such a proof proves nothing; callers skip that case.

    Raises:
        LogError: The second tree is not an append-only extension of the first.
    """
    _check_hashes(proof)
    if second < first:
        raise LogError(f"a tree of size {second} cannot extend one of size {first}")
    if first == 0:
        raise LogError("a consistency proof from the empty tree proves nothing")
    if first == second:
        if proof:
            raise LogError("equal sizes take an empty consistency proof")
        if first_root != root:
            raise LogError(f"two different roots for the same tree size {first}")
        return
    if not proof:
        raise LogError("the consistency proof is empty")
    _check_hashes((), first_root, root)
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise LogError("the consistency proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise LogError("the consistency proof is shorter than the tree is deep")
    if fr != first_root or sr != root:
        raise LogError(
            f"the tree of size {second} is not an extension of the tree of size "
            f"{first}: the proof does not lead to both roots"
        )


def append_leaf(frontier: Sequence[bytes], size: int, leaf: bytes) -> list[bytes]:
    """The frontier after appending a leaf hash to a tree of `size` leaves.

    The frontier holds one root per set bit of the size, largest subtree first;
    appending merges as many trailing subtrees as the size has trailing one bits.
    """
    if len(frontier) != size.bit_count():
        raise LogError(
            f"a frontier of a tree of size {size} has {size.bit_count()} hashes, "
            f"not {len(frontier)}"
        )
    hashes = [*frontier, leaf]
    while size & 1:
        right, left = hashes.pop(), hashes.pop()
        hashes.append(node_hash(left, right))
        size >>= 1
    return hashes


def frontier_root(frontier: Sequence[bytes]) -> bytes:
    """MTH of the tree a frontier describes: its subtree roots folded right to left."""
    if not frontier:
        return EMPTY_ROOT
    root = frontier[-1]
    for subtree in reversed(frontier[:-1]):
        root = node_hash(subtree, root)
    return root


def newest_leaf_proof(frontier_before: Sequence[bytes]) -> list[bytes]:
    """Inclusion proof of the leaf just appended, from the frontier before it.

    PATH(n-1, D[n]) is exactly the perfect subtrees to the left of the new leaf,
    nearest first, so publishing answers its proof without reading the whole log.
    """
    return list(reversed(frontier_before))
