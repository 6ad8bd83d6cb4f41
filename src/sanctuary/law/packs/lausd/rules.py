from __future__ import annotations

from dataclasses import replace
from datetime import date

from sanctuary.engine.facts import Facts
from sanctuary.law.helpers import COOPERATION_ASKS, local_status_limit, scoped
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


@R("lausd.status-inquiry", instrument="lausd-safe-zones", asks=["status-inquiry"], cites=[])
def status_inquiry(f: Facts) -> Verdict | None:
    """The resolutions bar inquiring into immigration status (Feb 2016, May 2017)."""
    if f.detail("purpose") == "u-t-visa-certification":
        return None  # helping a student's family with its own matter: state law (7284.6(b)(4)) decides for school police
    return Verdict.prohibited("District staff do not inquire into immigration status.", cites=_cite(f))


@R("lausd.status", instrument="lausd-safe-zones", asks=["status-info"], cites=[])
def status(f: Facts) -> Verdict | None:
    ok, early = scoped(f)
    if not ok:
        return early and replace(early, cites=_cite(f))
    return local_status_limit(f, "The district", _cite(f))


@RULES.obligation("lausd.call-counsel", instrument="lausd-safe-zones", cites=["lausd-2017"])
def call_counsel(f: Facts, v: dict[str, Verdict]) -> list[Obligation]:
    if not v:
        return []
    return [Obligation("notify-district-counsel", "Do not admit or answer; call the principal, the Superintendent's office and the "
                       "Office of General Counsel now.", deadline="immediately")]
