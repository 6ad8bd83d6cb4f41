"""The exact-key tables the batch engine's compiled passes look things up in."""

from __future__ import annotations

import numpy as np

from sanctuary.whatif.kernels import Table


def test_a_table_tells_apart_keys_that_differ_in_one_bit_of_one_word() -> None:
    rng = np.random.default_rng(7)
    keys = rng.integers(0, 2**63, size=(5_000, 3), dtype=np.int64).astype(np.uint64)
    t = Table(3)
    t.put(keys[:10], np.arange(10))  # then grown past its first slots, several times
    t.put(keys[10:], np.arange(10, 5_000))
    assert (t.get(keys) == np.arange(5_000)).all()
    near = keys.copy()
    near[:, 1] ^= np.uint64(1) << np.uint64(rng.integers(0, 64))
    assert (t.get(near) == -1).all()
    assert len(t) == 5_000 and t.capacity >= 2 * len(t)


def test_a_table_keeps_keys_whose_words_are_all_equal_apart() -> None:
    t = Table(2)
    k = np.array([[0, 0], [0, 1], [1, 0], [2**64 - 1, 2**64 - 1]], np.uint64)
    t.put(k, np.array([4, 5, 6, 7]))
    assert t.get(k).tolist() == [4, 5, 6, 7]
    assert t.get(np.array([[1, 1]], np.uint64)).tolist() == [-1]
