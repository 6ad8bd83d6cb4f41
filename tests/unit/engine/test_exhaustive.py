"""Every ask kind x agency x document kind x sample date yields a decision: no exception, no conflict,
no empty citation list, and review outcomes always name what is missing."""

from __future__ import annotations

import itertools

import pytest

from sanctuary.engine.decide import DecisionEngine
from sanctuary.engine.models import ASK_KINDS, DOCUMENT_KINDS
from sanctuary.law.registry import agencies, regimes

DATES = ["2016-06-01", "2017-12-31", "2018-01-01", "2020-04-24", "2020-09-01", "2024-12-08", "2024-12-09",
         "2025-09-20", "2025-12-31", "2026-01-01", "2026-02-10", "2026-11-22"]
DETAILS = {
    "facility-access": [{"area": "public"}, {"area": "nonpublic"}, {"area": "nonpublic", "use": "staging"}, {}],
    "personal-info": [{"fields": ["home-address"]}, {"fields": ["release-date"]}, {"fields": ["phone"], "public": True}],
    "data-share": [{"kind": k} for k in ("alpr", "database-access", "bulk-records", "video")] + [{}],
    "agreement": [{"kind": k} for k in ("287g", "dedicated-office-space", "detention-contract", "cross-designation")] + [{}],
    "task-force": [{"primary_purpose": "other", "duties": "other"}, {"primary_purpose": "immigration-enforcement"}, {}],
    "assist-operation": [{"purpose": p} for p in ("immigration-enforcement", "criminal-other", "unknown")],
    "interview": [{"topic": "civil-immigration"}, {"topic": "criminal"}],
}
SIGNERS = {"federal-arrest-warrant": "federal-magistrate-judge", "federal-search-warrant": "federal-judge",
           "judicial-probable-cause-determination": "federal-judge", "court-order": "state-judge",
           "judicial-subpoena": "federal-judge"}


def _asks() -> list[dict]:
    out = []
    for k in ASK_KINDS:
        for d in DETAILS.get(k, [{}]):
            out.append({"kind": k, "detail": d})
    return out


@pytest.mark.parametrize("regime", sorted(regimes()))
def test_every_combination_decides(regime: str) -> None:
    eng = DecisionEngine(regime)
    asks = _asks()
    n = 0
    for agency, doc, date, authority in itertools.product(sorted(agencies()), DOCUMENT_KINDS, DATES, ["ice-ero", "unknown"]):
        req = {"agency": agency, "as_of": date, "from_authority": authority,
               "documents": [{"kind": doc, "signed_by": SIGNERS.get(doc, "immigration-officer"),
                              "offense_basis": "federal-criminal-immigration" if doc in SIGNERS else "civil-immigration"}],
               "asks": asks,
               "subject": {"in_custody": True, "convictions": [{"statute": "245(A)(1)PC", "level": "felony", "date": "2015-01-01"}]}}
        d = eng.decide(req)
        assert len(d.asks) == len(asks)
        for a in d.asks:
            n += 1
            assert a.citations, (agency, doc, date, a.kind, a.detail)
            assert a.reason
            if a.outcome == "review":
                assert a.missing_facts, (agency, doc, date, a.kind, a.detail)
    assert n > 40_000


def test_holds_are_never_allowed_anywhere() -> None:
    eng = DecisionEngine()
    for agency, date in itertools.product(sorted(agencies()), DATES[2:]):
        d = eng.decide({"agency": agency, "as_of": date, "from_authority": "ice-ero",
                        "documents": [{"kind": "i-247a", "signed_by": "immigration-officer"}],
                        "asks": [{"kind": "hold"}], "subject": {"csar_registrant": True}})
        assert d.asks[0].outcome in ("prohibited", "review"), (agency, date)


def test_regimes_are_labelled() -> None:
    from sanctuary.law.registry import regimes
    for rid in regimes():
        d = DecisionEngine(rid).decide({"agency": "lasd", "as_of": "2026-03-02", "regime": rid, "asks": [{"kind": "hold"}]})
        assert d.regime_in_force == (rid == "la-2026")
        assert d.regime_in_force or d.regime_label.startswith("COMPARISON REGIME")


def test_nothing_is_required_of_an_agency_without_judicial_process() -> None:
    """No California law requires cooperation; only a warrant or order signed by a judge compels."""
    eng = DecisionEngine()
    for agency, doc in itertools.product(sorted(agencies()), [d for d in DOCUMENT_KINDS if d not in SIGNERS]):
        d = eng.decide({"agency": agency, "as_of": "2026-03-02", "from_authority": "ice-ero",
                        "documents": [{"kind": doc, "signed_by": "immigration-officer"}], "asks": _asks(),
                        "subject": {"in_custody": True, "csar_registrant": True}})
        assert all(a.outcome != "required" for a in d.asks), (agency, doc)
