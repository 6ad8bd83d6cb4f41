"""What the law's lists say about one offense: the profile the engine reads convictions through.

A profile is a property of the *offense* (section, attempt/conspiracy, qualifiers, enhancements);
what depends on the *conviction* (level, date, record findings) is decided by the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from ..tri import Tri
from .catalog import Catalog, load_catalog
from .models import ParsedCharge, Section
from .overlays import ListItem, Overlays, load_overlays

# Record findings the conduct-based items need, and the enhancement statutes that prove them.
FINDINGS = {
    "personal-infliction-gbi": "personal infliction of great bodily injury",
    "personal-use-firearm": "personal use of a firearm",
    "personal-use-deadly-weapon": "personal use of a dangerous or deadly weapon",
    "first-degree-burglary": "burglary of an inhabited dwelling (first degree, PC 460(a))",
    "non-accomplice-present": "a non-accomplice present in the residence",
    "gang-enhancement": "a felony violation of PC 186.22 (gang)",
    "victim-minor": "the substance was furnished to a minor",
}
_ENHANCEMENT_FINDINGS = {
    "PC 12022.7": "personal-infliction-gbi", "PC 12022.8": "personal-infliction-gbi",
    "PC 12022.9": "personal-infliction-gbi", "PC 12022.5": "personal-use-firearm",
    "PC 12022.53": "personal-use-firearm", "PC 12022.55": "personal-use-firearm",
    "PC 12022.3": "personal-use-firearm", "PC 12022": "personal-use-deadly-weapon",
    "PC 186.22": "gang-enhancement",
}
_QUALIFIER_FINDINGS = {"RES": "first-degree-burglary"}
_NO = Tri(False)
_ASSAULT_ITEMS = {"10", "11", "12", "13", "29", "30", "31", "32"}


@dataclass(frozen=True, slots=True)
class ConductRoute:
    """A list item that attaches only with a record finding (e.g. PC 1192.7(c)(8))."""

    citation: str
    label: str
    findings: tuple[str, ...]  # any one of these
    any_felony: bool


@dataclass(frozen=True)
class OffenseProfile:
    section: Section
    attempt: bool
    conspiracy: bool
    serious: Tri
    serious_cites: tuple[str, ...]
    violent: Tri
    violent_cites: tuple[str, ...]
    conduct_routes: tuple[ConductRoute, ...]
    categories: dict[str, Tri]
    prop47: Tri
    prop36: bool
    registrable: Tri
    wobbler: bool | None
    level_class: str | None
    level_class_cite: str | None
    custody: str
    levels: frozenset[str]
    implied_findings: frozenset[str] = field(default_factory=frozenset)
    literal: str = ""

    @cached_property
    def categories_met(self) -> tuple[str, ...]:
        return tuple(k for k, v in self.categories.items() if v.true)

    @cached_property
    def categories_open(self) -> tuple[Tri, ...]:
        return tuple(v for v in self.categories.values() if v.unknown_)

    @cached_property
    def categories_met_misdemeanor(self) -> tuple[str, ...]:
        """Met categories that also count a misdemeanor (not G or M, which need a felony)."""
        ov = load_overlays()
        return tuple(k for k in self.categories_met if not ov.categories[k].felony_only)

    @cached_property
    def serious_or_violent(self) -> Tri:
        return self.serious.or_(self.violent)

    def to_dict(self) -> dict[str, object]:
        def t(x: Tri) -> object:
            return {"value": x.value, "because": list(x.because), "missing": list(x.missing)}
        return {
            "section": self.section.label, "attempt": self.attempt, "conspiracy": self.conspiracy,
            "literal": self.literal, "levels": sorted(self.levels),
            "wobbler": self.wobbler, "class": self.level_class, "custody": self.custody,
            "serious_felony": {**t(self.serious), "citations": list(self.serious_cites)}, 
            "violent_felony": {**t(self.violent), "citations": list(self.violent_cites)},
            "conduct_based": [{"citation": r.citation, "needs_any_of": list(r.findings)} for r in self.conduct_routes],
            "trust_act_categories": {k: t(v) for k, v in self.categories.items() if v.value is not False},
            "prop47": t(self.prop47), "prop36": self.prop36, "registrable": t(self.registrable),
        }


def _list_membership(ov: Overlays, items: tuple[ListItem, ...], sec: Section, attempt: bool,
                     conspiracy: bool, custody: str) -> tuple[Tri, tuple[str, ...], list[ConductRoute]]:
    hits: list[str] = []
    unknown: list[Tri] = []
    routes: list[ConductRoute] = []
    listed_any = Tri.no()
    keys = ov.equivalent_keys(sec)
    for it in items:
        if it.sections and not (it.conduct and not it.any_felony and not it.conduct_sections):
            m = ov.member(it.sections, sec) if it.keys & keys else _NO
            if not it.attempt_only and not it.any_felony:
                listed_any = listed_any.or_(m) if it.n not in _ASSAULT_ITEMS or not attempt else listed_any
        else:
            m = Tri.no()
        if it.attempt_only:
            if attempt and m.true:
                hits.append(it.citation)
            continue
        if it.sentence_life:
            continue  # decided from the DOJ sentence string in profile() (LIFE/DEATH)
        if it.any_felony:
            routes.append(ConductRoute(it.citation, it.label, it.conduct, True))
            continue
        if it.conduct_sections:
            for csec, finding in it.conduct_sections:
                if ov.member((csec,), sec).true:
                    routes.append(ConductRoute(it.citation, it.label, (finding,), False))
        if attempt or conspiracy:
            continue  # the attempt/conspiracy items below decide
        if it.conduct and it.sections:
            if m.true:
                routes.append(ConductRoute(it.citation, it.label, it.conduct, False))
            continue
        if m.true:
            hits.append(it.citation)
        elif m.unknown_:
            unknown.append(m)
    for it in items:
        if it.attempt_of_listed and attempt and listed_any.true:
            hits.append(it.citation)
        if it.conspiracy_of_listed and conspiracy and listed_any.true:
            hits.append(it.citation)
    if hits:
        return Tri.yes(*hits), tuple(hits), routes
    if unknown:
        return Tri.any(unknown), (), routes
    return Tri.no(), (), routes


@lru_cache(maxsize=65536)
def profile(sec: Section, attempt: bool = False, conspiracy: bool = False,
            qualifiers: tuple[str, ...] = (), enhancements: tuple[Section, ...] = ()) -> OffenseProfile:
    cat: Catalog = load_catalog()
    ov = load_overlays()
    entries = cat.entries(sec)
    custody = cat.custody(sec)
    life = any("LIFE" in e.sentence or "DEATH" in e.sentence for e in entries if e.level == "F")
    serious, s_cites, s_routes = _list_membership(ov, ov.serious, sec, attempt, conspiracy, custody)
    violent, v_cites, v_routes = _list_membership(ov, ov.violent, sec, attempt, conspiracy, custody)
    if life and not attempt and not conspiracy:
        serious = Tri.yes(*s_cites, "Pen. Code § 1192.7(c)(7)")
        s_cites = (*s_cites, "Pen. Code § 1192.7(c)(7)")
        violent = Tri.yes(*v_cites, "Pen. Code § 667.5(c)(7)")
        v_cites = (*v_cites, "Pen. Code § 667.5(c)(7)")
    if life and attempt and not serious.true:
        serious = Tri.yes("Pen. Code § 1192.7(c)(22)")
        s_cites = (*s_cites, "Pen. Code § 1192.7(c)(22)")
    nibrs = cat.nibrs(sec)
    keys = ov.equivalent_keys(sec)
    cats: dict[str, Tri] = {}
    listed_any = False
    for letter, c in ov.categories.items():
        m = ov.member(c.sections, sec) if c.keys & keys else _NO
        if c.section_range and sec.code == c.section_range[0]:
            try:
                num = float(sec.base.rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
                if c.section_range[1] <= num <= c.section_range[2]:
                    m = Tri.yes(f"{sec.label} is in PC Part 6 (Deadly Weapons Recodification Act of 2010)")
            except ValueError:
                pass
        if m.value is False and (nibrs & c.nibrs_member):
            m = Tri.yes(f"{sec.label} is a {'/'.join(sorted(nibrs & c.nibrs_member))} offense (NIBRS), "
                        f"the class of conduct 7282.5(a)(3)({letter}) names")
        if m.true:
            listed_any = True
        elif m.value is False and (nibrs & c.nibrs_hint):
            m = Tri.unknown(
                f"does {sec.label} fall within Gov. Code § 7282.5(a)(3)({letter}) \"{c.label}\"? "
                "(the list is 'not limited to' its named sections)")
        if c.registrable and ov.member(ov.registrable_all, sec).value is not False:
            m = m.or_(Tri.unknown(f"does {sec.label} require sex-offender registration (7282.5(a)(3)(S))?"))
        cats[letter] = m
    if listed_any:  # a category is met outright; "plausibly fits" questions elsewhere change nothing
        cats = {k: (v if v.value is not None else Tri.no()) for k, v in cats.items()}
    if attempt or conspiracy:
        p = Tri.yes(f"{'attempt' if attempt else 'conspiracy'} to commit a listed offense") if listed_any else Tri.no()
        # the underlying section's own categories describe the completed offense, not the attempt
        cats = {k: (Tri.no() if k != "P" else p) for k in cats}
    prop47 = ov.member(ov.prop47_sections, sec)
    prop36 = ov.member(ov.prop36, sec).true
    registrable = ov.member(ov.registrable_all, sec)
    lc = ov.level_class.get(sec.key)
    implied = {_ENHANCEMENT_FINDINGS[e.key] for e in enhancements if e.key in _ENHANCEMENT_FINDINGS}
    implied |= {_QUALIFIER_FINDINGS[q] for q in qualifiers if q in _QUALIFIER_FINDINGS}
    if sec.key in _ENHANCEMENT_FINDINGS:
        implied.add(_ENHANCEMENT_FINDINGS[sec.key])
    return OffenseProfile(
        section=sec, attempt=attempt, conspiracy=conspiracy,
        serious=serious, serious_cites=s_cites, violent=violent, violent_cites=v_cites,
        conduct_routes=tuple(s_routes + v_routes), categories=cats, prop47=prop47, prop36=prop36,
        registrable=registrable, wobbler=(False if lc else cat.wobbler(sec)),
        level_class=lc[0] if lc else None, level_class_cite=lc[1] if lc else None,
        custody="state-prison" if life else custody, levels=cat.levels(sec),
        implied_findings=frozenset(implied), literal=entries[0].literal if entries else "",
    )


def profile_of(parsed: ParsedCharge) -> OffenseProfile | None:
    if parsed.section is None or not parsed.resolved:
        return None
    return profile(parsed.section, parsed.attempt, parsed.conspiracy, parsed.qualifiers, parsed.enhancements)
