"""The exact-key tables the batch engine's compiled passes look things up in, and the columns they read
straight from Arrow buffers."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from sanctuary.whatif import kernels
from sanctuary.whatif.batch import _Arena, _tri, _tris, _values
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


def _pieces(values: list, dtype: pl.DataType) -> pl.Series:
    """``values`` as a Series in chunks that start mid-buffer (slices of a longer column: non-zero Arrow
    offsets, bitmaps not byte-aligned)."""
    whole = pl.Series([values[0]] * 7 + values, dtype=dtype)
    cuts = [0, 3, 11, 12, 40, 157, len(values)]
    return pl.concat([whole.slice(7 + a, b - a) for a, b in zip(cuts, cuts[1:], strict=False)], rechunk=False)


def test_columns_are_read_from_their_buffers_as_polars_reads_them() -> None:
    rng = np.random.default_rng(3)
    n = 300
    text = [None if x < 2 else f"w{x}" for x in rng.integers(0, 6, n)]
    flags = [[None, True, False][x] for x in rng.integers(0, 3, n)]
    days = [None if x == 0 else dt.date(2020, 1, 1) + dt.timedelta(days=int(x)) for x in rng.integers(0, 400, n)]
    frame = pl.DataFrame({"t": _pieces(text, pl.Categorical), "b": _pieces(flags, pl.Boolean),
                          "c": _pieces(flags[::-1], pl.Boolean), "d": _pieces(days, pl.Date),
                          "s": _pieces([None if x == 0 else int(x) for x in rng.integers(0, 9, n)], pl.Int32)})
    assert frame["t"].n_chunks() > 3 and frame["t"].to_list() == text and frame["b"].to_list() == flags
    a = _Arena()
    want = frame.select(t=pl.col("t").to_physical().fill_null(kernels.NULL).cast(pl.UInt32),
                        d=pl.col("d").to_physical().cast(pl.Int64).fill_null(kernels.NODATE), s=pl.col("s").fill_null(0),
                        tri=pl.col("b").cast(pl.UInt32).fill_null(2) | (pl.col("c").cast(pl.UInt32).fill_null(2) * 4))
    assert _values(frame["t"], a.take("t", n, np.uint32), kernels.NULL).tolist() == want["t"].to_list()
    assert _values(frame["d"], a.take("d", n, np.int64), kernels.NODATE).tolist() == want["d"].to_list()
    assert _values(frame["s"], a.take("s", n, np.int32), 0).tolist() == want["s"].to_list()
    buf = a.take("tri", n, np.uint32)
    buf[:] = 12345  # a reused buffer: whatever it held is overwritten
    assert _tris(frame, ("b", "c"), buf, a).tolist() == want["tri"].to_list()
    assert _tri(frame["b"], a.take("b", n, np.uint8)).tolist() == frame["b"].cast(pl.UInt8).fill_null(2).to_list()


def test_an_arena_hands_back_the_same_memory_for_the_same_name() -> None:
    a = _Arena()
    x = a.take("x", 100, np.int64)
    x[:] = 7
    y = a.take("x", 90, np.int64)  # smaller: the same buffer
    assert np.shares_memory(x, y) and (y == 7).all()
    z = a.take("x", (3, 1000), np.uint32)  # larger: grown
    assert z.shape == (3, 1000) and not np.shares_memory(x, z)
