from __future__ import annotations

from sanctuary.engine.facts import Facts
from sanctuary.law.rules import RuleSet, Verdict

RULES = RuleSet()


@RULES.rule("us.judicial-access", instrument="us-judicial-process", asks=["facility-access"], cites=["us-frcp-41"])
def judicial_access(f: Facts) -> Verdict | None:
    """A warrant signed by a judge (or an order specifically granting access) compels entry."""
    t = f.access_order_specific
    if t.true:
        return Verdict.required(
            "A warrant or order signed by a judge must be honored: do not obstruct; ask for a copy, "
            "check its scope (place, areas, time) and call counsel.", floor=True)
    if t.unknown_:
        return Verdict.review("If the document was signed by a judge it must be honored; if by an immigration "
                              "officer it compels nothing.", t.missing, floor=True)
    return None
