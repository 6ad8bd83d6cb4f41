"""The 7282.5 conviction routes are memoised across requests: a hit must answer exactly as a fresh
computation would, and nothing the memo does not key on may leak from one request to the next."""

from __future__ import annotations

from typing import Any

from sanctuary.engine.decide import DecisionEngine
from sanctuary.engine.facts import Facts
from sanctuary.engine.models import Request
from sanctuary.law.registry import get_agency, load_regime


def _req(as_of: str, conviction: dict[str, Any], **subject: Any) -> dict[str, Any]:
    return {"agency": "lasd", "regime": "ca-baseline", "as_of": as_of, "from_authority": "ice-ero",
            "documents": [{"kind": "i-247a", "signed_by": "immigration-officer", "offense_basis": "civil-immigration"}],
            "asks": [{"kind": "notify-release"}],
            "subject": {"in_custody": True, "release_info_public": False, "csar_registrant": False,
                        "federal_aggravated_felony": False, "outstanding_federal_felony_warrant": False,
                        "convictions": [conviction], **subject}}


def _fresh(regime: str = "ca-baseline", interpretations: dict[str, str] | None = None) -> DecisionEngine:
    load_regime(regime).memo.clear()
    return DecisionEngine(regime, interpretations)


def _answer(d: Any) -> tuple[Any, ...]:
    return (tuple((a.outcome, tuple(a.citations), a.reason, tuple(a.missing_facts)) for a in d.asks),
            tuple((i.id, i.reading) for i in d.interpretations), d.trace["asks"][0]["citations"])


def test_a_memo_hit_answers_like_a_fresh_computation() -> None:
    req = _req("2026-03-02", {"statute": "11377(A)HS", "level": "felony", "date": "2012-03-01", "reduced": "prop47"})
    eng = _fresh()
    first = eng.decide(req)
    assert load_regime("ca-baseline").memo  # the routes were memoised
    again = eng.decide(req)  # a hit
    assert _answer(again) == _answer(first)
    assert ("felony-reduced", "misdemeanor") in _answer(again)[1]  # the reading the routes consulted is replayed


def test_where_the_date_falls_is_part_of_the_key() -> None:
    conv = {"statute": "11351HS", "level": "felony", "date": "2013-04-01"}
    eng = _fresh()
    inside = eng.decide(_req("2026-03-02", conv))       # category (M) felony within 15 years
    outside = eng.decide(_req("2028-04-02", conv))      # the same conviction, 15 years and a day later
    assert inside.asks[0].outcome == "permitted" and "Gov. Code § 7282.5(a)(3)(M)" in inside.asks[0].citations
    assert outside.asks[0].outcome != "permitted" and "Gov. Code § 7282.5(a)(3)(M)" not in outside.asks[0].citations
    later = {**conv, "date": "2026-05-01"}
    for day in ("2026-03-02", "2026-03-03"):  # dated after the request's day: the reason names that day
        r = Request.parse(_req(day, later))
        f = Facts(r, get_agency("lasd"), load_regime("ca-baseline"), {})
        (tri, _, _), = f.conviction_routes(f.convictions[0])
        assert tri.false and any(f"dated after {day}" in b for b in tri.because)


def test_position_and_interpretations_are_part_of_the_key() -> None:
    unknown = {"statute": "NOT A STATUTE", "level": "felony", "date": "2020-01-01"}
    eng = _fresh()
    one = eng.decide(_req("2026-03-02", unknown))
    two = eng.decide(_req("2026-03-02", unknown, convictions=[{**unknown, "statute": "ALSO NOT ONE"}, unknown]))
    assert any("subject.convictions[0]" in m for m in one.asks[0].missing_facts)
    assert any("subject.convictions[1]" in m for m in two.asks[0].missing_facts)  # not the first request's message
    # the same record under a different reading is computed afresh, not answered from the default's memo
    reduced = {"statute": "11377(A)HS", "level": "felony", "date": "2012-03-01", "reduced": "prop47"}
    default = eng.decide(_req("2026-03-02", reduced))
    other = DecisionEngine("ca-baseline", {"felony-reduced": "as-convicted"}).decide(_req("2026-03-02", reduced))
    assert ("felony-reduced", "as-convicted") in _answer(other)[1]
    assert _answer(other) != _answer(default)


def _walk(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for v in node.values() for s in _walk(v)]
    if isinstance(node, list):
        return [s for v in node for s in _walk(v)]
    return [node] if isinstance(node, str) else []


def test_one_gate_for_both_purposes_only_without_pending_charges() -> None:
    """Facts.trust_gate computes the gate once for notification and transfer when the person has no
    pending charge; asked in either order, each purpose's gate equals a fresh computation for it."""
    from sanctuary.engine.facts import _trust_gate
    from sanctuary.engine.samples import sample_requests

    regime = load_regime("la-2026")
    reqs = sample_requests(300)
    pending = {"statute": "211PC", "level": "felony", "magistrate_probable_cause": True}
    reqs += [{**r, "subject": {**r["subject"], "pending_charges": [pending]}} for r in reqs[:50]]
    for interp in ({}, {"7282.5b-transfer": "notification-and-transfer"}):
        for raw in reqs:
            r = Request.parse(raw)
            for order in (("notify", "transfer"), ("transfer", "notify")):
                f = Facts(r, get_agency(r.agency), regime, interp)
                got = {p: f.trust_gate(p) for p in order}
                for p in order:
                    assert got[p] == _trust_gate(Facts(r, get_agency(r.agency), regime, interp), p), (p, raw)
                if r.subject.pending_charges:
                    continue
                assert got["notify"] is got["transfer"]


def test_rules_in_force_are_looked_up_by_era_exactly_as_filtered_by_day() -> None:
    """The rules (and obligation rules) in force for an agency are cached per era (between two days on
    which some rule or instrument starts or stops): on each such day, the day before and the day after, in
    shuffled order and under every regime, the cached list equals the list filtered for that very day."""
    import datetime as dt
    import random

    from sanctuary.engine.decide import ByEra
    from sanctuary.engine.models import ASK_KINDS
    from sanctuary.law.registry import agencies, regimes

    checked = 0
    for regime in regimes():
        eng = DecisionEngine(regime)
        reg = eng.regime
        for agency in agencies().values():
            obligations = [(o, reg.instruments[o.instrument]) for o in reg.obligation_rules
                           if agency.bound_by(reg.instruments[o.instrument].binds)]
            for kind in (*ASK_KINDS, "obligations"):
                pairs = obligations if kind == "obligations" else eng._rules_for(agency, kind)
                cached = ByEra(pairs)
                days = sorted({d + dt.timedelta(days=k) for d in cached.days for k in (-1, 0, 1)} |
                              {dt.date(1990, 1, 1), dt.date(2026, 11, 22)})
                random.Random(checked).shuffle(days)
                for day in days:
                    want = [(r, ins) for r, ins in pairs if ins.interval.in_force(day) and r.interval.in_force(day)]
                    assert cached.on(day) == want, (regime, agency.id, kind, day)
                    if kind != "obligations":
                        assert eng._in_force(agency, kind, day)[1] == want
                    checked += 1
    assert checked > 1000


def test_an_era_turns_on_the_first_day_in_force_and_the_day_after_the_last() -> None:
    import datetime as dt
    from types import SimpleNamespace

    from sanctuary.engine.decide import ByEra
    from sanctuary.timeline import EffectiveInterval

    always = SimpleNamespace(interval=EffectiveInterval(None))
    rule = SimpleNamespace(interval=EffectiveInterval(dt.date(2019, 1, 1), dt.date(2020, 6, 30)))
    cached = ByEra([(rule, always)])
    assert cached.days == [dt.date(2019, 1, 1), dt.date(2020, 7, 1)]
    assert [bool(cached.on(d)) for d in (dt.date(2018, 12, 31), dt.date(2019, 1, 1), dt.date(2020, 6, 30),
                                         dt.date(2020, 7, 1))] == [False, True, True, False]
