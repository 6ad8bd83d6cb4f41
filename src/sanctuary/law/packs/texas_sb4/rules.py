"""Texas SB 4: detainers are duties; local limits on cooperation are barred.  Nothing here is law in
California; the pack exists so the same requests can be compared under another state's regime."""

from __future__ import annotations

from sanctuary.engine.facts import Facts
from sanctuary.law.rules import Obligation, Outcome, RuleSet, Verdict
from sanctuary.tri import Tri

RULES = RuleSet()
R = RULES.rule
DETAINERS = ("i-247a", "i-247d", "i-247n", "i-247x")


def _detainer_cite(f: Facts) -> str:
    return "tx-ccp-2a.060" if f.year >= 2025 else "tx-ccp-2.251"


def _has_detainer(f: Facts) -> bool:
    return any(d.kind in DETAINERS for d in f.req.documents)


@R("tx.detainer", instrument="tx-detainer-duty", asks=["hold", "notify-release", "transfer"])
def detainer(f: Facts) -> Verdict | None:
    """Each request in an ICE detainer (notice before release, hold for ICE) must be carried out."""
    if not _has_detainer(f):
        return None
    cite = (_detainer_cite(f),)
    if f.ask.kind != "notify-release" and not f.in_custody.true:
        return Verdict.review("The detainer duty binds the agency that has custody.", f.in_custody.missing or
                              ("is the person in the agency's custody? (subject.in_custody)",), cites=cite)
    proof = Tri.of(f.subject.status_proof_shown, "has the person given proof of U.S. citizenship or lawful immigration status, "
                   "e.g. a Texas driver's license? (subject.status_proof_shown)")
    if proof.true:
        return Verdict.permitted("Proof of citizenship or lawful status ends the duty; the agency may still comply.", cites=cite)
    if proof.unknown_:
        return Verdict.review("The duty applies unless the person has given proof of citizenship or lawful status.",
                              proof.missing, cites=cite)
    return Verdict.required("Texas requires the agency to carry out each request in the ICE detainer.", cites=cite, floor=True,
                            qualifying="ICE detainer")


@R("tx.cooperation", instrument="tx-gov-752", asks=["*"], cites=["tx-752.053-a"], default=True)
def cooperation(f: Facts) -> Verdict:
    """No local limit on cooperation may stand; cooperation is the agency's choice where not a duty."""
    extra = {"status-inquiry": ("tx-752.053-b1",), "status-info": ("tx-752.053-b2",), "interview": ("tx-752.053-b4",),
             "facility-access": ("tx-752.053-b4",)}.get(f.ask.kind, ("tx-752.053-b3",))
    return Verdict.permitted("Texas bars local policies that limit cooperation with immigration enforcement; the "
                             "agency may cooperate.", cites=extra)


@RULES.obligation("tx.tell-person", instrument="tx-detainer-duty")
def tell_person(f: Facts, v: dict[str, Verdict]) -> list[Obligation]:
    if not _has_detainer(f) or not any(x.outcome == Outcome.REQUIRED for x in v.values()):
        return []
    return [Obligation("tell-person-detainer", "Tell the person they are held under an ICE detainer.", cites=(_detainer_cite(f),))]


@R("tx.pre-sb4", instrument="tx-pre-sb4", asks=["*"], cites=["tx-pre-sb4"], default=True)
def pre_sb4(f: Facts) -> Verdict:
    return Verdict.review(f"Texas law before SB 4 is not encoded; {f.as_of.isoformat()} is before Sept 1, 2017.",
                          (f"the Texas law in force on {f.as_of.isoformat()}",))
