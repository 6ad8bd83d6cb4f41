"""The outbound screen: default deny, decisions from the same law packs, never a denied value out."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from sanctuary.firewall.screen import Firewall, classify

D2026, D2019 = dt.date(2026, 3, 2), dt.date(2019, 3, 2)
RECORD = {"name": "Maria R.", "home_address": "123 Main St", "release_date": "2026-03-05", "charges": ["211PC"],
          "immigration_status": "unknown", "favorite_color": "blue", "booking": {"booking_number": "4471122"}}


def test_lapd_to_ice_releases_nothing_and_cites_why() -> None:
    r = Firewall("lapd", D2026, "ice-ero", "immigration-enforcement").screen([RECORD])
    assert r.records == []
    assert {"Gov. Code § 7284.6(a)(1)(D)", "L.A. Ord. No. 188441 (data sharing)"} <= set(r.rulings["home_address"].citations)
    assert r.rulings["charges"].outcome == "prohibited" and "L.A. Ord. No. 188441 (data sharing)" in r.rulings["charges"].citations
    assert r.rulings["favorite_color"].action == "removed" and r.rulings["favorite_color"].outcome is None  # default deny


def test_lasd_2019_criminal_history_may_leave() -> None:
    r = Firewall("lasd", D2019, "ice-ero", "immigration-enforcement").screen([RECORD])
    assert r.records == [{"charges": ["211PC"], "immigration_status": "unknown"}]
    assert "Gov. Code § 7284.6(b)(2)" in r.rulings["charges"].citations
    assert r.rulings["release_date"].action == "removed"  # depends on the person's record: withheld, not guessed


def test_public_release_information_may_leave() -> None:
    r = Firewall("lasd", D2019, "ice-ero", "immigration-enforcement", public_fields=("release_date",)).screen([RECORD])
    assert r.records[0]["release_date"] == "2026-03-05"


def test_criminal_investigation_by_marshals_is_outside_the_values_act() -> None:
    r = Firewall("lasd", D2026, "usms", "criminal-investigation").screen([{"name": "X", "charges": ["187PC"]}])
    assert r.records == [{"name": "X", "charges": ["187PC"]}]


def test_alpr_never_leaves() -> None:
    r = Firewall("lasd", D2026, "usms", "criminal-investigation").screen([{"plate": "7ABC123"}])
    assert r.records == []


def test_field_names_are_normalised() -> None:
    assert classify("person.Home-Address")["label"] == "home address"
    assert classify("rows[3].A Number")["ask"] == "status-info"
    assert classify("shoe size") is None


DENIED = ["name", "home_address", "phone", "dob", "release_date", "photo", "a_number", "passport_number", "unknown_field"]
_value = st.text(alphabet=st.characters(min_codepoint=48, max_codepoint=122), min_size=12, max_size=20)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_no_denied_value_ever_leaves_under_any_nesting(data: st.DataObject) -> None:
    secrets: list[str] = []

    def node(depth: int) -> object:
        kind = data.draw(st.integers(0, 3 if depth < 3 else 0))
        if kind == 0:
            f = data.draw(st.sampled_from(DENIED + ["charges"]))
            v = data.draw(_value)
            if f != "charges":
                secrets.append(v)
            return {f: v if f != "charges" else "PC 211"}
        if kind == 1:
            return [node(depth + 1) for _ in range(data.draw(st.integers(0, 3)))]
        if kind == 2:
            return {data.draw(st.sampled_from(["person", "booking", "meta", "rows"])): node(depth + 1)}
        return {data.draw(st.sampled_from(DENIED)): node(depth + 1)}  # a denied field holding a structure
    record = node(0)
    out = json.dumps(Firewall("lapd", D2026, "ice-ero", "immigration-enforcement").screen(record).records)
    for s in secrets:
        assert s not in out


@settings(max_examples=100, deadline=None)
@given(st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=10)),
                    lambda c: st.one_of(st.lists(c, max_size=3), st.dictionaries(st.text(max_size=8), c, max_size=3)),
                    max_leaves=12))
def test_the_screen_never_raises(garbage: object) -> None:
    Firewall("lasd", D2026, "ice-ero", "immigration-enforcement").screen(garbage)
