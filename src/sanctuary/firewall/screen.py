"""Structured screening: each field of each outbound record kept or removed, with the citation.

``Firewall(agency, as_of, recipient, purpose).screen(records)`` classifies every field through
``fields.yaml`` and asks the engine whether disclosing it to that recipient for that purpose is
permitted.  Kept only on ``permitted`` or ``required``; ``review`` and ``prohibited`` are withheld;
fields the vocabulary does not know are withheld (default deny).  Input of any shape is accepted:
nested objects and lists are walked, scalars of any type are treated as values, and nothing raises.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from ..engine.decide import DecisionEngine

PURPOSES = {"immigration-enforcement": "civil-immigration", "criminal-immigration": "federal-criminal-immigration",
            "criminal-investigation": "federal-criminal-other", "unknown": "unknown"}
_NORM = re.compile(r"[\s.\-]+")
_INDEX = re.compile(r"\[[^\]]*\]")


def _field_key(path: str) -> str:
    """A field's path without list positions: ``people[].dob`` and ``people[3].dob`` are ``people.dob``."""
    return _INDEX.sub("", path)


@cache
def vocabulary() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(resources.files("sanctuary.firewall").joinpath("fields.yaml").read_text())
    out: dict[str, dict[str, Any]] = {}
    for entry in data["fields"]:
        for n in entry["names"]:
            out[n] = entry
    return out


def classify(path: str) -> dict[str, Any] | None:
    last = _NORM.sub("_", str(path).rsplit(".", 1)[-1].split("[", 1)[0].strip().lower())
    return vocabulary().get(last)


@dataclass
class FieldRuling:
    field: str
    action: str          # kept | removed | generalised (withheld; a coarser form the law lets go leaves instead)
    label: str
    outcome: str | None  # the engine's outcome for the ask the disclosure amounts to
    reason: str
    citations: list[str] = field(default_factory=list)


@dataclass
class ScreenResult:
    records: list[Any]
    rulings: dict[str, FieldRuling]

    @property
    def withheld(self) -> list[str]:
        return sorted(k for k, r in self.rulings.items() if r.action != "kept")


def _when(v: Any) -> dt.date | dt.datetime | None:
    if isinstance(v, (dt.date, dt.datetime)):
        return v
    if not isinstance(v, str):
        return None
    t = v.strip()
    for f in (dt.datetime.fromisoformat, lambda x: dt.datetime.strptime(x, "%m/%d/%Y"), lambda x: dt.datetime.strptime(x, "%m/%d/%Y %H:%M")):
        try:
            return f(t)
        except ValueError:
            continue
    return None


def _age_in_years(v: Any, as_of: dt.date) -> int | None:
    d = _when(v)
    if d is None:
        return None
    d = d.date() if isinstance(d, dt.datetime) else d
    years = as_of.year - d.year - ((as_of.month, as_of.day) < (d.month, d.day))
    return years if 0 <= years < 130 else None


def _day(v: Any, as_of: dt.date) -> str | None:
    d = _when(v)
    return None if d is None else (d.date() if isinstance(d, dt.datetime) else d).isoformat()


GENERALISE = {"age-in-years": _age_in_years, "day": _day}


class Firewall:
    def __init__(self, agency: str, as_of: dt.date, recipient: str, purpose: str,
                 public_fields: tuple[str, ...] = (), engine: DecisionEngine | None = None) -> None:
        self.agency, self.as_of, self.recipient = agency, as_of, recipient
        self.purpose = purpose if purpose in PURPOSES else "unknown"
        self.public_fields = {f.lower() for f in public_fields}
        self.engine = engine or DecisionEngine()
        self._rulings: dict[str, FieldRuling] = {}
        self._children: dict[str, dict[Any, tuple[str, str]]] = {}  # path -> key -> (its path, its name)
        self._leaf: dict[str, Any] = {}  # path -> what of a value there leaves
        self._coarser: dict[str, tuple[str, Any]] = {}

    def rule(self, path: str) -> FieldRuling:
        """The ruling for a field (by name or path), cached per field."""
        return self._rule(path)

    def _rule(self, path: str) -> FieldRuling:
        key = _field_key(path)
        got = self._rulings.get(key)
        if got is not None:
            return got
        entry = classify(path)
        if entry is None:
            got = FieldRuling(key, "removed", "unclassified field", None,
                              "Not in the firewall's field vocabulary: withheld by default (it may be personal information).",
                              ["Gov. Code § 7284.6(a)(1)(D)"])
        else:
            detail = dict(entry.get("detail") or {})
            public = key.rsplit(".", 1)[-1].lower() in self.public_fields
            if entry["ask"] == "personal-info":
                detail["public"] = public
            req = {"agency": self.agency, "as_of": self.as_of.isoformat(), "from_authority": self.recipient,
                   "documents": [{"kind": "none", "offense_basis": PURPOSES[self.purpose]}],
                   "asks": [{"kind": entry["ask"], "detail": detail}],
                   "subject": {"release_info_public": public}}
            d = self.engine.decide(req).asks[0]
            keep = d.outcome in ("permitted", "required")
            got = FieldRuling(key, "kept" if keep else "removed", entry["label"], d.outcome,
                              d.reason if keep else f"{d.reason} ({d.outcome}: withheld)", list(d.citations))
            gen = entry.get("generalise")
            if not keep and gen:
                to = gen["to"]
                sibling = f"{key.rsplit('.', 1)[0]}.{to}" if "." in key else to
                seen = sibling in self._rulings
                coarse = self._rule(sibling)
                if not seen:  # ruled to decide this one; it is in the result only if a record carries it
                    del self._rulings[sibling]
                if coarse.action == "kept":
                    self._coarser[key] = (to, GENERALISE[gen["how"]])
                    got = FieldRuling(key, "generalised", entry["label"], d.outcome,
                                      f"{d.reason} ({d.outcome}: withheld). It leaves only as {to}: {coarse.reason}",
                                      list(dict.fromkeys([*d.citations, *coarse.citations])))
        self._rulings[key] = got
        return got

    def _walk(self, value: Any, path: str) -> Any:
        if isinstance(value, dict):
            out = {}
            children = self._children.get(path)
            if children is None:
                children = self._children[path] = {}
            leaf = self._leaf
            for k, v in value.items():
                got = children.get(k)
                if got is None:  # each field's path and name, worked out once per field, not per record
                    got = children[k] = (f"{path}.{k}" if path else str(k), str(k))
                t = type(v)
                if t is dict or t is list or isinstance(v, (dict, list)):  # a container is not ruled: its fields are
                    child = self._walk(v, got[0])
                    if child:
                        out[got[1]] = child
                    continue
                what = leaf.get(got[0])
                if what is None:  # what of a value here may leave: all of it, nothing, or (name, operator) a coarser form
                    action = self._rule(got[0]).action
                    what = leaf[got[0]] = True if action == "kept" else self._coarser.get(_field_key(got[0]), False)
                if what is True:
                    out[got[1]] = v
                elif what:  # None when the value cannot be read
                    coarse = what[1](v, self.as_of)
                    if coarse is not None:
                        out[what[0]] = coarse
            return out
        if isinstance(value, list):
            return [w for w in (self._walk(v, f"{path}[]") for v in value) if w not in ({}, [])]
        # a bare scalar outside any field: nothing says what it is
        return value if path and self._rule(path).action == "kept" else {}

    def screen(self, records: Any) -> ScreenResult:
        rows = records if isinstance(records, list) else [records]
        kept = [r for r in (self._walk(r, "") for r in rows) if r not in ({}, [])]
        return ScreenResult(kept, dict(self._rulings))
