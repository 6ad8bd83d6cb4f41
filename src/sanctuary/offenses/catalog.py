"""The California offense catalog, generated from the DOJ tables (see ``generate.py``).

Loaded once per process from ``data/catalog.json.gz``; lookups are subdivision-aware and dated.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from .models import Section


@dataclass(frozen=True, slots=True)
class Entry:
    cjis: str
    code: str
    base: str
    subs: tuple[str, ...]
    level: str  # F, M, I, X
    literal: str
    description: str
    alt: bool
    qualifier: str
    enact: date | None
    repeal: date | None
    sentence: str
    custody: str
    nibrs: tuple[str, ...]

    def in_force(self, on: date | None) -> bool:
        if on is None:
            return self.repeal is None
        if self.enact and on < self.enact:
            return False
        return not (self.repeal and on > self.repeal)

    @property
    def section(self) -> Section:
        return Section(self.code, self.base, self.subs)


def _norm_literal(s: str) -> str:
    return "".join(c for c in s.upper() if c.isalnum())


def _d(v: str | None) -> date | None:
    return date.fromisoformat(v) if v else None


class Catalog:
    """Every DOJ code section with its entries (literal, level, dates, sentence, NIBRS)."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.source: dict[str, str] = doc["source"]
        self.sections: dict[str, tuple[Entry, ...]] = {}
        self.by_code: dict[str, list[str]] = {}
        for key, rows in doc["sections"].items():
            code, base = key.split(" ", 1)
            entries = tuple(
                Entry(
                    cjis=r["cjis"], code=code, base=base, subs=tuple(r["subs"]), level=r["level"],
                    literal=r["literal"], description=r["description"], alt=r["alt"],
                    qualifier=r["qualifier"], enact=_d(r["enact"]), repeal=_d(r["repeal"]),
                    sentence=r["sentence"], custody=r["custody"], nibrs=tuple(r["nibrs"]),
                )
                for r in rows
            )
            self.sections[key] = entries
            self.by_code.setdefault(code, []).append(base)

    def __len__(self) -> int:
        return len(self.sections)

    def has(self, code: str, base: str) -> bool:
        return f"{code} {base}" in self.sections

    def all_entries(self) -> list[Entry]:
        return [e for es in self.sections.values() for e in es]

    @lru_cache(maxsize=65536)  # noqa: B019 - the catalog is a process-wide singleton
    def entries(self, sec: Section, on: date | None = None) -> tuple[Entry, ...]:
        """Entries for ``sec``: exact subdivision and its descendants; else its nearest ancestor."""
        rows = self.sections.get(sec.key, ())
        if not rows:
            return ()
        n = len(sec.subs)
        exact = tuple(e for e in rows if e.subs[:n] == sec.subs)
        if not exact:
            for k in range(n - 1, -1, -1):
                exact = tuple(e for e in rows if e.subs == sec.subs[:k])
                if exact:
                    break
        dated = tuple(e for e in exact if e.in_force(on))
        return dated or exact

    def subdivision_known(self, sec: Section) -> bool:
        n = len(sec.subs)
        return any(e.subs[:n] == sec.subs for e in self.sections.get(sec.key, ()))

    def levels(self, sec: Section, on: date | None = None) -> frozenset[str]:
        return frozenset(e.level for e in self.entries(sec, on))

    def wobbler(self, sec: Section, on: date | None = None) -> bool | None:
        """True if the offense is punishable as felony or misdemeanor (a DOJ F row and M row for the
        same subdivision); None if the subdivisions under ``sec`` disagree (the charge must say which)."""
        groups: dict[tuple[str, ...], dict[str, set[str]]] = {}
        for e in self.entries(sec, on):
            if e.level in ("F", "M"):
                lits = groups.setdefault(e.subs, {"F": set(), "M": set()})
                lits[e.level].add(_norm_literal(e.literal))
        if not groups:
            return None
        verdicts: set[bool | None] = set()
        for lits in groups.values():
            if not lits["F"] or not lits["M"]:
                verdicts.add(False)
            elif lits["F"] & lits["M"]:
                verdicts.add(True)
            else:  # felony and misdemeanor rows, but under different literals: cannot tell
                verdicts.add(None)
        return verdicts.pop() if len(verdicts) == 1 else None

    def custody(self, sec: Section, on: date | None = None) -> str:
        kinds = {e.custody for e in self.entries(sec, on) if e.level == "F"}
        if not kinds:
            return "unknown"
        if kinds == {"state-prison"}:
            return "state-prison"
        return "undetermined" if "undetermined" in kinds or "state-prison" in kinds else "unknown"

    def nibrs(self, sec: Section) -> frozenset[str]:
        return frozenset(n for e in self.entries(sec) for n in e.nibrs)


@cache
def load_catalog() -> Catalog:
    raw = resources.files("sanctuary.offenses").joinpath("data/catalog.json.gz").read_bytes()
    return Catalog(json.loads(gzip.decompress(raw)))
