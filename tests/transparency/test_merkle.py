"""RFC 9162 hashing and proofs against published vectors, plus Hypothesis properties.

Vectors: `data/transparency_dev_vectors.json` gathers every probe of
github.com/transparency-dev/merkle `testdata/inclusion` and `testdata/consistency`
(Apache-2.0, Google LLC; commit in the file), which its Go verifier runs in
`proof/verify_test.go`. The reference tree (leaves, roots, proofs) is the one of
Certificate Transparency's merkle_tree_test, as transparency-dev's
`cmd/proofgen/main.go` and `proof/proof_test.go` carry it.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from redline.errors import LogError
from redline.transparency import (
    EMPTY_ROOT,
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

VECTORS = json.loads(
    (Path(__file__).parent / "data" / "transparency_dev_vectors.json").read_text()
)

# Certificate Transparency's reference tree: leaf data and the root of each prefix.
LEAVES = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
)]  # fmt: skip
ROOTS = [bytes.fromhex(h) for h in (
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
)]  # fmt: skip
# (leaf index from 0, tree size, proof) and (size1, size2, proof) from proofgen.
INCLUSION = [
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip
CONSISTENCY = [
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]  # fmt: skip
HASHES = [leaf_hash(leaf) for leaf in LEAVES]


def _b(values: list[str] | None) -> list[bytes]:
    return [base64.b64decode(v) for v in values or []]


def _outcome(check, *args) -> bool:
    try:
        check(*args)
    except LogError:
        return False
    return True


def test_hashing_rules_match_rfc_6962_vectors() -> None:
    # transparency-dev rfc6962/rfc6962_test.go: empty root, empty leaf, leaf, node.
    assert EMPTY_ROOT.hex().startswith("e3b0c44298fc1c149afbf4c8996fb924")
    assert leaf_hash(b"").hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
    assert leaf_hash(b"L123456").hex() == (
        "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"
    )
    assert node_hash(b"N123", b"N456").hex() == (
        "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb"
    )


def test_roots_of_the_reference_tree_for_every_size() -> None:
    assert [root_hash(HASHES[:n]) for n in range(1, 9)] == ROOTS
    assert root_hash([]) == EMPTY_ROOT


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_inclusion_proofs_match_the_reference(index, size, proof) -> None:
    assert [h.hex() for h in inclusion_proof(HASHES[:size], index)] == proof
    verify_inclusion(
        index,
        size,
        HASHES[index],
        inclusion_proof(HASHES[:size], index),
        ROOTS[size - 1],
    )


@pytest.mark.parametrize(("first", "second", "proof"), CONSISTENCY)
def test_consistency_proofs_match_the_reference(first, second, proof) -> None:
    assert [h.hex() for h in consistency_proof(HASHES[:second], first)] == proof
    verify_consistency(
        first,
        second,
        consistency_proof(HASHES[:second], first),
        ROOTS[first - 1],
        ROOTS[second - 1],
    )


@pytest.mark.parametrize("probe", VECTORS["inclusion"], ids=lambda p: p["file"])
def test_transparency_dev_inclusion_probes(probe) -> None:
    accepted = _outcome(
        verify_inclusion,
        probe["leafIdx"],
        probe["treeSize"],
        base64.b64decode(probe["leafHash"] or ""),
        _b(probe["proof"]),
        base64.b64decode(probe["root"] or ""),
    )
    assert accepted is not probe["wantErr"], probe["desc"]


@pytest.mark.parametrize("probe", VECTORS["consistency"], ids=lambda p: p["file"])
def test_transparency_dev_consistency_probes(probe) -> None:
    accepted = _outcome(
        verify_consistency,
        probe["size1"],
        probe["size2"],
        _b(probe["proof"]),
        base64.b64decode(probe["root1"] or ""),
        base64.b64decode(probe["root2"] or ""),
    )
    assert accepted is not probe["wantErr"], probe["desc"]


def test_the_vectors_hold_both_accepted_and_refused_probes() -> None:
    for kind in ("inclusion", "consistency"):
        wanted = {p["wantErr"] for p in VECTORS[kind]}
        assert wanted == {True, False}, kind
        assert len(VECTORS[kind]) > 50


leaves_strategy = st.lists(st.binary(max_size=8), min_size=1, max_size=70)


@given(leaves_strategy, st.data())
def test_every_inclusion_proof_verifies_and_a_flipped_bit_does_not(
    leaves, data
) -> None:
    hashes = [leaf_hash(x) for x in leaves]
    root = root_hash(hashes)
    index = data.draw(st.integers(0, len(hashes) - 1))
    proof = inclusion_proof(hashes, index)
    verify_inclusion(index, len(hashes), hashes[index], proof, root)
    if proof:
        at = data.draw(st.integers(0, len(proof) - 1))
        forged = [*proof]
        forged[at] = bytes([forged[at][0] ^ 1]) + forged[at][1:]
        with pytest.raises(LogError):
            verify_inclusion(index, len(hashes), hashes[index], forged, root)
    other = data.draw(st.integers(0, len(hashes) - 1))
    if hashes[other] != hashes[index]:
        with pytest.raises(LogError):
            verify_inclusion(index, len(hashes), hashes[other], proof, root)


@given(leaves_strategy, st.data())
def test_consistency_holds_for_prefixes_and_fails_for_rewritten_history(
    leaves, data
) -> None:
    hashes = [leaf_hash(x) for x in leaves]
    first = data.draw(st.integers(1, len(hashes)))
    proof = consistency_proof(hashes, first)
    verify_consistency(
        first, len(hashes), proof, root_hash(hashes[:first]), root_hash(hashes)
    )
    # Changing any leaf of the older tree, then extending it, breaks consistency.
    at = data.draw(st.integers(0, first - 1))
    rewritten = [*hashes]
    rewritten[at] = leaf_hash(leaves[at] + b"!")
    with pytest.raises(LogError):
        verify_consistency(
            first, len(hashes), consistency_proof(rewritten, first),
            root_hash(hashes[:first]), root_hash(rewritten),
        )  # fmt: skip


@given(st.lists(st.binary(max_size=4), max_size=80))
def test_the_frontier_tracks_the_root_and_the_newest_leaf_proof(leaves) -> None:
    frontier: list[bytes] = []
    hashes: list[bytes] = []
    for value in leaves:
        h = leaf_hash(value)
        before = frontier
        frontier = append_leaf(frontier, len(hashes), h)
        hashes.append(h)
        assert frontier_root(frontier) == root_hash(hashes)
        assert newest_leaf_proof(before) == inclusion_proof(hashes, len(hashes) - 1)
    assert frontier_root(frontier) == root_hash(hashes)


def test_a_frontier_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(LogError, match="frontier"):
        append_leaf([HASHES[0]], 3, HASHES[1])


def test_out_of_range_requests_are_refused() -> None:
    with pytest.raises(LogError, match="outside"):
        inclusion_proof(HASHES, 8)
    with pytest.raises(LogError, match="between 1"):
        consistency_proof(HASHES, 0)
    with pytest.raises(LogError, match="cannot extend"):
        verify_consistency(5, 4, [], ROOTS[4], ROOTS[3])
