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
import itertools
from bisect import bisect_right
from collections import OrderedDict
from typing import Any

from ..errors import NoApplicableRuleError, RuleConflictError
from ..ids import new_id
from ..law.models import LAYER_ORDER
from ..law.registry import Regime, get_agency, load_regime
from ..law.rules import RESTRICTIVENESS, Obligation, ObligationRule, Outcome, Rule, Verdict
from ..offenses.parsing import parse_charge
from .facts import Facts, detail_key, put_bounded
from .models import AskDecision, Decision, InterpretationUsed, ObligationOut, Request, built, made
from .reads import MEMO_LIMIT, WITH_ASKS, ConcreteRead, Hole, Memo, Plan, RecordingFacts, Seen, fill_at, frozen, hole, marked

FILLED_KEPT = MEMO_LIMIT  # filled copies kept: each shares all but the paths to its holes with its answer (~55 objects)


class DecisionEngine:
    """Decides requests under one regime and one set of readings (both fixed for the engine's life).

    ``memo``: reuse a whole decision, an ask's answer or the obligations where what the rules read comes
    out the same (see :mod:`sanctuary.engine.reads` and :meth:`_answer`), and the 7282.5 gate of a record
    already seen; the decision is identical either way (``tests/unit/engine/test_memo.py`` holds the
    two to each other byte for byte).  Decisions share read-only parts with the memo: do not mutate one."""

    def __init__(self, regime: str | Regime = "la-2026", interpretations: dict[str, str] | None = None,
                 memo: bool = True) -> None:
        self.regime = load_regime(regime) if isinstance(regime, str) else regime
        self.interpretations = dict(interpretations or {})
        self.memo = memo
        self._asks = Memo()
        self._duties_memo = Memo(WITH_ASKS)
        self._decisions = Memo(WITH_ASKS)
        # (answer's serial, qualifying records) -> the decision's parts filled (see _remembered)
        self._filled: OrderedDict[tuple[int, tuple[str, ...]], tuple[tuple[Any, ...], ...]] = OrderedDict()
        self._serials = itertools.count()
        self.era_days = self._era_days()
        # the regime's route and gate memos under this engine's readings, looked up once
        ns = tuple(sorted(self.interpretations.items()))
        self._regime_memos = {what: self.regime.memo.setdefault((what, ns), OrderedDict()) for what in ("routes", "gates")}
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
        self._interpretations_used: OrderedDict[tuple[tuple[str, str], ...], list[InterpretationUsed]] = OrderedDict()
        self._charges: OrderedDict[tuple[str, int, str], dict[str, Any]] = OrderedDict()

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

    def _in_force(self, agency: Any, ask: str, on: dt.date) -> tuple[int, list[tuple[Rule, Any]]]:
        """The era of the day, and the rules for an ask binding the agency whose rule and instrument are
        both in force on it."""
        got = self._rules_by_era.get((agency.id, ask))
        if got is None:
            got = self._rules_by_era[(agency.id, ask)] = ByEra(self._rules_for(agency, ask))
        return got.era(on)

    # ------------------------------------------------------------------ public
    def decide(self, request: Request | dict[str, Any]) -> Decision:
        req = request if isinstance(request, Request) else Request.parse(request)
        if req.regime != self.regime.id:
            other = self._others.get(req.regime)
            if other is None:
                other = self._others[req.regime] = DecisionEngine(req.regime, self.interpretations, self.memo)
            return other.decide(req)
        regime = self.regime
        agency = get_agency(req.agency)
        f = Facts(req, agency, regime, self.interpretations, remember=self.memo, memos=self._regime_memos)
        parts = self._remembered(f) if self.memo else None
        if parts is None:
            asks, verdicts, missing, would, trace_asks = self._assemble(f, None)
            obligations = self._obligations(f, verdicts)
        else:
            asks, obligations, missing, would, trace_asks = map(list, parts)
        used = tuple(f.used_interpretations.items())  # in the order taken: a few orders per set, each kept
        interp = self._interpretations_used.get(used)
        if interp is None:
            interp = put_bounded(self._interpretations_used, used, 1_000, [self._interpretation(i, v) for i, v in sorted(used)])
        charges = [self._charge("convictions", i, c.statute) for i, c in enumerate(req.subject.convictions)]
        if req.subject.pending_charges:
            charges += [self._charge("pending_charges", i, c.statute) for i, c in enumerate(req.subject.pending_charges)]
        # made from the engine's own typed values, every field in order: constructed without re-validation
        # (the contract test checks every decision against docs/schema/decision.schema.json)
        return made(Decision, {
            "decision_id": new_id(), "agency": agency.id, "as_of": req.as_of, "regime": regime.id,
            "regime_in_force": regime.in_force, "regime_label": regime.label, "law_version": regime.law_version,
            "asks": asks, "obligations": obligations, "missing_facts": missing, "what_would_change": would,
            "interpretations": list(interp), "charges": charges,
            "trace": {"label": f"{agency.name}, {req.as_of.isoformat()}, regime {regime.id}", "asks": trace_asks},
            "receipt": None,
        })

    def _remembered(self, f: Facts) -> tuple[tuple[Any, ...], ...] | None:
        """The decision's parts (asks, obligations, missing facts, what would change, trace asks) through
        the memos: found whole, or assembled from the ask and obligation memos and remembered; with this
        request's qualifying records in their holes.  ``None`` when the memo cannot stand in: a rule looked
        into a hole that reached it through a verdict, or filling would merge two texts (see :meth:`_fill`)."""
        req = f.req
        ctx = (f.agency.id, req.from_authority, f.documents_key, f.asks_key, bisect_right(self.era_days, req.as_of))
        got = self._decisions.find(ctx, f)
        if got is not None:
            parts, readings, holes, plan, serial = got[1]
            f.used_interpretations.update(readings)
        else:
            seen = Seen()
            try:
                asks, verdicts, missing, would, trace_asks = self._assemble(f, seen)
                obligations = self._obligations(f, verdicts, seen)
            except ConcreteRead:  # an obligation rule looked into a verdict's qualifying record
                return None
            parts = (tuple(asks), tuple(obligations), tuple(missing), tuple(would), tuple(trace_asks))
            holes = tuple(sorted({t[1] for t in seen.tokens if t[0] == "gate" and t[2] == "named"}))
            plan = _plan(parts) if holes else None
            serial = next(self._serials) if plan else None
            # the verdicts the obligation rules read follow from what the asks' rules read
            self._decisions.remember(ctx, {t for t in seen.tokens if t[0] != "verdict"},
                                     (parts, tuple(seen.readings.items()), holes, plan, serial), f)
        if plan is None:
            return parts
        # filled once per answer and qualifying records: requests with the same records share the copy
        records = tuple(f.trust_gate(p).qualifying or "" for p in holes)
        done = self._filled.get((serial, records))
        if done is None:
            done = self._fill(parts, holes, records, plan)
            if done is not None:
                put_bounded(self._filled, (serial, records), FILLED_KEPT, done)
        return done

    @staticmethod
    def _fill(parts: tuple[tuple[Any, ...], ...], holes: tuple[str, ...], records: tuple[str, ...],
              plan: Plan) -> tuple[tuple[Any, ...], ...] | None:
        """The decision's parts with the qualifying records in their holes (see
        :mod:`sanctuary.engine.reads`); ``None`` when filling would make two strings of a list, or two
        obligations, equal that were not (the engine would have merged them: the memo cannot stand in)."""
        try:
            out = fill_at(parts, plan, {hole(p): r for p, r in zip(holes, records, strict=True)})
        except ConcreteRead:
            return None
        obligations = out[1]
        if len({(o.kind, o.text) for o in obligations}) != len(obligations):
            return None
        return out  # type: ignore[no-any-return]

    def _assemble(self, f: Facts, seen: Seen | None) -> tuple[list[AskDecision], list[Verdict], list[str],
                                                               list[str], list[dict[str, Any]]]:
        """The decision's asks, their verdicts, missing facts, what would change, and the trace's ask nodes."""
        asks: list[AskDecision] = []
        verdicts: list[Verdict] = []
        trace_asks: list[dict[str, Any]] = []
        would: list[str] = []
        missing: list[str] = []
        for ask, (rule, verdict, node) in zip(f.req.asks, self.decide_asks(f, seen), strict=True):
            verdicts.append(verdict)
            cites = self.cite_labels(rule, verdict)
            asks.append(built(AskDecision, kind=ask.kind, detail=dict(ask.detail), outcome=str(verdict.outcome),
                              citations=cites, reason=verdict.reason, deciding_rule=rule.id,
                              missing_facts=list(verdict.missing), qualifying=verdict.qualifying))
            for m in verdict.missing:
                if m not in missing:
                    missing.append(m)
            for w in verdict.would_change:
                w = f"{ask.kind}: {w}"
                if w not in would:
                    would.append(w)
            trace_asks.append(node)
        return asks, verdicts, missing, would, trace_asks

    def decide_asks(self, f: Facts, seen: Seen | None = None) -> list[tuple[Rule, Verdict, dict[str, Any]]]:
        """Each ask's deciding rule, folded verdict and trace node (no obligations, no identifiers).
        With ``seen``, through the memo (:meth:`_answer`), collecting what the rules read and the readings
        they took; without, every rule evaluated."""
        out = []
        for idx, ask in enumerate(f.req.asks):
            f.ask = ask
            era, rules = self._in_force(f.agency, ask.kind, f.as_of)
            out.append(self._answer(f, idx, era, rules, seen) if seen is not None else self._decide_ask(f, idx, f.as_of, rules))
        return out

    def cite_labels(self, rule: Rule, verdict: Verdict) -> list[str]:
        return self._labels((*rule.cites, *verdict.cites))

    # ------------------------------------------------------------------ internals
    def _era_days(self) -> list[dt.date]:
        """The days on which any instrument, provision, rule or obligation of the regime starts or stops
        being in force: between two of them, the same law is in force on every day."""
        days: set[dt.date] = set()
        reg = self.regime
        for iv in [i.interval for i in reg.instruments.values()] + [p.interval for p in reg.provisions.values()] + \
                  [r.interval for r in (*reg.rules, *reg.obligation_rules)]:
            if iv.effective is not None:
                days.add(iv.effective)
            if iv.ends is not None:
                days.add(iv.ends + dt.timedelta(days=1))
        return sorted(days)

    def _interpretation(self, i: str, reading: str) -> InterpretationUsed:
        """The decision's account of a reading used (one shared, read-only object per reading)."""
        it = self.regime.interpretations[i]
        return built(InterpretationUsed, id=i, question=it.question, reading=reading, meaning=it.options[reading],
                     default=reading == it.default)

    def _charge(self, field: str, i: int, statute: str) -> dict[str, Any]:
        """How the catalog read the charge string at ``subject.<field>[i]`` (a function of the three alone:
        kept, one shared, read-only dict each)."""
        got = self._charges.get((field, i, statute))
        if got is None:
            got = put_bounded(self._charges, (field, i, statute), 20_000, {
                "path": f"subject.{field}[{i}]", "raw": statute, **_charge_summary(parse_charge(statute))})
        return got

    def _labels(self, ids: tuple[str, ...]) -> list[str]:
        """The citation labels of provision ids, each once, in order.  A :class:`~sanctuary.engine.reads.Hole`
        (a gate's citation the batch engine fills in later, see :func:`~sanctuary.engine.reads.cite_holes`)
        is kept as it is; labels are told apart by a set, so that no label is compared with a hole."""
        got = self._label_cache.get(ids)
        if got is None:
            got, seen = [], set()
            for i in ids:
                lab = i if type(i) is Hole else self.regime.provisions[i].citation.label
                if lab not in seen:
                    seen.add(lab)
                    got.append(lab)
            self._label_cache[ids] = got
        return list(got)

    def _answer(self, f: Facts, idx: int, era: int, rules: list[tuple[Rule, Any]],
                seen: Seen) -> tuple[Rule, Verdict, dict[str, Any]]:
        """:meth:`_decide_ask`, reusing the answer to an ask of the same kind and detail, to the same
        agency, in the same era of the law, from the same requester with the same documents, on which
        everything the rules read came out the same (a subject or context field, the 7282.5 gate, the
        day).  A miss is evaluated by a :class:`RecordingFacts` and remembered under what it read; an
        ask whose rules read the person's record outside the gate, or the request in a way the memo
        cannot key, is not remembered."""
        ask = f.ask
        ctx = (f.agency.id, f.req.from_authority, f.documents_key, ask.kind, era, detail_key(ask.detail))
        got = self._asks.find(ctx, f)
        if got is not None:
            pattern, (rule, verdict, node, readings) = got
            f.used_interpretations.update(readings)
            seen.tokens.update(pattern)
            seen.readings.update(readings)
            return rule, verdict, {**node, "index": idx, "detail": dict(ask.detail)}
        try:
            r = _recorder(f, holes=True)
            rule, verdict, node = self._decide_ask(r, idx, f.as_of, rules)
        except ConcreteRead:  # a rule looked into the qualifying record: keyed on the record itself
            r = _recorder(f, holes=False, after=r)
            rule, verdict, node = self._decide_ask(r, idx, f.as_of, rules)
        f.used_interpretations.update(r.used_interpretations)
        seen.tokens.update(r.read)
        seen.readings.update(r.readings)
        self._asks.remember(ctx, r.read, (rule, verdict, node, tuple(r.readings.items())), f)
        return rule, verdict, node

    def _decide_ask(self, f: Facts, idx: int, as_of: dt.date,
                    rules: list[tuple[Rule, Any]]) -> tuple[Rule, Verdict, dict[str, Any]]:
        """Evaluate ``rules`` (those in force on ``as_of`` for the ask, binding the agency) and fold them."""
        ask = f.ask
        by_layer: dict[str, list[tuple[Rule, Verdict]]] = {}
        for r, ins in rules:
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

    def _obligations(self, f: Facts, verdicts: list[Verdict], seen: Seen | None = None) -> list[ObligationOut]:
        """The duties that follow, from every obligation rule in force binding the agency.  With ``seen``
        (the memo's path), reused where the same asks of the same agency, requester and documents, in the same era, came
        out with the same values of what the obligation rules read (see :meth:`_answer`)."""
        by_kind: dict[str, Verdict] = {}
        for ask, v in zip(f.req.asks, verdicts, strict=True):
            prev = by_kind.get(ask.kind)
            if prev is None or RESTRICTIVENESS[v.outcome] < RESTRICTIVENESS[prev.outcome]:
                by_kind[ask.kind] = v
        f.verdicts = by_kind
        f.ask = f.req.asks[-1]  # as after deciding the asks in order (obligation rules should not read it)
        by_era = self._obligations_by_era.get(f.agency.id)
        if by_era is None:
            by_era = self._obligations_by_era[f.agency.id] = ByEra([
                (o, self.regime.instruments[o.instrument]) for o in self.regime.obligation_rules
                if f.agency.bound_by(self.regime.instruments[o.instrument].binds)])
        era, rules = by_era.era(f.as_of)
        if seen is None:
            return self._duties(f, by_kind, rules)
        ctx = (f.agency.id, f.req.from_authority, f.documents_key, f.asks_key, era)
        got = self._duties_memo.find(ctx, f)
        if got is not None:
            pattern, (out, readings) = got
            f.used_interpretations.update(readings)
            seen.tokens.update(pattern)
            seen.readings.update(readings)
            return list(out)
        try:
            r = _recorder(f, holes=True)
            r.verdicts = r.recording(by_kind)  # type: ignore[assignment]
            out = self._duties(r, r.verdicts, rules)
        except ConcreteRead:  # as in _answer; a look into a verdict's hole reaches decide()
            r = _recorder(f, holes=False, after=r)
            r.verdicts = r.recording(by_kind)  # type: ignore[assignment]
            out = self._duties(r, r.verdicts, rules)
        f.used_interpretations.update(r.used_interpretations)
        seen.tokens.update(r.read)
        seen.readings.update(r.readings)
        self._duties_memo.remember(ctx, r.read, (tuple(out), tuple(r.readings.items())), f)
        return out

    def _duties(self, f: Facts, by_kind: Any, rules: list[tuple[ObligationRule, Any]]) -> list[ObligationOut]:
        out: list[ObligationOut] = []
        seen: set[tuple[str, str]] = set()
        for orule, _ in rules:
            ob: Obligation
            for ob in orule.fn(f, by_kind):
                key = (ob.kind, ob.text)
                if key in seen:
                    continue
                seen.add(key)
                out.append(built(ObligationOut, kind=ob.kind, text=ob.text, deadline=ob.deadline, condition=ob.condition,
                                         citation="; ".join(self._labels((*orule.cites, *ob.cites)))))
        return out


def _plan(parts: tuple[tuple[Any, ...], ...]) -> Plan | None:
    """Where a decision's parts (asks, obligations, missing facts, what would change, trace asks) hold
    holes.  A hole enters only through what a rule returns (a verdict's reason, missing facts, what would
    change and qualifying record; an obligation's text, deadline and condition), so these are the places
    looked at: each ask's reason, qualifying record and missing facts, each obligation, the two lists,
    and each rule's reason and missing facts in the trace."""
    asks, obligations, missing, would, trace = parts
    plan: dict[Any, Any] = {}
    for at, items, fields in ((0, asks, ("reason", "qualifying", "missing_facts")),
                              (1, obligations, ("text", "deadline", "condition"))):
        where: dict[Any, Any] = {}
        for i, m in enumerate(items):
            d = m.__dict__
            for k in fields:
                if marked(d[k]):
                    where.setdefault(i, {})[k] = None
        if where:
            plan[at] = where
    for i in (2, 3):
        if marked(parts[i]):
            plan[i] = None
    nodes: dict[Any, Any] = {}
    for i, node in enumerate(trace):
        for li, layer in enumerate(node["layers"]):
            for ri, r in enumerate(layer["rules"]):
                for k in ("reason", "missing"):
                    if marked(r[k]):
                        layers = nodes.setdefault(i, {"layers": {}})["layers"]
                        layers.setdefault(li, {"rules": {}})["rules"].setdefault(ri, {})[k] = None
    if nodes:
        plan[4] = nodes
    return frozen(plan) if plan else None


def _recorder(f: Facts, holes: bool, after: RecordingFacts | None = None) -> RecordingFacts:
    """A recorder over ``f``'s request, sharing its gates (a gate is the request's, whichever computes it).
    ``after``: a recorder whose rules stopped at a look into a hole; the rules run again from the start
    and take the same readings, but a gate it computed is not computed again: its readings carry over."""
    r = RecordingFacts(f.req, f.agency, f.regime, f._interp)
    r.ask, r._gates, r.holes = f.ask, f._gates, holes
    if after is not None:
        r.used_interpretations.update(after.used_interpretations)
        r.readings.update(after.readings)
    return r


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
        return self.era(day)[1]

    def era(self, day: dt.date) -> tuple[int, list[tuple[Any, Any]]]:
        """The era the day falls in (its number), and the pairs in force in it."""
        era = bisect_right(self.days, day)
        got = self._eras.get(era)
        if got is None:
            got = self._eras[era] = [(r, ins) for r, ins in self.pairs
                                     if ins.interval.in_force(day) and r.interval.in_force(day)]
        return era, got


def _charge_summary(p: Any) -> dict[str, Any]:
    return {"canonical": p.canonical, "status": str(p.status), "confidence": p.confidence, "explanation": p.explanation}


_engines: dict[str, DecisionEngine] = {}


def decide(request: Request | dict[str, Any], regime: str = "la-2026") -> Decision:
    """Decide with a process-wide engine for ``regime`` and the default interpretations."""
    eng = _engines.get(regime)
    if eng is None:
        eng = _engines[regime] = DecisionEngine(regime)
    return eng.decide(request)

