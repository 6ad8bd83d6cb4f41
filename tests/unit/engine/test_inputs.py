"""Bad input gets a clear error naming the field; malformed input never crashes the engine."""

from __future__ import annotations

import contextlib
import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctuary.engine.decide import decide
from sanctuary.engine.models import ASK_KINDS, DOCUMENT_KINDS, Request
from sanctuary.errors import InputError, RuleConflictError, UnknownAgencyError


def test_field_path_of_a_bad_conviction_date(base_request: dict) -> None:
    req = copy.deepcopy(base_request)
    req["subject"]["convictions"] = [{"statute": "211PC", "level": "felony", "date": "2020-01-01"}] * 2 + \
                                    [{"statute": "211PC", "level": "felony", "date": "2020-13-45"}]
    with pytest.raises(InputError) as e:
        decide(req)
    assert e.value.field == "subject.convictions[2].date"
    assert e.value.diagnostics()["error"]["field"] == "subject.convictions[2].date"


def test_unknown_key_is_named(base_request: dict) -> None:
    req = copy.deepcopy(base_request)
    req["subject"]["favourite_colour"] = "blue"
    with pytest.raises(InputError) as e:
        decide(req)
    assert e.value.field == "subject.favourite_colour"


def test_unknown_agency_lists_valid_ids(base_request: dict) -> None:
    req = dict(base_request, agency="fbi")
    with pytest.raises(UnknownAgencyError) as e:
        decide(req)
    assert "lapd" in e.value.details["valid"] and "lasd" in str(e.value)


@pytest.mark.parametrize("bad,field", [
    ({"asks": []}, "asks"),
    ({"asks": [{"kind": "hug"}]}, "asks[0].kind"),
    ({"from_authority": "fbi"}, "from_authority"),
    ({"documents": [{"kind": "i-247a", "signed_by": "the-mayor"}]}, "documents[0].signed_by"),
    ({"as_of": "yesterday"}, "as_of"),
])
def test_bad_values(base_request: dict, bad: dict, field: str) -> None:
    with pytest.raises(InputError) as e:
        decide({**base_request, **bad})
    assert e.value.field == field


def test_not_an_object() -> None:
    with pytest.raises(InputError):
        decide(["not", "an", "object"])  # type: ignore[arg-type]


_text = st.text(max_size=40)
_tri = st.sampled_from([True, False, None, "unknown"])
_conv = st.fixed_dictionaries({
    "statute": st.one_of(_text.filter(lambda s: s.strip()), st.sampled_from(["245(A)(1)PC", "A187PC", "11377AHS", "488PC", "41.27CLAMC"])),
    "level": st.sampled_from(["felony", "misdemeanor", "infraction", "unknown"]),
}, optional={"date": st.dates().map(str), "reduced": st.sampled_from(["prop47", "pc17b", None]),
             "findings": st.one_of(st.none(), st.lists(st.sampled_from(["personal-use-firearm", "personal-infliction-gbi"]))),
             "jurisdiction": st.sampled_from(["california", "federal", "other-state"]), "juvenile": st.booleans()})
_request = st.fixed_dictionaries({
    "agency": st.sampled_from(["lapd", "lasd", "lapl", "lausd", "laspd", "la-county-dhs", "la-superior-court", "ladot"]),
    "as_of": st.dates().map(str),
    "from_authority": st.sampled_from(["ice-ero", "ice-hsi", "cbp", "usms", "other-federal", "unknown"]),
    "documents": st.lists(st.fixed_dictionaries({"kind": st.sampled_from(DOCUMENT_KINDS)}, optional={
        "signed_by": st.sampled_from(["federal-judge", "federal-magistrate-judge", "state-judge", "immigration-officer", "unknown"]),
        "offense_basis": st.sampled_from(["federal-criminal-immigration", "federal-criminal-other", "civil-immigration", "unknown"]),
        "grants_access": _tri}), max_size=3),
    "asks": st.lists(st.fixed_dictionaries({"kind": st.sampled_from(ASK_KINDS)}, optional={
        "detail": st.dictionaries(st.sampled_from(["area", "place", "fields", "kind", "purpose", "public", "use", "topic"]),
                                  st.one_of(_text, st.booleans(), st.lists(_text, max_size=2)), max_size=3)}), min_size=1, max_size=5),
    "subject": st.fixed_dictionaries({}, optional={
        "in_custody": _tri, "release_info_public": _tri, "csar_registrant": _tri, "victim_or_witness": _tri,
        "prior_removal_after_aggravated_felony": _tri, "outstanding_federal_felony_warrant": _tri,
        "convictions": st.lists(_conv, max_size=4),
        "pending_charges": st.lists(st.fixed_dictionaries({"statute": st.sampled_from(["PC 211", "459PC", "xx"]),
                                                           "magistrate_probable_cause": _tri}), max_size=2)}),
})


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_request)
def test_random_requests_decide_or_fail_cleanly(req: dict) -> None:
    try:
        d = decide(req)
    except InputError as e:
        assert e.field is not None and e.message
        return
    except RuleConflictError:  # a conflict is a law-pack bug: surface it
        raise
    for a in d.asks:
        assert a.citations and a.outcome in ("prohibited", "permitted", "required", "review")


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), _text),
                    lambda c: st.one_of(st.lists(c, max_size=3), st.dictionaries(_text, c, max_size=3)), max_leaves=10))
def test_garbage_is_an_input_error(garbage: object) -> None:
    with contextlib.suppress(InputError):  # anything else (a crash) fails the test
        decide(garbage)  # type: ignore[arg-type]


def _outcome(parse: Any, value: Any) -> Any:
    try:
        return parse(value)
    except InputError as e:
        return ("error", e.field, e.message, e.details.get("errors"))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_request, st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), _text),
                                        lambda c: st.one_of(st.lists(c, max_size=3), st.dictionaries(_text, c, max_size=3)),
                                        max_leaves=10)))
def test_a_request_read_from_json_by_pydantic_equals_one_read_by_json_loads(value: Any) -> None:
    """The API reads a request's JSON with pydantic directly (Request.parse_json): the request, or the
    error with its field and every message, is the same as json.loads then Request.parse."""
    text = json.dumps(value)
    assert _outcome(Request.parse_json, text.encode()) == _outcome(Request.parse, value)
