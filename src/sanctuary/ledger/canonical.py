"""The one canonical byte form of a ledger record -- the only input to hashing.

Rules: JSON (RFC 8259) with object keys sorted by code point, no insignificant whitespace, UTF-8,
every string NFC-normalised, no NaN or infinities, integers as integers; floats are written with
Python's shortest round-trip ``repr``; dates and datetimes are ISO 8601 strings (datetimes in UTC with
a ``Z``).  ``from_canonical(to_canonical(x)) == x`` for any JSON value made of NFC strings.

>>> to_canonical({"b": 1, "a": "e\\u0301"})
b'{"a":"\\xc3\\xa9","b":1}'
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from typing import Any

import orjson


def _norm(x: Any) -> Any:
    if isinstance(x, str):
        return unicodedata.normalize("NFC", x)
    if isinstance(x, dict):
        out = {}
        for k, v in x.items():
            if not isinstance(k, str):
                raise TypeError(f"canonical keys must be strings, not {type(k).__name__}")
            out[unicodedata.normalize("NFC", k)] = _norm(v)
        return out
    if isinstance(x, (list, tuple)):
        return [_norm(v) for v in x]
    if isinstance(x, dt.datetime):
        if x.tzinfo is None:
            raise ValueError("naive datetime in a ledger record")
        return x.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(x, dt.date):
        return x.isoformat()
    if x is None or isinstance(x, (bool, int, float)):
        return x
    raise TypeError(f"{type(x).__name__} is not a canonical JSON value")


def _default(x: Any) -> Any:
    if isinstance(x, (dt.date, dt.datetime, tuple)):
        return _norm(x)
    raise TypeError(f"{type(x).__name__} is not a canonical JSON value")


def _read_back(text: str) -> Any:
    """The value the text stands for: orjson (three times faster than json) unless it refuses the text
    (integers beyond 64 bits), then json.  Both read valid JSON to the same value."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


# Every float orjson writes is a number token with a fraction (``0.1``, ``1.5e+300``) or an exponent
# (``1e+16``), and in compact JSON inside an array or object a token is followed by ``,``, ``]`` or ``}``.
# Two searches that start at a literal ``.`` or ``e`` find them all (three times faster than one pattern
# for the whole token); inside a string they may also match, and then the json encoder is used for
# nothing worse than time.
_FRACTION = re.compile(rb"\.\d+[,\]}eE]")
_EXPONENT = re.compile(rb"e[-+]\d+[,\]}]")
_ORJSON_OPTS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def to_canonical(obj: Any) -> bytes:
    # Fastest path: orjson, for an object or array without floats (orjson writes some floats unlike
    # Python's repr, e.g. 1e-05 as 0.00001).  For everything else it writes what the C encoder below
    # writes -- keys sorted by code point, the same escapes -- and the round trip and NFC checks are the
    # same as that path's.  Anything orjson refuses (integers beyond 64 bits, non-string keys) or writes
    # differently from the value (tuples, dates, NaN) falls through.
    try:
        raw = orjson.dumps(obj, default=_default, option=_ORJSON_OPTS)
    except TypeError:
        raw = None
    if raw is not None and raw[:1] in (b"{", b"[") and _FRACTION.search(raw) is None and _EXPONENT.search(raw) is None \
            and (raw.isascii() or unicodedata.is_normalized("NFC", raw.decode("utf-8"))) and orjson.loads(raw) == obj:
        return raw
    return _to_canonical_json(obj)


def _to_canonical_json(obj: Any) -> bytes:
    # Fast path: the C encoder, kept when its text is already NFC.  JSON's delimiters are ASCII starters
    # that never compose, so NFC text means every string and key in it is NFC: the bytes are the same
    # as the slow path's.  Keys must be strings in both paths.
    try:
        text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False,
                          default=_default)
    except TypeError:
        text = None  # e.g. non-string keys: let the slow path name the problem
    # Anything the encoder coerced (non-string keys, tuples, dates) makes the round trip unequal.
    if text is None or not (text.isascii() or unicodedata.is_normalized("NFC", text)) or _read_back(text) != obj:
        text = json.dumps(_norm(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8")


def from_canonical(data: bytes) -> Any:
    return json.loads(data.decode("utf-8"))
