from __future__ import annotations

from dataclasses import replace
from datetime import date

from sanctuary.engine.facts import Facts
from sanctuary.law.helpers import COOPERATION_ASKS, scoped
from sanctuary.law.rules import Obligation, RuleSet, Verdict

RULES = RuleSet()
R = RULES.rule


def _cite(f: Facts) -> tuple[str, ...]:
    if f.as_of >= date(2024, 11, 19):
        return ("lausd-2017", "lausd-2024")
    return ("lausd-2017",) if f.as_of >= date(2017, 5, 9) else ("lausd-2016",)


@R("lausd.campus", instrument="lausd-safe-zones", asks=["facility-access"], cites=[])
def campus(f: Facts) -> Verdict | None:
    ok, early = scoped(f)
    if not ok:
        return early and replace(early, cites=_cite(f))
    if f.judge_signed_warrant.true:
        return None  # a judicial warrant compels (federal layer); the Superintendent's office is called at once
    return Verdict.prohibited("No immigration officer enters a campus until the Superintendent, after consulting the Office of "
                              "General Counsel, clears the visit; a subpoena does not get entry first.", cites=_cite(f))


@R("lausd.cooperation", instrument="lausd-safe-zones", asks=[a for a in COOPERATION_ASKS if a != "facility-access"], cites=[])
def cooperation(f: Facts) -> Verdict | None:
    ok, early = scoped(f)
    if not ok:
        return early and replace(early, cites=_cite(f))
    if f.ask.kind == "assist-operation" and f.detail("purpose") == "criminal-other":
        return None
    return Verdict.prohibited("District staff may not cooperate with immigration enforcement or share student, family or "
                              "staff information with immigration authorities.", cites=_cite(f))


@R("lausd.status", instrument="lausd-safe-zones", asks=["status-info"], cites=[])
def status(f: Facts) -> Verdict | None:
    ok, early = scoped(f)
    if not ok:
        return early and replace(early, cites=_cite(f))
    reading = f.reading("usc-1373-local-limits")
    if reading == "federal-preempts":
        return None
    if reading == "review":
        return Verdict.review("District policy bars sharing status information; 8 U.S.C. 1373/1644 bar local limits on it.",
                              ("counsel: does the district's limit on sharing immigration status apply (8 U.S.C. 1373, 1644)?",),
                              cites=(*_cite(f), "us-1373"))
    return Verdict.prohibited("District staff do not inquire into or share immigration status.", cites=_cite(f))


@RULES.obligation("lausd.call-counsel", instrument="lausd-safe-zones", cites=["lausd-2017"])
def call_counsel(f: Facts, v: dict[str, Verdict]) -> list[Obligation]:
    if not v:
        return []
    return [Obligation("notify-district-counsel", "Do not admit or answer; call the principal, the Superintendent's office and the "
                       "Office of General Counsel now.", deadline="immediately")]
