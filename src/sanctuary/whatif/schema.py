"""The flat what-if schema: one row per request, one row per conviction or pending charge.

A table of past requests is two files (CSV or Parquet) joined on ``request_id``:

``requests``
    ``request_id`` (integer), ``agency``, ``as_of`` (date), ``from_authority``, ``documents``
    (``;``-separated ``kind[:signed_by[:offense_basis]]``, e.g. ``i-247a:immigration-officer:civil-immigration``),
    ``asks`` (``;``-separated ask kinds, e.g. ``hold;notify-release;transfer``), ``ask_detail`` (optional
    JSON object ``{ask kind: detail}``), and the three-valued subject and context facts of the v1
    contract as nullable booleans (:data:`TRI_COLUMNS`; empty = unknown), ``preferred_language``.

``records``
    ``request_id``, ``seq`` (order within the request), ``record`` (``conviction`` or ``pending``),
    ``statute`` (as typed), ``level``, ``date``, ``jurisdiction``, ``reduced``, ``juvenile``, ``findings``
    (``;``-separated, empty = none, null = not checked), ``magistrate_probable_cause`` (pending only).

:func:`to_request` turns one row and its records into the v1 :class:`~sanctuary.engine.models.Request`
the scalar engine decides, so the batch engine and the scalar engine read the same facts.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

from ..engine.models import Request
from ..errors import InputError

SUBJECT_TRI = ("in_custody", "release_info_public", "csar_registrant", "federal_aggravated_felony",
               "outstanding_federal_felony_warrant", "prior_removal_after_aggravated_felony", "victim_or_witness",
               "hate_crime_victim_or_witness", "status_proof_shown")
CONTEXT_TRI = ("detected_during_unrelated_activity", "exigent_circumstances")
TRI_COLUMNS = SUBJECT_TRI + CONTEXT_TRI

REQUEST_SCHEMA: dict[str, Any] = {
    "request_id": pl.Int64, "agency": pl.String, "as_of": pl.Date, "from_authority": pl.String,
    "documents": pl.String, "asks": pl.String, "ask_detail": pl.String,
    **{c: pl.Boolean for c in TRI_COLUMNS}, "preferred_language": pl.String,
}
RECORD_SCHEMA: dict[str, Any] = {
    "request_id": pl.Int64, "seq": pl.Int32, "record": pl.String, "statute": pl.String, "level": pl.String,
    "date": pl.Date, "jurisdiction": pl.String, "reduced": pl.String, "juvenile": pl.Boolean,
    "findings": pl.String, "magistrate_probable_cause": pl.Boolean,
}
REQUIRED_REQUEST = ("request_id", "agency", "as_of", "asks")
REQUIRED_RECORD = ("request_id", "statute")
DEFAULTS: dict[str, Any] = {"from_authority": "unknown", "documents": "", "ask_detail": None, "preferred_language": None,
                            "seq": 0, "record": "conviction", "level": "unknown", "date": None,
                            "jurisdiction": "california", "reduced": None, "juvenile": False, "findings": None,
                            "magistrate_probable_cause": None}


def conform(df: pl.DataFrame | pl.LazyFrame, schema: Mapping[str, Any], required: Iterable[str],
            table: str) -> pl.LazyFrame:
    """Check a table against the flat schema (naming the column) and cast it; optional columns default."""
    lf = df.lazy()
    given = lf.collect_schema()
    have = given.names()
    unknown = [c for c in have if c not in schema]
    if unknown:
        raise InputError(f"{table}: unknown column {unknown[0]!r} (see sanctuary.whatif.schema)", field=f"{table}.{unknown[0]}")
    for c in required:
        if c not in have:
            raise InputError(f"{table}: missing column {c!r}", field=f"{table}.{c}")
    cols = []
    for c, t in schema.items():
        if c in have:
            cols.append(_cast(c, given[c], t).alias(c))
        elif c in DEFAULTS:  # text dictionary-encoded, as a given text column is
            cols.append(pl.lit(DEFAULTS[c], dtype=t).cast(pl.Categorical if t == pl.String else t).alias(c))
        else:  # a tri column not given is unknown
            cols.append(pl.lit(None, dtype=t).alias(c))
    return lf.select(cols)


def _cast(c: str, have: Any, want: Any) -> pl.Expr:
    """Strict casts: a value that does not fit is an error naming its column, never a silent unknown."""
    col = pl.col(c)
    if have == want and want != pl.String:
        return col
    if want == pl.Date and have == pl.String:
        return col.str.to_date("%Y-%m-%d", strict=True)
    if want == pl.Boolean and have == pl.String:
        low = col.str.to_lowercase().str.strip_chars()
        return (pl.when(low.is_in(["true", "1", "yes"])).then(True).when(low.is_in(["false", "0", "no"])).then(False)
                .when(low.is_in(["", "unknown"]) | low.is_null()).then(None)
                .otherwise(low.str.to_integer(strict=True).cast(pl.Boolean)))  # anything else fails, naming the column
    if want == pl.String:  # text columns are dictionary-encoded: keys hash their codes, not their bytes
        return col.cast(pl.Categorical) if have in (pl.String, pl.Categorical) or isinstance(have, pl.Enum) \
            else col.cast(pl.String).cast(pl.Categorical)
    return col.cast(want, strict=True)


def collect_named(lf: pl.LazyFrame, table: str) -> pl.DataFrame:
    """Collect, turning a failed cast into an :class:`InputError` that names the column."""
    try:
        return lf.collect()
    except (pl.exceptions.InvalidOperationError, pl.exceptions.ComputeError) as e:
        for c in lf.collect_schema().names():
            try:
                lf.select(c).collect()
            except (pl.exceptions.InvalidOperationError, pl.exceptions.ComputeError):
                raise InputError(f"{table}.{c}: a value does not fit the column's type", field=f"{table}.{c}") from e
        raise InputError(f"{table}: {e}", field=table) from e


def _doc(token: str) -> dict[str, str]:
    parts = token.split(":")
    d = {"kind": parts[0]}
    if len(parts) > 1 and parts[1]:
        d["signed_by"] = parts[1]
    if len(parts) > 2 and parts[2]:
        d["offense_basis"] = parts[2]
    return d


def to_request(row: Mapping[str, Any], records: Iterable[Mapping[str, Any]], regime: str) -> Request:
    """The v1 request a flat row stands for (validated like any other request)."""
    detail = json.loads(row["ask_detail"]) if row.get("ask_detail") else {}
    if not isinstance(detail, dict):
        raise InputError("ask_detail must be a JSON object {ask kind: detail}", field="ask_detail")
    convictions, pending = [], []
    for r in sorted(records, key=lambda r: r.get("seq") or 0):
        if r.get("record", "conviction") == "pending":
            pending.append({"statute": r["statute"], "level": r.get("level") or "unknown",
                            "magistrate_probable_cause": r.get("magistrate_probable_cause")})
            continue
        c: dict[str, Any] = {"statute": r["statute"], "level": r.get("level") or "unknown",
                             "jurisdiction": r.get("jurisdiction") or "california", "juvenile": bool(r.get("juvenile"))}
        if r.get("date") is not None:
            c["date"] = r["date"]
        if r.get("reduced"):
            c["reduced"] = r["reduced"]
        if r.get("findings") is not None:
            c["findings"] = [x for x in r["findings"].split(";") if x]
        convictions.append(c)
    as_of = row["as_of"]
    data = {
        "agency": row["agency"], "as_of": as_of.isoformat() if isinstance(as_of, dt.date) else as_of,
        "from_authority": row.get("from_authority") or "unknown",
        "documents": [_doc(t) for t in (row.get("documents") or "").split(";") if t],
        "asks": [{"kind": k, **({"detail": detail[k]} if k in detail else {})} for k in row["asks"].split(";") if k],
        "subject": {**{c: row.get(c) for c in SUBJECT_TRI}, "convictions": convictions, "pending_charges": pending,
                    "preferred_language": row.get("preferred_language")},
        "context": {c: row.get(c) for c in CONTEXT_TRI},
        "regime": regime, "reference": str(row["request_id"]),
    }
    return Request.parse(data)


def read_table(path: str) -> pl.LazyFrame:
    """A CSV or Parquet file, lazily (Parquet is scanned by row group; CSV is parsed as a stream)."""
    p = str(path)
    if p.endswith(".parquet") or p.endswith(".pq"):
        return pl.scan_parquet(p)
    if p.endswith(".csv") or p.endswith(".csv.gz"):
        return pl.scan_csv(p, try_parse_dates=True, infer_schema_length=10000)
    raise InputError(f"{p}: expected a .csv or .parquet file", field="data")
