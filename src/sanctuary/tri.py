"""Three-valued facts: true, false, or unknown -- and, when unknown, which facts would settle it.

>>> Tri.yes("felony").and_(Tri.unknown("was there a PC 872 finding?")).value is None
True
>>> Tri.no("x").or_(Tri.yes("y")).value
True
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Tri:
    """A Kleene truth value with the questions that would settle it (``missing``) and why (``because``)."""

    value: bool | None
    missing: tuple[str, ...] = ()
    because: tuple[str, ...] = ()

    @classmethod
    def yes(cls, *because: str) -> Tri:
        return cls(True, (), because)

    @classmethod
    def no(cls, *because: str) -> Tri:
        return cls(False, (), because)

    @classmethod
    def unknown(cls, *missing: str) -> Tri:
        return cls(None, missing, ())

    @classmethod
    def of(cls, value: bool | None, question: str, because: str = "") -> Tri:
        if value is None:
            return cls(None, (question,), ())
        return cls(value, (), (because,) if because else ())

    @property
    def true(self) -> bool:
        return self.value is True

    @property
    def false(self) -> bool:
        return self.value is False

    @property
    def unknown_(self) -> bool:
        return self.value is None

    def not_(self) -> Tri:
        return Tri(None if self.value is None else not self.value, self.missing, self.because)

    def and_(self, other: Tri) -> Tri:
        if self.value is False:
            return self
        if other.value is False:
            return other
        if self.value is True and other.value is True:
            return Tri(True, (), self.because + other.because)
        return Tri(None, _merge(self.missing, other.missing), ())

    def or_(self, other: Tri) -> Tri:
        if self.value is True:
            return self
        if other.value is True:
            return other
        if self.value is False and other.value is False:
            return Tri(False, (), self.because + other.because)
        return Tri(None, _merge(self.missing, other.missing), ())

    @staticmethod
    def any(items: list[Tri] | tuple[Tri, ...]) -> Tri:
        out = Tri(False)
        for t in items:
            out = out.or_(t)
            if out.value is True:
                return out
        return out

    @staticmethod
    def all(items: list[Tri] | tuple[Tri, ...]) -> Tri:
        out = Tri(True)
        for t in items:
            out = out.and_(t)
            if out.value is False:
                return out
        return out


def _merge(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    if not b:
        return a
    if not a:
        return b
    return a + tuple(x for x in b if x not in a)
