"""Latency of complete decisions (validation, charge parsing, evaluation, trace) against the bare
7282.5 notification rule in Rego (regopy) and Cedar (cedarpy), same inputs, same run.

    python benchmarks/decide.py [--n 5000] [--warm 20000] [--seed 7]

Single process (one core), the garbage collector off while timing (every row alike).  The first row is
the engine as a server runs it: its memo (see ``sanctuary.engine.reads``) has seen ``--warm`` other
requests drawn the same way (another seed), and each measured request is new to it.  The rows after it:
the memo warmed on 2,000 others; a fresh engine deciding its first requests (every memo and the
charge-parse cache empty: it learns as it goes); without the memo; the same requests a second time
(every decision found); and other new requests with the charge-parse cache emptied before each.  The
regimes' route and gate memos are emptied before each configuration.  The peers get the facts already classified (Rego: one record per conviction; Cedar,
which has no quantifier over sets: six booleans), so they evaluate strictly less."""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from sanctuary.engine.decide import DecisionEngine
from sanctuary.engine.facts import Facts
from sanctuary.engine.models import Request
from sanctuary.engine.samples import sample_requests
from sanctuary.law.registry import get_agency, load_regime, regimes
from sanctuary.offenses.parsing import _parse_cached

REGO = """
package trust
import rego.v1

default allow := false

allow if input.csar
allow if input.federal
allow if {
  some c in input.convictions
  c.felony
  c.serious_or_violent
}
allow if {
  some c in input.convictions
  c.felony
  c.state_prison
}
allow if {
  some c in input.convictions
  c.felony
  c.listed
  c.years <= 15
}
allow if {
  some c in input.convictions
  c.misdemeanor
  c.wobbler
  c.listed
  not c.felony_only
  c.years <= 5
  not c.prop47
}
"""

CEDAR = """
permit(principal, action == Action::"notify", resource)
when { context.a1 || context.a2 || context.a3_felony || context.a3_wobbler || context.a4 || context.a5 };
"""


def facts_for_peers(req: dict[str, Any]) -> tuple[dict[str, Any], dict[str, bool]]:
    """Pre-classify each conviction with our own catalog so the peers see only the bare rule."""
    r = Request.parse(req)
    f = Facts(r, get_agency(r.agency), load_regime("la-2026"), {})
    convs = []
    for cf in f.convictions:
        p = cf.prof
        lvl = cf.c.level
        years = (r.as_of - cf.c.date).days / 365.2425 if cf.c.date else 99
        convs.append({
            "felony": lvl == "felony", "misdemeanor": lvl == "misdemeanor",
            "serious_or_violent": bool(p and (p.serious.true or p.violent.true)),
            "state_prison": bool(p and p.custody == "state-prison"),
            "listed": bool(p and any(v.true for v in p.categories.values())),
            "felony_only": bool(p and any(v.true for k, v in p.categories.items() if k in ("G", "M"))),
            "wobbler": bool(p and p.wobbler), "prop47": bool(p and p.prop47.true), "years": years,
        })
    rego_in = {"csar": r.subject.csar_registrant is True, "federal": False, "convictions": convs}
    cedar_ctx = {
        "a1": any(c["felony"] and c["serious_or_violent"] for c in convs),
        "a2": any(c["felony"] and c["state_prison"] for c in convs),
        "a3_felony": any(c["felony"] and c["listed"] and c["years"] <= 15 for c in convs),
        "a3_wobbler": any(c["misdemeanor"] and c["wobbler"] and c["listed"] and c["years"] <= 5 and not c["prop47"] for c in convs),
        "a4": rego_in["csar"], "a5": False,
    }
    return rego_in, cedar_ctx


def forget() -> None:
    """Empty every memo the regimes keep across engines (the 7282.5 routes and gates), so that no
    configuration measured starts with what an earlier one computed for the same requests."""
    for rid in regimes():
        load_regime(rid).memo.clear()


def timeit(fn: Callable[[Any], Any], items: list[Any]) -> list[float]:
    out = []
    gc.disable()
    for it in items:
        t0 = time.perf_counter_ns()
        fn(it)
        out.append((time.perf_counter_ns() - t0) / 1000)
    gc.enable()
    return out


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=7, help="of the measured requests (the memo is warmed with seed 1234)")
    ap.add_argument("--warm", type=int, default=20_000, help="other requests decided first (the memo's steady state)")
    args = ap.parse_args()
    reqs = sample_requests(args.n, seed=args.seed)
    forget()
    plain = DecisionEngine(memo=False)
    for r in reqs[:200]:
        plain.decide(r)  # warm imports and regime load
    ours_plain = timeit(plain.decide, reqs)
    # a server's steady state: the memo has seen other requests of the same kind, never these ones
    forget()
    eng = DecisionEngine()
    for r in sample_requests(args.warm, seed=1234):
        eng.decide(r)
    engines = (eng, *eng._others.values())
    before = sum(e._decisions.hits for e in engines)
    ours_warm = timeit(eng.decide, reqs)
    hit_rate = (sum(e._decisions.hits for e in engines) - before) / len(reqs)
    ours_again = timeit(eng.decide, reqs)  # the same requests once more: every decision is found

    def cold(r: dict[str, Any]) -> Any:
        _parse_cached.cache_clear()
        return eng.decide(r)
    ours_cold = timeit(cold, sample_requests(min(2000, len(reqs)), seed=4321))  # new to the memo too
    # a server that has decided fewer requests: after 2,000, and from nothing (a fresh process: every
    # memo and the charge-parse cache empty; the first requests are decided in full, then more are found)
    forget()
    eng2k = DecisionEngine()
    for r in sample_requests(2_000, seed=1234):
        eng2k.decide(r)
    ours_2k = timeit(eng2k.decide, reqs)
    forget()
    _parse_cached.cache_clear()
    ours_empty = timeit(DecisionEngine().decide, reqs)

    peer_inputs = [facts_for_peers(r) for r in reqs]
    rows = [(f"sanctuary: complete decision, new requests (memo warmed on {args.warm:,} others)", ours_warm),
            ("sanctuary: complete decision, new requests (memo warmed on 2,000 others)", ours_2k),
            (f"sanctuary: complete decision, the first {len(reqs):,} requests of a fresh engine", ours_empty),
            ("sanctuary: complete decision, without the memo", ours_plain),
            ("sanctuary: complete decision, the same requests again", ours_again),
            ("sanctuary: complete decision, other new requests, charge-parse cache emptied before each", ours_cold)]
    try:
        import regopy
        interp = regopy.Interpreter()
        interp.add_module("trust", REGO)

        def rego(x: tuple[dict[str, Any], dict[str, bool]]) -> Any:
            interp.set_input_term(json.dumps(x[0]))
            return interp.query("data.trust.allow")
        assert "true" in str(rego(peer_inputs[0])) or "false" in str(rego(peer_inputs[0]))
        rows.append(("rego (regopy): bare 7282.5 notification rule", timeit(rego, peer_inputs)))
    except ImportError:
        print("regopy not installed (pip install -e '.[bench]')")
    try:
        import cedarpy
        ps = cedarpy.PolicySet.from_str(CEDAR)
        ents = cedarpy.Entities.from_json_str("[]") if hasattr(cedarpy, "Entities") else []

        def cedar(x: tuple[dict[str, Any], dict[str, bool]]) -> Any:
            return cedarpy.is_authorized({"principal": 'Agency::"lasd"', "action": 'Action::"notify"',
                                          "resource": 'Person::"p"', "context": x[1]}, ps, ents)
        assert cedar(peer_inputs[0]).decision is not None
        rows.append(("cedar (cedarpy): bare 7282.5 notification rule", timeit(cedar, peer_inputs)))
    except ImportError:
        print("cedarpy not installed (pip install -e '.[bench]')")
    base = statistics.median(ours_warm)
    print(f"{len(reqs)} requests, 0-10 convictions each (mean {statistics.mean(len(r['subject']['convictions']) for r in reqs):.1f}); "
          f"{hit_rate:.0%} of the new ones found in the decision memo; microseconds")
    print(f"{'':78} {'p50':>9} {'p99':>9} {'p50 / ours':>11}")
    for name, xs in rows:
        print(f"{name:78} {pct(xs, 50):9.1f} {pct(xs, 99):9.1f} {pct(xs, 50) / base:11.2f}")


if __name__ == "__main__":
    main()
