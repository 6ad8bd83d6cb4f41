from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanctuary.ledger.canonical import from_canonical, to_canonical

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2**53, 2**53), st.floats(allow_nan=False, allow_infinity=False),
              st.text(max_size=20)),
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
