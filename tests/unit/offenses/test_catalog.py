from __future__ import annotations

import hashlib
from importlib import resources

from sanctuary.offenses.catalog import load_catalog
from sanctuary.offenses.generate import build, split_section
from sanctuary.offenses.models import Section


def test_catalog_regenerates_byte_for_byte(shared) -> None:
    blob, checks = build(shared / "data" / "ca_doj_offense_codes")
    committed = resources.files("sanctuary.offenses").joinpath("data/catalog.json.gz").read_bytes()
    assert hashlib.sha256(blob).hexdigest() == hashlib.sha256(committed).hexdigest()
    recorded = resources.files("sanctuary.offenses").joinpath("data/SOURCE.sha256").read_text()
    for name, digest in checks.items():
        assert f"{digest}  {name}" in recorded


def test_catalog_covers_codes() -> None:
    cat = load_catalog()
    codes = set(cat.by_code)
    assert {"PC", "HS", "VC", "BP", "WI"} <= codes
    assert len(cat) > 2000


def test_wobbler_rule() -> None:
    cat = load_catalog()
    assert cat.wobbler(Section("PC", "245", ("A", "1"))) is True      # F and M with the same literal
    assert cat.wobbler(Section("PC", "240")) is False                 # misdemeanor only
    assert cat.wobbler(Section("HS", "11351")) is False               # felony only


def test_sentence_classification() -> None:
    cat = load_catalog()
    assert cat.custody(Section("PC", "187")) == "state-prison"        # life terms
    assert cat.custody(Section("PC", "211")) == "undetermined"        # triad: 1170(h) or prison cannot be told


def test_dated_entries() -> None:
    cat = load_catalog()
    from datetime import date
    old = {e.literal for e in cat.entries(Section("PC", "245", ("A", "1")), date(2005, 1, 1))}
    new = {e.literal for e in cat.entries(Section("PC", "245", ("A", "1")), date(2015, 1, 1))}
    assert "FORCE/ADW NOT FIREARM:GBI" in old and "ADW NOT FIREARM" in new


def test_split_section() -> None:
    assert split_section("245(A)(1)") == ("245", ("A", "1"), "")
