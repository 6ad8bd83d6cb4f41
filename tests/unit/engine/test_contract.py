"""Decisions are built without re-validation (speed), so every kind of decision is checked here against
the published contract: it round-trips through the pydantic model and validates against
docs/schema/decision.schema.json."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest

from sanctuary.engine.decide import DecisionEngine
from sanctuary.engine.models import Decision
from sanctuary.engine.samples import demo_month, sample_requests
from sanctuary.law.registry import regimes

SCHEMA = json.loads((Path(__file__).resolve().parents[3] / "docs" / "schema" / "decision.schema.json").read_text())


@pytest.mark.parametrize("regime", sorted(regimes()))
def test_constructed_decisions_meet_the_published_contract(regime: str) -> None:
    eng = DecisionEngine(regime)
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for req in sample_requests(60, seed=3) + demo_month(days=3):
        d = eng.decide({**req, "regime": regime})
        data = json.loads(d.model_dump_json())
        errors = sorted(validator.iter_errors(data), key=str)
        assert not errors, errors[0].message
        again = Decision.model_validate(data)
        assert again.model_dump(mode="json") == data


def test_model_json_writes_what_pydantic_writes() -> None:
    """model_json (orjson over the models' values) is byte for byte model_dump_json, for the decisions of
    every regime and every scenario case, and for their requests; and the fields come out in the model's
    order even when the engine names them in another."""
    from sanctuary.engine.models import AskDecision, Request, built, model_json
    from sanctuary.testing.plugin import PACKS, scenario_cases
    cases = scenario_cases(Path(__file__).resolve().parents[2] / "cases", PACKS)
    reqs = sample_requests(80, seed=5) + demo_month(days=2) + [req for _, req, _ in cases]
    for regime in sorted(regimes()):
        eng = DecisionEngine(regime)
        for raw in reqs:
            r = Request.parse({**raw, "regime": regime})
            d = eng.decide(r)
            assert list(d.__dict__) == list(Decision.model_fields)  # made() trusts the engine's literal
            assert model_json(d) == d.model_dump_json().encode()
            assert model_json(d, exclude="receipt") == d.model_dump_json(exclude={"receipt"}).encode()
            assert model_json(r) == r.model_dump_json().encode()
    a = built(AskDecision, outcome="review", kind="hold", detail={}, citations=["x"], reason="r", deciding_rule="d",
              missing_facts=[], qualifying=None)
    assert list(a.__dict__) == list(AskDecision.model_fields)
    assert model_json(a) == a.model_dump_json().encode()
    odd = a.model_copy(update={"detail": {"amount": Decimal("1.50")}})  # not a JSON type: pydantic writes it
    assert model_json(odd) == odd.model_dump_json().encode() == model_json(a).replace(b'"detail":{}', b'"detail":{"amount":"1.50"}')
