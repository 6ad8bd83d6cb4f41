"""SB 554 (2025), as reported: the 7282.5 "may" becomes a "must".  Never law; encoded only so the
same requests can be compared.  What the bill's text would have to settle is answered ``review``."""

from __future__ import annotations

from sanctuary.engine.facts import Facts
from sanctuary.law.rules import RuleSet, Verdict

RULES = RuleSet()


@RULES.rule("sb554.must-notify", instrument="sb554", asks=["notify-release"], cites=["sb554-must-notify"])
def must_notify(f: Facts) -> Verdict | None:
    """A qualifying 7282.5(a)(1)-(5) record turns the permitted release-date answer into a duty."""
    gate = f.trust_gate("notify")
    if not (f.immigration_authority.true and gate.value.true) or gate.cites == ("gov-7282.5-b",):
        return None  # the bill reached convictions of listed offenses, not pending charges
    return Verdict.required(f"Under SB 554 the record ({gate.qualifying}) would oblige the agency to answer the "
                            "notification request.", cites=("gov-7282.5-a", *gate.cites), qualifying=gate.qualifying)


@RULES.rule("sb554.transfer", instrument="sb554", asks=["transfer"], cites=["sb554-transfer-open"])
def transfer(f: Facts) -> Verdict | None:
    """Whether the duty reached transfers is the open question the law file marks VERIFY."""
    gate = f.trust_gate("transfer")
    if not (f.immigration_authority.true and gate.value.true) or gate.cites == ("gov-7282.5-b",):
        return None
    return Verdict.review("SB 554 would have made 7282.5 cooperation mandatory; whether that reached transfers is "
                          "not known from the material read.",
                          ("the Apr 21, 2025 text of SB 554: did the duty cover transfers? (law file §6.8 VERIFY)",))
