from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from sanctuary.ledger.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)

V = json.loads((Path(__file__).parents[2] / "vectors" / "rfc6962.json").read_text())
LEAVES = [leaf_hash(bytes.fromhex(x)) for x in V["leaves"]]


def test_rfc6962_roots() -> None:
    t = MerkleTree(LEAVES)
    assert EMPTY_ROOT.hex() == V["roots"][0]
    for n in range(9):
        assert t.root(n).hex() == V["roots"][n]


def test_rfc6962_proofs() -> None:
    t = MerkleTree(LEAVES)
    for case in V["inclusion"]:
        proof = [bytes.fromhex(p) for p in case["proof"]]
        assert t.inclusion_proof(case["index"], case["size"]) == proof
        assert verify_inclusion(LEAVES[case["index"]], case["index"], case["size"], proof, t.root(case["size"]))
    for case in V["consistency"]:
        proof = [bytes.fromhex(p) for p in case["proof"]]
        assert t.consistency_proof(case["first"], case["second"]) == proof
        assert verify_consistency(case["first"], case["second"], t.root(case["first"]), t.root(case["second"]), proof)


# A constant no SHA-256 leaf or node hash of the drawn items can equal (items may be b"x" or b"forged").
NOT_A_NODE = b"\x00" * 32


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=24), min_size=1, max_size=70, unique=True), st.data())
def test_any_append_sequence_verifies(items: list[bytes], data: st.DataObject) -> None:
    t = MerkleTree([leaf_hash(x) for x in items])
    n = len(items)
    size = data.draw(st.integers(1, n))
    i = data.draw(st.integers(0, size - 1))
    proof = t.inclusion_proof(i, size)
    assert verify_inclusion(t.leaf(i), i, size, proof, t.root(size))
    # a wrong index, leaf, root or proof fails
    if size > 1:
        assert not verify_inclusion(t.leaf(i), (i + 1) % size, size, proof, t.root(size))
    assert not verify_inclusion(NOT_A_NODE, i, size, proof, t.root(size))
    if proof:
        bad = [bytes([proof[0][0] ^ 1]) + proof[0][1:]] + proof[1:]
        assert not verify_inclusion(t.leaf(i), i, size, bad, t.root(size))
    first = data.draw(st.integers(1, size))
    cp = t.consistency_proof(first, size)
    assert verify_consistency(first, size, t.root(first), t.root(size), cp)
    if first < size:
        assert not verify_consistency(first, size, NOT_A_NODE, t.root(size), cp)
        assert not verify_consistency(first, size, t.root(first), NOT_A_NODE, cp)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 300), st.integers(0, 4), st.integers(1, 3), st.data())
def test_a_tree_from_ranges_with_their_own_lower_levels_equals_the_whole(n: int, levels: int, ranges: int,
                                                                          data: st.DataObject) -> None:
    """What parallel verification does: consecutive leaf ranges, each but the last aligned to 2^levels,
    each building its own levels up to ``levels``, joined into one tree."""
    leaves = [leaf_hash(str(i).encode()) for i in range(n)]
    block = 1 << levels
    cuts = sorted(set(data.draw(st.lists(st.integers(0, n // block), max_size=ranges - 1))))
    bounds = sorted({0, n, *(c * block for c in cuts)})
    parts = [MerkleTree.from_leaves(leaves[a:b], max_level=levels).levels for a, b in zip(bounds, bounds[1:], strict=False)]
    whole = MerkleTree.from_leaves(leaves)
    joined = MerkleTree.from_levels(parts)
    assert joined.levels == whole.levels
    assert joined.root() == whole.root() and all(joined.root(k) == whole.root(k) for k in range(1, n + 1, 7))
