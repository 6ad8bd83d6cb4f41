"""Legal lists over the catalog, each with its citation: serious and violent felonies, the 7282.5(a)(3)
categories, Prop 47, registrable offenses, renumberings and stated punishment classes.

Membership is subdivision-aware: a list naming ``PC 245`` covers ``PC 245(a)(4)``; a list naming
``PC 261(a)(2)`` does not cover ``PC 261(a)(4)``, and a charge of bare ``PC 261`` against that list is
*unknown* (the subdivision decides).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import yaml

from ..tri import Tri
from .models import Section


def match(pattern: Section, sec: Section) -> bool | None:
    """True if ``sec`` falls under ``pattern``; None if only a more specific subdivision would tell.

    >>> match(Section("PC", "245"), Section("PC", "245", ("A", "4")))
    True
    >>> match(Section("PC", "261", ("A", "2")), Section("PC", "261", ("A", "4")))
    False
    >>> match(Section("PC", "261", ("A", "2")), Section("PC", "261")) is None
    True
    """
    if pattern.code != sec.code or pattern.base != sec.base:
        return False
    n = len(pattern.subs)
    if sec.subs[:n] == pattern.subs:
        return True
    if len(sec.subs) < n and pattern.subs[: len(sec.subs)] == sec.subs:
        return None
    return False


def _load(name: str) -> dict[str, Any]:
    text = resources.files("sanctuary.offenses").joinpath(f"overlays/{name}.yaml").read_text()
    return yaml.safe_load(text)


@dataclass(frozen=True, slots=True)
class ListItem:
    list: str
    n: str
    label: str
    citation: str
    sections: tuple[Section, ...]
    conduct: tuple[str, ...] = ()
    conduct_sections: tuple[tuple[Section, str], ...] = ()
    any_felony: bool = False
    sentence_life: bool = False
    attempt_only: bool = False
    attempt_of_listed: bool = False
    conspiracy_of_listed: bool = False
    attempt_of_life: bool = False
    enhancements: tuple[Section, ...] = ()
    effective: date | None = None
    keys: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Category:
    letter: str
    label: str
    citation: str
    sections: tuple[Section, ...]
    felony_only: bool = False
    nibrs_hint: frozenset[str] = frozenset()
    nibrs_member: frozenset[str] = frozenset()
    section_range: tuple[str, float, float] | None = None
    attempt_or_conspiracy_of_listed: bool = False
    conduct: tuple[str, ...] = ()
    registrable: bool = False
    keys: frozenset[str] = frozenset()


class Overlays:
    def __init__(self) -> None:
        self.serious = self._items("serious_felonies")
        self.violent = self._items("violent_felonies")
        tc = _load("trust_categories")
        self.trust_citation = tc["citation"]["label"]
        self.categories: dict[str, Category] = {}
        for letter, c in tc["categories"].items():
            secs = [Section.parse_ref(x) for x in c.get("sections", [])]
            secs += [Section.parse_ref(v) for v in c.get("successors", {}).values()]
            rng = c.get("section_range")
            self.categories[letter] = Category(
                letter=letter, label=c["label"], citation=f"Gov. Code § 7282.5(a)(3)({letter})",
                sections=tuple(secs), felony_only=bool(c.get("felony_only")),
                nibrs_hint=frozenset(c.get("nibrs_hint", [])),
                nibrs_member=frozenset(c.get("nibrs_member", [])),
                section_range=(rng[0], float(rng[1]), float(rng[2])) if rng else None,
                attempt_or_conspiracy_of_listed=bool(c.get("attempt_or_conspiracy_of_listed")),
                conduct=tuple(c.get("conduct", [])), registrable=bool(c.get("registrable")),
                keys=frozenset(x.key for x in secs),
            )
        p47 = _load("prop47")
        self.prop47 = tuple((Section.parse_ref(x["section"]), x["label"]) for x in p47["sections"])
        self.prop47_effective: date = p47["effective"]
        self.prop36 = tuple(Section.parse_ref(x) for x in p47["prop36_sections"])
        reg = _load("registrable")
        self.registrable_sex = tuple(Section.parse_ref(x) for x in reg["sex"])
        self.registrable_arson = tuple(Section.parse_ref(x) for x in reg["arson"])
        self.registrable_all = self.registrable_sex + self.registrable_arson
        self.prop47_sections = tuple(s for s, _ in self.prop47)
        ren = _load("renumberings")
        self.renumberings = [
            (Section.parse_ref(r["old"]), Section.parse_ref(r["new"]), r["effective"], r["citation"])
            for r in ren["items"]
        ]
        self._succ = {o.key: n for o, n, _, _ in self.renumberings}
        self._pred: dict[str, list[Section]] = {}
        for o, n, _, _ in self.renumberings:
            self._pred.setdefault(n.key, []).append(o)
        self._equiv: dict[Section, tuple[Section, ...]] = {}
        self._index: dict[int, tuple[tuple[Section, ...], dict[str, list[Section]]]] = {}
        self.level_class = {Section.parse_ref(x["section"]).key: (x["class"], x["citation"])
                            for x in _load("levels")["items"]}

    def _items(self, name: str) -> tuple[ListItem, ...]:
        d = _load(name)
        cite = d["citation"]["label"]
        out = []
        for it in d["items"]:
            secs = tuple(Section.parse_ref(x) for x in it.get("sections", []))
            out.append(ListItem(
                list=d["list"], n=str(it["n"]), label=it["label"], citation=f"{cite}({it['n']})",
                sections=secs, keys=frozenset(x.key for x in secs),
                conduct=tuple(it.get("conduct", [])),
                conduct_sections=tuple((Section.parse_ref(k), v) for k, v in it.get("conduct_sections", {}).items()),
                any_felony=bool(it.get("any_felony")), sentence_life=bool(it.get("sentence_life")),
                attempt_only=bool(it.get("attempt_only")), attempt_of_listed=bool(it.get("attempt_of_listed")),
                conspiracy_of_listed=bool(it.get("conspiracy_of_listed")),
                attempt_of_life=bool(it.get("attempt_of_life")),
                enhancements=tuple(Section.parse_ref(x) for x in it.get("enhancements", [])),
                effective=it.get("effective"),
            ))
        return tuple(out)

    def equivalent_keys(self, sec: Section) -> frozenset[str]:
        return frozenset(e.key for e in self.equivalents(sec))

    def equivalents(self, sec: Section) -> tuple[Section, ...]:
        """``sec`` plus its renumbered successor/predecessors (288a ↔ 287, 12021 ↔ 29800 …)."""
        got = self._equiv.get(sec)
        if got is not None:
            return got
        out = [sec]
        n = self._succ.get(sec.key)
        if n:
            out.append(Section(n.code, n.base, sec.subs))
        for o in self._pred.get(sec.key, ()):
            out.append(Section(o.code, o.base, sec.subs))
        got = self._equiv[sec] = tuple(out)
        return got

    def member(self, patterns: tuple[Section, ...], sec: Section) -> Tri:
        """Three-valued membership of ``sec`` (or a renumbered equivalent) in a list of sections."""
        unknown = False
        index = self._index.get(id(patterns))
        if index is None or index[0] is not patterns:
            by_key: dict[str, list[Section]] = {}
            for p in patterns:
                by_key.setdefault(p.key, []).append(p)
            index = self._index[id(patterns)] = (patterns, by_key)
        for eq in self.equivalents(sec):
            for p in index[1].get(eq.key, ()):
                m = match(p, eq)
                if m is True:
                    return Tri.yes(f"{sec.label} is listed as {p.label}")
                if m is None:
                    unknown = True
        if unknown:
            return Tri.unknown(f"which subdivision of {sec.label} was the conviction under?")
        return Tri.no()


@cache
def load_overlays() -> Overlays:
    return Overlays()
