"""Offense models: a canonical statute reference and the parser's reading of a charge string."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ParseStatus(StrEnum):
    RESOLVED = "resolved"          # matched a DOJ catalog entry (subdivision included, if given)
    SECTION_ONLY = "section-only"  # the section is in the catalog; the given subdivision is not
    LOCAL = "local"                # a municipal code (LAMC): local law, not in the state catalog
    NON_CRIMINAL = "non-criminal"  # a state-code reference that is not an offense (WIC 300 dependency)
    SUGGESTED = "suggested"        # not in the catalog; near matches offered, none accepted
    UNKNOWN = "unknown"            # cannot tell


_LABELS: dict[Section, str] = {}


@dataclass(frozen=True, slots=True)
class Section:
    """A statute reference: code (``PC``, ``HS``, ``VC``, ``LAMC``…), section base and subdivisions.

    Stored upper-case as the DOJ tables do; ``label`` prints the statute style, ``PC 245(a)(1)``.
    """

    code: str
    base: str
    subs: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.code} {self.base}"

    @property
    def doj(self) -> str:
        return self.base + "".join(f"({s})" for s in self.subs)

    @property
    def label(self) -> str:
        got = _LABELS.get(self)
        if got is None:
            base = self.base.lower() if any(c.isalpha() for c in self.base) else self.base
            subs = "".join(f"({s.lower()})" for s in self.subs)
            got = _LABELS[self] = f"{self.code} {base}{subs}"
        return got

    def with_subs(self, subs: tuple[str, ...]) -> Section:
        return Section(self.code, self.base, subs)

    @classmethod
    def parse_ref(cls, ref: str) -> Section:
        """Read a list reference as written in the overlay files: ``"PC 261(a)(2)"``, ``"US 18 2113"``."""
        code, _, rest = ref.strip().partition(" ")
        rest = rest.strip().upper()
        i = rest.find("(")
        base = rest if i < 0 else rest[:i]
        subs = tuple(x for x in rest[i:].replace(")", "").split("(") if x) if i >= 0 else ()
        return cls(code.upper(), base.strip(), subs)


@dataclass(frozen=True, slots=True)
class ParsedCharge:
    raw: str
    status: ParseStatus
    section: Section | None = None
    attempt: bool = False
    conspiracy: bool = False
    enhancements: tuple[Section, ...] = ()
    qualifiers: tuple[str, ...] = ()
    truncated: bool = False
    confidence: float = 0.0
    explanation: str = ""
    suggestions: tuple[str, ...] = ()
    cjis: tuple[str, ...] = field(default=())
    _canon: str | None = field(default=None, compare=False, repr=False)

    @property
    def resolved(self) -> bool:
        return self.status in (ParseStatus.RESOLVED, ParseStatus.SECTION_ONLY)

    @property
    def canonical(self) -> str:
        if self._canon is None:
            if self.section is None:
                canon = ""
            else:
                prefix = "664/" if self.attempt else "182/" if self.conspiracy else ""
                canon = f"{self.section.code} {prefix}{self.section.label.split(' ', 1)[1]}"
            object.__setattr__(self, "_canon", canon)  # frozen: computed once per (cached) parse
        return self._canon  # type: ignore[return-value]

    def to_dict(self) -> dict[str, object]:
        return {
            "raw": self.raw,
            "status": str(self.status),
            "canonical": self.canonical,
            "code": self.section.code if self.section else None,
            "section": self.section.base if self.section else None,
            "subdivisions": list(self.section.subs) if self.section else [],
            "attempt": self.attempt,
            "conspiracy": self.conspiracy,
            "enhancements": [e.label for e in self.enhancements],
            "qualifiers": list(self.qualifiers),
            "truncated": self.truncated,
            "confidence": self.confidence,
            "explanation": self.explanation,
            "suggestions": list(self.suggestions),
            "cjis": list(self.cjis),
        }
