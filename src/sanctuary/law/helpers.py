"""Small building blocks pack rules share (they read facts; they decide nothing on their own)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..tri import Tri
from .rules import Verdict

if TYPE_CHECKING:
    from ..engine.facts import Facts

COOPERATION_ASKS = ("hold", "notify-release", "transfer", "interview", "personal-info", "criminal-history",
                    "facility-access", "assist-operation", "arrest-civil-warrant", "task-force", "agreement",
                    "data-share", "interpreter")


def scoped(f: Facts) -> tuple[bool, Verdict | None]:
    """(applies, early) -- ``applies`` False means the rule should return ``early`` (None or review)."""
    t = f.immigration_authority
    if t.true:
        return True, None
    if t.false:
        return False, None
    return False, Verdict.review("Whether this local limit applies depends on who is asking and why.", t.missing)


def release_fields(f: Facts) -> bool:
    """Does the ask being decided want the person's release date or schedule?"""
    return _release(f.ask.detail)


def release_asked(f: Facts) -> bool:
    """Does any personal-info ask of the request want the person's release date or schedule?"""
    return any(_release(a.detail) for a in f.asks_of("personal-info"))


def _release(detail: dict[str, object]) -> bool:
    fields = detail.get("fields") or ()
    return "release-date" in fields or "schedule" in fields  # type: ignore[operator]


def unless(t: Tri, needed: str, refusal: str) -> Verdict | None:
    """Local rules of the form "not without X": ``None`` (the rule steps aside) when X is shown, a
    review naming the missing facts when that is unknown, else a prohibition saying what would change it."""
    if t.true:
        return None
    if t.unknown_:
        return Verdict.review(f"This is allowed only with {needed}.", t.missing)
    return Verdict.prohibited(refusal, would_change=(needed,))


def nonpublic_needs_judge(f: Facts, where: str, refusal: str) -> Verdict | None:
    """Local rules of the form "no entry to non-public areas without a warrant signed by a judge"."""
    if f.detail("area") is None and not f.judge_signed_warrant.true:
        return Verdict.review("The answer depends on the area.", ("is the area public or nonpublic? (asks[].detail.area)",))
    return unless(f.judge_signed_warrant, f"a warrant signed by a judge (non-public {where})", refusal)


def local_status_limit(f: Facts, whose: str, cites: tuple[str, ...] = ()) -> Verdict | None:
    """A local limit on sharing immigration status, read through interpretation usc-1373-local-limits.
    Returns None when federal law is read to preempt it; the limit (prohibited) when enforced; else review."""
    reading = f.reading("usc-1373-local-limits")
    if reading == "federal-preempts":
        return None
    if reading == "review":
        return Verdict.review(f"{whose} limits sharing immigration status, but 8 U.S.C. 1373/1644 bar local limits on it.",
                              (f"counsel: does {whose}'s limit on sharing immigration status apply (8 U.S.C. 1373, 1644)?",),
                              cites=(*cites, "us-1373"))
    return Verdict.prohibited(f"{whose} does not share immigration status.", cites=cites)
