"""Counsel's readings hold in every worker: a reading set through one process is taken up by the others
(each looks in the ledger at most once a second), and "previous" names the reading that was in force."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctuary.engine.decide import DecisionEngine
from sanctuary.ledger.service import Ledger
from sanctuary.ledger.store import SQLiteStore
from sanctuary.service import Sanctuary
from sanctuary.testing.plugin import PACKS, scenario_cases


def _a_case_a_reading_changes() -> tuple[dict, str, str]:
    for _, req, readings in scenario_cases(Path(__file__).parents[1] / "cases", PACKS):
        if req.get("regime", "la-2026") != "la-2026" or len(readings) != 1:
            continue
        if DecisionEngine("la-2026", readings).decide(req).asks != DecisionEngine("la-2026").decide(req).asks:
            [(iid, reading)] = readings.items()
            return req, iid, reading
    raise AssertionError("no scenario case turns on one reading")


def test_a_reading_set_in_one_worker_decides_in_the_other(tmp_path, signer, monkeypatch: pytest.MonkeyPatch) -> None:
    req, iid, reading = _a_case_a_reading_changes()
    want = [a.model_dump(mode="json") for a in DecisionEngine("la-2026", {iid: reading}).decide(req).asks]
    default = [a.model_dump(mode="json") for a in DecisionEngine("la-2026").decide(req).asks]
    a = Sanctuary(Ledger(SQLiteStore(tmp_path / "l.db"), signer))
    b = Sanctuary(Ledger(SQLiteStore(tmp_path / "l.db"), signer))
    assert [x.model_dump(mode="json") for x in b.decide(req).asks] == default
    receipt = a.set_interpretation(iid, reading, "counsel", "adopted")
    assert a.ledger.get(receipt["entry_id"])["public"]["previous"] != reading
    assert [x.model_dump(mode="json") for x in a.decide(req).asks] == want  # at once where it was set
    monkeypatch.setattr(Sanctuary, "READINGS_RECHECK", 0.0)
    assert b.readings[iid] == reading
    assert [x.model_dump(mode="json") for x in b.decide(req).asks] == want  # and in the other worker
    # set back through the other worker: "previous" is the reading the first one set
    back = b.set_interpretation(iid, DecisionEngine("la-2026").regime.interpretations[iid].default, "counsel", "back")
    assert b.ledger.get(back["entry_id"])["public"]["previous"] == reading
    assert [x.model_dump(mode="json") for x in a.decide(req).asks] == default
    a.ledger.close()
    b.ledger.close()
