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

The recorder makes the partition sound for any pack: a rule that reads a field is keyed on it; a rule
that reads a person's record outside the 7282.5 gate, or a field the recorder does not know, keys its
pattern on the request itself (correct, merely not shared).  Dates are read only through effective
intervals and the year.  The differential test (``tests/unit/whatif``) holds the batch engine to the
scalar engine row by row.  Record and gate keys are 64-bit hashes; every batch checks that no two
distinct keys share a hash.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ..engine.decide import DecisionEngine
from ..engine.facts import REALIGNMENT, ConvictionFacts, Facts, pending_route
from ..law.registry import get_agency
from ..offenses.parsing import parse_charge
from .schema import RECORD_SCHEMA, REQUEST_SCHEMA, TRI_COLUMNS, collect_named, conform, to_request

SEED = 0x5A4C7  # fixed: keys are compared within one process only
REC_KEY = ("record", "statute", "level", "jurisdiction", "reduced", "juvenile", "findings", "magistrate_probable_cause", "date_class")
GATE_READINGS = {"felony-reduced", "realignment-1170h", "juvenile-adjudication", "window-start", "prop47-scope",
                 "7282.5b-transfer"}
SID_SCHEMA = {"sid": pl.UInt32, "yes": pl.UInt32, "a6_false": pl.Boolean, "umask": pl.UInt64, "any_a6": pl.Boolean,
              "misd": pl.Boolean, "pvalue": pl.Boolean}
# A gate is one integer: its kind in the top bits, then a payload (which "yes" citation, or the open prongs' bits)
KIND_SHIFT = 58
GATE_NO, GATE_YES, GATE_OPEN = 0, 1, 2
ALWAYS = ("agency", "epoch", "year", "from_authority", "documents", "asks", "ask_detail")
OPTIONAL = (*TRI_COLUMNS, "preferred_language", "gate_n", "gate_t", "request_id")
CATEGORY_ORDER = ("person", "drug", "property", "weapon", "vehicle", "other", "local", "unresolved")


KEY_TYPES: dict[str, Any] = {
    "ah": pl.UInt64,
    **{c: pl.String for c in ("agency", "from_authority", "documents", "asks", "ask_detail", "preferred_language")},
    "epoch": pl.UInt16, "year": pl.Int32, "gate_n": pl.UInt64, "gate_t": pl.UInt64, "request_id": pl.Int64,
    **{c: pl.UInt8 for c in TRI_COLUMNS},
}
_KNOWN = frozenset(TRI_COLUMNS) | {"preferred_language"}
_ALWAYS_READ = frozenset({"documents", "from_authority", "asks", "agency", "as_of", "regime"})  # keyed anyway


class _Reads:
    """A read-only view of the request's subject or context that notes each field a rule reads."""

    __slots__ = ("_facts", "_obj")

    def __init__(self, obj: Any, facts: RecordingFacts) -> None:
        self._obj, self._facts = obj, facts

    def __getattr__(self, name: str) -> Any:
        if not self._facts.quiet and name not in _ALWAYS_READ:
            self._facts.read.add(name if name in _KNOWN else "*")
        return getattr(self._obj, name)


class RecordingFacts(Facts):
    """:class:`Facts` that notes what the rules read (``read``): fact columns, ``gate_n``/``gate_t`` for the
    7282.5 gate, ``*`` for anything the batch engine cannot key (a record read outside the gate)."""

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.read: set[str] = set()
        self.quiet = 0
        self.subject = _Reads(self.subject, self)  # type: ignore[assignment]
        self.context = _Reads(self.context, self)  # type: ignore[assignment]
        self.req = _Reads(self.req, self)  # type: ignore[assignment]  # req.subject etc. count as "*"

    def _record(self, name: str) -> Any:
        """A person's record read outside the gate cannot be keyed by the gate ids: key on the request.
        Computed once, quietly (the gate reads it too)."""
        if not self.quiet:
            self.read.add("*")
        got = self.__dict__.get(f"_{name}")
        if got is None:
            self.quiet += 1
            try:
                got = self.__dict__[f"_{name}"] = getattr(Facts, name).func(self)
            finally:
                self.quiet -= 1
        return got

    @property  # type: ignore[override]
    def convictions(self) -> Any:
        return self._record("convictions")

    @property  # type: ignore[override]
    def pending(self) -> Any:
        return self._record("pending")

    def trust_gate(self, purpose: str) -> Any:
        self.read.add("gate_n" if purpose == "notify" else "gate_t")
        self.quiet += 1
        try:
            return super().trust_gate(purpose)
        finally:
            self.quiet -= 1


class KeyCollisionError(RuntimeError):
    """Two distinct keys hashed alike: refuse rather than answer one with the other's decision."""


def _hash(cols: Iterable[str]) -> pl.Expr:
    return pl.struct(list(cols)).hash(SEED)


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


@dataclass
class _Memo:
    """Distinct keys seen so far: hash -> answer, with the key columns kept to catch collisions."""

    cols: tuple[str, ...]
    answers: dict[int, Any] = field(default_factory=dict)
    keys: pl.DataFrame | None = None

    def new(self, rows: pl.DataFrame, what: str) -> pl.DataFrame:
        """The keys (``h`` and the key columns, one row each) not seen before; raises on a hash collision."""
        distinct = rows.select("h", *self.cols).unique()
        if distinct.height != distinct["h"].n_unique():
            raise KeyCollisionError(f"two distinct {what} keys share a 64-bit hash")
        if self.keys is not None and self.keys.height:
            seen = distinct.join(self.keys, on="h", how="inner", suffix="_seen")
            for c in self.cols:
                a, b = seen[c], seen[f"{c}_seen"]
                if not ((a == b) | (a.is_null() & b.is_null())).fill_null(False).all():
                    raise KeyCollisionError(f"a {what} key hashed like an earlier, different key")
        fresh = distinct.filter(~pl.col("h").is_in(list(self.answers)))
        if fresh.height:
            self.keys = fresh if self.keys is None else pl.concat([self.keys, fresh], how="vertical_relaxed")
        return fresh


class BatchEngine:
    """``BatchEngine("la-2026").run(requests, records)`` yields one row per request and ask."""

    def __init__(self, regime: str = "la-2026", interpretations: dict[str, str] | None = None) -> None:
        self.scalar = DecisionEngine(regime, interpretations)
        self.regime = self.scalar.regime
        self.boundaries = self._boundaries()
        self._rec = _Memo(REC_KEY)
        self._always = _Memo(ALWAYS)  # keeps the always-columns of each hash, to catch a collision across batches
        self._patterns: dict[tuple[str, ...], dict[tuple[Any, ...], int]] = {}
        self._tables_cache: dict[tuple[str, ...], pl.DataFrame] | None = None
        self._result_rows: list[dict[str, Any]] = []
        self._result_rows_index: list[int] = []
        self._results_cache: pl.DataFrame | None = None
        self._summaries: dict[Any, int] = {}
        self._sid_attrs: list[tuple[Any, ...]] = []
        self._bits: dict[str, int] = {}
        self._yes: dict[tuple[str, ...], int] = {}
        self._category: dict[str, str] = {}
        self.scalar_calls = 0

    # ------------------------------------------------------------------ law epochs
    def _boundaries(self) -> list[dt.date]:
        days: set[dt.date] = {REALIGNMENT}
        for iv in [i.interval for i in self.regime.instruments.values()] + \
                  [p.interval for p in self.regime.provisions.values()] + \
                  [r.interval for r in (*self.regime.rules, *self.regime.obligation_rules)]:
            if iv.effective:
                days.add(iv.effective)
            if iv.ends:
                days.add(iv.ends + dt.timedelta(days=1))
        return sorted(days)

    # ------------------------------------------------------------------ public
    def run(self, requests: pl.DataFrame | pl.LazyFrame, records: pl.DataFrame | pl.LazyFrame | None = None, *,
            batch_size: int = 1_000_000, progress: Callable[[int], None] | None = None,
            keep: Iterable[str] = ()) -> Iterator[pl.DataFrame]:
        """Decide every request; yields per-batch frames ``request_id, ask_index, ask, outcome,
        deciding_rule, citations`` (plus ``keep`` request columns, and ``category``)."""
        req_lf = conform(requests, REQUEST_SCHEMA, ("request_id", "agency", "as_of", "asks"), "requests")
        rec_lf = conform(records if records is not None else pl.DataFrame(schema=RECORD_SCHEMA),
                         RECORD_SCHEMA, ("request_id", "statute"), "records")
        offset = 0
        while True:
            req = collect_named(req_lf.slice(offset, batch_size), "requests")
            if req.height == 0:
                break
            lo, hi = req["request_id"].min(), req["request_id"].max()
            rec = collect_named(rec_lf.filter(pl.col("request_id").is_between(lo, hi)), "records")
            rec = rec.join(req.select("request_id"), on="request_id", how="semi")
            yield self.decide_frame(req, rec, keep=tuple(keep))
            offset += req.height
            if progress:
                progress(req.height)

    def decide_frame(self, req: pl.DataFrame, rec: pl.DataFrame, keep: tuple[str, ...] = ()) -> pl.DataFrame:
        dup = req["request_id"].is_duplicated()
        if dup.any():
            raise ValueError(f"requests: request_id {req.filter(dup)['request_id'][0]} appears twice")
        rec = rec.join(req.select("request_id", "as_of"), on="request_id", how="inner")
        rec = self._record_summaries(rec)
        cat = rec.group_by("request_id").agg(cat_rank=pl.col("cat").min())
        req = req.join(cat, on="request_id", how="left")
        req = self._gate_columns(req, rec)
        bounds = pl.Series(self.boundaries, dtype=pl.Date)
        req = req.with_columns(epoch=bounds.search_sorted(req["as_of"], side="right").cast(pl.UInt16),
                               year=pl.col("as_of").dt.year())
        keys = req.select(
            "request_id", *(pl.col(c).fill_null("") for c in ("agency", "from_authority", "documents", "asks", "ask_detail")),
            "epoch", "year", pl.col("preferred_language").fill_null(""), "gate_n", "gate_t",
            *(pl.col(c).cast(pl.UInt8).fill_null(2) for c in TRI_COLUMNS))
        keys = keys.with_columns(ah=_hash(ALWAYS))
        fresh = self._always.new(keys.select(pl.col("ah").alias("h"), *ALWAYS), "always")
        self._always.answers.update(dict.fromkeys(fresh["h"].to_list(), True))
        found = self._match(keys, req, rec)
        cats = pl.Series(CATEGORY_ORDER + ("none",), dtype=pl.String)
        return (req.select("request_id", "cat_rank", *keep)
                .join(found, on="request_id", how="left", maintain_order="left")
                .join(self._results, on="rid", how="left", maintain_order="left")
                .with_columns(category=pl.lit(cats).gather(pl.col("cat_rank").fill_null(len(CATEGORY_ORDER))))
                .drop("rid", "cat_rank"))

    # ------------------------------------------------------------------ stage 3: decisions by pattern
    def _match(self, keys: pl.DataFrame, req: pl.DataFrame, rec: pl.DataFrame) -> pl.DataFrame:
        """``request_id -> rid`` for every row, deciding representatives until every row is covered."""
        found: list[pl.DataFrame] = []
        todo = keys
        while todo.height:
            for pattern, table in self._tables().items():
                hit = todo.join(table, on=["ah", *pattern], how="inner").select("request_id", "rid")
                if hit.height:
                    found.append(hit)
                    todo = todo.join(hit, on="request_id", how="anti")
                    if not todo.height:
                        break
            if not todo.height:
                break
            read = sorted(set().union(*self._patterns) - {"request_id"}) if self._patterns else []
            reps = todo.unique(subset=["ah", *read], keep="first", maintain_order=True)
            rows = req.join(reps.select("request_id"), on="request_id", how="semi")
            recs = self._records_by_request(rec, rows["request_id"])
            key_of = {r["request_id"]: r for r in reps.iter_rows(named=True)}
            for r in rows.iter_rows(named=True):
                k = key_of[r["request_id"]]
                if self._covered(k):
                    continue
                self._decide_one(r, recs.get(r["request_id"], []), k)
            self._tables_cache = None
        return pl.concat(found) if found else pl.DataFrame(schema={"request_id": pl.Int64, "rid": pl.UInt32})

    def _covered(self, k: dict[str, Any]) -> bool:
        base = (k["ah"],)
        return any(base + tuple(k[c] for c in p) in seen for p, seen in self._patterns.items())

    def _decide_one(self, row: dict[str, Any], records: list[dict[str, Any]], k: dict[str, Any]) -> None:
        r = to_request(row, records, self.regime.id)
        f = RecordingFacts(r, get_agency(r.agency), self.regime, self.scalar.interpretations)
        answers = self.scalar.decide_asks(f)
        self.scalar_calls += 1
        pattern = tuple(c for c in OPTIONAL if c in f.read) if "*" not in f.read else ("request_id",)
        rid = len(self._result_rows_index)
        self._result_rows_index.append(rid)
        for i, (ask, (rule, verdict, _)) in enumerate(zip(r.asks, answers, strict=True)):
            self._result_rows.append({"rid": rid, "ask_index": i, "ask": ask.kind, "outcome": str(verdict.outcome),
                                      "deciding_rule": rule.id, "citations": "; ".join(self.scalar.cite_labels(rule, verdict))})
        self._patterns.setdefault(pattern, {})[tuple(k[c] for c in ("ah", *pattern))] = rid
        self._results_cache = None

    def _tables(self) -> dict[tuple[str, ...], pl.DataFrame]:
        if self._tables_cache is None:
            self._tables_cache = {}
            for p, seen in self._patterns.items():
                cols = ["ah", *p]
                data = {c: [key[i] for key in seen] for i, c in enumerate(cols)}
                data["rid"] = list(seen.values())
                self._tables_cache[p] = pl.DataFrame(data, schema={**{c: KEY_TYPES[c] for c in cols}, "rid": pl.UInt32})
        return self._tables_cache

    @property
    def _results(self) -> pl.DataFrame:
        if self._results_cache is None:
            self._results_cache = pl.DataFrame(self._result_rows, schema={
                "rid": pl.UInt32, "ask_index": pl.UInt16, "ask": pl.String, "outcome": pl.String,
                "deciding_rule": pl.String, "citations": pl.String})
        return self._results_cache

    # ------------------------------------------------------------------ stage 1: records
    def _record_summaries(self, rec: pl.DataFrame) -> pl.DataFrame:
        d, a = pl.col("date"), pl.col("as_of")
        rec = rec.with_columns(
            order=(pl.col("record") == "pending").cast(pl.UInt8),
            date_class=pl.when(pl.col("record") == "pending").then(pl.lit(0, pl.UInt8))
            .when(d.is_null()).then(pl.lit(1, pl.UInt8))
            .otherwise(2 + (d > a).cast(pl.UInt8) + 2 * (d < REALIGNMENT).cast(pl.UInt8)
                       + 4 * (d >= a.dt.offset_by("-5y")).cast(pl.UInt8) + 8 * (d >= a.dt.offset_by("-15y")).cast(pl.UInt8)),
        ).with_columns(h=_hash(REC_KEY))
        fresh = self._rec.new(rec, "record")
        if fresh.height:
            rows = rec.join(fresh.select("h"), on="h", how="semi").unique(subset="h", keep="first")
            for r in rows.iter_rows(named=True):
                summary = self._summarise(r)
                sid = self._summaries.get(summary)
                if sid is None:
                    sid = self._summaries[summary] = len(self._summaries)
                    self._sid_attrs.append((sid, *self._attrs(summary)))
                self._rec.answers[r["h"]] = (sid, self._cat_rank(r["statute"]) if r["record"] == "conviction" else None)
        m = pl.DataFrame({"h": list(self._rec.answers), "sid": [v[0] for v in self._rec.answers.values()],
                          "cat": [v[1] for v in self._rec.answers.values()]},
                         schema={"h": pl.UInt64, "sid": pl.UInt32, "cat": pl.UInt8})
        return rec.join(m, on="h", how="left")

    def _cat_rank(self, statute: str) -> int:
        c = self._category.get(statute)
        if c is None:
            c = self._category[statute] = offense_category(statute)
        return CATEGORY_ORDER.index(c)

    def _facts(self, req_row: dict[str, Any], records: list[dict[str, Any]]) -> Facts:
        r = to_request(req_row, records, self.regime.id)
        return Facts(r, get_agency(r.agency), self.regime, self.scalar.interpretations)

    def _summarise(self, r: dict[str, Any]) -> Any:
        """What 7282.5 reads of one record: the value and citations of each prong."""
        if not set(self.regime.interpretations) >= GATE_READINGS:
            return ("none",)
        base = {"request_id": 0, "agency": "lasd", "as_of": r["as_of"], "asks": "hold"}
        f = self._facts(base, [r])
        if r["record"] == "pending":
            i, pc, parsed, prof = f.pending[0]
            t, cites, _ = pending_route(i, pc, parsed, prof)
            return ("pending", t.value, cites)
        cf: ConvictionFacts = f.convictions[0]
        routes = f.conviction_routes(cf)
        misd = cf.c.level == "misdemeanor" or bool(cf.c.reduced)
        return ("conviction", misd, tuple((t.value, cites) for t, cites, _ in routes))

    # ------------------------------------------------------------------ stage 2: the 7282.5 gate
    def _gate_columns(self, req: pl.DataFrame, rec: pl.DataFrame) -> pl.DataFrame:
        """Gov. Code § 7282.5 for each request and purpose, folded column-wise from the record summaries
        exactly as :func:`sanctuary.engine.facts._trust_gate` folds them: the first qualifying
        conviction (unless a Prop 47 misdemeanor bars the person under that reading), then (a)(4), (a)(5)
        and (b); else the set of open prongs; else no (with (a)(6) when a Prop 47 prong was seen)."""
        if not set(self.regime.interpretations) >= GATE_READINGS:
            return req.with_columns(gate_n=pl.lit(0, pl.UInt64), gate_t=pl.lit(0, pl.UInt64))
        attrs = pl.DataFrame(self._sid_attrs, schema=SID_SCHEMA, orient="row")
        r = rec.join(attrs, on="sid", how="left")
        conv = (r.filter(pl.col("record") == "conviction").sort("request_id", "seq")
                .group_by("request_id")
                .agg(c_yes=pl.col("yes").drop_nulls().first(), c_p47=pl.col("a6_false").any(), c_misd=pl.col("misd").any(),
                     c_unk=pl.col("umask").bitwise_or(), c_a6=pl.col("any_a6").any()))
        pend = (r.filter(pl.col("record") == "pending").group_by("request_id")
                .agg(p_yes=(pl.col("pvalue") == True).any(), p_unk=pl.col("pvalue").is_null().any(),  # noqa: E712
                     p_has=pl.len() > 0))
        g = req.select("request_id", "csar_registrant", "federal_aggravated_felony", "outstanding_federal_felony_warrant") \
            .join(conv, on="request_id", how="left").join(pend, on="request_id", how="left")
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
        return req.join(g.select("request_id", **out), on="request_id", how="left")

    def _bit(self, cite: str) -> int:
        b = self._bits.setdefault(cite, len(self._bits))
        if b >= KIND_SHIFT:
            raise KeyCollisionError("more distinct 7282.5 citations than the gate code has bits for")
        return b

    def _yes_id(self, cites: tuple[str, ...]) -> int:
        return self._yes.setdefault(cites, len(self._yes))

    def _attrs(self, summary: Any) -> tuple[Any, ...]:
        """The parts of one record's 7282.5 summary the gate folds (see :meth:`_gate_columns`)."""
        if summary[0] in ("none", "pending"):
            return (None, False, 0, False, False, summary[1] if summary[0] == "pending" else None)
        _, misd, routes = summary
        yes = next((self._yes_id(c) for v, c in routes if v is True), None)
        a6_false = any("gov-7282.5-a6" in c and v is False for v, c in routes)
        mask = 0
        for v, c in routes:
            if v is None:
                for x in c:
                    mask |= 1 << self._bit(x)
        return (yes, a6_false, mask, any("gov-7282.5-a6" in c for _, c in routes), misd, None)

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

    @property
    def distinct(self) -> dict[str, int]:
        return {"records": len(self._rec.answers), "summaries": len(self._summaries), "decisions": len(self._result_rows_index),
                "patterns": len(self._patterns)}
