"""Reports over a large ledger: the annual DOJ transfer report, the TRUTH Act access report and the
dashboard over N entries (default 1,000,000) in an embedded SQLite ledger.

    python benchmarks/reports.py [--entries 1000000] [--dir DIR]

The ledger is filled with real decisions (the calibrated generated year, decided under la-2026, each
copied with a fresh id and date) plus what staff did (an action entry for every allowed transfer,
notification and interview) and counsel's review determinations, written in 10,000-entry batches
through the ledger's own writer (hashing, Merkle tree, signed checkpoints).  Target: the annual report
under 5 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from pathlib import Path

from sanctuary.engine.decide import DecisionEngine
from sanctuary.ledger.checkpoint import Signer
from sanctuary.ledger.records import decision_entry
from sanctuary.ledger.service import Ledger, _Pending
from sanctuary.ledger.store import SQLiteStore
from sanctuary.reports.build import doj_transfers, truth_access
from sanctuary.reports.dashboard import build as dashboard
from sanctuary.whatif import generate
from sanctuary.whatif.schema import to_request


def fill(lg: Ledger, n: int, year: int = 2025, seed: int = 7) -> dict[str, int]:
    rng = random.Random(seed)
    eng = DecisionEngine("la-2026")
    req, rec = next(generate.chunks(4000, year=year, seed=seed))
    by: dict[int, list] = {}
    for r in rec.iter_rows(named=True):
        by.setdefault(r["request_id"], []).append(r)
    pool = []
    for row in req.iter_rows(named=True):
        r = to_request(row, by.get(row["request_id"], []), "la-2026")
        d = eng.decide(r)
        pool.append(decision_entry(d, r))
    counts = {"decision": 0, "action": 0, "review": 0}
    done = lg.size()
    k = 0
    while done < n:
        batch = []
        while len(batch) < 10_000 and done + len(batch) < n:
            pub, pers = pool[k % len(pool)]
            did = f"{k:032x}"
            day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
            pub = {**pub, "decision_id": did, "as_of": day.isoformat()}
            idx = done + len(batch)
            batch.append(_Pending.prepare("decision", did, pub, pers))
            counts["decision"] += 1
            for i, a in enumerate(pub["asks"]):
                if a["outcome"] in ("permitted", "required") and a["kind"] in ("transfer", "notify-release", "interview"):
                    batch.append(_Pending.prepare("action", f"action-{did}-{i}", {
                        "decision_id": did, "decision_ledger_index": idx, "agency": pub["agency"], "ask": i, "kind": a["kind"],
                        "action": "performed", "on": day.isoformat(), "by": "bench", "note": "", "outcome": a["outcome"],
                        "against_decision": False}, None))
                    counts["action"] += 1
            if pub["review"] and rng.random() < 0.7:
                batch.append(_Pending.prepare("review", f"review-{did}", {
                    "decision_id": did, "decision_ledger_index": idx, "by": "bench", "note": "bench",
                    "on": min(dt.date(year, 12, 31), day + dt.timedelta(days=rng.randint(1, 30))).isoformat(),
                    "determinations": [{"ask": i, "kind": a["kind"], "was": "review", "outcome": "prohibited", "citations": []}
                                       for i, a in enumerate(pub["asks"]) if a["outcome"] == "review"]}, None))
                counts["review"] += 1
            k += 1
        lg._write(batch)
        assert batch[-1].error is None, batch[-1].error
        done += len(batch)
    return counts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--dir", default=None)
    args = ap.parse_args()
    d = Path(args.dir or tempfile.mkdtemp(prefix="reports-bench-"))
    signer = Signer.generate("bench/ledger", d / "ledger.key") if not (d / "ledger.key").exists() else \
        Signer.load("bench/ledger", d / "ledger.key")
    lg = Ledger(SQLiteStore(d / "ledger.db"), signer, "bench/ledger")
    if lg.size() < args.entries:
        t = time.perf_counter()
        counts = fill(lg, args.entries)
        print(f"filled {lg.size():,} entries in {time.perf_counter() - t:.0f} s ({counts})")
    print(f"ledger: {lg.size():,} entries in {d}")
    for name, fn in (("DOJ annual transfer report (7284.6(c)(2))", lambda: doj_transfers(lg, 2025)),
                     ("TRUTH Act access report (7283.1(c))", lambda: truth_access(lg, 2025)),
                     ("public dashboard, one year", lambda: dashboard(lg, 2025))):
        t = time.perf_counter()
        r = fn()
        dt_ = time.perf_counter() - t
        extra = ""
        if hasattr(r, "tables") and isinstance(r.tables, list):
            extra = f"; first table: {r.tables[0].rows[:3]}"
        print(f"{name}: {dt_:.2f} s{extra}")
    print("target: annual report under 5 s")
    lg.close()


if __name__ == "__main__":
    main()
