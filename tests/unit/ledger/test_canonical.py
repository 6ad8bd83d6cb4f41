from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanctuary.ledger.canonical import from_canonical, to_canonical

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=False, allow_infinity=False),
              st.text(max_size=20), st.text(st.characters(max_codepoint=0x3000, exclude_categories=("Cs",)), max_size=20)),
    lambda c: st.one_of(st.lists(c, max_size=4), st.dictionaries(st.text(max_size=8), c, max_size=4)), max_leaves=20)


@given(json_values)
def test_round_trip_and_stability(x: object) -> None:
    b = to_canonical(x)
    assert to_canonical(from_canonical(b)) == b


def test_key_order_whitespace_and_nfc() -> None:
    assert to_canonical({"b": 1, "a": [1, 2]}) == b'{"a":[1,2],"b":1}'
    assert to_canonical("e\u0301") == to_canonical("\u00e9")
    assert to_canonical({"t": dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)}) == b'{"t":"2026-03-02T08:00:00Z"}'


def test_refuses_ambiguous_values() -> None:
    with pytest.raises(ValueError):
        to_canonical(float("nan"))
    with pytest.raises(ValueError):
        to_canonical(dt.datetime(2026, 1, 1))  # naive datetime
    with pytest.raises(TypeError):
        to_canonical({1: "x"})


@given(json_values)
def test_fast_path_equals_the_slow_path(x: object) -> None:
    import json

    from sanctuary.ledger.canonical import _norm
    slow = json.dumps(_norm(x), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert to_canonical(x) == slow


def test_floats_keep_pythons_repr_wherever_they_sit() -> None:
    for v in (1e16, 1e-07, 123456789012345680.0, -0.0, 2.5):
        want = repr(v).encode()
        assert to_canonical(v) == want
        assert to_canonical([v]) == b"[" + want + b"]"
        assert to_canonical({"a": "7284.6", "b": v}) == b'{"a":"7284.6","b":' + want + b"}"
    assert to_canonical({"k": 2**64}) == b'{"k":18446744073709551616}'
    assert to_canonical({"ctl": "a\x01\x7f\u2028\n"}) == '{"ctl":"a\\u0001\x7f\u2028\\n"}'.encode()


def test_orjson_writes_ordinary_records_and_defers_floats_and_coerced_values(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ordinary records (no floats) take the orjson path; a float anywhere, a tuple, a date, a key that is
    not a string or an integer beyond 64 bits is written by the json encoder instead."""
    import sanctuary.ledger.canonical as canonical

    calls: list[object] = []
    real = canonical._to_canonical_json
    monkeypatch.setattr(canonical, "_to_canonical_json", lambda o: calls.append(o) or real(o))
    record = {"asks": [{"kind": "hold", "citations": ["Gov. Code § 7284.6(a)(1)(A)"], "n": 3}], "é": None, "ok": True}
    assert to_canonical(record) == real(record)
    assert calls == []
    deferred = [{"x": 1e-05}, [1, 2.5], {"d": dt.date(2026, 1, 2)}, {"t": (1, 2)}, {"k": 2**64}, {"a": [{"b": -0.0}]}, 2.5]
    for v in deferred:
        assert to_canonical(v) == real(v)
    assert calls == deferred


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_float_orjson_writes_is_seen(x: float) -> None:
    """The orjson path must never keep a float (its text can differ from Python's repr)."""
    import orjson

    from sanctuary.ledger.canonical import _EXPONENT, _FRACTION
    for doc in ([x], {"k": x}, [1, x, "a"], {"a": [x]}):
        raw = orjson.dumps(doc)
        assert _FRACTION.search(raw) or _EXPONENT.search(raw), raw
        assert to_canonical(doc) == json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
