"""Law-pack models: citations, provisions, instruments, interpretations, agencies (pydantic, frozen)."""

from __future__ import annotations

from datetime import date
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..timeline import EffectiveInterval

Layer = Literal["federal", "state", "county", "city", "district", "agency"]
LAYER_ORDER: tuple[str, ...] = ("federal", "state", "county", "city", "district", "agency")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Citation(_Frozen):
    label: str
    href: str | None = None
    heading_path: tuple[str, ...] = ()


class Provision(_Frozen):
    id: str
    citation: Citation
    title: str
    summary: str = ""
    effective: date | None = None
    ends: date | None = None
    unverified: str | None = None
    instrument: str = ""

    @cached_property
    def interval(self) -> EffectiveInterval:
        return EffectiveInterval(self.effective, self.ends)


class Binds(_Frozen):
    """Which agencies an instrument binds; every given key must match (lists mean any-of)."""

    kinds: tuple[str, ...] | None = None
    governments: tuple[str, ...] | None = None
    agencies: tuple[str, ...] | None = None
    exclude_agencies: tuple[str, ...] = ()
    law_enforcement: bool | None = None
    local: bool | None = None
    any: bool = False


class Instrument(_Frozen):
    id: str
    title: str
    layer: Layer
    citation: Citation
    effective: date | None = None
    ends: date | None = None
    binds: Binds
    in_force: bool = True
    note: str = ""
    provisions: tuple[Provision, ...] = ()

    @cached_property
    def interval(self) -> EffectiveInterval:
        return EffectiveInterval(self.effective, self.ends)


class Interpretation(_Frozen):
    id: str
    question: str
    options: dict[str, str]
    default: str
    provisions: tuple[str, ...] = ()
    source: str = ""


class Supersession(_Frozen):
    """A comparison regime setting aside a rule of another pack, for some asks (all if none named)."""

    rule: str
    asks: tuple[str, ...] = ()
    why: str


class PackManifest(_Frozen):
    id: str
    title: str
    jurisdiction: str
    version: str
    in_force: bool = True
    label: str = ""
    instruments: tuple[Instrument, ...] = ()
    interpretations: tuple[Interpretation, ...] = ()
    supersedes: tuple[Supersession, ...] = ()


AgencyKind = Literal[
    "police", "sheriff", "probation", "school-district", "school-police", "library",
    "health-facility", "court", "transportation", "city-department", "county-department",
]


class Agency(_Frozen):
    id: str
    name: str
    kind: AgencyKind
    government: str
    law_enforcement: bool = Field(description="a 'California law enforcement agency' (Gov. Code § 7284.4(a))")
    local: bool = True
    runs_jail: bool = False
    monitors_probation: bool = False
    places: tuple[str, ...] = ()
    note: str = ""

    def bound_by(self, b: Binds) -> bool:
        if b.any:
            return self.id not in b.exclude_agencies
        if self.id in b.exclude_agencies:
            return False
        if b.agencies is not None and self.id not in b.agencies:
            return False
        if b.kinds is not None and self.kind not in b.kinds:
            return False
        if b.governments is not None and self.government not in b.governments:
            return False
        if b.law_enforcement is not None and self.law_enforcement != b.law_enforcement:
            return False
        return not (b.local is not None and self.local != b.local)
