"""The batch engine: a regime over a table of requests, column-wise, with the scalar engine's answers.

How it stays identical to :class:`~sanctuary.engine.decide.DecisionEngine` without a second copy of
the law: the rules are not translated, they are *partitioned*.  Polars reduces every row, column-wise,
to the facts the rules can read, and each distinct combination is decided once by the scalar engine:

1. **Records.**  Each conviction or pending charge becomes a class: its statute, level, jurisdiction,
   reduction, findings, juvenile flag and (for convictions) where its date falls against the request's
   day -- after it, before Realignment, inside 5 and 15 years, which is all Gov. Code § 7282.5 reads of a
   date.  Each class is summarised once by the scalar 7282.5 route functions (the value and citations of
   every prong, labels dropped).
2. **The 7282.5 gate.**  A request's record summaries, in order, with the CSAR and federal facts, fold
   column-wise into the gate for notification and for transfer: the first qualifying prong, else the
   ordered union of what is open, else no -- the fold of :func:`~sanctuary.engine.facts._trust_gate`,
   written as Polars expressions (the one part of the law the batch engine restates; the differential
   test holds it to the scalar fold).
3. **Decisions.**  The scalar engine decides a row while a recorder notes every fact the rules read
   (each subject and context field, whether the gate was consulted).  The answer then holds for every
   row that agrees with it on the *always* columns (agency, law epoch -- the regime's effective dates cut
   the calendar -- and year, requester, documents, asks and their details) and on the facts that were
   read: for a hold in Los Angeles nothing about the person is read, so one decision answers them all.
   Rows no learned pattern covers get a representative decided in the next round, until none is left.
   A representative is decided ask by ask: an ask the scalar engine already decided in the same context
   (the always columns but the other asks), on the same values of what that ask read, answers it again;
   only the rest are decided, alone.  A gate already computed is reused by its code.
4. **Citations.**  A rule sees each gate's citations as holes, so an answer holds for every gate of the
   same kind (met, not met, open) citing as many provisions, and rows are keyed on that (``gate_n``,
   ``gate_t``); each row's own citations fill the holes when the batch is written out.  A rule that
   looks at a cited id has its ask decided again on the gate itself (``code_n``, ``code_t``).

The recorder makes the partition sound for any pack: a rule that reads a field is keyed on it; a rule
that reads a person's record outside the 7282.5 gate, or a field the recorder does not know, keys its
pattern on the request itself (correct, merely not shared).  Dates are read only through effective
intervals and the year.  The differential test (``tests/unit/whatif``) holds the batch engine to the
scalar engine row by row.

The per-row work runs as compiled loops (:mod:`.kernels`, numba) over the batch's columns as NumPy
arrays: text columns are dictionary-encoded and read by their codes, every key is the exact tuple of
what it stands for (no fingerprint: nothing can collide), and each stage looks its keys up in an
exact-key hash table -- record classes, the *always* columns, patterns, filled answers.  A key a table
does not hold sends its rows down the learning path (the scalar engine, in Python), and the pass runs
again.  Records are lined up with their request by position (by subtraction when the batch's ids are
dense and sorted, else by a join; a test holds the two to the same answers).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import operator
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from ..engine.decide import DecisionEngine
from ..engine.facts import REALIGNMENT, ConvictionFacts, Facts, Gate, pending_route
from ..engine.reads import AS_OF, YEAR, ConcreteRead, Hole, _Reads, cite_holes
from ..engine.reads import RecordingFacts as EngineRecordingFacts
from ..errors import InputError
from ..law.registry import get_agency
from ..offenses.parsing import parse_charge
from . import kernels
from .schema import RECORD_SCHEMA, REQUEST_SCHEMA, TRI_COLUMNS, collect_named, conform, to_request

GATE_READINGS = {"felony-reduced", "realignment-1170h", "juvenile-adjudication", "window-start", "prop47-scope",
                 "7282.5b-transfer"}
# A gate is one integer: its kind in the top bits, then a payload (which "yes" citation, or the open prongs' bits)
KIND_SHIFT = kernels.KIND_SHIFT
# What the 7282.5 fold ORs together, in one word per record summary: the open prongs' citation bits (below
# KIND_SHIFT, as in a gate's payload), then one bit per "any of the records" flag
OPEN_MASK = (1 << KIND_SHIFT) - 1
FLAG_BITS = {f: KIND_SHIFT + i for i, f in enumerate(("c_p47", "c_misd", "c_a6", "p_yes", "p_unk", "p_has"))}
GATE_NO, GATE_YES, GATE_OPEN = 0, 1, 2
# each purpose's gate as a row's key holds it: by kind and number of citations (what a decision with the
# citations as holes rests on), and by its code (what a decision that looked at a cited id rests on)
GATE_COLUMNS = (("notify", "gate_n", "code_n"), ("transfer", "gate_t", "code_t"))
NO_CITES = {0: ("gov-7282.5-a",), 1: ("gov-7282.5-a", "gov-7282.5-a6"), 2: ("gov-7282.5-a6",)}  # by payload
ALWAYS = ("agency", "epoch", "year", "from_authority", "documents", "asks", "ask_detail")
ASK_CONTEXT = ("agency", "epoch", "year", "from_authority", "documents", "ask_detail")  # ALWAYS but the other asks
OPTIONAL = (*TRI_COLUMNS, "preferred_language", "gate_n", "gate_t", "code_n", "code_t", "request_id")
CATEGORY_ORDER = ("person", "drug", "property", "weapon", "vehicle", "other", "local", "unresolved")


RESULT_SCHEMA = {"ask_index": pl.UInt16, "ask": pl.Categorical, "outcome": pl.Categorical, "deciding_rule": pl.Categorical,
                 "citations": pl.Categorical}
Answer = tuple[str, str, tuple[str, ...]]  # outcome, deciding rule, cited ids (gate citations as holes)
TEXT_REQ = ("agency", "from_authority", "documents", "asks", "ask_detail", "preferred_language")
TEXT_REC = ("statute", "level", "jurisdiction", "reduced", "findings")
# Words the kernels compare codes with.  Polars drops its dictionary once no column holds a category (codes
# then start again from 0), so the module holds these words for as long as it is loaded: every code the
# engine has met keeps its meaning.
_WORDS = pl.Series(["conviction", "pending", *CATEGORY_ORDER, "none"], dtype=pl.Categorical)
_RECORD_CODES = tuple(_WORDS.to_physical()[:2].to_list())
_CATEGORIES = _WORDS[2:]  # by rank; the last, none
_KNOWN = frozenset(TRI_COLUMNS) | {"preferred_language"}
# keyed anyway; not "asks": each ask is decided alone, so a rule reading the others keys on the request
_ALWAYS_READ = frozenset({"documents", "from_authority", "agency", "as_of", "regime"})


class RecordingFacts(EngineRecordingFacts):
    """The engine's recorder, its reads as the batch engine's columns (:attr:`columns`); with
    ``cite_holes``, a rule sees each 7282.5 gate's citations as holes (:func:`cite_holes`)."""

    cite_holes = False

    def trust_gate(self, purpose: str) -> Any:
        got = super().trust_gate(purpose)
        if self.cite_holes and isinstance(got, _Reads):
            g = got._obj
            got = _Reads(Gate(g.value, cite_holes(purpose, len(g.cites)), g.qualifying, g.reasons), self, "gate", purpose)
        return got

    @property
    def columns(self) -> set[str]:
        """Fact columns: for a 7282.5 gate ``gate_n``/``gate_t`` (its kind and number of citations) when
        its citations were holes, else ``code_n``/``code_t`` (the gate itself); ``*`` for anything the batch engine
        cannot key (a record read outside the gate, a field it does not know, the other asks).  The day
        is keyed by the law's epoch and the year, which every row's key holds."""
        out: set[str] = set()
        for t in self.read:
            if t in (AS_OF, YEAR) or (t[0] == "req" and t[1] in _ALWAYS_READ):
                continue
            if t[0] == "gate":
                out.add(("gate_" if self.cite_holes else "code_") + ("n" if t[1] == "notify" else "t"))
            elif t[0] in ("subject", "context") and t[1] in _KNOWN:
                out.add(t[1])
            else:
                out.add("*")
        return out


class KeyCollisionError(RuntimeError):
    """A key ran out of bits (the gate code, an id in a pattern key): refuse rather than answer one
    class with another's decision."""


def offense_category(statute: str) -> str:
    """A coarse category for reporting (NIBRS crime-against groups; VC = vehicle; robbery counted with person)."""
    p = parse_charge(statute)
    if p.section is None:
        return "local" if str(p.status) == "local" else "unresolved"
    from ..offenses.catalog import load_catalog

    if p.section.code == "VC":
        return "vehicle"
    codes = load_catalog().nibrs(p.section)
    if any(c.startswith("35") for c in codes):
        return "drug"
    if any(c[:2] in ("09", "10", "11", "13", "36", "64") or c == "120" for c in codes):
        return "person"
    if any(c[:2] in ("20", "22", "23", "24", "25", "26", "27", "28", "29", "51") for c in codes):
        return "property"
    if any(c.startswith("520") for c in codes):
        return "weapon"
    return "other"


def _batches(req_lf: pl.LazyFrame, rec_lf: pl.LazyFrame, size: int) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
    """The requests ``size`` at a time, each with the records of its span of request ids."""
    offset = 0
    while True:
        req = collect_named(req_lf.slice(offset, size), "requests")
        if req.height == 0:
            return
        lo, hi = req["request_id"].min(), req["request_id"].max()
        yield req, collect_named(rec_lf.filter(pl.col("request_id").is_between(lo, hi)), "records")
        offset += req.height


def _hole_bit(h: Hole) -> int:
    """1 for a hole standing for a notify gate's citation, 2 for a transfer gate's (see :func:`cite_holes`)."""
    return 1 if ":cites:notify:" in str.__str__(h) else 2


_helper: ThreadPoolExecutor | None = None
_helper_lock = threading.Lock()


SPLIT_AT = 100_000  # requests in a batch from which its longest passes run in two halves


def _in_halves(n: int, call: Callable[[int, int], Any], at_least: int = SPLIT_AT) -> list[Any]:
    """``call(lo, hi)`` over ``0..n``: in two halves, the second on a helper thread, when ``n`` is large
    enough to pay for it (the kernels run without the GIL, so the halves run on both cores when the
    reader thread leaves one free)."""
    global _helper
    if n < at_least:
        return [call(0, n)]
    with _helper_lock:
        if _helper is None:
            _helper = ThreadPoolExecutor(1, thread_name_prefix="whatif-kernel")
    mid = n // 2
    other = _helper.submit(call, mid, n)
    try:
        first = call(0, mid)
    finally:
        wait([other])  # the helper's half is done before anything else touches the arrays
    return [first, other.result()]


_EMPTY = np.zeros(0, np.uint8)


class _Arena:
    """Arrays reused from batch to batch, by name.  A fresh large array costs a page fault per 4 KB the
    first time each page is written, on every batch (a sixth of a warm pass's CPU, measured); a reused
    one costs nothing.  Whoever takes an array must be done with it before the arena's next batch."""

    def __init__(self) -> None:
        self._bufs: dict[str, np.ndarray] = {}

    def take(self, name: str, shape: int | tuple[int, ...], dtype: Any) -> np.ndarray:
        """An uninitialised array (the buffer ``name`` last held, grown if need be)."""
        dtype = np.dtype(dtype)
        shape = (shape,) if isinstance(shape, int) else shape
        nbytes = int(np.prod(shape)) * dtype.itemsize
        buf = self._bufs.get(name)
        if buf is None or buf.size < nbytes:
            buf = self._bufs[name] = np.empty(nbytes + nbytes // 8 + 64, np.uint8)  # room for a larger batch
        return buf[:nbytes].view(dtype).reshape(shape)


def _chunks(s: pl.Series) -> Iterator[tuple[Any, np.ndarray]]:
    """A column's chunks as Arrow arrays (zero copy; physical: dictionary codes, days), each with its
    validity bitmap (empty when it has no nulls)."""
    for ch in s.to_physical().get_chunks():
        a = ch.to_arrow()
        if len(a):
            valid = a.buffers()[0]
            yield a, (_EMPTY if valid is None or a.null_count == 0 else np.frombuffer(valid, np.uint8))


def _values(s: pl.Series, out: np.ndarray, null: int) -> np.ndarray:
    """A column's values into ``out`` (text: its dictionary codes; dates: days since 1970), ``null`` where
    null: read from its Arrow buffers by a compiled loop, chunk by chunk."""
    if s.dtype == pl.String:  # (conform gives text as Categorical; a frame built otherwise may not)
        s = s.cast(pl.Categorical)
    at, null = 0, out.dtype.type(null)
    for a, valid in _chunks(s):
        t = np.dtype(a.type.to_pandas_dtype())
        values = np.frombuffer(a.buffers()[1], t, count=len(a), offset=a.offset * t.itemsize)
        kernels.take_values(out, at, values, valid, a.offset, null)
        at += len(a)
    return out


def _tri(s: pl.Series, out: np.ndarray) -> np.ndarray:
    """A boolean column into ``out`` (uint8: 0 false, 1 true, 2 null), from its Arrow bitmaps."""
    at = 0
    for a, valid in _chunks(s):
        kernels.take_tri(out, at, len(a), np.frombuffer(a.buffers()[1], np.uint8), valid, a.offset)
        at += len(a)
    return out


def _tris(frame: pl.DataFrame, columns: tuple[str, ...], out: np.ndarray, arena: _Arena) -> np.ndarray:
    """Boolean columns into ``out``, one word per row, two bits each in order (see :func:`_tri`)."""
    codes = arena.take("tri.codes", (len(columns), frame.height), np.uint8)
    for j, c in enumerate(columns):
        _tri(frame[c], codes[j])
    kernels.tri_words(codes, out)
    return out


def _days(e: pl.Expr) -> pl.Expr:
    return e.to_physical().cast(pl.Int64).fill_null(kernels.NODATE)


def _arrays(frame: pl.DataFrame, **exprs: pl.Expr) -> dict[str, np.ndarray]:
    """The expressions over ``frame`` as NumPy arrays, computed in one pass."""
    got = frame.select(**exprs)
    return {c: got[c].to_numpy() for c in exprs}


@dataclass(frozen=True, slots=True)
class _Batch:
    """A batch as the kernels read it (see :meth:`BatchEngine._prepare`)."""

    req: pl.DataFrame
    rec: pl.DataFrame  # the batch's records, each request's together, in their given order
    pos: np.ndarray  # each record's request position
    q: dict[str, np.ndarray]  # request columns
    rc: dict[str, np.ndarray]  # record columns
    d0: int  # the batch's first day
    cuts: dict[str, np.ndarray]  # by day from d0: the 5- and 15-year cut-offs, year, law epoch


class BatchEngine:
    """``BatchEngine("la-2026").run(requests, records)`` yields one row per request and ask."""

    def __init__(self, regime: str = "la-2026", interpretations: dict[str, str] | None = None) -> None:
        self.scalar = DecisionEngine(regime, interpretations)
        self.regime = self.scalar.regime
        self.boundaries = sorted({REALIGNMENT, *self.scalar.era_days})  # the law's eras, and PC 1170(h)
        self._bounds = np.array([(b - dt.date(1970, 1, 1)).days for b in self.boundaries], np.int64)
        self._gated = set(self.regime.interpretations) >= GATE_READINGS
        # exact-key tables (see kernels): record class -> summary id << 8 | category rank; the always
        # columns -> base id; (pattern, key) -> decision id; (decision, gate codes) -> filled answers
        self._rec_t, self._base_t = kernels.Table(3), kernels.Table(4)
        self._pat_t, self._fill_t = kernels.Table(7), kernels.Table(3)
        self._summaries: dict[Any, int] = {}
        self._sid_attrs: list[tuple[int, int]] = []  # summary id -> ("yes" id or -1, FLAG_BITS word)
        self._sid_arrays: tuple[np.ndarray, np.ndarray] | None = None
        # patterns: the columns each keys on, by number, with its mask over OPTIONAL and rows matched
        self._patterns: dict[tuple[str, ...], dict[tuple[Any, ...], int]] = {}
        self._pattern_no: dict[tuple[str, ...], int] = {}
        self._masks: list[int] = []
        self._hits = np.zeros(0, np.int64)
        self._pmasks = kernels.pattern_masks([])
        self._hint = np.full(0, -1, np.int64)  # base id -> the pattern that last matched a request of it
        self._new_keys: list[tuple[int, int, int]] = []  # (pattern number, row in batch, decision id)
        # (ask context, ask kind) -> the fact columns its decisions read; (context, kind, columns, values) -> answer
        self._ask_patterns: dict[tuple[Any, ...], list[tuple[str, ...]]] = {}
        self._ask_memo: dict[tuple[Any, ...], Answer] = {}
        self._concrete: set[tuple[Any, ...]] = set()  # (context, ask kind, gate kinds) where a rule read a cited id
        self._answers: list[tuple[tuple[str, Answer], ...]] = []  # decision id -> (ask kind, answer) per ask
        self._holes = bytearray()  # decision id -> gates cited as holes (1 notify, 2 transfer)
        self._gate_memo: dict[tuple[str, int], Any] = {}  # (purpose, gate code) -> the scalar engine's Gate
        # filled answers: their first row in the results and how many rows (one per ask)
        self._fill_start: list[int] = []
        self._fill_len: list[int] = []
        self._result_rows: list[tuple[Any, ...]] = []  # rows not yet in the results frame
        self._results_cache: pl.DataFrame | None = None
        self._fills_cache: tuple[np.ndarray, np.ndarray] | None = None
        self._bits: dict[str, int] = {}
        self._yes: dict[tuple[str, ...], int] = {}  # a qualifying route's citations -> its id in a gate's code
        self._yes_cites: list[tuple[str, ...]] = []  # and back
        self._category: dict[str, str] = {}
        self.scalar_calls = 0
        self._scratch = _Arena()  # the decide stage's arrays (one batch at a time)
        self._rows = np.arange(0, dtype=np.int64)  # 0, 1, ... (read only)

    # ------------------------------------------------------------------ public
    def run(self, requests: pl.DataFrame | pl.LazyFrame, records: pl.DataFrame | pl.LazyFrame | None = None, *,
            batch_size: int = 1_000_000, progress: Callable[[int], None] | None = None,
            keep: Iterable[str] = ()) -> Iterator[pl.DataFrame]:
        """Decide every request; yields per-batch frames ``request_id, ask_index, ask, outcome,
        deciding_rule, citations`` (plus ``keep`` request columns, and ``category``)."""
        req_lf = conform(requests, REQUEST_SCHEMA, ("request_id", "agency", "as_of", "asks"), "requests")
        rec_lf = conform(records if records is not None else pl.DataFrame(schema=RECORD_SCHEMA),
                         RECORD_SCHEMA, ("request_id", "statute"), "records")
        batches = _batches(req_lf, rec_lf, batch_size)
        arenas = itertools.cycle((_Arena(), _Arena()))  # a batch's arrays: one decided while the next is prepared

        def read() -> _Batch | None:
            got = next(batches, None)
            return None if got is None else self._prepare(*got, next(arenas))
        # the next batch is read and prepared while this one is decided (Polars and the kernels run without
        # the GIL; memory: two batches)
        with ThreadPoolExecutor(1, thread_name_prefix="whatif-read") as pool:
            ahead = pool.submit(read)
            while (b := ahead.result()) is not None:
                ahead = pool.submit(read)
                yield self._decide(b, tuple(keep))
                if progress:
                    progress(b.req.height)

    def decide_frame(self, req: pl.DataFrame, rec: pl.DataFrame, keep: tuple[str, ...] = ()) -> pl.DataFrame:
        """One batch (conformed to the flat schema): its requests' rows, one per ask (see :meth:`run`)."""
        return self._decide(self._prepare(req, rec, _Arena()), keep)

    def _prepare(self, req: pl.DataFrame, rec: pl.DataFrame, arena: _Arena) -> _Batch:
        """What the kernels read of a batch, as arrays (taken from ``arena``).  It reads nothing the engine
        learns, so :meth:`run` prepares the next batch on the reader thread while this one is decided."""
        n = req.height
        for c in ("request_id", "as_of"):
            if req[c].null_count():
                raise InputError(f"requests.{c}: a request has none (row {req[c].is_null().arg_max()} of the batch)",
                                 field=f"requests.{c}")
        a = arena.take
        ids = _values(req["request_id"], a("request_id", n, np.int64), 0)
        rec, pos = self._lined_up(req, rec, ids, arena)
        m = rec.height
        q = {"request_id": ids, "day": _values(req["as_of"], a("day", n, np.int64), kernels.NODATE),
             **{c: _values(req[c], a(c, n, np.uint32), kernels.NULL) for c in TEXT_REQ},
             "tri": _tris(req, TRI_COLUMNS, a("tri", n, np.uint32), arena)}
        rc = {**{c: _values(rec[c], a("rec." + c, m, np.uint32), kernels.NULL) for c in ("record", *TEXT_REC)},
              "juvenile": _tri(rec["juvenile"], a("juvenile", m, np.uint8)),
              "mpc": _tri(rec["magistrate_probable_cause"], a("mpc", m, np.uint8)),
              "date": _values(rec["date"], a("date", m, np.int64), kernels.NODATE),
              "seq": _values(rec["seq"], a("seq", m, np.int32), 0)}
        day = q["day"]
        d0 = int(day.min()) if n else 0
        span = pl.select(day=pl.int_range(d0, (int(day.max()) if n else 0) + 1).cast(pl.Int32).cast(pl.Date))
        cuts = _arrays(span, cut5=_days(pl.col("day").dt.offset_by("-5y")), cut15=_days(pl.col("day").dt.offset_by("-15y")),
                       year=pl.col("day").dt.year().cast(pl.Int64))
        cuts["epoch"] = np.searchsorted(self._bounds, np.arange(d0, d0 + span.height), side="right")
        return _Batch(req, rec, pos, q, rc, d0, cuts)

    def _decide(self, b: _Batch, keep: tuple[str, ...]) -> pl.DataFrame:
        req, rec, pos, q, rc, d0, cuts = b.req, b.rec, b.pos, b.q, b.rc, b.d0, b.cuts
        n, day = req.height, q["day"]
        # stages 1 and 2: each record's class (summarised once, when first met) and the 7282.5 gate
        r = (pos, day, d0, cuts["cut5"], cuts["cut15"], (REALIGNMENT - dt.date(1970, 1, 1)).days, *_RECORD_CODES, rc["record"],
             *(rc[c] for c in TEXT_REC), rc["juvenile"], rc["mpc"], rc["date"], rc["seq"])
        gates, cat, miss = self._fold(r, n, q["tri"])
        if miss is not None:
            self._learn_records(miss, kernels.record_keys(miss, *r[:-1]), pos, rec, req["as_of"])
            gates, cat, miss = self._fold(r, n, q["tri"])
        code = gates[2:]
        # stage 3: decisions by pattern
        a = self._scratch.take
        epoch, year, base = a("epoch", n, np.int64), a("year", n, np.int64), a("base", n, np.int64)
        miss, keys = kernels.bases(day, d0, cuts["epoch"], cuts["year"], *(q[c] for c in ALWAYS if c not in ("epoch", "year")),
                                   self._base_t.t, epoch, year, base)
        if miss.size:
            base[miss] = self._learn(self._base_t, keys, self._new_bases)
        cols = (base, q["tri"], q["preferred_language"], gates, q["request_id"])
        found = self._match(cols, req, rec, epoch, year)
        # answers with each request's own citations in their holes, one row per ask
        holes = np.frombuffer(bytes(self._holes), np.uint8)
        fid = a("fid", n, np.int64)
        miss, keys = kernels.fills(found, holes, code, self._fill_t.t, fid)
        if miss.size:
            fid[miss] = self._learn(self._fill_t, keys, lambda rows: [self._fill(*k) for k in keys[rows].tolist()])
        start, length = self._fill_arrays()
        off = a("off", n + 1, np.int64)
        kernels.offsets(fid, length, off)
        total = int(off[-1])
        at, out_id = a("at", total if keep else 0, np.uint32), np.empty(total, np.int64)  # the ids leave with the frame
        out_row, out_cat = a("out_row", total, np.uint32), a("out_cat", total, np.uint32)
        _in_halves(n, lambda lo, hi: kernels.expand(lo, hi, off, fid, start, length, q["request_id"], cat, at, out_id,
                                                    out_row, out_cat))
        # the other columns gathered by those rows (Polars copies them, a column per thread): the request's
        # kept ones, the answer's from the results, the category's
        return pl.concat([pl.Series("request_id", out_id).to_frame(), *([req.select(keep)[pl.Series(at)]] if keep else []),
                          self._results[pl.Series(out_row)], _CATEGORIES.gather(pl.Series(out_cat)).alias("category").to_frame()],
                         how="horizontal")

    # ------------------------------------------------------------------ records lined up with their request
    @staticmethod
    def _lined_up(req: pl.DataFrame, rec: pl.DataFrame, ids: np.ndarray, arena: _Arena) -> tuple[pl.DataFrame, np.ndarray]:
        """The records of the batch's requests (``ids``), each request's together in their given order, and
        each one's request position.  Ids that are dense and sorted, with records in their order, give
        positions by subtraction; otherwise by a join.  Records of other requests are dropped."""
        n = req.height
        if n and kernels.dense(ids):
            pos = arena.take("pos", rec.height, np.int64)
            if kernels.positions(_values(rec["request_id"], pos, np.iinfo(np.int64).min), ids[0], n):
                return rec, pos
        dup = req["request_id"].is_duplicated()
        if dup.any():
            raise InputError(f"requests: request_id {req.filter(dup)['request_id'][0]} appears twice",
                             field="requests.request_id")
        pos = rec.select("request_id").join(req.select("request_id", pl.int_range(n, dtype=pl.Int64).alias("p")),
                                           on="request_id", how="left", maintain_order="left")["p"]
        inside = pos.is_not_null()
        if not inside.all():
            rec, pos = rec.filter(inside), pos.filter(inside)
        if not pos.is_sorted():
            got = rec.with_columns(pos.alias("__pos")).sort("__pos", maintain_order=True)
            rec, pos = got.drop("__pos"), got["__pos"]
        return rec, pos.cast(pl.Int64).to_numpy()

    # ------------------------------------------------------------------ stage 1: records
    @staticmethod
    def _learn(table: kernels.Table, keys: np.ndarray, values: Callable[[np.ndarray], Any]) -> np.ndarray:
        """The values of keys new to ``table``: ``values`` of the first row of each distinct key (in the
        order met) are put in the table; returns the value of every row of ``keys``."""
        w = keys.shape[1]
        frame = pl.DataFrame([pl.Series(f"k{j}", keys[:, j]) for j in range(w)])
        uniq = frame.with_row_index("row").unique(subset=[f"k{j}" for j in range(w)], keep="first", maintain_order=True)
        rows = uniq["row"].to_numpy().astype(np.int64)
        table.put(keys[rows], np.asarray(values(rows), np.int64))
        return table.get(keys)

    def _learn_records(self, miss: np.ndarray, keys: np.ndarray, pos: np.ndarray, rec: pl.DataFrame,
                       as_of: pl.Series) -> None:
        """Summarise the record classes first met in records ``miss`` (each class once, by its first record)."""
        def summaries(rows: np.ndarray) -> list[int]:
            at = miss[rows]
            got = rec[at].with_columns(as_of=as_of.gather(pos[at])).iter_rows(named=True)
            vals = []
            for row, summary in self._summarise_all(list(got)):
                sid = self._summaries.get(summary)
                if sid is None:
                    sid = self._summaries[summary] = len(self._summaries)
                    self._sid_attrs.append(self._attrs(summary))
                    self._sid_arrays = None
                rank = self._cat_rank(row["statute"]) if row["record"] == "conviction" else len(CATEGORY_ORDER)
                vals.append(sid << 8 | rank)
            return vals
        self._learn(self._rec_t, keys, summaries)

    def _cat_rank(self, statute: str) -> int:
        c = self._category.get(statute)
        if c is None:
            c = self._category[statute] = offense_category(statute)
        return CATEGORY_ORDER.index(c)

    def _facts(self, req_row: dict[str, Any], records: list[dict[str, Any]]) -> Facts:
        r = to_request(req_row, records, self.regime.id)
        return Facts(r, get_agency(r.agency), self.regime, self.scalar.interpretations)

    def _summarise_all(self, rows: list[dict[str, Any]]) -> list[tuple[dict[str, Any], Any]]:
        """Each record with its :meth:`_summarise`, the records of one day read as one person's record (up
        to the request's limit of 200 of a kind): a record's 7282.5 routes depend on it and the day alone,
        and one request to parse is much cheaper than one per record.  A group the v1 contract refuses is
        summarised record by record, so that the error names the record."""
        if not self._gated:
            return [(r, ("none",)) for r in rows]
        by_day: dict[tuple[Any, str], list[dict[str, Any]]] = {}
        for r in rows:
            by_day.setdefault((r["as_of"], r["record"]), []).append(r)
        got: dict[int, Any] = {}
        for (day, record), group in by_day.items():
            for at in range(0, len(group), 200):
                part = group[at:at + 200]
                try:
                    f = self._facts({"request_id": 0, "agency": "lasd", "as_of": day, "asks": "hold"},
                                    [{**r, "seq": j} for j, r in enumerate(part)])
                except InputError:
                    got.update((id(r), self._summarise(r)) for r in part)
                    continue
                for j, r in enumerate(part):
                    got[id(r)] = self._summary(f, j, record == "pending")
        return [(r, got[id(r)]) for r in rows]

    def _summarise(self, r: dict[str, Any]) -> Any:
        """What 7282.5 reads of one record: the value and citations of each prong."""
        if not self._gated:
            return ("none",)
        base = {"request_id": 0, "agency": "lasd", "as_of": r["as_of"], "asks": "hold"}
        try:
            f = self._facts(base, [r])
        except InputError as e:  # named as the records table's column, with the request it belongs to
            field = re.sub(r"^subject\.(convictions|pending_charges)\[0\]\.", "records.", e.field or "records")
            msg = str(e).removeprefix(f"{e.field}: ") if e.field else str(e)
            raise InputError(f"{field} (request_id {r['request_id']}): {msg}", field=field) from e
        return self._summary(f, 0, r["record"] == "pending")

    @staticmethod
    def _summary(f: Facts, j: int, pending: bool) -> Any:
        """The summary of record ``j`` of ``f``'s pending charges or convictions (see :meth:`_summarise`)."""
        if pending:
            i, pc, parsed, prof = f.pending[j]
            t, cites, _ = pending_route(i, pc, parsed, prof)
            return ("pending", t.value, cites)
        cf: ConvictionFacts = f.convictions[j]
        routes = f.conviction_routes(cf)
        misd = cf.c.level == "misdemeanor" or bool(cf.c.reduced)
        return ("conviction", misd, tuple((t.value, cites) for t, cites, _ in routes))


    # ------------------------------------------------------------------ stage 2: the 7282.5 gate
    def _fold(self, r: tuple[Any, ...], n: int, tri: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Gov. Code § 7282.5 for each request and purpose, folded from the record summaries exactly as
        :func:`sanctuary.engine.facts._trust_gate` folds them: the first qualifying conviction (least
        ``seq``, then position; unless a Prop 47 misdemeanor bars the person under that reading), then
        (a)(4), (a)(5) and (b); else the set of open prongs; else no (with (a)(6) when a Prop 47 prong
        was seen).  Returns each request's gates (``gate_n, gate_t``: kind and number of citations;
        ``code_n, code_t``: the codes) and its most serious offense category (:data:`CATEGORY_ORDER`
        rank; 8 for none), and the records whose class is new, if any (see :func:`kernels.fold`)."""
        if self._sid_arrays is None:
            self._sid_arrays = (np.array([a[0] for a in self._sid_attrs], np.int64),
                                np.array([a[1] for a in self._sid_attrs], np.uint64))
        gated = self._gated
        three = ("gov-7282.5-a4", "gov-7282.5-a5", "gov-7282.5-b")
        bits = np.array([self._bit(c) for c in three] if gated else [0, 0, 0], np.int64)
        yes3 = np.array([self._yes_id((c,)) for c in three] if gated else [0, 0, 0], np.int64)
        rest = (*self._sid_arrays, gated, tri,
                *(TRI_COLUMNS.index(c) for c in ("csar_registrant", "federal_aggravated_felony", "outstanding_federal_felony_warrant")),
                gated and self._reading("prop47-scope") == "person",
                gated and self._reading("7282.5b-transfer") == "notification-and-transfer",
                bits, yes3, np.array([len(c) for c in self._yes_cites], np.int64),
                np.array([FLAG_BITS[f] for f in ("c_p47", "c_misd", "c_a6", "p_yes", "p_unk", "p_has")], np.int64))
        pos = r[0]
        a = self._scratch.take
        gates, cat, missed = a("gates", (4, n), np.uint64), a("cat", n, np.uint8), a("missed", len(pos), np.uint8)
        misses = sum(_in_halves(n, lambda lo, hi: kernels.fold(*r, self._rec_t.t, lo, hi, int(np.searchsorted(pos, lo)),
                                                                gates, cat, missed, *rest)))
        return gates, cat, np.flatnonzero(missed).astype(np.int64) if misses else None

    def _bit(self, cite: str) -> int:
        b = self._bits.setdefault(cite, len(self._bits))
        if b >= KIND_SHIFT:
            raise KeyCollisionError("more distinct 7282.5 citations than the gate code has bits for")
        return b

    def _yes_id(self, cites: tuple[str, ...]) -> int:
        got = self._yes.get(cites)
        if got is None:
            got = self._yes[cites] = len(self._yes_cites)
            self._yes_cites.append(cites)
        return got

    def _attrs(self, summary: Any) -> tuple[int, int]:
        """The parts of one record's 7282.5 summary the gate folds (see :meth:`_fold`): the id of its
        qualifying citation (-1 if none), and its :data:`FLAG_BITS` word."""
        if summary[0] in ("none", "pending"):
            pvalue = summary[1] if summary[0] == "pending" else None
            pending = summary[0] == "pending"
            return (-1, self._flags(0, p_yes=pending and pvalue is True, p_unk=pending and pvalue is None, p_has=pending))
        _, misd, routes = summary
        yes = next((self._yes_id(c) for v, c in routes if v is True), -1)
        mask = 0
        for v, c in routes:
            if v is None:
                for x in c:
                    mask |= 1 << self._bit(x)
        return (yes, self._flags(mask, c_p47=any("gov-7282.5-a6" in c and v is False for v, c in routes), c_misd=misd,
                                 c_a6=any("gov-7282.5-a6" in c for _, c in routes)))

    @staticmethod
    def _flags(open_mask: int, **flags: bool) -> int:
        return open_mask | sum(1 << FLAG_BITS[k] for k, on in flags.items() if on)

    def _reading(self, interpretation: str) -> str:
        it = self.regime.interpretations[interpretation]
        return self.scalar.interpretations.get(interpretation) or \
            self.regime.interpretation_defaults.get(interpretation) or it.default

    def _code_cites(self, code: int) -> tuple[str, ...]:
        """The provisions a gate cites, from its code (see :meth:`_fold`): a met gate its route's, an open
        gate its open prongs' in statute order, a closed gate 7282.5(a) and/or (a)(6)."""
        kind, payload = code >> KIND_SHIFT, code & OPEN_MASK
        if kind == GATE_YES:
            return self._yes_cites[payload]
        if kind == GATE_OPEN:
            return tuple(sorted(c for c, b in self._bits.items() if payload >> b & 1))
        return NO_CITES[payload]

    # ------------------------------------------------------------------ stage 3: decisions by pattern
    def _new_bases(self, rows: np.ndarray) -> np.ndarray:
        got = np.arange(len(self._base_t), len(self._base_t) + len(rows))
        if len(got) and got[-1] >= 2**32:  # a base id has 32 bits in a pattern key
            raise KeyCollisionError("more distinct combinations of the always columns than a pattern key holds")
        return got

    def _match(self, cols: tuple[np.ndarray, ...], req: pl.DataFrame, rec: pl.DataFrame, epoch: np.ndarray,
               year: np.ndarray) -> np.ndarray:
        """Each request's decision id, deciding representatives until every request is covered."""
        n = req.height
        found = self._scratch.take("found", n, np.int64)
        found.fill(-1)
        if len(self._rows) < n:
            self._rows = np.arange(n, dtype=np.int64)
        todo = self._rows[:n]  # every row, then those no pattern covers
        while todo.size:
            if self._masks:  # the patterns that matched most rows so far first, so the rows left shrink fastest
                if len(self._hint) < len(self._base_t):
                    self._hint = np.r_[self._hint, np.full(len(self._base_t) - len(self._hint), -1, np.int64)]
                kernels.match(todo, np.argsort(-self._hits, kind="stable"), *self._pmasks, self._hint, *cols,
                              self._pat_t.t, found, self._hits)
                todo = todo[found[todo] < 0] if todo.size < n else np.flatnonzero(found < 0)
            if not todo.size:
                break
            base, tri, lang, gates, rid = cols
            keys = pl.DataFrame({"at": todo, "base": base[todo],
                                 **{c: (tri[todo] >> (2 * j)) & 3 for j, c in enumerate(TRI_COLUMNS)},
                                 "preferred_language": lang[todo],
                                 **{c: gates[g, todo] for g, c in enumerate(("gate_n", "gate_t", "code_n", "code_t"))},
                                 "request_id": rid[todo]})
            read = sorted(set().union(*self._patterns) - {"request_id"}) if self._patterns else []
            reps = keys.unique(subset=["base", *read], keep="first", maintain_order=True)
            rows = req[reps["at"]].with_columns(epoch=pl.Series(epoch[reps["at"].to_numpy()]),
                                                year=pl.Series(year[reps["at"].to_numpy()]))
            recs = self._records_by_request(rec, rows["request_id"])
            for row, k in zip(rows.iter_rows(named=True), reps.iter_rows(named=True), strict=True):
                if not self._covered(k):
                    self._decide_one(row, recs.get(row["request_id"], []), k)
            new = np.array(self._new_keys, np.int64).reshape(-1, 3)
            self._new_keys.clear()
            self._pat_t.put(kernels.pattern_keys(new[:, 1], new[:, 0], *self._pmasks, *cols), new[:, 2])
        return found

    def _covered(self, k: dict[str, Any]) -> bool:
        return any((k["base"], *(k[c] for c in p)) in seen for p, seen in self._patterns.items())

    def _decide_one(self, row: dict[str, Any], records: list[dict[str, Any]], k: dict[str, Any]) -> None:
        """A representative row's answer, ask by ask: each ask is answered by an ask the scalar engine
        already decided in the same context (:data:`ASK_CONTEXT`) that agrees on the facts *that ask*
        read, or else decided now, alone, by the scalar engine while the recorder notes what it reads.
        The row's class is then keyed on the union of its asks' readings."""
        ctx = tuple(row[c] for c in ASK_CONTEXT)
        request = None
        pattern: set[str] = set()
        answers = []
        asks = [x for x in (row["asks"] or "").split(";") if x]
        if not asks:
            raise InputError(f"requests.asks (request_id {row['request_id']}): a request needs at least one ask",
                             field="requests.asks")
        for idx, kind in enumerate(asks):
            got = self._ask_answer(ctx, kind, k)
            if got is None:
                if request is None:
                    request = to_request(row, records, self.regime.id)
                got = self._evaluate(request, idx, kind, ctx, k)
            pattern.update(got[0])
            answers.append((kind, got[1]))
        key_cols = tuple(c for c in OPTIONAL if c in pattern) if "request_id" not in pattern else ("request_id",)
        rid = len(self._answers)
        self._answers.append(tuple(answers))
        self._holes.append(functools.reduce(operator.or_, (_hole_bit(i) for _, (_, _, ids) in answers for i in ids
                                                           if type(i) is Hole), 0))
        no = self._pattern_no.get(key_cols)
        if no is None:
            if len(self._masks) >= 2**32:  # a pattern's number has 32 bits in its keys
                raise KeyCollisionError("more patterns than a pattern key holds")
            no = self._pattern_no[key_cols] = len(self._masks)
            self._masks.append(sum(1 << OPTIONAL.index(c) for c in key_cols))
            self._hits = np.append(self._hits, 0)
            self._pmasks = kernels.pattern_masks(self._masks)
        self._patterns.setdefault(key_cols, {})[(k["base"], *(k[c] for c in key_cols))] = rid
        self._new_keys.append((no, k["at"], rid))
    def _evaluate(self, request: Any, idx: int, kind: str, ctx: tuple[Any, ...],
                  k: dict[str, Any]) -> tuple[tuple[str, ...], Answer]:
        """Ask ``idx`` of ``request`` decided by the scalar engine while the recorder notes what it reads.

        A rule sees each 7282.5 gate's citations as holes (:func:`~sanctuary.engine.reads.cite_holes`), so
        the answer, its cited ids holding the holes, holds for every gate of the same kind (met, not met,
        open) citing as many provisions: the row's own are filled in when the batch is written out
        (:meth:`_fill`).  A rule that looks at a cited id (la-jail-cooperation compares them with (b))
        raises :class:`ConcreteRead`, and the ask is decided again with the citations themselves, keyed on
        the gate's code.  Like every gate code, the kind rests on the batch output depending on a gate only
        through its truth value and its citations (its reasons and missing facts, which the batch output
        leaves out, may differ from row to row)."""
        gates = [(p, (p, k[c])) for p, _, c in GATE_COLUMNS] if self._gated else []
        agency = get_agency(request.agency)
        rules = self.scalar._in_force(agency, kind, request.as_of)[1]
        kinds = (ctx, kind, *(k[c] >> KIND_SHIFT for _, c, _ in GATE_COLUMNS))  # where holes failed once, they fail again
        for holes in (self._gated and kinds not in self._concrete, False):
            f = RecordingFacts(request, agency, self.regime, self.scalar.interpretations)
            f.ask, f.cite_holes = request.asks[idx], holes
            for p, code in gates:  # a gate's code stands for the gate (the patterns rest on that too)
                if code in self._gate_memo:
                    f._gates[p] = self._gate_memo[code]
            try:
                rule, verdict, _ = self.scalar._decide_ask(f, idx, request.as_of, rules)
            except ConcreteRead:
                self._concrete.add(kinds)
                continue
            finally:
                self.scalar_calls += 1
                for p, code in gates:
                    if p in f._gates and code not in self._gate_memo:
                        if f._gates[p].cites != self._code_cites(code[1]):
                            raise KeyCollisionError(f"the 7282.5 fold gave code {code[1]:#x} for a gate citing {f._gates[p].cites}")
                        self._gate_memo[code] = f._gates[p]
            break
        cols = f.columns
        read = tuple(c for c in OPTIONAL if c in cols) if "*" not in cols else ("request_id",)
        answer = (str(verdict.outcome), rule.id, (*rule.cites, *verdict.cites))
        pats = self._ask_patterns.setdefault((ctx, kind), [])
        if read not in pats:
            pats.append(read)
        self._ask_memo[(ctx, kind, read, tuple(k[c] for c in read))] = answer
        return read, answer

    def _ask_answer(self, ctx: tuple[Any, ...], kind: str, k: dict[str, Any]) -> tuple[tuple[str, ...], Answer] | None:
        """(what was read, the answer) of an ask already decided in ``ctx`` that agrees with ``k`` on what it read."""
        for read in self._ask_patterns.get((ctx, kind), ()):
            got = self._ask_memo.get((ctx, kind, read, tuple(k[c] for c in read)))
            if got is not None:
                return read, got
        return None

    # ------------------------------------------------------------------ output: answers filled
    def _fill(self, rid: int, cn: int, ct: int) -> int:
        """Decision ``rid``'s answers with the citations of gates ``cn`` (notify) and ``ct`` (transfer) in
        its holes, as rows of :attr:`_results` (one per ask, together); returns their number."""
        subs = {}
        for p, code, bit in (("notify", cn, 1), ("transfer", ct, 2)):
            if self._holes[rid] & bit:
                cites = self._code_cites(code)
                subs.update(zip(cite_holes(p, len(cites)), cites, strict=True))
        self._fill_start.append(self._fill_start[-1] + self._fill_len[-1] if self._fill_start else 0)
        self._fill_len.append(len(self._answers[rid]))
        for i, (kind, (outcome, rule_id, ids)) in enumerate(self._answers[rid]):
            concrete = tuple(subs[x] if type(x) is Hole else x for x in ids)
            self._result_rows.append((i, kind, outcome, rule_id, "; ".join(self.scalar._labels(concrete))))
        return len(self._fill_start) - 1

    @property
    def _results(self) -> pl.DataFrame:
        """Every filled answer, one row per ask (:data:`RESULT_SCHEMA`), in the order filled."""
        if self._result_rows or self._results_cache is None:
            add = pl.DataFrame(self._result_rows, schema=RESULT_SCHEMA, orient="row")
            # one chunk: every batch gathers its rows from it
            self._results_cache = add if self._results_cache is None else pl.concat([self._results_cache, add]).rechunk()
            self._result_rows.clear()
        return self._results_cache

    def _fill_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Each filled answer's first row in the results and its number of rows."""
        if self._fills_cache is None or len(self._fills_cache[0]) != len(self._fill_start):
            self._fills_cache = (np.array(self._fill_start, np.int64), np.array(self._fill_len, np.int64))
        return self._fills_cache

    @staticmethod
    def _records_by_request(rec: pl.DataFrame, ids: pl.Series) -> dict[int, list[dict[str, Any]]]:
        out: dict[int, list[dict[str, Any]]] = {}
        for r in rec.filter(pl.col("request_id").is_in(ids.implode())).select(list(RECORD_SCHEMA)).iter_rows(named=True):
            out.setdefault(r["request_id"], []).append(r)
        return out

    @property
    def distinct(self) -> dict[str, int]:
        return {"records": len(self._rec_t), "summaries": len(self._summaries), "decisions": len(self._answers),
                "patterns": len(self._patterns)}
