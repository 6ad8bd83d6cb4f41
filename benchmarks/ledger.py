"""Ledger throughput and verification, SQLite and PostgreSQL.

    python benchmarks/ledger.py [--entries 1000000] [--seconds 5] [--writers 64]

1. Durable appends per second with group commit: W threads append decision-sized records for S
   seconds; every append returns only after its commit (SQLite WAL + synchronous=FULL; PostgreSQL
   synchronous_commit on).  The same with one writer (no batching) for comparison.
2. Full verification of N entries (rebuild the tree from the stored records, check every head and
   signature and personal-data commitment).
3. Inclusion-proof generation at N entries (tree proof alone, and the full receipt with DB lookup).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from pathlib import Path

from sanctuary.engine.decide import DecisionEngine
from sanctuary.engine.samples import sample_requests
from sanctuary.ledger.checkpoint import Signer
from sanctuary.ledger.records import decision_entry
from sanctuary.ledger.service import Ledger, _Pending
from sanctuary.ledger.store import open_store
from sanctuary.testing import pg


def records(n: int) -> list[tuple[dict, dict]]:
    eng = DecisionEngine()
    out = []
    for r in sample_requests(min(n, 500)):
        d = eng.decide(r)
        out.append(decision_entry(d, None))
    return out


def appends(lg: Ledger, recs: list[tuple[dict, dict]], writers: int, seconds: float) -> tuple[float, float]:
    stop = time.monotonic() + seconds
    counts = [0] * writers
    start_heads = len(lg.store.heads())

    def work(k: int) -> None:
        i = 0
        while time.monotonic() < stop:
            pub, pers = recs[(k * 7919 + i) % len(recs)]
            lg.append("decision", f"w{writers}-{k}-{i}-{time.monotonic_ns()}", pub, pers)
            i += 1
        counts[k] = i
    t0 = time.monotonic()
    ts = [threading.Thread(target=work, args=(k,)) for k in range(writers)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    dt = time.monotonic() - t0
    batches = len(lg.store.heads()) - start_heads
    return sum(counts) / dt, sum(counts) / max(batches, 1)


def bulk_fill(lg: Ledger, recs: list[tuple[dict, dict]], n: int, batch: int = 10_000) -> float:
    t0 = time.monotonic()
    done = lg.size()
    while done < n:
        k = min(batch, n - done)
        pend = [_Pending.prepare("decision", f"bulk-{done + i}", recs[(done + i) % len(recs)][0],
                                 recs[(done + i) % len(recs)][1]) for i in range(k)]
        lg._write(pend)
        assert pend[-1].error is None, pend[-1].error
        done += k
    return time.monotonic() - t0


def proofs(lg: Ledger, n: int, first_bulk: int) -> tuple[float, float]:
    import random
    rng = random.Random(3)
    idx = [rng.randrange(first_bulk, n) for _ in range(2000)]
    t = []
    for i in idx:
        a = time.perf_counter_ns()
        lg.tree.inclusion_proof(i, n)
        t.append((time.perf_counter_ns() - a) / 1000)
    full = []
    for i in idx[:500]:
        a = time.perf_counter_ns()
        lg.prove(f"bulk-{i}")
        full.append((time.perf_counter_ns() - a) / 1000)
    return statistics.median(t), statistics.median(full)


def run(name: str, url: str, signer: Signer, args: argparse.Namespace, recs: list[tuple[dict, dict]]) -> dict:
    out: dict = {"store": name}
    lg = Ledger(open_store(url), signer)
    out["appends_per_s_group_commit"], out["mean_batch"] = appends(lg, recs, args.writers, args.seconds)
    out["appends_per_s_single_writer"], _ = appends(lg, recs, 1, min(args.seconds, 3))
    lg.close()
    lg = Ledger(open_store(url), signer)
    first_bulk = lg.size()
    out["bulk_fill_s"] = bulk_fill(lg, recs, args.entries)
    lg.close()
    lg = Ledger(open_store(url), signer)  # cold open: the tree is rebuilt from stored leaf hashes
    t = time.monotonic()
    rep = lg.verify()
    out["verify_s"] = time.monotonic() - t
    out["verified_entries"] = rep["tree_size"]
    out["proof_us_p50"], out["receipt_us_p50"] = proofs(lg, lg.size(), first_bulk)
    lg.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--writers", type=int, default=64)
    ap.add_argument("--no-postgres", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="sanctuary-bench-"))
    signer = Signer.generate("sanctuary.bench/ledger", tmp / "ledger.key")
    recs = records(500)
    size = statistics.mean(len(json.dumps(p)) + len(q) for p, q in recs)
    print(f"records: decision entries, mean {size:,.0f} bytes (public + personal); {args.writers} writers for {args.seconds}s")
    results = [run("sqlite", f"sqlite:///{tmp / 'bench.db'}", signer, args, recs)]
    if not args.no_postgres and pg.available():
        with pg.throwaway_server() as server:
            results.append(run("postgresql", pg.fresh_database(server), signer, args, recs))
    import shutil
    shutil.rmtree(tmp, ignore_errors=True)
    for r in results:
        print(f"\n[{r['store']}]")
        print(f"  durable appends/s, group commit ({args.writers} writers): {r['appends_per_s_group_commit']:10,.0f}  "
              f"(mean batch {r['mean_batch']:.1f}; target 5,000/s on SQLite)")
        print(f"  durable appends/s, one writer (no batching):        {r['appends_per_s_single_writer']:10,.0f}")
        print(f"  bulk fill to {r['verified_entries']:,} entries:                    {r['bulk_fill_s']:10.1f} s")
        print(f"  full verification of {r['verified_entries']:,} entries:             {r['verify_s']:10.2f} s  (target < 10 s)")
        print(f"  inclusion proof at {r['verified_entries']:,} (tree):              {r['proof_us_p50']:10.1f} us p50 (target < 1 ms)")
        print(f"  receipt at {r['verified_entries']:,} (DB lookup + proof + checkpoint): {r['receipt_us_p50']:10.1f} us p50")


if __name__ == "__main__":
    main()
