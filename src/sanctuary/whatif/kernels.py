"""The batch engine's per-row passes, compiled (numba): exact-key hash tables and one loop per stage.

Every key is the exact tuple of what it stands for, packed losslessly into 64-bit words (dictionary
codes are 32 bits, :data:`NULL` stands for a null text value), and a table compares every word of a
key before it answers: there is no fingerprint, so no collision to argue about.  The layouts:

``record``  (3 words)  statute | level << 32;  jurisdiction | reduced << 32;  findings | juvenile << 32 |
            magistrate_probable_cause << 34 | date class << 36 | record class << 41
``base``    (4 words)  agency | from_authority << 32;  documents | asks << 32;  ask_detail | epoch << 32;  year
``pattern`` (7 words)  base id | subject and context facts (two bits each) << 32;  preferred_language |
            pattern number << 32;  gate_n;  gate_t;  code_n;  code_t;  request_id -- a column the pattern
            does not read is 0 (the pattern number keeps patterns apart)
``fill``    (3 words)  decision id;  notify gate code;  transfer gate code

The loops run without the GIL, so the next batch is read (by Polars, in another thread) meanwhile.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .schema import TRI_COLUMNS

U64 = np.uint64
NULL = 0xFFFFFFFF  # a null text value's code (Polars' codes are 32-bit and counted from 0)
NODATE = -(2**62)  # a null date (days since 1970 as int64)
KIND_SHIFT = 58
N_TRI = len(TRI_COLUMNS)  # subject and context facts in a pattern key, two bits each (0 false, 1 true, 2 unknown)

_C1, _C2 = U64(0xBF58476D1CE4E5B9), U64(0x94D049BB133111EB)
_S30, _S27, _S31 = U64(30), U64(27), U64(31)
_ONE, _ZERO = U64(1), U64(0)
_MUL = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
                 0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0x87C37B91114253D5, 0x4CF5AD432745937F], np.uint64)
_OPEN_MASK = U64((1 << KIND_SHIFT) - 1)
_KS = U64(KIND_SHIFT)


# ---------------------------------------------------------------------------------------------- tables
@njit(inline="always")
def _fmix(z):  # type: ignore[no-untyped-def]
    z = (z ^ (z >> _S30)) * _C1
    z = (z ^ (z >> _S27)) * _C2
    return z ^ (z >> _S31)


@njit(inline="always")
def _slot(t, key):  # type: ignore[no-untyped-def]
    """The slot of table ``t`` holding ``key`` (a tuple of words, or a row of an array), or the empty slot
    where it would go (linear probing).  A slot is the key's words then its value + 1 (0: empty), so one
    probe touches one cache line.  (The passes give keys as tuples: values, not memory, so nothing the
    compiler must assume they alias.)"""
    w = len(key)
    h = _ZERO
    for j in range(w):  # independent products, one mix at the end: a short dependency chain
        h ^= (key[j] + U64(j)) * _MUL[j & 7]
    h = _fmix(h)
    mask = t.shape[0] - 1
    i = np.int64(h & U64(mask))
    while True:
        if t[i, w] == _ZERO:
            return i
        same = True
        for j in range(w):
            if t[i, j] != key[j]:
                same = False
                break
        if same:
            return i
        i = (i + 1) & mask


@njit(inline="always")
def _value(t, key):  # type: ignore[no-untyped-def]
    return np.int64(t[_slot(t, key), len(key)]) - 1


@njit(nogil=True, cache=True)
def table_put(t, keys, vals):  # type: ignore[no-untyped-def]
    w = keys.shape[1]
    for r in range(keys.shape[0]):
        s = _slot(t, keys[r])
        t[s, :w] = keys[r]
        t[s, w] = U64(vals[r] + 1)


@njit(nogil=True, cache=True)
def table_get(t, keys):  # type: ignore[no-untyped-def]
    out = np.empty(keys.shape[0], np.int64)
    for r in range(keys.shape[0]):
        out[r] = _value(t, keys[r])
    return out


class Table:
    """An exact-key hash table: keys are rows of ``width`` 64-bit words, values non-negative int64
    (-1 answers a key not there).  Every key put is kept (``keys``, ``vals``), so the slots can be
    rebuilt larger."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.keys = np.empty((0, width), np.uint64)
        self.vals = np.empty(0, np.int64)
        self._alloc(64)

    def _alloc(self, cap: int) -> None:
        self.t = np.zeros((cap, self.width + 1), np.uint64)
        if len(self.vals):
            table_put(self.t, self.keys, self.vals)

    def __len__(self) -> int:
        return len(self.vals)

    @property
    def capacity(self) -> int:
        return len(self.t)

    def put(self, keys: np.ndarray, vals: np.ndarray) -> None:
        """Add keys not yet in the table (a key already there takes the new value)."""
        keys = np.ascontiguousarray(keys, np.uint64).reshape(-1, self.width)
        vals = np.asarray(vals, np.int64)
        if not len(vals):
            return
        if (vals < 0).any():
            raise ValueError("table values must be non-negative")
        self.keys = np.concatenate([self.keys, keys])
        self.vals = np.concatenate([self.vals, vals])
        if 2 * len(self.vals) > self.capacity:  # at most half full: probes stay short
            cap = self.capacity
            while 2 * len(self.vals) > cap:
                cap *= 2
            self._alloc(cap)
        else:
            table_put(self.t, keys, vals)

    def get(self, keys: np.ndarray) -> np.ndarray:
        return table_get(self.t, np.ascontiguousarray(keys, np.uint64).reshape(-1, self.width))


# ---------------------------------------------------------------------------------------------- columns in
# A batch's columns reach the kernels as NumPy arrays read straight from their Arrow buffers, chunk by
# chunk (``offset``: the chunk's first element in its buffers; ``valid``: its validity bitmap, empty when
# it has no nulls).
@njit(nogil=True, cache=True)
def take_values(out, at, values, valid, offset, null):  # type: ignore[no-untyped-def]
    """``out[at:at + len(values)]`` = ``values``, ``null`` where not valid."""
    n = values.shape[0]
    if valid.shape[0] == 0:
        for k in range(n):
            out[at + k] = values[k]
        return
    for k in range(n):
        b = offset + k
        out[at + k] = values[k] if (valid[b >> 3] >> (b & 7)) & 1 else null


_BYTES = U64(0x0101010101010101)


@njit(inline="always")
def _spread(b):  # type: ignore[no-untyped-def]
    """The 8 bits of byte ``b``, bit t into byte t of a word."""
    x = U64(b)
    x = (x | (x << U64(28))) & U64(0x0000000F0000000F)
    x = (x | (x << U64(14))) & U64(0x0003000300030003)
    return (x | (x << U64(7))) & _BYTES


@njit(inline="always")
def _bit(bitmap, b):  # type: ignore[no-untyped-def]
    return (bitmap[b >> 3] >> (b & 7)) & 1


@njit(nogil=True, cache=True)
def take_tri(out, at, n, values, valid, offset):  # type: ignore[no-untyped-def]
    """``out[at:at + n]`` = a boolean chunk's three values (0 false, 1 true, 2 null), from its bitmaps:
    eight at a time where they are byte-aligned, bit by bit at the ends."""
    has_valid = valid.shape[0] > 0
    k = 0
    while k < n and (offset + k) & 7:
        b = offset + k
        out[at + k] = _bit(values, b) if not has_valid or _bit(valid, b) else 2
        k += 1
    while k + 8 <= n:
        byte = (offset + k) >> 3
        v = _spread(values[byte])
        m = _spread(valid[byte]) if has_valid else _BYTES
        c = (v & m) | ((m ^ _BYTES) << U64(1))
        for t in range(8):
            out[at + k + t] = (c >> U64(8 * t)) & U64(0xFF)
        k += 8
    while k < n:
        b = offset + k
        out[at + k] = _bit(values, b) if not has_valid or _bit(valid, b) else 2
        k += 1


@njit(nogil=True, cache=True)
def tri_words(codes, out):  # type: ignore[no-untyped-def]
    """Per row, the three-valued codes of ``codes``' rows (one per column) as one word, two bits each."""
    for k in range(out.shape[0]):
        w = out.dtype.type(0)
        for j in range(codes.shape[0]):
            w |= out.dtype.type(codes[j, k]) << out.dtype.type(2 * j)
        out[k] = w


@njit(nogil=True, cache=True)
def dense(ids):  # type: ignore[no-untyped-def]
    """``ids`` are ``ids[0], ids[0] + 1, ...`` (so a request's position is its id minus the first)."""
    for k in range(1, ids.shape[0]):  # noqa: SIM110 (a compiled loop: no generator)
        if ids[k] != ids[0] + k:
            return False
    return True


@njit(nogil=True, cache=True)
def positions(rid, lo, n):  # type: ignore[no-untyped-def]
    """Turns records' request ids ``rid`` into their request positions (``rid - lo``), in place, and
    answers True when every one falls in ``0..n`` in order; else False, and the caller lines records up
    another way."""
    last = np.int64(0)
    for k in range(rid.shape[0]):
        if rid[k] < lo or rid[k] - lo >= n or rid[k] - lo < last:
            return False
        last = rid[k] = rid[k] - lo
    return True


# ---------------------------------------------------------------------------------------------- stage 1: records
# (helpers take scalars: a compiled call that passes many arrays costs more than the work it does)
@njit(inline="always")
def _rec_class(record, conviction, pending):  # type: ignore[no-untyped-def]
    """0 conviction, 1 pending charge, 2 another value (read as a conviction)."""
    return 1 if record == pending else (0 if record == conviction else 2)


@njit(inline="always")
def _date_class(c, d, a, realign, cut5, cut15):  # type: ignore[no-untyped-def]
    """Where a conviction's date ``d`` falls against the request's day ``a``: after it, before Realignment,
    inside 5 and 15 years (``cut5``/``cut15``: the day's cut-offs).  0 for a pending charge, 1 undated."""
    if c == 1:
        return 0
    if d == NODATE:
        return 1
    return 2 + (d > a) + 2 * (d < realign) + 4 * (d >= cut5) + 8 * (d >= cut15)


@njit(nogil=True, cache=True)
def record_keys(rows, pos, day, d0, cut5, cut15, realign, conviction, pending, record, statute, level, juris, reduced,  # type: ignore[no-untyped-def]
                findings, juv, mpc, date):
    """The record-table keys of records ``rows`` (as :func:`fold` looks them up)."""
    out = np.empty((rows.shape[0], 3), np.uint64)
    for k in range(rows.shape[0]):
        r = rows[k]
        a = day[pos[r]]
        c = _rec_class(record[r], conviction, pending)
        dc = _date_class(c, date[r], a, realign, cut5[a - d0], cut15[a - d0])
        out[k, 0], out[k, 1], out[k, 2] = _rec_words(c, dc, statute[r], level[r], juris[r], reduced[r], findings[r], juv[r], mpc[r])
    return out


@njit(inline="always")
def _rec_words(c, dc, statute, level, juris, reduced, findings, juv, mpc):  # type: ignore[no-untyped-def]
    return (U64(statute) | (U64(level) << U64(32)), U64(juris) | (U64(reduced) << U64(32)),
            U64(findings) | (U64(juv) << U64(32)) | (U64(mpc) << U64(34)) | (U64(dc) << U64(36)) | (U64(c) << U64(41)))


# ---------------------------------------------------------------------------------------------- stage 2: the 7282.5 gate
@njit(nogil=True, cache=True)
def fold(pos, day, d0, cut5, cut15, realign, conviction, pending, record, statute, level, juris, reduced, findings,  # type: ignore[no-untyped-def]
         juv, mpc, date, seq, t, lo, hi, r0, gates, cat, missed, sid_yes, sid_flags, gated, tri, at4, at_fa, at_ow,
         person_reading, b_transfer, bits, yes3, yes_len, flag_at):
    """Stages 1 and 2 in one pass over requests ``lo`` to ``hi`` and their records (``pos``: each record's
    request, in order; ``r0`` the first record of request ``lo``).

    Each record's class is looked up in the record table ``t``: its text columns' codes, its flags, its
    kind (``conviction``/``pending`` are those words' codes) and, for a dated conviction, where its date
    falls against the request's day (:func:`_date_class`; ``cut5``/``cut15`` by day from ``d0``).  The
    table holds the class's summary id << 8 | offense category rank.  A record whose class is not there
    is flagged in ``missed`` (the gates of its request are then not meaningful); returns how many.

    Then Gov. Code § 7282.5 per request and purpose, folded from its records' summaries in order (the
    fold of ``engine.facts._trust_gate``; ``BatchEngine._fold`` documents it), with each gate's kind and
    number of citations, and the most serious offense category: ``gates`` holds per request the notify
    and transfer gates' kinds and counts, then their codes; ``cat`` the category rank (8: none).  Every
    output is written for every request and record, so buffers are reused as they are.  ``bits``/``yes3``
    are the open-prong bits and the "yes" ids of (a)(4), (a)(5), (b); ``flag_at`` the bit positions of
    c_p47, c_misd, c_a6, p_yes, p_unk, p_has in a summary's flags."""
    m = pos.shape[0]
    misses = 0
    r = r0
    for i in range(lo, hi):
        flags = _ZERO
        c_yes = -1
        best = np.int64(0)
        a = day[i]
        cat[i] = 8
        while r < m and pos[r] == i:
            missed[r] = 0
            c = _rec_class(record[r], conviction, pending)
            dc = _date_class(c, date[r], a, realign, cut5[a - d0], cut15[a - d0])
            v = _value(t, _rec_words(c, dc, statute[r], level[r], juris[r], reduced[r], findings[r], juv[r], mpc[r]))
            if v < 0:
                missed[r] = 1
                misses += 1
                r += 1
                continue
            ct = v & 255
            if ct < cat[i]:
                cat[i] = ct
            if gated:
                sid = v >> 8
                y = sid_yes[sid]
                if y >= 0 and (c_yes < 0 or seq[r] < best):
                    c_yes, best = y, seq[r]
                flags |= sid_flags[sid]
            r += 1
        if not gated:
            for p in range(4):
                gates[p, i] = _ZERO
            continue
        c_unk = flags & _OPEN_MASK
        c_p47 = (flags >> U64(flag_at[0])) & _ONE
        c_misd = (flags >> U64(flag_at[1])) & _ONE
        c_a6 = (flags >> U64(flag_at[2])) & _ONE
        f_yes = (flags >> U64(flag_at[3])) & _ONE
        f_unk = (flags >> U64(flag_at[4])) & _ONE
        p_has = (flags >> U64(flag_at[5])) & _ONE
        tw = tri[i]
        a4 = (tw >> U64(2 * at4)) & U64(3)
        fa = (tw >> U64(2 * at_fa)) & U64(3)
        ow = (tw >> U64(2 * at_ow)) & U64(3)
        a5 = 1 if (fa == 1 or ow == 1) else (0 if (fa == 0 and ow == 0) else 2)
        person = c_misd == 1 and person_reading
        for p in range(2):
            allowed = p == 0 or (p_has == 1 and b_transfer)
            p_yes = allowed and f_yes == 1
            p_unk = allowed and f_unk == 1
            unk = c_unk
            if a4 == 2:
                unk |= _ONE << U64(bits[0])
            if a5 == 2:
                unk |= _ONE << U64(bits[1])
            if p_unk:
                unk |= _ONE << U64(bits[2])
            if person and c_p47 == 1:
                kind, payload = 0, U64(2)
            elif c_yes >= 0:
                kind, payload = 1, U64(c_yes)
            elif a4 == 1:
                kind, payload = 1, U64(yes3[0])
            elif a5 == 1:
                kind, payload = 1, U64(yes3[1])
            elif p_yes:
                kind, payload = 1, U64(yes3[2])
            elif unk != _ZERO:
                kind, payload = 2, unk
            elif c_a6 == 1:
                kind, payload = 0, _ONE
            else:
                kind, payload = 0, _ZERO
            gates[2 + p, i] = (U64(kind) << _KS) | payload
            # how many provisions it cites (see BatchEngine._code_cites)
            if kind == 1:
                count = U64(yes_len[np.int64(payload)])
            elif kind == 2:
                count = _ZERO
                while payload:
                    payload &= payload - _ONE
                    count += _ONE
            else:
                count = U64(2) if payload == _ONE else _ONE
            gates[p, i] = (U64(kind) << _KS) | count
    return misses


# ---------------------------------------------------------------------------------------------- stage 3: keys and patterns
@njit(nogil=True, cache=True)
def bases(day, d0, epoch_of, year_of, agency, authority, documents, asks, detail, t, epoch, year, out):  # type: ignore[no-untyped-def]
    """Each request's law epoch and year (by day from ``d0``), and the id of its *always* columns in the
    base table (``out``, -1 where new); returns the rows and keys of those."""
    n = day.shape[0]
    miss_rows = np.empty(n, np.int64)
    miss_keys = np.empty((n, 4), np.uint64)
    misses = 0
    for i in range(n):
        epoch[i] = epoch_of[day[i] - d0]
        year[i] = year_of[day[i] - d0]
        key = (U64(agency[i]) | (U64(authority[i]) << U64(32)), U64(documents[i]) | (U64(asks[i]) << U64(32)),
               U64(detail[i]) | (U64(epoch[i]) << U64(32)), U64(year[i]))
        out[i] = _value(t, key)
        if out[i] < 0:
            miss_rows[misses] = i
            for j in range(4):
                miss_keys[misses, j] = key[j]
            misses += 1
    return miss_rows[:misses].copy(), miss_keys[:misses].copy()


def pattern_masks(masks: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Per pattern (its mask over the optional columns): the bits of the facts word it reads, and for each
    of preferred_language, gate_n, gate_t, code_n, code_t, request_id all ones if it reads it, else 0."""
    tri = np.array([sum(3 << 2 * j for j in range(N_TRI) if m >> j & 1) for m in masks], np.uint64).reshape(-1)
    cols = np.array([[2**64 - 1 if m >> (N_TRI + c) & 1 else 0 for c in range(6)] for m in masks], np.uint64).reshape(-1, 6)
    return tri, cols


@njit(inline="always")
def _pattern_words(p, tmask, cmask, base, tri, lang, g0, g1, g2, g3, rid):  # type: ignore[no-untyped-def]
    return (U64(base) | ((U64(tri) & tmask) << U64(32)), (U64(lang) & cmask[0]) | (U64(p) << U64(32)),
            g0 & cmask[1], g1 & cmask[2], g2 & cmask[3], g3 & cmask[4], U64(rid) & cmask[5])


@njit(nogil=True, cache=True)
def match(todo, order, tmasks, cmasks, hint, base, tri, lang, gates, rid, t, found, hits):  # type: ignore[no-untyped-def]
    """For each request in ``todo``, the decision of the first pattern that holds its key: the pattern
    that last matched a request of the same base (``hint``) first, then the others in ``order``.
    ``found`` is set there and ``hits`` counted per pattern."""
    for k in range(todo.shape[0]):
        i = todo[k]
        b, tr, la, r = base[i], tri[i], lang[i], rid[i]
        g0, g1, g2, g3 = gates[0, i], gates[1, i], gates[2, i], gates[3, i]
        first = hint[b]
        for j in range(-1, order.shape[0]):
            p = first if j < 0 else order[j]
            if p < 0 or (j >= 0 and p == first):
                continue
            v = _value(t, _pattern_words(p, tmasks[p], cmasks[p], b, tr, la, g0, g1, g2, g3, r))
            if v >= 0:
                found[i] = v
                hits[p] += 1
                hint[b] = p
                break


@njit(nogil=True, cache=True)
def pattern_keys(rows, pats, tmasks, cmasks, base, tri, lang, gates, rid):  # type: ignore[no-untyped-def]
    out = np.empty((rows.shape[0], 7), np.uint64)
    for k in range(rows.shape[0]):
        i, p = rows[k], pats[k]
        out[k, 0], out[k, 1], out[k, 2], out[k, 3], out[k, 4], out[k, 5], out[k, 6] = _pattern_words(
            p, tmasks[p], cmasks[p], base[i], tri[i], lang[i], gates[0, i], gates[1, i], gates[2, i], gates[3, i], rid[i])
    return out


# ---------------------------------------------------------------------------------------------- output
@njit(nogil=True, cache=True)
def fills(found, holes, code, t, out):  # type: ignore[no-untyped-def]
    """Each request's filled answers (``out``: its decision with its own gates' citations in the holes; -1
    where not filled yet); returns the rows and (decision, notify code, transfer code) keys of those."""
    n = found.shape[0]
    miss_rows = np.empty(n, np.int64)
    miss_keys = np.empty((n, 3), np.uint64)
    misses = 0
    for i in range(n):
        h = holes[found[i]]
        key = (U64(found[i]), code[0, i] if h & 1 else _ZERO, code[1, i] if h & 2 else _ZERO)
        out[i] = _value(t, key)
        if out[i] < 0:
            miss_rows[misses] = i
            miss_keys[misses, 0], miss_keys[misses, 1], miss_keys[misses, 2] = key
            misses += 1
    return miss_rows[:misses].copy(), miss_keys[:misses].copy()


@njit(nogil=True, cache=True)
def offsets(fid, length, out):  # type: ignore[no-untyped-def]
    """Each request's first output row (``out``, and last the number of rows)."""
    total = 0
    for i in range(fid.shape[0]):
        out[i] = total
        total += length[fid[i]]
    out[fid.shape[0]] = total


@njit(nogil=True, cache=True)
def expand(lo, hi, off, fid, start, length, ids, cat, at, out_id, out_row, out_cat):  # type: ignore[no-untyped-def]
    """The output rows of requests ``lo`` to ``hi`` (from row ``off[lo]``): one per request and ask, with
    the request's position (``at``, when it has room) and id, the row of its answer in the results
    (``out_row``) and the request's offense category rank (``out_cat``); the caller gathers the other
    columns from there."""
    want_at = at.shape[0] > 0
    for i in range(lo, hi):
        s = start[fid[i]]
        c = cat[i]
        k = off[i]
        for j in range(length[fid[i]]):
            if want_at:
                at[k] = i
            out_id[k] = ids[i]
            out_row[k] = s + j
            out_cat[k] = c
            k += 1
