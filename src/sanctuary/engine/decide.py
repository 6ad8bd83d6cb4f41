"""DecisionEngine.decide(request) -> Decision.

For each ask, every rule of every binding instrument in force on the as-of date is evaluated.  Within
a layer, rules overridden by an applicable exception drop out; what remains must agree, else
:class:`RuleConflictError`.  Layers then fold from federal to agency: the most restrictive outcome
wins, except that a verdict marked ``floor`` (compulsion by a judicial warrant or court order, or
preemption) cannot be narrowed by a lower layer.  An ask no rule decides raises
:class:`NoApplicableRuleError` -- packs declare cited defaults instead of leaving gaps.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from typing import Any

from ..errors import NoApplicableRuleError, RuleConflictError
from ..ids import new_id
from ..law.models import LAYER_ORDER
from ..law.registry import Regime, get_agency, load_regime
from ..law.rules import RESTRICTIVENESS, Obligation, Outcome, Rule, Verdict
from .facts import Facts
from .models import AskDecision, Decision, InterpretationUsed, ObligationOut, Request, built


class DecisionEngine:
    def __init__(self, regime: str | Regime = "la-2026", interpretations: dict[str, str] | None = None) -> None:
        self.regime = load_regime(regime) if isinstance(regime, str) else regime
        self.interpretations = dict(interpretations or {})
        self._by_ask: dict[str, list[Rule]] = {}
        for r in self.regime.rules:
            for a in r.asks:
                self._by_ask.setdefault(a, []).append(r)
        self._bound: dict[tuple[str, str], list[tuple[Rule, Any]]] = {}
        self._others: dict[str, DecisionEngine] = {}
        self._obligations_by_era: dict[str, ByEra] = {}
        self._label_cache: dict[tuple[str, ...], list[str]] = {}
        self._rules_by_era: dict[tuple[str, str], ByEra] = {}
        self._set_aside: dict[str, list[str]] = {}

    def _rules_for(self, agency: Any, ask: str) -> list[tuple[Rule, Any]]:
        """Rules for an ask from instruments that bind the agency (dates are checked per decision)."""
        key = (agency.id, ask)
        got = self._bound.get(key)
        if got is None:
            got = []
            sup = self.regime.superseded
            for r in self._by_ask.get(ask, []) + self._by_ask.get("*", []):
                ins = self.regime.instruments[r.instrument]
                if (r.id, ask) in sup or (r.id, "*") in sup:
                    continue  # set aside by a comparison regime (listed in the decision's trace)
                if agency.bound_by(ins.binds):
                    got.append((r, ins))
            self._bound[key] = got
        return got

    def _in_force(self, agency: Any, ask: str, on: dt.date) -> list[tuple[Rule, Any]]:
        """The rules for an ask binding the agency whose rule and instrument are both in force on the day."""
        got = self._rules_by_era.get((agency.id, ask))
        if got is None:
            got = self._rules_by_era[(agency.id, ask)] = ByEra(self._rules_for(agency, ask))
        return got.on(on)

    # ------------------------------------------------------------------ public
    def decide(self, request: Request | dict[str, Any]) -> Decision:
        req = request if isinstance(request, Request) else Request.parse(request)
        if req.regime != self.regime.id:
            other = self._others.get(req.regime)
            if other is None:
                other = self._others[req.regime] = DecisionEngine(req.regime, self.interpretations)
            return other.decide(req)
        regime = self.regime
        agency = get_agency(req.agency)
        f = Facts(req, agency, regime, self.interpretations)
        asks: list[AskDecision] = []
        verdicts: list[Verdict] = []
        trace_asks: list[dict[str, Any]] = []
        would: list[str] = []
        missing: list[str] = []
        for ask, (rule, verdict, node) in zip(req.asks, self.decide_asks(f), strict=True):
            verdicts.append(verdict)
            cites = self.cite_labels(rule, verdict)
            asks.append(built(AskDecision, kind=ask.kind, detail=dict(ask.detail), outcome=str(verdict.outcome),
                                    citations=cites, reason=verdict.reason, deciding_rule=rule.id,
                                    missing_facts=list(verdict.missing), qualifying=verdict.qualifying))
            for m in verdict.missing:
                if m not in missing:
                    missing.append(m)
            for w in verdict.would_change:
                if w not in would:
                    would.append(f"{ask.kind}: {w}")
            trace_asks.append(node)
        obligations = self._obligations(f, verdicts)
        interp = [
            built(InterpretationUsed, id=i, question=regime.interpretations[i].question, reading=v,
                               meaning=regime.interpretations[i].options[v],
                               default=v == regime.interpretations[i].default)
            for i, v in sorted(f.used_interpretations.items())
        ]
        charges = [{"path": cf.path, "raw": cf.c.statute, **_charge_summary(cf.parsed)} for cf in f.convictions] + \
                  [{"path": f"subject.pending_charges[{i}]", "raw": pc.statute, **_charge_summary(p)} for i, pc, p, _ in f.pending]
        # built from the engine's own typed values: constructed without re-validation (the contract test
        # checks every decision against docs/schema/decision.schema.json)
        return built(Decision, 
            decision_id=new_id(), agency=agency.id, as_of=req.as_of, regime=regime.id,
            regime_in_force=regime.in_force, regime_label=regime.label, law_version=regime.law_version,
            asks=asks, obligations=obligations, missing_facts=missing, what_would_change=would,
            interpretations=interp, charges=charges,
            trace={"label": f"{agency.name}, {req.as_of.isoformat()}, regime {regime.id}", "asks": trace_asks},
            receipt=None,
        )

    def decide_asks(self, f: Facts) -> list[tuple[Rule, Verdict, dict[str, Any]]]:
        """Each ask's deciding rule, folded verdict and trace node (no obligations, no identifiers)."""
        out = []
        for idx, ask in enumerate(f.req.asks):
            f.ask = ask
            out.append(self._decide_ask(f, idx))
        return out

    def cite_labels(self, rule: Rule, verdict: Verdict) -> list[str]:
        return self._labels((*rule.cites, *verdict.cites))

    # ------------------------------------------------------------------ internals
    def _labels(self, ids: tuple[str, ...]) -> list[str]:
        got = self._label_cache.get(ids)
        if got is None:
            got = []
            for i in ids:
                lab = self.regime.provisions[i].citation.label
                if lab not in got:
                    got.append(lab)
            self._label_cache[ids] = got
        return list(got)

    def _decide_ask(self, f: Facts, idx: int) -> tuple[Rule, Verdict, dict[str, Any]]:
        ask = f.ask
        as_of = f.as_of
        by_layer: dict[str, list[tuple[Rule, Verdict]]] = {}
        for r, ins in self._in_force(f.agency, ask.kind, as_of):
            v = r.fn(f)
            if v is not None:
                by_layer.setdefault(ins.layer, []).append((r, v))
        results: list[tuple[str, Rule, Verdict]] = []
        layers: list[dict[str, Any]] = []
        for layer in LAYER_ORDER:
            hits = by_layer.get(layer)
            if not hits:
                continue
            overridden: set[str] = set()
            if len(hits) > 1:
                for r, _ in hits:
                    if r.overrides == ("*",):  # an exception to every rule of its own instrument
                        overridden.update(x.id for x, _ in hits if x is not r and x.instrument == r.instrument)
                    else:
                        overridden.update(r.overrides)
                if any(not r.default for r, _ in hits):  # cited defaults yield to any specific rule
                    overridden.update(r.id for r, _ in hits if r.default)
            live = [(r, v) for r, v in hits if r.id not in overridden] if overridden else hits
            layer_first = len(results)
            if len(live) == 1:
                results.append((layer, live[0][0], live[0][1]))
            else:
                by_instrument: dict[str, list[tuple[Rule, Verdict]]] = {}
                for r, v in live:
                    by_instrument.setdefault(r.instrument, []).append((r, v))
                for inst_hits in by_instrument.values():
                    if len({v.outcome for _, v in inst_hits}) > 1:  # one instrument disagrees with itself
                        raise RuleConflictError(ask.kind, layer, [r.id for r, _ in inst_hits])
                    r0, v0 = inst_hits[0]
                    if len(inst_hits) > 1:  # several rules agree: one verdict, every citation kept
                        extra = tuple(c for r, v in inst_hits[1:] for c in (*r.cites, *v.cites))
                        v0 = Verdict(v0.outcome, v0.reason, v0.cites + extra,
                                     tuple(dict.fromkeys(m for _, v in inst_hits for m in v.missing)),
                                     tuple(dict.fromkeys(w for _, v in inst_hits for w in v.would_change)),
                                     any(v.floor for _, v in inst_hits), v0.qualifying)
                    results.append((layer, r0, v0))
            layers.append({
                "layer": layer, "outcome": str(results[layer_first][2].outcome), "rule": results[layer_first][1].id,
                "rules": [{"rule": r.id, "instrument": r.instrument, "outcome": str(v.outcome), "reason": v.reason,
                           "citations": self._labels(r.cites + v.cites), "overridden": r.id in overridden,
                           "missing": list(v.missing)} for r, v in hits],
            })
        if not results:
            raise NoApplicableRuleError(ask.kind, as_of.isoformat())
        if any(not r.default for _, r, _ in results):  # a cited default fills a gap; it never outranks law
            results = [x for x in results if not x[1].default]
        # fold: most restrictive wins; a floor (compulsion/preemption) holds against lower layers
        _, rule, verdict = results[0]
        notes: list[str] = []
        for layer, r, v in results[1:]:
            if verdict.floor and RESTRICTIVENESS[v.outcome] > RESTRICTIVENESS[verdict.outcome]:
                notes.append(f"{layer} layer ({r.id}: {v.outcome}) does not apply against {rule.id}")
                continue
            if v.outcome == Outcome.REQUIRED and verdict.outcome != Outcome.PROHIBITED or RESTRICTIVENESS[v.outcome] > RESTRICTIVENESS[verdict.outcome] or v.floor:
                rule, verdict = r, v
            elif v.outcome == verdict.outcome:  # layers agree: one answer, every supporting citation
                verdict = Verdict(verdict.outcome, verdict.reason, tuple(dict.fromkeys(verdict.cites + r.cites + v.cites)),
                                  tuple(dict.fromkeys(verdict.missing + v.missing)), verdict.would_change,
                                  verdict.floor, verdict.qualifying or v.qualifying)
        if verdict.outcome == Outcome.REVIEW and not verdict.missing:
            verdict = Verdict(verdict.outcome, verdict.reason, verdict.cites,
                              ("counsel's reading of the cited provision for these facts",), verdict.would_change)
        set_aside = self._set_aside.get(ask.kind)
        if set_aside is None:
            set_aside = self._set_aside[ask.kind] = [
                f"set aside in this regime: {rid} ({why})" for (rid, a), why in self.regime.superseded.items() if a in (ask.kind, "*")]
        node = {"ask": ask.kind, "index": idx, "detail": dict(ask.detail), "outcome": str(verdict.outcome),
                "deciding_rule": rule.id, "citations": self._labels(rule.cites + verdict.cites),
                "layers": layers, "notes": notes + set_aside}
        return rule, verdict, node

    def _obligations(self, f: Facts, verdicts: list[Verdict]) -> list[ObligationOut]:
        out: list[ObligationOut] = []
        seen: set[tuple[str, str]] = set()
        by_kind: dict[str, Verdict] = {}
        for ask, v in zip(f.req.asks, verdicts, strict=True):
            prev = by_kind.get(ask.kind)
            if prev is None or RESTRICTIVENESS[v.outcome] < RESTRICTIVENESS[prev.outcome]:
                by_kind[ask.kind] = v
        by_era = self._obligations_by_era.get(f.agency.id)
        if by_era is None:
            by_era = self._obligations_by_era[f.agency.id] = ByEra([
                (o, self.regime.instruments[o.instrument]) for o in self.regime.obligation_rules
                if f.agency.bound_by(self.regime.instruments[o.instrument].binds)])
        for orule, _ in by_era.on(f.as_of):
            ob: Obligation
            for ob in orule.fn(f, by_kind):
                key = (ob.kind, ob.text)
                if key in seen:
                    continue
                seen.add(key)
                out.append(built(ObligationOut, kind=ob.kind, text=ob.text, deadline=ob.deadline, condition=ob.condition,
                                         citation="; ".join(self._labels((*orule.cites, *ob.cites)))))
        return out


class ByEra:
    """(rule, instrument) pairs, and those of them in force on a day -- computed once per era: between two
    days on which some rule or instrument starts or stops being in force (its first day, the day after
    its last), every pair is in force on all days or on none."""

    def __init__(self, pairs: list[tuple[Any, Any]]) -> None:
        self.pairs = pairs
        days: set[dt.date] = set()
        for r, ins in pairs:
            for iv in (ins.interval, r.interval):
                if iv.effective is not None:
                    days.add(iv.effective)
                if iv.ends is not None:
                    days.add(iv.ends + dt.timedelta(days=1))
        self.days = sorted(days)
        self._eras: dict[int, list[tuple[Any, Any]]] = {}

    def on(self, day: dt.date) -> list[tuple[Any, Any]]:
        era = bisect_right(self.days, day)
        got = self._eras.get(era)
        if got is None:
            got = self._eras[era] = [(r, ins) for r, ins in self.pairs
                                     if ins.interval.in_force(day) and r.interval.in_force(day)]
        return got


def _charge_summary(p: Any) -> dict[str, Any]:
    return {"canonical": p.canonical, "status": str(p.status), "confidence": p.confidence, "explanation": p.explanation}


_engines: dict[str, DecisionEngine] = {}


def decide(request: Request | dict[str, Any], regime: str = "la-2026") -> Decision:
    """Decide with a process-wide engine for ``regime`` and the default interpretations."""
    eng = _engines.get(regime)
    if eng is None:
        eng = _engines[regime] = DecisionEngine(regime)
    return eng.decide(request)
