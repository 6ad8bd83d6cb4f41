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


def out_of_scope(f: Facts) -> Verdict | None:
    """For rules that limit help with *immigration enforcement*: ``None`` while the requester is an
    immigration authority; a permitted/None when it is not; review while that is unknown."""
    t = f.immigration_authority
    if t.true:
        return None
    if t.false:
        return Verdict.permitted("not immigration enforcement")  # callers return None on this
    return Verdict.review("Whether this rule applies depends on who is asking and why.", t.missing)


def scoped(f: Facts) -> tuple[bool, Verdict | None]:
    """(applies, early) -- ``applies`` False means the rule should return ``early`` (None or review)."""
    t = f.immigration_authority
    if t.true:
        return True, None
    if t.false:
        return False, None
    return False, Verdict.review("Whether this local limit applies depends on who is asking and why.", t.missing)


def release_fields(f: Facts) -> bool:
    fields = f.detail("fields") or []
    return "release-date" in fields or "schedule" in fields


def judicial_or(f: Facts, t: Tri) -> Tri:
    return t


def review_from(t: Tri, reason: str, **kw: object) -> Verdict:
    return Verdict.review(reason, t.missing, **kw)  # type: ignore[arg-type]
