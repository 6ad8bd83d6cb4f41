"""How a pack writes a rule.

::

    @rule("ca.values.hold", instrument="values-act", asks=["hold"], cites=["gov-7284.6-a1B"])
    def hold_ban(f: Facts) -> Verdict | None:
        return Verdict.prohibited("Holding a person on an immigration detainer is barred.")

A rule returns a :class:`Verdict` when it applies and ``None`` when it does not.  A rule that is an
exception to others names them in ``overrides`` (default logic: base rule → exception → exception to
the exception); ``overrides=["*"]`` makes it an exception to every rule of its own instrument.  Dates come from the instrument and the cited provisions, or from ``effective`` /
``ends`` given here -- never from function names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from ..timeline import EffectiveInterval

if TYPE_CHECKING:
    from ..engine.facts import Facts


class Outcome(StrEnum):
    PROHIBITED = "prohibited"
    PERMITTED = "permitted"
    REQUIRED = "required"
    REVIEW = "review"


RESTRICTIVENESS = {Outcome.PERMITTED: 0, Outcome.REQUIRED: 0, Outcome.REVIEW: 1, Outcome.PROHIBITED: 2}


@dataclass(frozen=True, slots=True)
class Verdict:
    outcome: Outcome
    reason: str
    cites: tuple[str, ...] = ()          # provision ids, added to the rule's own
    missing: tuple[str, ...] = ()        # facts that would settle a review
    would_change: tuple[str, ...] = ()   # "a federal judicial warrant would permit transfer"
    floor: bool = False                  # lower layers may not restrict this (compulsion, preemption)
    qualifying: str | None = None        # the offense/route that allowed cooperation (for reports)

    @classmethod
    def prohibited(cls, reason: str, **kw: Any) -> Verdict:
        return cls(Outcome.PROHIBITED, reason, **kw)

    @classmethod
    def permitted(cls, reason: str, **kw: Any) -> Verdict:
        return cls(Outcome.PERMITTED, reason, **kw)

    @classmethod
    def required(cls, reason: str, **kw: Any) -> Verdict:
        return cls(Outcome.REQUIRED, reason, **kw)

    @classmethod
    def review(cls, reason: str, missing: Iterable[str] = (), **kw: Any) -> Verdict:
        return cls(Outcome.REVIEW, reason, missing=tuple(missing), **kw)


@dataclass(frozen=True, slots=True)
class Obligation:
    kind: str
    text: str
    cites: tuple[str, ...] = ()
    deadline: str | None = None
    condition: str | None = None  # when the duty arises only on a later act ("if you notify ICE")


@dataclass(frozen=True)
class Rule:
    id: str
    instrument: str
    asks: frozenset[str]
    cites: tuple[str, ...]
    fn: Callable[[Facts], Verdict | None]
    overrides: tuple[str, ...] = ()
    interval: EffectiveInterval = field(default_factory=lambda: EffectiveInterval(None, None))
    doc: str = ""
    default: bool = False  # a cited default: applies only where no other rule of its layer does


@dataclass(frozen=True)
class ObligationRule:
    id: str
    instrument: str
    cites: tuple[str, ...]
    fn: Callable[[Facts, dict[str, Verdict]], list[Obligation]]
    interval: EffectiveInterval = field(default_factory=lambda: EffectiveInterval(None, None))


class RuleSet:
    """The rules of one pack module, collected by the decorators below."""

    def __init__(self) -> None:
        self.rules: list[Rule] = []
        self.obligations: list[ObligationRule] = []

    def rule(self, id: str, *, instrument: str, asks: Iterable[str], cites: Iterable[str] = (),
             overrides: Iterable[str] = (), effective: date | None = None,
             ends: date | None = None, default: bool = False) -> Callable[[Callable[[Facts], Verdict | None]], Callable[[Facts], Verdict | None]]:
        def deco(fn: Callable[[Facts], Verdict | None]) -> Callable[[Facts], Verdict | None]:
            self.rules.append(Rule(id=id, instrument=instrument, asks=frozenset(asks), cites=tuple(cites),
                                   fn=fn, overrides=tuple(overrides),
                                   interval=EffectiveInterval(effective, ends), doc=(fn.__doc__ or "").strip(),
                                   default=default))
            return fn
        return deco

    def obligation(self, id: str, *, instrument: str, cites: Iterable[str] = (),
                   effective: date | None = None, ends: date | None = None
                   ) -> Callable[[Callable[[Facts, dict[str, Verdict]], list[Obligation]]], Any]:
        def deco(fn: Callable[[Facts, dict[str, Verdict]], list[Obligation]]) -> Any:
            self.obligations.append(ObligationRule(id=id, instrument=instrument, cites=tuple(cites), fn=fn,
                                                   interval=EffectiveInterval(effective, ends)))
            return fn
        return deco
