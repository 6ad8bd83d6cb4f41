"""Discover law packs (entry points ``sanctuary.law_packs``; bundled packs load the same way) and
assemble regimes: the ordered set of packs, plus interpretation defaults, that a decision runs on."""

from __future__ import annotations

import hashlib
import importlib
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata, resources
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml
from pydantic import ValidationError

from ..errors import CitationError, InputError, LawPackError, UnknownAgencyError
from .models import Agency, Instrument, Interpretation, PackManifest, Provision
from .rules import ObligationRule, Rule, RuleSet


@dataclass
class Pack:
    manifest: PackManifest
    rules: RuleSet
    module: str
    digest: str

    @property
    def id(self) -> str:
        return self.manifest.id


def load_pack_module(module: ModuleType | str) -> Pack:
    mod = importlib.import_module(module) if isinstance(module, str) else module
    path = Path(mod.__file__ or "").parent / "pack.yaml"
    text = path.read_text()
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise LawPackError(str(e), file=str(path)) from e
    try:
        for ins in data.get("instruments", []):
            for p in ins.get("provisions", []):
                p.setdefault("instrument", ins["id"])
        manifest = PackManifest.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        raise LawPackError(err["msg"], file=str(path), key=".".join(str(x) for x in err["loc"])) from e
    rules_mod = importlib.import_module(f"{mod.__name__}.rules")
    rs: RuleSet = rules_mod.RULES
    digest = hashlib.sha256(text.encode() + Path(rules_mod.__file__ or "").read_bytes()).hexdigest()
    return Pack(manifest=manifest, rules=rs, module=mod.__name__, digest=digest)


@cache
def discover() -> dict[str, Pack]:
    packs: dict[str, Pack] = {}
    for ep in metadata.entry_points(group="sanctuary.law_packs"):
        pack = load_pack_module(ep.value)
        packs[pack.id] = pack
    return packs


@dataclass
class Regime:
    id: str
    title: str
    packs: tuple[Pack, ...]
    in_force: bool
    label: str
    interpretation_defaults: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.instruments: dict[str, Instrument] = {}
        self.provisions: dict[str, Provision] = {}
        self.interpretations: dict[str, Interpretation] = {}
        self.rules: list[Rule] = []
        self.obligation_rules: list[ObligationRule] = []
        self.superseded: dict[tuple[str, str], str] = {}  # (rule id, ask or "*") -> why
        self.memo: dict[Any, dict[Any, Any]] = {}  # values the engine derives from this regime's law alone
        for p in self.packs:
            for sup in p.manifest.supersedes:
                for a in sup.asks or ("*",):
                    self.superseded[(sup.rule, a)] = f"{p.id}: {sup.why}"
        for p in self.packs:
            for ins in p.manifest.instruments:
                self.instruments[ins.id] = ins
                for prov in ins.provisions:
                    if prov.id in self.provisions:
                        raise LawPackError(f"duplicate provision id {prov.id!r}", file=p.module)
                    self.provisions[prov.id] = prov
            for it in p.manifest.interpretations:
                self.interpretations[it.id] = it
            self.rules.extend(p.rules.rules)
            self.obligation_rules.extend(p.rules.obligations)
        self._check()
        self.law_version = hashlib.sha256(
            "".join(sorted(p.digest for p in self.packs)).encode() + self.id.encode()
        ).hexdigest()[:16]

    def _check(self) -> None:
        ids = set()
        for r in [*self.rules, *self.obligation_rules]:
            if r.id in ids:
                raise LawPackError(f"duplicate rule id {r.id!r}")
            ids.add(r.id)
            if r.instrument not in self.instruments:
                raise CitationError(f"rule {r.id} names unknown instrument {r.instrument!r}")
            for c in r.cites:
                if c not in self.provisions:
                    raise CitationError(f"rule {r.id} cites unknown provision {c!r}")
        for r in self.rules:
            for o in r.overrides:
                if o != "*" and o not in ids:
                    raise LawPackError(f"rule {r.id} overrides unknown rule {o!r}")
        for rule_id, _ in self.superseded:
            if rule_id not in ids:
                raise LawPackError(f"regime {self.id} supersedes unknown rule {rule_id!r}")
        for it in self.interpretations.values():
            if it.default not in it.options:
                raise LawPackError(f"interpretation {it.id}: default {it.default!r} is not an option")
            for c in it.provisions:
                if c not in self.provisions:
                    raise CitationError(f"interpretation {it.id} cites unknown provision {c!r}")


@cache
def agencies() -> dict[str, Agency]:
    data = yaml.safe_load(resources.files("sanctuary.law").joinpath("agencies.yaml").read_text())
    return {a["id"]: Agency.model_validate(a) for a in data["agencies"]}


def get_agency(agency_id: str) -> Agency:
    a = agencies().get(agency_id)
    if a is None:
        raise UnknownAgencyError(agency_id, sorted(agencies()))
    return a


@cache
def regimes() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(resources.files("sanctuary.law").joinpath("regimes.yaml").read_text())
    return {r["id"]: r for r in data["regimes"]}


@cache
def load_regime(regime_id: str = "la-2026") -> Regime:
    spec = regimes().get(regime_id)
    if spec is None:
        raise InputError(f"unknown regime {regime_id!r}; valid: {', '.join(sorted(regimes()))}", field="regime")
    packs = discover()
    missing = [p for p in spec["packs"] if p not in packs]
    if missing:
        raise LawPackError(f"regime {regime_id} needs packs not installed: {', '.join(missing)}")
    return Regime(id=regime_id, title=spec["title"], packs=tuple(packs[p] for p in spec["packs"]),
                  in_force=spec.get("in_force", False), label=spec.get("label", ""),
                  interpretation_defaults=spec.get("interpretations", {}))
