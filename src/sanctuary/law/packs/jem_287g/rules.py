from __future__ import annotations

from sanctuary.engine.facts import Facts
from sanctuary.law.rules import RuleSet, Verdict

RULES = RuleSet()
R = RULES.rule
IN_JAIL = ("hold", "notify-release", "transfer", "interview", "status-inquiry", "status-info", "criminal-history",
           "personal-info", "arrest-civil-warrant", "facility-access", "agreement", "data-share", "interpreter")


@R("jem.jail", instrument="usc-1357g-jem", asks=IN_JAIL, cites=["jem-287g"])
def jail(f: Facts) -> Verdict:
    """Inside the jail, certified deputies question status, lodge detainers, serve I-200/I-205 and hold up to 48 hours."""
    return Verdict.permitted("Under a 287(g) jail agreement, certified deputies do this inside the jail for ICE.",
                             qualifying="287(g) jail model")


@R("jem.outside", instrument="usc-1357g-jem", asks=["assist-operation", "task-force"], cites=["jem-outside"])
def outside(f: Facts) -> Verdict:
    return Verdict.review("The jail model does not reach field operations (that is the separate Task Force Model).",
                          ("does the agency also have a 287(g) Task Force Model agreement?",))


@R("jem.default", instrument="usc-1357g-scope", asks=["*"], cites=["jem-scope"], default=True)
def default(f: Facts) -> Verdict:
    return Verdict.review("The 287(g) jail model says nothing about this agency or request.",
                          (f"the {f.agency.name}'s own law and policy outside a 287(g) jail agreement",))
