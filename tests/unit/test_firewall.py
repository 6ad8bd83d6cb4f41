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


# 1,000 examples: with 200 it missed the list-of-objects leak below; with 1,000 it found it in 4 runs of 4
@settings(max_examples=1000, deadline=None)
@given(st.data(), st.sampled_from([("lapd", D2026), ("lasd", D2019)]))  # in LASD 2019 criminal history may leave
def test_no_denied_value_ever_leaves_under_any_nesting(data: st.DataObject, where: tuple[str, dt.date]) -> None:
    secrets: list[str] = []
    fw = Firewall(where[0], where[1], "ice-ero", "immigration-enforcement")
    denied = {f for f in DENIED if fw.rule(f).action != "kept"}  # which fields the law denies here: tested above
    assert {"name", "home_address", "dob", "unknown_field"} <= denied and fw.rule("charges").action == ("kept" if where[0] == "lasd" else "removed")

    def node(depth: int) -> object:
        kind = data.draw(st.integers(0, 3 if depth < 3 else 0))
        if kind == 0:  # an object of one to three fields, denied ones beside one that may leave
            out: dict[str, object] = {}
            for f in data.draw(st.lists(st.sampled_from(DENIED + ["charges"]), min_size=1, max_size=3, unique=True)):
                v = f"<{len(secrets)}:{f}:{data.draw(_value)}>"  # no value contains another
                if f in denied:
                    secrets.append(v)
                out[f] = v if f != "charges" else "PC 211"
            return out
        if kind == 1:
            return [node(depth + 1) for _ in range(data.draw(st.integers(0, 3)))]
        if kind == 2:
            return {data.draw(st.sampled_from(["person", "booking", "meta", "rows"])): node(depth + 1)}
        return {data.draw(st.sampled_from(DENIED)): node(depth + 1)}  # a denied field holding a structure
    record = node(0)
    out = json.dumps(fw.screen(record).records)
    for s in secrets:
        assert s not in out


@settings(max_examples=100, deadline=None)
@given(st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=10)),
                    lambda c: st.one_of(st.lists(c, max_size=3), st.dictionaries(st.text(max_size=8), c, max_size=3)),
                    max_leaves=12))
def test_the_screen_never_raises(garbage: object) -> None:
    Firewall("lasd", D2026, "ice-ero", "immigration-enforcement").screen(garbage)


def test_fields_inside_lists_of_objects_are_ruled_each_by_its_own_name() -> None:
    """A regression: the ruling was cached under the list's name, so the first field ruled inside a list
    (charges, which may leave) decided for every other field there (a date of birth left with it)."""
    r = Firewall("lasd", D2019, "ice-ero", "immigration-enforcement").screen(
        [{"people": [{"charges": "211PC", "dob": "1988-04-17"}, {"dob": "1990-01-01", "charges": "459PC"}]}])
    assert r.records == [{"people": [{"charges": "211PC"}, {"charges": "459PC"}]}]
    assert r.rulings["people.dob"].action == "removed" and r.rulings["people.charges"].action == "kept"
    assert "people" not in r.rulings and r.withheld == ["people.dob"]  # a container is not a field that was withheld


def test_a_withheld_field_leaves_only_in_a_coarser_form_the_law_lets_go() -> None:
    record = {"dob": "1988-04-17", "release_date": "2026-03-09T06:00", "charges": "211PC"}
    plain = Firewall("lasd", D2026, "ice-ero", "immigration-enforcement").screen([record])
    assert "dob" not in json.dumps(plain.records) and plain.rulings["dob"].action == "removed"  # nothing public: nothing leaves
    # the agency's inmate locator shows age and the release day (not the date of birth, not the hour)
    fw = Firewall("lasd", D2026, "ice-ero", "immigration-enforcement", public_fields=("age", "release_day"))
    r = fw.screen([record, {"dob": "not a date"}])
    assert r.records == [{"age": 37, "charges": "211PC"}]  # an unreadable date leaves nothing
    # since Sept 2020 the County bars LASD's release-date answers even when public; in 2019 a public day could go
    assert r.rulings["release_date"].action == "removed"
    old = Firewall("lasd", D2019, "ice-ero", "immigration-enforcement", public_fields=("release_day",)).screen([record])
    assert old.records == [{"release_day": "2026-03-09", "charges": "211PC"}] and old.rulings["release_date"].action == "generalised"
    dob = r.rulings["dob"]
    assert dob.action == "generalised" and "leaves only as age" in dob.reason
    assert "Gov. Code § 7284.6(a)(1)(D)" in dob.citations and "age" not in r.rulings  # rulings are of the fields given
    assert "dob" in r.withheld
