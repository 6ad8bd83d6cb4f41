"""Effective intervals: what was in force on a given day.

An interval includes its ``effective`` day and its ``ends`` day (``ends`` is the last day in force).

>>> from datetime import date
>>> iv = EffectiveInterval(date(2018, 1, 1), None)
>>> iv.in_force(date(2017, 12, 31)), iv.in_force(date(2018, 1, 1))
(False, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class EffectiveInterval:
    effective: date | None
    ends: date | None = None

    def in_force(self, on: date) -> bool:
        if self.effective is not None and on < self.effective:
            return False
        return not (self.ends is not None and on > self.ends)

    def label(self) -> str:
        start = self.effective.isoformat() if self.effective else "(always)"
        return f"{start} – {self.ends.isoformat()}" if self.ends else f"from {start}"


def years_between(earlier: date, later: date) -> float:
    """Whole-calendar comparison helper used for look-back windows."""
    return (later - earlier).days / 365.2425


def within_years(then: date, now: date, years: int) -> bool:
    """True if ``then`` falls within the ``years`` before ``now`` (the anniversary day counts as inside).

    >>> within_years(date(2021, 3, 2), date(2026, 3, 2), 5)
    True
    >>> within_years(date(2021, 3, 1), date(2026, 3, 2), 5)
    False
    """
    return then > now or then >= window_start(now, years)


@lru_cache(maxsize=4096)
def window_start(now: date, years: int) -> date:
    """The first day within the ``years`` before ``now``: the same day ``years`` earlier (Feb 28 for Feb 29).

    >>> window_start(date(2024, 2, 29), 5)
    datetime.date(2019, 2, 28)
    """
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # Feb 29
        return now.replace(year=now.year - years, day=28)
