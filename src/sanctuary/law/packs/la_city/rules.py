from __future__ import annotations

from sanctuary.engine.facts import Facts
from sanctuary.law.helpers import local_status_limit, nonpublic_needs_judge, scoped
from sanctuary.law.rules import Obligation, Outcome, RuleSet, Verdict

RULES = RuleSet()
R = RULES.rule


@R("city.hold", instrument="ord-188441", asks=["hold"], cites=["ord-188441-custody"])
def hold(f: Facts) -> Verdict | None:
    ok, early = scoped(f)
    return Verdict.prohibited("City resources may not be used to hold anyone for immigration authorities.") if ok else early


@R("city.notify", instrument="ord-188441", asks=["notify-release"], cites=["ord-188441-requests"])
def notify(f: Facts) -> Verdict | None:
    ok, early = scoped(f)
    if not ok:
        return early
    if f.reading("la-188441-cooperation") == "aligned-with-sb54":
        return None
    return Verdict.prohibited("The City does not respond to immigration requests to notify about release.",
                              would_change=("only under the reading that the ordinance follows SB 54 (interpretation la-188441-cooperation)",))


@R("city.transfer", instrument="ord-188441", asks=["transfer"], cites=["ord-188441-custody"])
def transfer(f: Facts) -> Verdict | None:
    ok, early = scoped(f)
    if not ok:
        return early
    t = f.judicial_warrant_or_pc
    if t.true:
        return None  # state law: (a)(4) judicial warrant; LAPD adds ILO approval
    if f.reading("la-188441-cooperation") == "aligned-with-sb54":
        return None
    if t.unknown_:
        return Verdict.review("The City transfers only on federal judicial process.", t.missing)
    return Verdict.prohibited("City resources may not be used to transfer people to immigration authorities without a "
                              "federal judicial warrant.", cites=("ord-188441-requests",),
                              would_change=("a federal judicial warrant on a criminal immigration offense",))


@R("city.interview", instrument="ord-188441", asks=["interview"], cites=["ord-188441-interview"])
def interview(f: Facts) -> Verdict | None:
    ok, early = scoped(f)
    if not ok:
        return early
    if f.detail("topic") == "criminal":
        return None
    return Verdict.prohibited("People in City custody are not made available for immigration interviews.")


@R("city.data", instrument="ord-188441", asks=["personal-info", "data-share", "criminal-history"], cites=["ord-188441-data"])
def data(f: Facts) -> Verdict | None:
    ok, early = scoped(f)
    if not ok:
        return early
    return Verdict.prohibited("City data and personal information are not shared with immigration authorities, directly or "
                              "through contractors.")


@R("city.status", instrument="ord-188441", asks=["status-info"], cites=["ord-188441-status"])
def status(f: Facts) -> Verdict | None:
    ok, early = scoped(f)
    if not ok:
        return early
    return local_status_limit(f, "The City (status is confidential and not collected)")


@R("city.status-inquiry", instrument="ord-188441", asks=["status-inquiry"], cites=["ord-188441-status"])
def status_inquiry(f: Facts) -> Verdict | None:
    """The ordinance bars asking about or collecting status, except to provide a City service, to help
    the person with their own immigration matter, or for employment (law file §6.1 item 1)."""
    purpose = f.detail("purpose", "unknown")
    if purpose in ("city-service", "own-immigration-matter", "employment", "u-t-visa-certification"):
        return Verdict.permitted("The ordinance allows asking when needed for a City service, the person's own immigration "
                                 "matter (such as a T/U-visa certification) or employment.")
    if purpose == "unknown":
        return Verdict.review("The answer depends on why status is asked.",
                              ("why is status being asked? (asks[].detail.purpose)",))
    return Verdict.prohibited("City personnel may not ask about or collect immigration or citizenship status or place of birth.")


@R("city.access", instrument="ord-188441", asks=["facility-access"], cites=["ord-188441-access"])
def access(f: Facts) -> Verdict | None:
    ok, early = scoped(f)
    if not ok:
        return early
    if f.detail("area") == "public" and f.detail("use") != "staging":
        return None
    return nonpublic_needs_judge(f, "City areas", "No access to non-public areas of City property, incl. City jails, "
                                 "without a judicial warrant; agents may stay in public areas; do not physically obstruct.")


@R("city.operations", instrument="ord-188441", asks=["assist-operation"], cites=["ord-188441-operations"])
def operations(f: Facts) -> Verdict | None:
    ok, early = scoped(f)
    if not ok:
        return early
    purpose = f.detail("purpose", "unknown")
    if purpose == "criminal-other":
        return None
    if purpose == "immigration-enforcement":
        return Verdict.prohibited("The City does not take part in immigration operations, incl. perimeter or traffic support.")
    return Verdict.review("The answer depends on the operation's purpose.", ("is the operation immigration enforcement or a criminal matter unrelated to immigration? (asks[].detail.purpose)",))


@R("city.reentry", instrument="ord-188441", asks=["assist-operation"], cites=["ord-188441-b1", "gov-7284.6-b1"],
   overrides=["city.operations"])
def reentry(f: Facts) -> Verdict | None:
    if f.subject.prior_removal_after_aggravated_felony is not True:
        return None
    t = f.reentry_exception
    if t.true:
        return Verdict.permitted("The ordinance keeps the 7284.6(b)(1) carve-out: suspected illegal reentry after an aggravated-"
                                 "felony removal, detected during unrelated activity.", qualifying="7284.6(b)(1) reentry")
    if t.unknown_:
        return Verdict.review("The (b)(1) reentry carve-out may apply.", t.missing)
    return None


@R("city.other", instrument="ord-188441", asks=["arrest-civil-warrant", "task-force", "agreement", "interpreter"],
   cites=["ord-188441-custody"])
def other(f: Facts) -> Verdict | None:
    ok, early = scoped(f)
    if not ok:
        return early
    if f.ask.kind == "task-force" and f.detail("primary_purpose") == "other" and f.detail("duties") == "other":
        return None
    cite = {"arrest-civil-warrant": ("ord-188441-requests",), "task-force": ("ord-188441-operations",)}.get(f.ask.kind, ())
    return Verdict.prohibited("City resources may not be used for federal immigration enforcement.", cites=cite)


@R("city.staging", instrument="ed-17", asks=["facility-access"], cites=["ed-17-staging"], overrides=["city.access"])
def staging(f: Facts) -> Verdict | None:
    if f.detail("use") != "staging":
        return None
    ok, early = scoped(f)
    if not ok:
        return early
    return Verdict.prohibited("City property may not be used as a staging area, processing location or operations base for "
                              "immigration enforcement.")


@R("lapd.so40", instrument="lapd-manual", asks=["assist-operation", "arrest-civil-warrant", "status-info"], cites=["lapd-4-264.50"])
def so40(f: Facts) -> Verdict | None:
    if f.ask.kind == "assist-operation" and f.detail("purpose") != "immigration-enforcement":
        return None
    if f.ask.kind == "status-info":
        return None  # SO 40 governs discovering status, not answering about it
    if f.subject.prior_removal_after_aggravated_felony is True and f.ask.kind == "assist-operation":
        return None  # the 7284.6(b)(1) case is decided by state law and the ordinance
    return Verdict.prohibited("LAPD officers do not initiate police action to discover alien status, and do not arrest for "
                              "illegal entry or on civil immigration warrants.")


@RULES.obligation("lapd.ilo", instrument="lapd-manual", cites=["lapd-ilo"])
def ilo(f: Facts, v: dict[str, Verdict]) -> list[Obligation]:
    t = v.get("transfer")
    if t is None or t.outcome == Outcome.PROHIBITED:
        return []
    return [Obligation("ilo-approval", "Get the Immigration Liaison Officer's approval before transferring the person to ICE or CBP.",
                       deadline="before any transfer", condition="if a transfer is to take place")]


@RULES.obligation("lapd.bodycam", instrument="ed-17", cites=["ed-17-bodycam"])
def bodycam(f: Facts, v: dict[str, Verdict]) -> list[Obligation]:
    if f.agency.id != "lapd" or "assist-operation" not in v and "facility-access" not in v:
        return []
    return [Obligation("body-camera", "At any immigration-enforcement scene: activate body cameras, preserve the footage, and record "
                       "the supervising federal officer's name and badge number.", deadline="at the scene")]


@RULES.obligation("city.ed12", instrument="ed-12", cites=["ed-12"])
def ed12(f: Facts, v: dict[str, Verdict]) -> list[Obligation]:
    if "facility-access" not in v:
        return []
    return [Obligation("department-plan", "Follow the department's plan for federal immigration activity on City property and "
                       "inform the department's immigrant-affairs liaison.", deadline="now")]
