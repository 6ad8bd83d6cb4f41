"""RFC 6962 / RFC 9162 Merkle tree hashing and proofs.  Pure: no I/O.

Leaf hash ``SHA-256(0x00 || data)``, node hash ``SHA-256(0x01 || left || right)``; a tree of ``n``
leaves splits at the largest power of two smaller than ``n``.

>>> t = MerkleTree(); t.append(leaf_hash(b""))
0
>>> t.root().hex()[:16]
'6e340b9cffb37a98'
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """Largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


class MerkleTree:
    """An append-only tree that keeps every complete aligned subtree hash, so roots and proofs for any
    size are O(log n) lookups plus at most O(log n) hashes of the ragged right edge."""

    def __init__(self, leaves: Sequence[bytes] = ()) -> None:
        self.levels: list[list[bytes]] = [[]]
        for h in leaves:
            self.append(h)

    @classmethod
    def from_leaves(cls, leaves: Sequence[bytes], max_level: int | None = None) -> MerkleTree:
        """Build level by level (faster than appending one leaf at a time); ``max_level`` stops early."""
        t = cls()
        level = list(leaves)
        t.levels = [level]
        while len(level) > 1 and (max_level is None or len(t.levels) <= max_level):
            level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
            t.levels.append(level)
        if len(t.levels) > 1 and not t.levels[-1]:
            t.levels.pop()
        return t

    @classmethod
    def from_levels(cls, parts: Sequence[list[list[bytes]]]) -> MerkleTree:
        """The tree of consecutive leaf ranges, given the lower levels each range built for itself: every
        range but the last must hold a multiple of 2^k leaves for each level k it brings.  Levels above
        the ones every range brought are computed here."""
        if len(parts) == 1 and len(parts[0]) == 1:
            return cls.from_leaves(parts[0][0])
        depth = min(len(p) for p in parts[:-1]) if len(parts) > 1 else len(parts[0])
        for p in parts[:-1]:
            if len(p[0]) % (1 << (depth - 1)):
                raise ValueError("a leaf range that is not the last must be aligned to the levels it brings")
        levels = [[h for p in parts for h in (p[k] if k < len(p) else [])] for k in range(depth)]
        t = cls()
        t.levels = levels
        level = levels[-1]
        while len(level) > 1:
            level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
            t.levels.append(level)
        if len(t.levels) > 1 and not t.levels[-1]:
            t.levels.pop()
        return t

    def __len__(self) -> int:
        return len(self.levels[0])

    def append(self, h: bytes) -> int:
        levels = self.levels
        levels[0].append(h)
        idx = len(levels[0]) - 1
        i, lvl = idx, 0
        while i & 1:
            parent = node_hash(levels[lvl][i - 1], levels[lvl][i])
            lvl += 1
            if len(levels) == lvl:
                levels.append([])
            levels[lvl].append(parent)
            i >>= 1
        return idx

    def leaf(self, i: int) -> bytes:
        return self.levels[0][i]

    def _range(self, a: int, b: int) -> bytes:
        """MTH(D[a:b]) where [a, b) is a range the RFC recursion produces (a aligned for the left part)."""
        n = b - a
        if n == 1:
            return self.levels[0][a]
        if n & (n - 1) == 0 and a % n == 0:
            k = n.bit_length() - 1
            return self.levels[k][a >> k]
        k = _split(n)
        return node_hash(self._range(a, a + k), self._range(a + k, b))

    def root(self, size: int | None = None) -> bytes:
        n = len(self) if size is None else size
        if n > len(self) or n < 0:
            raise ValueError(f"tree size {n} is larger than the tree ({len(self)})")
        return EMPTY_ROOT if n == 0 else self._range(0, n)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        n = len(self) if size is None else size
        if not 0 <= index < n <= len(self):
            raise ValueError(f"no leaf {index} in a tree of size {n}")
        out: list[bytes] = []
        a, b, m = 0, n, index
        while b - a > 1:
            k = _split(b - a)
            if m < k:
                out.append(self._range(a + k, b))
                b = a + k
            else:
                out.append(self._range(a, a + k))
                a, m = a + k, m - k
        out.reverse()
        return out

    def consistency_proof(self, first: int, second: int | None = None) -> list[bytes]:
        n = len(self) if second is None else second
        if not 0 < first <= n <= len(self):
            raise ValueError(f"no consistency proof from {first} to {n}")
        out: list[bytes] = []
        a, b, m, complete = 0, n, first, True
        while True:
            if m == b - a:
                if not complete:
                    out.append(self._range(a, b))
                break
            k = _split(b - a)
            if m <= k:
                out.append(self._range(a + k, b))
                b = a + k
            else:
                out.append(self._range(a, a + k))
                a, m, complete = a + k, m - k, False
        out.reverse()
        return out


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2."""
    if index >= size or index < 0:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes,
                       proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2 (plus the trivial cases)."""
    if first > second or first < 0:
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0
