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
    action: str          # kept | removed
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
        return sorted(k for k, r in self.rulings.items() if r.action == "removed")


class Firewall:
    def __init__(self, agency: str, as_of: dt.date, recipient: str, purpose: str,
                 public_fields: tuple[str, ...] = (), engine: DecisionEngine | None = None) -> None:
        self.agency, self.as_of, self.recipient = agency, as_of, recipient
        self.purpose = purpose if purpose in PURPOSES else "unknown"
        self.public_fields = {f.lower() for f in public_fields}
        self.engine = engine or DecisionEngine()
        self._rulings: dict[str, FieldRuling] = {}
        self._children: dict[str, dict[Any, tuple[str, str, bool]]] = {}  # path -> key -> (path, name, kept)

    def rule(self, path: str) -> FieldRuling:
        """The ruling for a field (by name or path), cached per field."""
        return self._rule(path)

    def _rule(self, path: str) -> FieldRuling:
        key = path.split("[", 1)[0]
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
        self._rulings[key] = got
        return got

    def _walk(self, value: Any, path: str) -> Any:
        if isinstance(value, dict):
            out = {}
            children = self._children.get(path)
            if children is None:
                children = self._children[path] = {}
            for k, v in value.items():
                got = children.get(k)
                if got is None:  # each field's path and ruling, worked out once per field, not per record
                    p = f"{path}.{k}" if path else str(k)
                    got = children[k] = (p, str(k), self._rule(p).action == "kept")
                t = type(v)
                if t is dict or t is list or isinstance(v, (dict, list)):
                    child = self._walk(v, got[0])
                    if child:
                        out[got[1]] = child
                elif got[2]:
                    out[got[1]] = v
            return out
        if isinstance(value, list):
            return [w for w in (self._walk(v, f"{path}[]") for v in value) if w not in ({}, [])]
        # a bare scalar outside any field: nothing says what it is
        return value if path and self._rule(path).action == "kept" else {}

    def screen(self, records: Any) -> ScreenResult:
        rows = records if isinstance(records, list) else [records]
        kept = [r for r in (self._walk(r, "") for r in rows) if r not in ({}, [])]
        return ScreenResult(kept, dict(self._rulings))
