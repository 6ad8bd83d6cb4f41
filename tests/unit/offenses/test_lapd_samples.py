"""Every charge string in the real LAPD samples is read; the resolution share is pinned."""

from __future__ import annotations

import csv

from sanctuary.offenses.describe import match_description
from sanctuary.offenses.models import ParseStatus
from sanctuary.offenses.parsing import parse_charge


def _rows(shared):
    path = shared / "data" / "lapd_arrests_samples" / "lapd_arrests_combined_sample.csv"
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_state_code_strings_resolve_98_percent(shared) -> None:
    rows = _rows(shared)
    state = [parse_charge(r["charge"]) for r in rows]
    state = [p for p in state if p.status != ParseStatus.LOCAL]
    resolved = sum(p.resolved for p in state)
    assert resolved / len(state) >= 0.98, f"{resolved}/{len(state)}"
    for p in state:
        if not p.resolved:
            assert p.explanation, p.raw  # every unresolved one is explained


def test_municipal_codes_recognised(shared) -> None:
    rows = _rows(shared)
    lamc = [r for r in rows if "LA" in r["charge"] and not r["charge"].endswith(("PC", "VC", "HS"))]
    assert lamc
    assert all(parse_charge(r["charge"]).status == ParseStatus.LOCAL for r in lamc)


def test_description_matching_accepts_only_when_sure(shared) -> None:
    path = shared / "data" / "lapd_arrests_samples" / "lapd_observed_charge_strings.csv"
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["charge_description"].strip()]
    accepted = correct = top5 = n = 0
    for r in rows:
        p = parse_charge(r["charge"])
        if not p.resolved:
            continue
        n += 1
        m = match_description(r["charge_description"])
        truth = p.section.label.split("(")[0]
        top5 += any(c.section.split("(")[0] == truth for c in m.candidates)
        if m.accepted:
            accepted += 1
            correct += m.accepted.section.split("(")[0] == truth
    assert top5 / n >= 0.8
    assert accepted and correct / accepted >= 0.95


def test_description_examples() -> None:
    assert match_description("ADW NOT FIREARM").accepted.section == "PC 245(a)(1)"
    assert match_description("GRAND THEFT AUTO").candidates[0].section.startswith("PC 487")
    assert match_description("").accepted is None
