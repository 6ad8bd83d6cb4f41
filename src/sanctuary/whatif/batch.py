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
scalar engine row by row.  Text columns are dictionary-encoded: a record's class key packs its columns'
codes exactly into two 64-bit words (a 128-bit fingerprint, two independent 64-bit hashes, when a code
is too wide); request keys are fingerprints of codes.  When a batch's request ids
are dense and sorted, records are lined up with their request by position and the 7282.5 fold runs as
NumPy segment reductions; otherwise by a join and a group-by (the differential test holds both).
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
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
from .schema import RECORD_SCHEMA, REQUEST_SCHEMA, TRI_COLUMNS, collect_named, conform, to_request

# Two independent 64-bit hashes make a 128-bit key: the chance that any two of a billion distinct keys share
# one is below 10^-20.  Fixed seeds: keys are compared within one process only.
SEEDS = (0x5A4C79E3779B9, 0x27D4EB2F165667B1)
REC_KEY = ("record", "statute", "level", "jurisdiction", "reduced", "juvenile", "findings", "magistrate_probable_cause", "date_class")
GATE_READINGS = {"felony-reduced", "realignment-1170h", "juvenile-adjudication", "window-start", "prop47-scope",
                 "7282.5b-transfer"}
SID_SCHEMA = {"sid": pl.UInt32, "yes": pl.UInt32, "flags": pl.UInt64}
# A gate is one integer: its kind in the top bits, then a payload (which "yes" citation, or the open prongs' bits)
KIND_SHIFT = 58
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


RESULT_SCHEMA = {"rid": pl.UInt32, "cn": pl.UInt64, "ct": pl.UInt64, "ask_index": pl.UInt16, "ask": pl.Categorical, "outcome": pl.Categorical,
                 "deciding_rule": pl.Categorical, "citations": pl.Categorical}
Answer = tuple[str, str, tuple[str, ...]]  # outcome, deciding rule, cited ids (gate citations as holes)
NO_CODE = 2**32 - 1  # an absent text value in a pattern key (a join never matches null to null)
KEY_TYPES: dict[str, Any] = {
    "ah": pl.UInt64, "ah2": pl.UInt64, "preferred_language": pl.UInt32,
    "epoch": pl.UInt16, "year": pl.Int32, "gate_n": pl.UInt64, "gate_t": pl.UInt64,
    "code_n": pl.UInt64, "code_t": pl.UInt64, "request_id": pl.Int64,
    **{c: pl.UInt8 for c in TRI_COLUMNS},
}
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
    """The gate code ran out of bits: refuse rather than answer one gate with another's decision."""


def _fingerprint(cols: Iterable[str]) -> tuple[pl.Expr, pl.Expr]:
    """Two independent 64-bit hashes of the columns' values (text by its dictionary code): a 128-bit key."""
    s = pl.struct([pl.col(c).to_physical() for c in cols])
    return s.hash(SEEDS[0]), s.hash(SEEDS[1])


CODE_BITS = 19  # a dictionary code in a packed record key; all ones stands for null
_TEXT_KEY = ("record", "statute", "level", "jurisdiction", "reduced", "findings")


def _record_key(rec: pl.DataFrame) -> tuple[str, tuple[pl.Expr, pl.Expr]]:
    """The records' class key as two 64-bit words: packed exactly from the dictionary codes of the
    :data:`REC_KEY` columns when every code fits :data:`CODE_BITS` (six codes, two three-valued flags
    and the date class fill 123 bits), else their :func:`_fingerprint`.  The kind is returned with the
    key: the two kinds are never compared with each other."""
    top = (1 << CODE_BITS) - 1
    if any(rec.schema[c] != pl.Categorical for c in _TEXT_KEY) or \
            any((rec[c].to_physical().max() or 0) >= top for c in _TEXT_KEY):  # type: ignore[operator]
        return "hashed", _fingerprint(REC_KEY)

    def code(c: str, at: int) -> pl.Expr:
        return pl.col(c).to_physical().fill_null(top).cast(pl.UInt64) * (1 << at)

    def tri(c: str, at: int) -> pl.Expr:
        return pl.col(c).cast(pl.UInt64).fill_null(2) * (1 << at)
    b = CODE_BITS
    w1 = code("record", 0) | code("statute", b) | code("level", 2 * b) | tri("juvenile", 3 * b) | \
        tri("magistrate_probable_cause", 3 * b + 2)
    w2 = code("jurisdiction", 0) | code("reduced", b) | code("findings", 2 * b) | \
        pl.col("date_class").cast(pl.UInt64) * (1 << 3 * b)
    return "packed", (w1, w2)


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


def _appended(frame: pl.DataFrame | None, add: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with the rows of ``add`` after its own, made one chunk again once it is in many pieces."""
    if frame is None:
        return add
    out = pl.concat([frame, add], rechunk=False)
    return out.rechunk() if out.n_chunks() > 32 else out


def _contiguous(ids: pl.Series) -> bool:
    """``ids`` are exactly lo, lo+1, ..., hi (so a row's position is its id minus lo, and none repeats)."""
    if ids.len() == 0 or ids.null_count():
        return False
    lo, hi = ids.min(), ids.max()
    return bool(hi - lo + 1 == ids.len() and ids.is_sorted() and (ids.len() < 2 or ids.diff().min() == 1))  # type: ignore[operator]


def _fold_runs(ids: pl.Series, cols: dict[str, tuple[pl.Series, str]], lo: int, n: int) -> pl.DataFrame:
    """Per-request folds of record columns sorted by request id, as NumPy segment reductions, laid out at
    position ``id - lo`` of ``n`` requests (a request without records gets the fold's identity)."""
    rid = ids.to_numpy()
    starts = np.flatnonzero(np.r_[True, rid[1:] != rid[:-1]]) if rid.size else np.zeros(0, dtype=np.int64)
    pos = rid[starts] - lo
    out = []
    for c, (v, how) in cols.items():
        ufunc, identity = {"min": (np.minimum, None), "or": (np.bitwise_or, 0)}[how]
        if identity is None:
            identity = np.iinfo(v[:0].to_numpy().dtype).max
        arr = v.fill_null(identity).to_numpy()
        full = np.full(n, identity, dtype=arr.dtype)
        if starts.size:
            full[pos] = ufunc.reduceat(arr, starts)
        out.append(pl.Series(c, full))
    return pl.DataFrame(out)


class BatchEngine:
    """``BatchEngine("la-2026").run(requests, records)`` yields one row per request and ask."""

    def __init__(self, regime: str = "la-2026", interpretations: dict[str, str] | None = None) -> None:
        self.scalar = DecisionEngine(regime, interpretations)
        self.regime = self.scalar.regime
        self.boundaries = sorted({REALIGNMENT, *self.scalar.era_days})  # the law's eras, and PC 1170(h)
        # record key -> (summary id, category), per kind of key (see _record_key)
        self._rec: dict[str, dict[tuple[int, int], tuple[int, int | None]]] = {"packed": {}, "hashed": {}}
        self._rec_table: dict[str, pl.DataFrame] = {}
        self._patterns: dict[tuple[str, ...], dict[tuple[Any, ...], int]] = {}
        self._hits: dict[tuple[str, ...], int] = {}  # rows each pattern has matched
        self._tables_cache: dict[tuple[str, ...], pl.DataFrame] = {}
        self._new_keys: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}  # keys not yet in their table
        self._result_rows: list[tuple[Any, ...]] = []  # filled answers not yet in the results frame
        self._decisions = 0
        # (ask context, ask kind) -> the fact columns its decisions read; (context, kind, columns, values) -> answer
        self._ask_patterns: dict[tuple[Any, ...], list[tuple[str, ...]]] = {}
        self._ask_memo: dict[tuple[Any, ...], Answer] = {}
        self._concrete: set[tuple[Any, ...]] = set()  # (context, ask kind, gate kinds) where a rule read a cited id
        self._answers: list[tuple[tuple[str, Answer], ...]] = []  # decision id -> (ask kind, answer) per ask
        self._holes: list[int] = []  # decision id -> gates cited as holes (1 notify, 2 transfer)
        self._holes_cache: pl.Series | None = None
        self._kind_of: dict[int, int] = {}  # gate code -> its kind and number of citations
        self._gated = set(self.regime.interpretations) >= GATE_READINGS
        self._gate_memo: dict[tuple[str, int], Any] = {}  # (purpose, gate code) -> the scalar engine's Gate
        self._results_cache: pl.DataFrame | None = None
        self._summaries: dict[Any, int] = {}
        self._sid_attrs: list[tuple[Any, ...]] = []
        self._attrs_cache: pl.DataFrame | None = None
        self._bits: dict[str, int] = {}
        self._yes: dict[tuple[str, ...], int] = {}  # a qualifying route's citations -> its id in a gate's code
        self._yes_cites: list[tuple[str, ...]] = []  # and back
        self._category: dict[str, str] = {}
        self.scalar_calls = 0

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
        # the next batch is read while this one is decided (Polars reads without the GIL; memory: two batches)
        with ThreadPoolExecutor(1, thread_name_prefix="whatif-read") as pool:
            ahead = pool.submit(next, batches, None)
            while (got := ahead.result()) is not None:
                ahead = pool.submit(next, batches, None)
                req, rec = got
                yield self.decide_frame(req, rec, keep=tuple(keep))
                if progress:
                    progress(req.height)

    def decide_frame(self, req: pl.DataFrame, rec: pl.DataFrame, keep: tuple[str, ...] = ()) -> pl.DataFrame:
        ids = req["request_id"]
        lo = ids.min() if ids.len() else 0
        dense = _contiguous(ids)  # the common case: positions are ids - lo, no join needed to line rows up
        if not dense:
            dup = ids.is_duplicated()
            if dup.any():
                raise ValueError(f"requests: request_id {req.filter(dup)['request_id'][0]} appears twice")
        summaries = self._record_summaries(rec, req, lo if dense else None)
        req = self._gate_columns(req, summaries, lo if dense else None).rename({"gate_n": "code_n", "gate_t": "code_t"})
        req = req.with_columns(gate_n=self._kinds(req["code_n"]), gate_t=self._kinds(req["code_t"]))
        bounds = pl.Series(self.boundaries, dtype=pl.Date)
        req = req.with_columns(epoch=bounds.search_sorted(req["as_of"], side="right").cast(pl.UInt16),
                               year=pl.col("as_of").dt.year())
        ah, ah2 = _fingerprint(ALWAYS)
        keys = req.select(
            "request_id", ah.alias("ah"), ah2.alias("ah2"), "gate_n", "gate_t", "code_n", "code_t",
            pl.col("preferred_language").to_physical().fill_null(NO_CODE),
            *(pl.col(c).cast(pl.UInt8).fill_null(2) for c in TRI_COLUMNS))
        found = self._match(keys, req, rec)
        cols = ("request_id", "cat_rank", "code_n", "code_t", *keep)
        if dense:
            rid = found["rid"].clear(req.height).scatter(found["request_id"] - lo, found["rid"])
            base = req.select(*cols).with_columns(rid)
        else:
            base = req.select(*cols).join(found, on="request_id", how="left", maintain_order="left")
        # a decision's citations come from the row's own gates where the decision holds them as holes
        holes = self._holes_series().gather(base["rid"])
        base = base.with_columns(cn=pl.when((holes & 1) != 0).then(pl.col("code_n")).otherwise(pl.lit(0, pl.UInt64)),
                                 ct=pl.when((holes & 2) != 0).then(pl.col("code_t")).otherwise(pl.lit(0, pl.UInt64))
                                 ).drop("code_n", "code_t")
        out = base.join(self._results, on=["rid", "cn", "ct"], how="left", maintain_order="left")
        if out["ask_index"].null_count():  # citations not filled for these gates yet
            for rid, cn, ct in out.filter(pl.col("ask_index").is_null()).select("rid", "cn", "ct").unique().iter_rows():
                self._fill(rid, cn, ct)
            out = base.join(self._results, on=["rid", "cn", "ct"], how="left", maintain_order="left")
        cats = pl.Series(CATEGORY_ORDER + ("none",), dtype=pl.Categorical)
        return (out.with_columns(category=pl.lit(cats).gather(pl.col("cat_rank").fill_null(len(CATEGORY_ORDER)).clip(upper_bound=len(CATEGORY_ORDER))))
                .drop("rid", "cn", "ct", "cat_rank"))

    # ------------------------------------------------------------------ stage 3: decisions by pattern
    def _match(self, keys: pl.DataFrame, req: pl.DataFrame, rec: pl.DataFrame) -> pl.DataFrame:
        """``request_id -> rid`` for every row, deciding representatives until every row is covered."""
        found: list[pl.DataFrame] = []
        todo = keys
        while todo.height:
            # the patterns that matched most rows so far first, so the rows left shrink fastest; each
            # table has one row per key, so a left join keeps every row once, with its rid or none
            for pattern, table in sorted(self._tables().items(), key=lambda pt: -self._hits.get(pt[0], 0)):
                j = todo.join(table, on=["ah", "ah2", *pattern], how="left")
                hit = j.filter(pl.col("rid").is_not_null()).select("request_id", "rid")
                if hit.height:
                    self._hits[pattern] = self._hits.get(pattern, 0) + hit.height
                    found.append(hit)
                    todo = j.filter(pl.col("rid").is_null()).drop("rid")
                    if not todo.height:
                        break
            if not todo.height:
                break
            read = sorted(set().union(*self._patterns) - {"request_id"}) if self._patterns else []
            reps = todo.unique(subset=["ah", "ah2", *read], keep="first", maintain_order=True)
            rows = req.join(reps.select("request_id"), on="request_id", how="semi")
            recs = self._records_by_request(rec, rows["request_id"])
            key_of = {r["request_id"]: r for r in reps.iter_rows(named=True)}
            for r in rows.iter_rows(named=True):
                k = key_of[r["request_id"]]
                if self._covered(k):
                    continue
                self._decide_one(r, recs.get(r["request_id"], []), k)
        return pl.concat(found) if found else pl.DataFrame(schema={"request_id": pl.Int64, "rid": pl.UInt32})

    def _covered(self, k: dict[str, Any]) -> bool:
        base = (k["ah"], k["ah2"])
        return any(base + tuple(k[c] for c in p) in seen for p, seen in self._patterns.items())

    def _decide_one(self, row: dict[str, Any], records: list[dict[str, Any]], k: dict[str, Any]) -> None:
        """A representative row's answer, ask by ask: each ask is answered by an ask the scalar engine
        already decided in the same context (:data:`ASK_CONTEXT`) that agrees on the facts *that ask*
        read, or else decided now, alone, by the scalar engine while the recorder notes what it reads.
        The row's class is then keyed on the union of its asks' readings."""
        ctx = tuple(row[c] for c in ASK_CONTEXT)
        request = None
        pattern: set[str] = set()
        answers = []
        for idx, kind in enumerate(x for x in row["asks"].split(";") if x):
            got = self._ask_answer(ctx, kind, k)
            if got is None:
                if request is None:
                    request = to_request(row, records, self.regime.id)
                got = self._evaluate(request, idx, kind, ctx, k)
            pattern.update(got[0])
            answers.append((kind, got[1]))
        key_cols = tuple(c for c in OPTIONAL if c in pattern) if "request_id" not in pattern else ("request_id",)
        rid = self._decisions
        self._decisions += 1
        self._answers.append(tuple(answers))
        self._holes.append(functools.reduce(operator.or_, (_hole_bit(i) for _, (_, _, ids) in answers for i in ids
                                                           if type(i) is Hole), 0))
        key = tuple(k[c] for c in ("ah", "ah2", *key_cols))
        self._patterns.setdefault(key_cols, {})[key] = rid
        self._new_keys.setdefault(key_cols, []).append((*key, rid))

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

    def _code_cites(self, code: int) -> tuple[str, ...]:
        """The provisions a gate cites, from its code (see :meth:`_gate_columns`): a met gate its route's,
        an open gate its open prongs' in statute order, a closed gate 7282.5(a) and/or (a)(6)."""
        kind, payload = code >> KIND_SHIFT, code & OPEN_MASK
        if kind == GATE_YES:
            return self._yes_cites[payload]
        if kind == GATE_OPEN:
            return tuple(sorted(c for c, b in self._bits.items() if payload >> b & 1))
        return NO_CITES[payload]

    def _kinds(self, codes: pl.Series) -> pl.Series:
        """Each gate code as its kind and its number of citations (a code of the same layout)."""
        if not self._gated:
            return codes
        got = self._kind_of
        for c in codes.unique().to_list():
            if c not in got:
                got[c] = (c >> KIND_SHIFT << KIND_SHIFT) | len(self._code_cites(c))
        return codes.replace_strict(got, return_dtype=pl.UInt64)

    def _fill(self, rid: int, cn: int, ct: int) -> None:
        """Decision ``rid``'s answers with the citations of gates ``cn`` (notify) and ``ct`` (transfer) in
        its holes, as rows of :attr:`_results`."""
        subs = {}
        for p, code, bit in (("notify", cn, 1), ("transfer", ct, 2)):
            if self._holes[rid] & bit:
                cites = self._code_cites(code)
                subs.update(zip(cite_holes(p, len(cites)), cites, strict=True))
        for i, (kind, (outcome, rule_id, ids)) in enumerate(self._answers[rid]):
            concrete = tuple(subs[x] if type(x) is Hole else x for x in ids)
            self._result_rows.append((rid, cn, ct, i, kind, outcome, rule_id, "; ".join(self.scalar._labels(concrete))))

    def _holes_series(self) -> pl.Series:
        """Decision id -> which gates' citations its answers hold as holes (1 notify, 2 transfer)."""
        if self._holes_cache is None or self._holes_cache.len() != len(self._holes):
            self._holes_cache = pl.Series(self._holes, dtype=pl.UInt8)
        return self._holes_cache

    def _ask_answer(self, ctx: tuple[Any, ...], kind: str, k: dict[str, Any]) -> tuple[tuple[str, ...], Answer] | None:
        """(what was read, the answer) of an ask already decided in ``ctx`` that agrees with ``k`` on what it read."""
        for read in self._ask_patterns.get((ctx, kind), ()):
            got = self._ask_memo.get((ctx, kind, read, tuple(k[c] for c in read)))
            if got is not None:
                return read, got
        return None

    def _tables(self) -> dict[tuple[str, ...], pl.DataFrame]:
        """Each pattern's keys and decision ids as a frame to join on; keys learned since are appended."""
        for p, new in self._new_keys.items():
            cols = ["ah", "ah2", *p]
            add = pl.DataFrame(new, schema={**{c: KEY_TYPES[c] for c in cols}, "rid": pl.UInt32}, orient="row")
            self._tables_cache[p] = _appended(self._tables_cache.get(p), add)
        self._new_keys.clear()
        return self._tables_cache

    @property
    def _results(self) -> pl.DataFrame:
        """Every decision's answers filled for the gates met so far, one row per ask (:data:`RESULT_SCHEMA`)."""
        if self._result_rows or self._results_cache is None:
            add = pl.DataFrame(self._result_rows, schema=RESULT_SCHEMA, orient="row")
            self._results_cache = _appended(self._results_cache, add)
            self._result_rows.clear()
        return self._results_cache

    # ------------------------------------------------------------------ stage 1: records
    def _record_summaries(self, rec: pl.DataFrame, req: pl.DataFrame, lo: int | None) -> pl.DataFrame:
        """Each record's summary id and category, on a narrow frame (``request_id, seq, pending, sid, cat``)."""
        if lo is None:  # ids are not dense: line records up with their request by a join (which drops strays)
            rec = rec.join(req.select("request_id", "as_of"), on="request_id", how="inner")
            as_of = rec["as_of"]
        else:
            as_of = req["as_of"].gather(rec["request_id"] - lo)
        day = as_of.to_physical()  # each day in the batch's span gets its 5- and 15-year cut-offs once
        d0 = day.min() if day.len() else 0
        days = pl.int_range(d0, (day.max() if day.len() else 0) + 1, eager=True).cast(pl.Int32).cast(pl.Date)
        at = day - d0
        cut5, cut15 = days.dt.offset_by("-5y").gather(at), days.dt.offset_by("-15y").gather(at)
        d, a = pl.col("date"), as_of
        rec = rec.with_columns(
            date_class=pl.when(pl.col("record") == "pending").then(pl.lit(0, pl.UInt8))
            .when(d.is_null()).then(pl.lit(1, pl.UInt8))
            .otherwise(2 + (d > pl.lit(a)).cast(pl.UInt8) + 2 * (d < REALIGNMENT).cast(pl.UInt8)
                       + 4 * (d >= pl.lit(cut5)).cast(pl.UInt8) + 8 * (d >= pl.lit(cut15)).cast(pl.UInt8)),
            as_of=pl.lit(as_of))
        kind, (h, h2) = _record_key(rec)
        keys = rec.select("request_id", pl.col("seq").fill_null(0), pending=pl.col("record") == "pending",
                          h=h, h2=h2)
        out = keys.join(self._rec_frame(kind), on=["h", "h2"], how="left", maintain_order="left")
        fresh = out.with_row_index("row").filter(pl.col("sid").is_null()).unique(subset=["h", "h2"], keep="first")
        if fresh.height:
            rows = rec[fresh["row"]].iter_rows(named=True)
            for (hh, hh2), (r, summary) in zip(fresh.select("h", "h2").iter_rows(), self._summarise_all(list(rows)), strict=True):
                sid = self._summaries.get(summary)
                if sid is None:
                    sid = self._summaries[summary] = len(self._summaries)
                    self._sid_attrs.append((sid, *self._attrs(summary)))
                    self._attrs_cache = None
                self._rec[kind][(hh, hh2)] = (sid, self._cat_rank(r["statute"]) if r["record"] == "conviction" else None)
            self._rec_table.pop(kind, None)
            out = keys.join(self._rec_frame(kind), on=["h", "h2"], how="left", maintain_order="left")
        return out.drop("h", "h2")

    def _rec_frame(self, kind: str) -> pl.DataFrame:
        got = self._rec_table.get(kind)
        if got is None:
            rec = self._rec[kind]
            got = self._rec_table[kind] = pl.DataFrame(
                {"h": [k[0] for k in rec], "h2": [k[1] for k in rec], "sid": [v[0] for v in rec.values()],
                 "cat": [v[1] for v in rec.values()]},
                schema={"h": pl.UInt64, "h2": pl.UInt64, "sid": pl.UInt32, "cat": pl.UInt8})
        return got

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
    def _gate_columns(self, req: pl.DataFrame, rec: pl.DataFrame, lo: int | None) -> pl.DataFrame:
        """Gov. Code § 7282.5 for each request and purpose, folded column-wise from the record summaries
        exactly as :func:`sanctuary.engine.facts._trust_gate` folds them: the first qualifying
        conviction (unless a Prop 47 misdemeanor bars the person under that reading), then (a)(4), (a)(5)
        and (b); else the set of open prongs; else no (with (a)(6) when a Prop 47 prong was seen).
        Also each request's most serious offense category (``cat_rank``), from the same pass."""
        gated = self._gated
        sid = rec["sid"]
        attrs = self._attrs_frame()
        cols: dict[str, tuple[pl.Series, str]] = {"cat_rank": (rec["cat"].fill_null(len(CATEGORY_ORDER)), "min")}
        if gated:
            yes = attrs["yes"].gather(sid)
            # "the first qualifying conviction": the least (seq, position) among records with a "yes"
            first = ((rec["seq"].cast(pl.Int64) + 2**31).cast(pl.UInt64) * 2**32
                     + pl.int_range(rec.height, dtype=pl.UInt64, eager=True))
            cols |= {"c_first": (first.zip_with(yes.is_not_null(), pl.Series([2**64 - 1], dtype=pl.UInt64)), "min"),
                     "c_flags": (attrs["flags"].gather(sid), "or")}
        if lo is not None and rec["request_id"].is_sorted():
            g = _fold_runs(rec["request_id"], cols, lo, req.height)
            req = pl.concat([req, g], how="horizontal")
        else:
            exprs = {"min": lambda e: e.min(), "or": lambda e: e.bitwise_or()}
            g = (pl.DataFrame([rec["request_id"], *(v.alias(c) for c, (v, _) in cols.items())])
                 .group_by("request_id").agg(exprs[how](pl.col(c)) for c, (_, how) in cols.items()))
            req = req.join(g, on="request_id", how="left", maintain_order="left")
        if gated:
            flags = pl.col("c_flags").fill_null(0)
            req = req.with_columns(c_unk=flags & OPEN_MASK,
                                   **{c: (flags & (1 << b)) != 0 for c, b in FLAG_BITS.items()}).drop("c_flags")
            first_at = req["c_first"].fill_null(2**64 - 1)
            has = first_at != 2**64 - 1
            c_yes = yes.gather((first_at % 2**32).zip_with(has, pl.Series([0], dtype=pl.UInt64))) if rec.height \
                else pl.Series([None] * req.height, dtype=pl.UInt32)
            req = req.with_columns(c_yes=pl.when(has).then(c_yes)).drop("c_first")
        if not gated:
            return req.with_columns(gate_n=pl.lit(0, pl.UInt64), gate_t=pl.lit(0, pl.UInt64))
        a4 = pl.col("csar_registrant")
        a5 = pl.col("federal_aggravated_felony") | pl.col("outstanding_federal_felony_warrant")
        person = pl.col("c_misd").fill_null(False) & pl.lit(self._reading("prop47-scope") == "person")
        b_transfer = self._reading("7282.5b-transfer") == "notification-and-transfer"
        bit = {c: pl.lit(1 << self._bit(c), pl.UInt64) for c in ("gov-7282.5-a4", "gov-7282.5-a5", "gov-7282.5-b")}
        yes = {c: self._yes_id((c,)) for c in ("gov-7282.5-a4", "gov-7282.5-a5", "gov-7282.5-b")}
        zero = pl.lit(0, pl.UInt64)

        def code(kind: int, payload: pl.Expr | int) -> pl.Expr:
            return pl.lit(kind << KIND_SHIFT, pl.UInt64) | (payload if isinstance(payload, pl.Expr) else pl.lit(payload, pl.UInt64)).cast(pl.UInt64)

        out = {}
        for name, b_allowed in (("gate_n", pl.lit(True)), ("gate_t", pl.col("p_has").fill_null(False) & pl.lit(b_transfer))):
            p_yes, p_unk = b_allowed & pl.col("p_yes").fill_null(False), b_allowed & pl.col("p_unk").fill_null(False)
            unk = (pl.col("c_unk").fill_null(0) | pl.when(a4.is_null()).then(bit["gov-7282.5-a4"]).otherwise(zero)
                   | pl.when(a5.is_null()).then(bit["gov-7282.5-a5"]).otherwise(zero)
                   | pl.when(p_unk).then(bit["gov-7282.5-b"]).otherwise(zero))
            out[name] = (
                pl.when(person & pl.col("c_p47").fill_null(False)).then(code(GATE_NO, 2))
                .when(pl.col("c_yes").is_not_null()).then(code(GATE_YES, pl.col("c_yes")))
                .when(a4.fill_null(False)).then(code(GATE_YES, yes["gov-7282.5-a4"]))
                .when(a5.fill_null(False)).then(code(GATE_YES, yes["gov-7282.5-a5"]))
                .when(p_yes).then(code(GATE_YES, yes["gov-7282.5-b"]))
                .when(unk != 0).then(code(GATE_OPEN, unk))
                .when(pl.col("c_a6").fill_null(False)).then(code(GATE_NO, 1))
                .otherwise(code(GATE_NO, 0)))
        return req.with_columns(**out)

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

    def _attrs(self, summary: Any) -> tuple[Any, ...]:
        """The parts of one record's 7282.5 summary the gate folds (see :meth:`_gate_columns`): the id of
        its qualifying citation, if any, and its :data:`FLAG_BITS` word."""
        if summary[0] in ("none", "pending"):
            pvalue = summary[1] if summary[0] == "pending" else None
            pending = summary[0] == "pending"
            return (None, self._flags(0, p_yes=pending and pvalue is True, p_unk=pending and pvalue is None, p_has=pending))
        _, misd, routes = summary
        yes = next((self._yes_id(c) for v, c in routes if v is True), None)
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

    @staticmethod
    def _records_by_request(rec: pl.DataFrame, ids: pl.Series) -> dict[int, list[dict[str, Any]]]:
        out: dict[int, list[dict[str, Any]]] = {}
        for r in rec.filter(pl.col("request_id").is_in(ids.implode())).select(list(RECORD_SCHEMA)).iter_rows(named=True):
            out.setdefault(r["request_id"], []).append(r)
        return out

    def _attrs_frame(self) -> pl.DataFrame:
        """Summary id -> the parts the gate folds, one row per id in id order (so ``gather`` by id)."""
        if self._attrs_cache is None:
            self._attrs_cache = pl.DataFrame(self._sid_attrs, schema=SID_SCHEMA, orient="row").sort("sid")
        return self._attrs_cache

    @property
    def distinct(self) -> dict[str, int]:
        return {"records": sum(map(len, self._rec.values())), "summaries": len(self._summaries), "decisions": self._decisions,
                "patterns": len(self._patterns)}
