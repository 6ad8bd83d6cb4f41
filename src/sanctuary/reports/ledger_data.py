"""The ledger's public records as tables (Polars), for reports.  Only leaf data is read -- never the
purgeable personal part -- so every figure can be recomputed by anyone holding the published log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import orjson
import polars as pl

from ..ledger.service import Ledger

ASKS_SCHEMA = {"idx": pl.Int64, "decision_id": pl.String, "agency": pl.String, "as_of": pl.Date, "from_authority": pl.String,
               "recorded_at": pl.String, "ask_index": pl.Int32, "kind": pl.String, "outcome": pl.String,
               "deciding_rule": pl.String, "qualifying": pl.String, "regime": pl.String}
REVIEWS_SCHEMA = {"idx": pl.Int64, "decision_id": pl.String, "decision_idx": pl.Int64, "recorded_at": pl.String, "on": pl.Date,
                  "ask_index": pl.Int32, "was": pl.String, "outcome": pl.String}
SCREENINGS_SCHEMA = {"idx": pl.Int64, "agency": pl.String, "as_of": pl.Date, "recipient": pl.String, "mode": pl.String,
                     "left": pl.String, "kept": pl.Int64, "withheld": pl.Int64}
ACTIONS_SCHEMA = {"idx": pl.Int64, "decision_id": pl.String, "decision_idx": pl.Int64, "agency": pl.String, "ask_index": pl.Int32,
                  "kind": pl.String, "action": pl.String, "on": pl.Date, "against_decision": pl.Boolean}


@dataclass
class LedgerTables:
    asks: pl.DataFrame        # one row per decided ask (final outcome after counsel's review in ``final``)
    reviews: pl.DataFrame
    actions: pl.DataFrame
    screenings: pl.DataFrame
    first: int | None
    last: int | None
    size: int
    checkpoint: str

    @property
    def final(self) -> pl.DataFrame:
        """Asks with counsel's determination applied: ``final`` outcome and ``review_idx``."""
        det = self.reviews.select("decision_id", "ask_index", pl.col("outcome").alias("determined"),
                                  pl.col("idx").alias("review_idx"), pl.col("on").alias("reviewed_on"))
        det = det.unique(subset=["decision_id", "ask_index"], keep="last")
        return self.asks.join(det, on=["decision_id", "ask_index"], how="left").with_columns(
            final=pl.coalesce("determined", "outcome"))


def load(ledger: Ledger, year: int | None = None, kinds: tuple[str, ...] = ("decision", "review", "action")) -> LedgerTables:
    """Read the public records of ``kinds`` (decisions of ``year`` by their as-of date; every review and
    action, which link to their decision by ledger index)."""
    size = ledger.size()
    checkpoint = ledger.checkpoint() if size else ""
    asks: dict[str, list[Any]] = {k: [] for k in ASKS_SCHEMA}
    reviews: dict[str, list[Any]] = {k: [] for k in REVIEWS_SCHEMA}
    actions: dict[str, list[Any]] = {k: [] for k in ACTIONS_SCHEMA}
    screenings: dict[str, list[Any]] = {k: [] for k in SCREENINGS_SCHEMA}
    year_tag = f'"as_of":"{year}-'.encode() if year else None
    first = last = None
    for idx, data in ledger.store.iter_kind(list(kinds)):
        if idx >= size:
            break
        first = idx if first is None else first
        last = idx
        if b'"kind":"decision"' in data:  # only a decision's own kind is "decision" (asks are hold, transfer ...)
            if year_tag is not None and year_tag not in data:
                continue
            rec = orjson.loads(data)
            if rec["kind"] != "decision":
                _other(rec, idx, reviews, actions, screenings)
                continue
            pub = rec["public"]
            as_of = dt.date.fromisoformat(pub["as_of"])
            for i, a in enumerate(pub["asks"]):
                for k, v in (("idx", idx), ("decision_id", pub["decision_id"]), ("agency", pub["agency"]), ("as_of", as_of),
                             ("from_authority", pub.get("from_authority", "unknown")), ("recorded_at", rec["recorded_at"]),
                             ("ask_index", i), ("kind", a["kind"]), ("outcome", a["outcome"]),
                             ("deciding_rule", a["deciding_rule"]), ("qualifying", a.get("qualifying")), ("regime", pub["regime"])):
                    asks[k].append(v)
        else:
            _other(orjson.loads(data), idx, reviews, actions, screenings)
    return LedgerTables(pl.DataFrame(asks, schema=ASKS_SCHEMA), pl.DataFrame(reviews, schema=REVIEWS_SCHEMA),
                        pl.DataFrame(actions, schema=ACTIONS_SCHEMA), pl.DataFrame(screenings, schema=SCREENINGS_SCHEMA),
                        first, last, size, checkpoint)


def _other(rec: dict[str, Any], idx: int, reviews: dict[str, list[Any]], actions: dict[str, list[Any]],
           screenings: dict[str, list[Any]]) -> None:
    pub = rec["public"]
    if rec["kind"] == "review":
        for d in pub["determinations"]:
            for k, v in (("idx", idx), ("decision_id", pub["decision_id"]), ("decision_idx", pub.get("decision_ledger_index")),
                         ("recorded_at", rec["recorded_at"]), ("on", dt.date.fromisoformat(pub.get("on") or rec["recorded_at"][:10])),
                         ("ask_index", d["ask"]), ("was", d["was"]), ("outcome", d["outcome"])):
                reviews[k].append(v)
    elif rec["kind"] == "screening":
        if pub.get("mode") == "text":
            kept = sum(c["kept"] for c in pub.get("found", {}).values())
            withheld = sum(c["redacted"] for c in pub.get("found", {}).values())
        else:
            kept = sum(1 for f in pub.get("fields", {}).values() if f["action"] != "removed")  # a coarser form left too
            withheld = sum(1 for f in pub.get("fields", {}).values() if f["action"] != "kept")
        for k, v in (("idx", idx), ("agency", pub["agency"]), ("as_of", dt.date.fromisoformat(pub["as_of"])),
                     ("recipient", pub["recipient"]), ("mode", pub.get("mode", "records")),
                     ("left", "something left" if kept else "nothing personal left"), ("kept", kept), ("withheld", withheld)):
            screenings[k].append(v)
    elif rec["kind"] == "action":
        for k, v in (("idx", idx), ("decision_id", pub["decision_id"]), ("decision_idx", pub["decision_ledger_index"]),
                     ("agency", pub["agency"]), ("ask_index", pub["ask"]), ("kind", pub["kind"]), ("action", pub["action"]),
                     ("on", dt.date.fromisoformat(pub["on"])), ("against_decision", pub["against_decision"])):
            actions[k].append(v)
