"""Decisions are built without re-validation (speed), so every kind of decision is checked here against
the published contract: it round-trips through the pydantic model and validates against
docs/schema/decision.schema.json."""

from __future__ import annotations

import json
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
