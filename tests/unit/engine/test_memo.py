"""The engine's memo (a decision, an ask or the obligations reused where what the rules read comes out
the same) must never change a decision: with it, every decision is byte for byte the decision without
it (but for its identifier), whatever was decided before and in whatever order."""

from __future__ import annotations

import datetime as dt
import random
import threading
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctuary.engine import reads
from sanctuary.engine.decide import ByEra, DecisionEngine
from sanctuary.engine.models import ASK_KINDS, DOCUMENT_KINDS, model_json
from sanctuary.engine.samples import sample_requests
from sanctuary.errors import InputError
from sanctuary.law.registry import agencies, load_regime, regimes
from sanctuary.testing.plugin import scenario_cases

from .test_exhaustive import DATES, DETAILS, SIGNERS
from .test_inputs import _request as _random_requests

CHARGES = ["211PC", "187(A)PC", "11377(A)HS", "11350(A)HS", "245(A)(1)PC", "459PC", "496(A)PC", "23152(A)VC",
           "273.5(A)PC", "11351HS", "422(A)PC", "NOT A STATUTE", "41.27CLAMC", "666PC", "12020(A)(1)PC"]
TRI = [True, False, None]


def _random_request(rng: random.Random) -> dict[str, Any]:
    """A request drawn from small domains, so that the memo is hit often and on every path."""
    day = rng.choice([*DATES, "2026-03-02", "2026-07-15", "2025-06-30", "2019-02-28", "2024-02-29"])
    as_of = dt.date.fromisoformat(day)
    convictions = []
    for _ in range(rng.choice([0, 0, 1, 2, 3, 5])):
        c: dict[str, Any] = {"statute": rng.choice(CHARGES), "level": rng.choice(["felony", "misdemeanor", "unknown"])}
        when = rng.random()
        if when < 0.8:
            c["date"] = (as_of - dt.timedelta(days=rng.choice([30, 1000, 1826, 1827, 5478, 5479, 6000]))).isoformat()
        elif when < 0.9:
            c["date"] = (as_of + dt.timedelta(days=3)).isoformat()
        if rng.random() < 0.1:
            c["reduced"] = rng.choice(["prop47", "pc17b"])
        if rng.random() < 0.1:
            c["findings"] = rng.choice([[], ["personal-infliction-gbi"], ["personal-use-firearm"]])
        if rng.random() < 0.05:
            c["jurisdiction"] = rng.choice(["federal", "other-state"])
        if rng.random() < 0.05:
            c["juvenile"] = True
        convictions.append(c)
    subject: dict[str, Any] = {"convictions": convictions}
    for k in ("in_custody", "release_info_public", "csar_registrant", "federal_aggravated_felony",
              "outstanding_federal_felony_warrant", "prior_removal_after_aggravated_felony", "victim_or_witness",
              "hate_crime_victim_or_witness", "status_proof_shown"):
        if rng.random() < 0.5:
            subject[k] = rng.choice(TRI)
    if rng.random() < 0.2:
        subject["pending_charges"] = [{"statute": rng.choice(CHARGES), "level": rng.choice(["felony", "unknown"]),
                                       "magistrate_probable_cause": rng.choice(TRI)}]
    if rng.random() < 0.7:
        subject["preferred_language"] = rng.choice(["es", "en", "zh-Hant", "hy", ""])
    kinds = [rng.choice(DOCUMENT_KINDS) for _ in range(rng.choice([0, 1, 1, 2]))]
    documents = [{"kind": k, "signed_by": rng.choice([SIGNERS.get(k, "immigration-officer"), "unknown"]),
                  "offense_basis": rng.choice(["federal-criminal-immigration", "civil-immigration", "unknown"])} for k in kinds]
    if rng.random() < 0.6:  # most often the jail detainer triple, otherwise any asks with any detail
        asks = [{"kind": "hold"}, {"kind": "notify-release"}, {"kind": "transfer"}]
    else:
        asks = []
        for _ in range(rng.choice([1, 2, 3])):
            kind = rng.choice(ASK_KINDS)
            asks.append({"kind": kind, "detail": rng.choice(DETAILS.get(kind, [{}]))})
    return {"agency": rng.choice(sorted(agencies())), "as_of": day, "regime": rng.choice(sorted(regimes())),
            "from_authority": rng.choice(["ice-ero", "ice-hsi", "cbp", "unknown", "other-federal"]),
            "documents": documents, "asks": asks, "subject": subject,
            "context": {"detected_during_unrelated_activity": rng.choice(TRI)}}


def _requests(n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [_random_request(rng) for _ in range(n)] + sample_requests(n // 4, seed=seed) + \
        [req for _, req, interp in scenario_cases() if not interp]


def _json(d: Any) -> bytes:
    return model_json(d, exclude="decision_id")


def _mismatches(memo: DecisionEngine, plain: DecisionEngine, reqs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    want = [_json(plain.decide(r)) for r in reqs]
    bad = []
    for order in (list(range(len(reqs))), list(reversed(range(len(reqs))))):  # the second pass mostly hits
        for i in order:
            if _json(memo.decide(reqs[i])) != want[i]:
                bad.append(reqs[i])
    return bad


def _hits(eng: DecisionEngine) -> int:
    return sum(m.hits for e in (eng, *eng._others.values()) for m in (e._decisions, e._asks, e._duties_memo))


@pytest.mark.parametrize("interpretations", [{}, {"prop47-scope": "person", "felony-reduced": "as-convicted",
                                                  "7282.5b-transfer": "notification-and-transfer",
                                                  "realignment-1170h": "included"}])
def test_the_memo_never_changes_a_decision(interpretations: dict[str, str]) -> None:
    for r in regimes():
        load_regime(r).memo.clear()  # the routes and gates memos too start empty
    reqs = _requests(1200, seed=len(interpretations))
    memo = DecisionEngine("la-2026", interpretations)
    plain = DecisionEngine("la-2026", interpretations, memo=False)
    assert _mismatches(memo, plain, reqs) == []
    assert _hits(memo) > len(reqs)  # the memo was really used (on the second pass at least)
    assert _hits(plain) == 0


def test_a_memo_that_lets_old_answers_go_still_answers_the_same() -> None:
    memo = DecisionEngine("la-2026")
    for e in [memo, *(memo._others.setdefault(r, DecisionEngine(r)) for r in regimes() if r != "la-2026")]:
        for m in (e._decisions, e._asks, e._duties_memo):
            m.limit = 7
    reqs = _requests(300, seed=11)
    assert _mismatches(memo, DecisionEngine("la-2026", memo=False), reqs) == []
    assert all(len(m) <= 7 for m in (memo._decisions, memo._asks, memo._duties_memo))


def test_the_differential_catches_a_key_that_leaves_out_a_fact_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """The differential can fail: a memo that forgets the subject fields the rules read answers one
    person with another's decision."""
    remember = reads.Memo.remember

    def forgetful(self: reads.Memo, ctx: Any, read: set[Any], answer: Any, f: Any) -> bool:
        return remember(self, ctx, {t for t in read if t[0] != "subject"}, answer, f)
    monkeypatch.setattr(reads.Memo, "remember", forgetful)
    reqs = _requests(400, seed=5)
    assert _mismatches(DecisionEngine("la-2026"), DecisionEngine("la-2026", memo=False), reqs)


def test_decisions_in_several_threads_answer_the_same() -> None:
    reqs = _requests(300, seed=23)
    plain = DecisionEngine("la-2026", memo=False)
    want = [_json(plain.decide(r)) for r in reqs]
    memo = DecisionEngine("la-2026")
    bad: list[int] = []

    def work(k: int) -> None:
        order = list(range(len(reqs)))
        random.Random(k).shuffle(order)
        bad.extend(i for i in order if _json(memo.decide(reqs[i])) != want[i])
    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert bad == []


def test_a_rule_that_reads_the_record_outside_the_gate_is_not_remembered() -> None:
    from sanctuary.engine.facts import Facts
    from sanctuary.engine.models import Request
    from sanctuary.law.registry import get_agency

    req = Request.parse({"agency": "lasd", "as_of": "2026-01-01", "asks": [{"kind": "hold"}],
                         "subject": {"convictions": [{"statute": "211PC"}], "csar_registrant": True}})
    f = reads.RecordingFacts(req, get_agency("lasd"), load_regime("la-2026"), {})
    gate = f.trust_gate("notify")
    assert f.read == set()  # the gate reads the record quietly: it is keyed by the fields of its result a rule reads
    assert gate.value.true and gate.cites
    assert f.read == {("gate", "notify", "value.true"), ("gate", "notify", "cites")}  # whether it is met, not why
    _ = f.subject.csar_registrant, f.year
    assert f.read == {("gate", "notify", "value.true"), ("gate", "notify", "cites"), ("subject", "csar_registrant"), reads.YEAR}
    plain = Facts(req, get_agency("lasd"), load_regime("la-2026"), {})
    m = reads.Memo()
    assert m.remember(("ctx",), f.read, "answer", plain)
    assert m.find(("ctx",), plain) == (tuple(sorted(f.read)), "answer")
    _ = f.convictions
    assert reads.RECORDS in f.read
    assert not m.remember(("ctx2",), f.read, "answer", plain)  # the record cannot be keyed: not remembered
    g = reads.RecordingFacts(req, get_agency("lasd"), load_regime("la-2026"), {})
    _ = g.req.reference
    assert not m.remember(("ctx3",), g.read, "answer", plain)
    _ = g.as_of
    assert reads.AS_OF in g.read


def test_the_law_is_the_same_on_every_day_of_a_regime_era() -> None:
    """The decision memo keys the day by the regime's era: the days on which anything in the regime
    starts or stops.  On each side of each such day, every rule list in force is the same as on the day."""
    for rid in regimes():
        eng = DecisionEngine(rid)
        for agency in agencies().values():
            for kind in ASK_KINDS:
                for d in ByEra(eng._rules_for(agency, kind)).days:  # every boundary of every (agency, ask) is a boundary of the regime
                    assert d in eng.era_days, (rid, agency.id, kind, d)


def test_the_gate_is_keyed_on_the_records_up_to_the_first_that_qualifies() -> None:
    """Two records that agree up to their first qualifying conviction share a 7282.5 gate; what comes
    after it still decides which readings the decision reports, and, under the prop47-scope = person
    reading, whether a later Prop 47 misdemeanor bars the person."""
    first = {"statute": "211PC", "level": "felony", "date": "2020-01-01"}
    later = {"statute": "11350(A)HS", "level": "misdemeanor", "date": "2021-01-01"}
    records = [[first, later], [first], [first, {**later, "statute": "NOT A STATUTE"}], [later, first]]
    for interpretations in ({}, {"prop47-scope": "person"}):
        for r in regimes():
            load_regime(r).memo.clear()
        memo = DecisionEngine("la-2026", interpretations)
        plain = DecisionEngine("la-2026", interpretations, memo=False)
        reqs = [{"agency": "lasd", "as_of": "2026-03-02", "from_authority": "ice-ero", "asks": [{"kind": "notify-release"}],
                 "documents": [{"kind": "i-247a", "signed_by": "immigration-officer"}],
                 "subject": {"in_custody": True, "release_info_public": False, "convictions": convictions}}
                for convictions in records]
        assert _mismatches(memo, plain, reqs) == []
        gates = load_regime("la-2026").memo[("gates", tuple(sorted(interpretations.items())))]
        assert len(gates) == (3 if not interpretations else 4)  # by default [0] and [2] share one gate
    readings = {i.id for i in DecisionEngine("la-2026").decide(reqs[1]).interpretations}
    assert "prop47-scope" not in readings  # no misdemeanor: the reading was not consulted (though [0] shared the gate)


_SHARED = {"memo": DecisionEngine("la-2026"), "plain": DecisionEngine("la-2026", memo=False)}
_SUBJECT_FIELDS = ("in_custody", "release_info_public", "csar_registrant", "federal_aggravated_felony",
                   "outstanding_federal_felony_warrant", "prior_removal_after_aggravated_felony", "victim_or_witness",
                   "hate_crime_victim_or_witness", "status_proof_shown")


@st.composite
def _neighbours(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A valid request and a few others that differ from it in one fact each (a subject field, the day,
    the requester, one conviction): where a memo key that leaves out a fact read would show."""
    base = _random_request(random.Random(draw(st.integers(0, 2**32))))
    out = [base]
    for _ in range(draw(st.integers(1, 4))):
        other = {**base, "subject": dict(base["subject"])}
        what = draw(st.sampled_from(["subject", "subject", "as_of", "from_authority", "conviction"]))
        if what == "subject":
            other["subject"][draw(st.sampled_from(_SUBJECT_FIELDS))] = draw(st.sampled_from(TRI))
        elif what == "as_of":
            other["as_of"] = draw(st.dates(dt.date(2010, 1, 1), dt.date(2027, 12, 31))).isoformat()
        elif what == "from_authority":
            other["from_authority"] = draw(st.sampled_from(["ice-ero", "ice-hsi", "cbp", "unknown", "usms"]))
        else:
            convictions = list(other["subject"].get("convictions", []))
            conviction = {"statute": draw(st.sampled_from(CHARGES)), "level": draw(st.sampled_from(["felony", "misdemeanor"])),
                          "date": draw(st.dates(dt.date(1995, 1, 1), dt.date(2026, 1, 1))).isoformat()}
            at = draw(st.integers(0, len(convictions)))
            other["subject"]["convictions"] = [*convictions[:at], conviction, *convictions[at + 1:]]
        out.append(other)
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_neighbours(), st.lists(_random_requests, min_size=1, max_size=4)))
def test_hypothesis_finds_no_request_the_memo_answers_differently(reqs: list[dict[str, Any]]) -> None:
    """Requests that differ in one fact, and arbitrary requests (valid or not), against one engine with
    its memo across all examples and the engine without it."""
    memo, plain = _SHARED["memo"], _SHARED["plain"]
    for req in reqs:
        try:
            want = _json(plain.decide(req))
        except InputError as e:
            with pytest.raises(InputError) as got:
                memo.decide(req)
            assert got.value.field == e.field
            continue
        assert _json(memo.decide(req)) == want, req
        assert _json(memo.decide(req)) == want, req  # and when it is found


# ------------------------------------------------------------------ holes: the qualifying record late-bound
def _notify(convictions: list[dict[str, Any]]) -> dict[str, Any]:
    return {"agency": "lasd", "as_of": "2026-01-05", "from_authority": "ice-ero",
            "asks": [{"kind": "notify-release"}, {"kind": "transfer"}], "subject": {"convictions": convictions}}


def test_one_answer_serves_every_qualifying_record_each_named_in_its_own_decision() -> None:
    """The state layer's reason names the qualifying record, which differs from person to person; the
    memo keys only on there being one, and each decision names its own."""
    eng, plain = DecisionEngine("la-2026"), DecisionEngine("la-2026", memo=False)
    robbery = _notify([{"statute": "211PC", "level": "felony", "date": "2019-03-01"}])
    murder = _notify([{"statute": "187(A)PC", "level": "felony", "date": "2015-06-01"}])
    first = eng.decide(robbery)
    hits = eng._decisions.hits
    second = eng.decide(murder)
    assert eng._decisions.hits == hits + 1  # the robbery's answer, reused
    assert _json(first) == _json(plain.decide(robbery)) and _json(second) == _json(plain.decide(murder))
    assert b"PC 211" in _json(first) and b"PC 211" not in _json(second) and b"PC 187" in _json(second)
    assert reads.MARK.encode() not in _json(first) + _json(second)


def test_a_hole_can_be_carried_into_text_but_not_looked_into() -> None:
    h = reads.hole("notify")
    assert isinstance(h, str) and h and f"meets {h}." == "meets " + h + "." and "; ".join([h, "x"]).startswith(reads.MARK)
    assert h == reads.hole("notify") and h != reads.hole("transfer") and hash(h) == hash(reads.hole("notify"))
    assert h != None and (h == 3) is False  # noqa: E711 -- not a string: no look at the text
    for look in (lambda: "PC" in h, lambda: len(h), lambda: h.startswith("PC"), lambda: h == "PC 211", lambda: h != "x",
                 lambda: f"{h:>40}", lambda: h[0], lambda: h < "a", lambda: repr(h), lambda: h.lower(), lambda: h * 2,
                 lambda: list(h)):
        with pytest.raises(reads.ConcreteRead):
            look()
    assert reads.fill((f"meets {h}.", [h]), {h: "PC 211"}) == ("meets PC 211.", ["PC 211"])
    with pytest.raises(reads.ConcreteRead):  # the engine would have merged the two texts
        reads.fill(["a PC 211", f"a {h}"], {h: "PC 211"})


def _regime_with(wrap_rule: dict[str, Any] | None = None, wrap_obligation: dict[str, Any] | None = None) -> Any:
    """la-2026 with some rules' functions wrapped (a pack that looks into the qualifying record)."""
    import dataclasses

    from sanctuary.law.registry import Regime
    reg = load_regime("la-2026")
    new = Regime(reg.id, reg.title, reg.packs, reg.in_force, reg.label, dict(reg.interpretation_defaults))
    new.rules[:] = [dataclasses.replace(r, fn=(wrap_rule or {})[r.id](r.fn)) if r.id in (wrap_rule or {}) else r
                    for r in new.rules]
    new.obligation_rules[:] = [dataclasses.replace(o, fn=(wrap_obligation or {})[o.id](o.fn))
                               if o.id in (wrap_obligation or {}) else o for o in new.obligation_rules]
    return new


def _la_requests(n: int, seed: int) -> list[dict[str, Any]]:
    reqs = [{**r, "regime": "la-2026"} for r in _requests(n, seed)]
    return reqs + [_notify([{"statute": s, "level": "felony", "date": d}]) for s in ("211PC", "187(A)PC", "245(A)(1)PC")
                   for d in ("2019-03-01", "2015-06-01")]


def test_a_rule_that_looks_into_the_qualifying_record_is_answered_as_without_the_memo() -> None:
    from sanctuary.law.rules import Verdict

    def nosy(fn: Any) -> Any:
        def rule(f: Any) -> Any:
            gate = f.trust_gate("notify")
            if gate.value.true and "PC 211" in gate.qualifying:
                return Verdict.permitted(f"A robbery record: {gate.qualifying}.", cites=("gov-7282.5-a", *gate.cites),
                                         qualifying=gate.qualifying)
            return fn(f)
        return rule
    regime = _regime_with({"ca.values.notify-exceptions": nosy})
    reqs = _la_requests(300, seed=31)
    memo, plain = DecisionEngine(regime), DecisionEngine(regime, memo=False)
    assert _mismatches(memo, plain, reqs) == []
    assert any(b"A robbery record: PC 211" in _json(plain.decide(r)) for r in reqs)  # the nosy branch was taken
    assert _hits(memo) > len(reqs)


def test_an_obligation_that_looks_into_a_verdicts_qualifying_record_is_answered_as_without_the_memo() -> None:
    from sanctuary.law.rules import Obligation

    def nosy(fn: Any) -> Any:
        def rule(f: Any, verdicts: Any) -> Any:
            out = list(fn(f, verdicts))
            v = verdicts.get("notify-release")
            if v is not None and v.qualifying and v.qualifying.startswith("PC 211"):
                out.append(Obligation("robbery-note", f"Note the robbery record ({v.qualifying})."))
            return out
        return rule
    regime = _regime_with(wrap_obligation={"ca.truth.copy": nosy})
    reqs = _la_requests(300, seed=37)
    memo, plain = DecisionEngine(regime), DecisionEngine(regime, memo=False)
    assert _mismatches(memo, plain, reqs) == []
    assert any(b"Note the robbery record (PC 211" in _json(plain.decide(r)) for r in reqs)
