from __future__ import annotations

from sanctuary.engine.facts import Facts
from sanctuary.law.rules import RuleSet, Verdict

RULES = RuleSet()


@RULES.rule("jail-coop.a1-a5-only", instrument="jail-cooperation-proposal", asks=["notify-release", "transfer"], cites=["jail-coop"])
def a1_a5_only(f: Facts) -> Verdict | None:
    """The proposal reaches people meeting 7282.5(a)(1)-(5): a pending charge under (b) alone does not count."""
    gate = f.trust_gate("notify" if f.ask.kind == "notify-release" else "transfer")
    if gate.value.true and gate.cites == ("gov-7282.5-b",) and not f.release_info_public.true:
        return Verdict.prohibited("The jail cooperation proposal reaches only people meeting 7282.5(a)(1)-(5), not a "
                                  "pending charge under 7282.5(b).")
    return None
