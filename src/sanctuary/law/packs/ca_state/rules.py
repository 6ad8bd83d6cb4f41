"""California state rules.  Base rules first, then their exceptions (``overrides``), then duties."""

from __future__ import annotations

from sanctuary.engine.facts import Facts
from sanctuary.law.helpers import release_asked, release_fields, scoped
from sanctuary.law.rules import Obligation, Outcome, RuleSet, Verdict
from sanctuary.tri import Tri

RULES = RuleSet()
R = RULES.rule
LANGS = {"en": "English", "es": "Spanish", "zh": "Chinese", "tl": "Tagalog", "vi": "Vietnamese", "ko": "Korean"}

# ------------------------------------------------------------------ scope
@R("ca.values.not-immigration", instrument="values-act", asks=["*"], cites=["gov-7284.4-c", "gov-7284.4-f"],
   overrides=["*"])
def not_immigration(f: Facts) -> Verdict | None:
    """The Values Act limits help with *immigration enforcement* only."""
    t = f.immigration_authority
    if t.true:
        return None
    if t.false:
        return Verdict.permitted("The requester is not enforcing immigration law, so the Values Act's limits do "
                                 "not apply; the agency may act on its own criminal jurisdiction.", cites=("gov-7284.6-f",))
    return Verdict.review("The answer depends on whether the requester is enforcing immigration law.", t.missing)


# ------------------------------------------------------------------ holds
@R("ca.values.hold", instrument="values-act", asks=["hold"], cites=["gov-7284.6-a1B"])
def hold(f: Facts) -> Verdict:
    return Verdict.prohibited(
        "No one may be held past release on an immigration detainer, whatever the record.",
        would_change=("nothing permits a hold; a federal judicial warrant (7284.4(i)) would permit transfer at release instead",))


# ------------------------------------------------------------------ notification
@R("ca.values.notify", instrument="values-act", asks=["notify-release"], cites=["gov-7284.6-a1C"])
def notify(f: Facts) -> Verdict:
    gate = f.trust_gate("notify")
    return Verdict.prohibited("Release dates and times may not be given to immigration authorities.",
                              cites=gate.cites if gate.value.false else (),
                              would_change=("public release information, or a 7282.5 qualifying record, would permit a response",))


def _notify_exception(f: Facts) -> Verdict | None:
    public = f.release_info_public
    if public.true:
        return Verdict.permitted("The release information is already public, so it may be given (never required).")
    gate = f.trust_gate("notify")
    if gate.value.true:
        return Verdict.permitted(f"The record meets {gate.qualifying}; a response is allowed but never required.",
                                 cites=("gov-7282.5-a", *gate.cites), qualifying=gate.qualifying)
    t = public.or_(gate.value)
    if t.unknown_:
        return Verdict.review("Whether a response is allowed depends on facts not given.", t.missing,
                              cites=("gov-7282.5-a", *gate.cites))
    return None


@R("ca.values.notify-exceptions", instrument="values-act", asks=["notify-release"],
   cites=["gov-7284.6-a1C"], overrides=["ca.values.notify"])
def notify_exceptions(f: Facts) -> Verdict | None:
    """(a)(1)(C) exceptions: public information; a notification request answered in accordance with 7282.5."""
    return _notify_exception(f)


# ------------------------------------------------------------------ transfer
@R("ca.values.transfer", instrument="values-act", asks=["transfer"], cites=["gov-7284.6-a4"])
def transfer(f: Facts) -> Verdict:
    gate = f.trust_gate("transfer")
    return Verdict.prohibited("No transfer to immigration authorities without a judicial warrant, a judicial "
                              "probable cause determination, or a 7282.5 qualifying record.",
                              cites=gate.cites if gate.value.false else (),
                              would_change=("a federal judicial warrant (7284.4(i)) or a 7282.5 qualifying record would permit transfer",))


@R("ca.values.transfer-exceptions", instrument="values-act", asks=["transfer"], cites=["gov-7284.6-a4"],
   overrides=["ca.values.transfer"])
def transfer_exceptions(f: Facts) -> Verdict | None:
    jw, jpc = f.judicial_warrant, f.judicial_pc
    if jw.true:
        return Verdict.permitted("A federal judicial warrant on federal criminal immigration law authorizes transfer (not required by state law).",
                                 cites=("gov-7284.4-i",), qualifying="judicial warrant")
    if jpc.true:
        return Verdict.permitted("A federal judicial probable cause determination authorizes transfer.",
                                 cites=("gov-7284.4-h",), qualifying="judicial probable cause determination")
    gate = f.trust_gate("transfer")
    if gate.value.true:
        return Verdict.permitted(f"The record meets {gate.qualifying}; transfer is allowed but never required.",
                                 cites=("gov-7282.5-a", *gate.cites), qualifying=gate.qualifying)
    t = jw.or_(jpc).or_(gate.value)
    if t.unknown_:
        return Verdict.review("Whether transfer is allowed depends on facts not given.", t.missing,
                              cites=("gov-7282.5-a", *gate.cites))
    return None


# ------------------------------------------------------------------ interviews
@R("ca.values.interview", instrument="values-act", asks=["interview"], cites=["gov-7284.6-b5"])
def interview(f: Facts) -> Verdict:
    c = f.in_custody
    if c.true:
        return Verdict.permitted("ICE may be given access to interview a person in custody, only after the TRUTH Act "
                                 "consent form; the person may decline or ask for an attorney.", cites=("gov-7283.1-a",))
    if c.false:
        return Verdict.prohibited("Agency staff may not be used to locate or interrogate people for immigration enforcement.",
                                  cites=("gov-7284.6-a1",))
    return Verdict.review("Interview access may be given only to a person in custody.", c.missing)


# ------------------------------------------------------------------ information
@R("ca.values.personal-info", instrument="values-act", asks=["personal-info"], cites=["gov-7284.6-a1D"])
def personal_info(f: Facts) -> Verdict:
    fields = list(f.detail("fields") or ["other"])
    if release_fields(f):
        ex = _notify_exception(f)
        if ex is None or ex.outcome != Outcome.PERMITTED:
            if ex is not None and ex.outcome == Outcome.REVIEW:
                return Verdict.review("Release dates may be given only if public or under 7282.5.", ex.missing,
                                      cites=("gov-7284.6-a1C", *ex.cites))
            return Verdict.prohibited("Release dates and schedules may not be given to immigration authorities.",
                                      cites=("gov-7284.6-a1C",))
        fields = [x for x in fields if x not in ("release-date", "schedule")]
        if not fields:
            return Verdict(ex.outcome, ex.reason, ("gov-7284.6-a1C", *ex.cites), qualifying=ex.qualifying)
    public = Tri.of(f.detail("public"), f"is the requested information ({', '.join(fields)}) available to the public? (asks[].detail.public)")
    if public.true:
        return Verdict.permitted("Publicly available information may be given (never required).")
    if public.false:
        return Verdict.prohibited(f"Personal information ({', '.join(fields)}) that is not public may not be given.",
                                  would_change=("only information already available to the public may be given",))
    return Verdict.review("Personal information may be given only if it is already public.", public.missing)


@R("ca.values.criminal-history", instrument="values-act", asks=["criminal-history"], cites=["gov-7284.6-b2"])
def criminal_history(f: Facts) -> Verdict:
    return Verdict.permitted("A named person's criminal history (incl. CLETS) may be given where state law permits; "
                             "not addresses or release dates.", cites=("gov-7284.6-b",))


@R("ca.values.status", instrument="values-act", asks=["status-info"], cites=["gov-7284.6-e"])
def status(f: Facts) -> Verdict:
    return Verdict.permitted("State law does not bar sharing citizenship or immigration status information; "
                             "asking people about their status is barred (7284.6(a)(1)(A)).", cites=("gov-7284.6-a1A",))


# ------------------------------------------------------------------ places and operations
@R("ca.values.facility", instrument="values-act", asks=["facility-access"], cites=["gov-7284.6-a1"])
def facility(f: Facts) -> Verdict:
    area = f.detail("area")
    if area == "public":
        return Verdict.permitted("Agents may be where any member of the public may be; staff need not help or obstruct.")
    if area == "nonpublic":
        return Verdict.review("State law gives no general rule for nonpublic areas of a law enforcement facility; "
                              "interviews go through 7284.6(b)(5), arrests need a judicial warrant.",
                              ("what is the access for: an interview under 7284.6(b)(5) (ask 'interview'), or to search or arrest (a judicial warrant)?",),
                              cites=("gov-7284.6-b5",))
    return Verdict.review("The answer depends on the area.", ("is the area public or nonpublic? (asks[].detail.area)",))


@R("ca.values.assist", instrument="values-act", asks=["assist-operation"], cites=["gov-7284.6-a1"])
def assist(f: Facts) -> Verdict:
    purpose = f.detail("purpose", "unknown")
    if f.detail("border_search"):
        return Verdict.prohibited("No help with border-area vehicle searches or private-land access under 8 U.S.C. 1357(a)(3).",
                                  cites=("gov-7284.6-a1F",))
    if purpose == "immigration-enforcement":
        return Verdict.prohibited("Agency personnel may not investigate, detain, detect or arrest for immigration enforcement, "
                                  "incl. perimeter or traffic support.")
    if purpose == "criminal-other":
        return Verdict.permitted("Help with a criminal matter unrelated to immigration is the agency's own call.", cites=("gov-7284.6-f",))
    return Verdict.review("The answer depends on the operation's purpose.", ("is the operation immigration enforcement or a criminal matter unrelated to immigration? (asks[].detail.purpose)",))


@R("ca.values.reentry", instrument="values-act", asks=["assist-operation"], cites=["gov-7284.6-b1"], overrides=["ca.values.assist"])
def reentry(f: Facts) -> Verdict | None:
    """(b)(1): invoked on the agency's own knowledge of a prior aggravated-felony removal."""
    if f.subject.prior_removal_after_aggravated_felony is not True:
        return None
    t = f.reentry_exception
    if t.true:
        return Verdict.permitted("Suspected 8 U.S.C. 1326(a) reentry after an aggravated-felony removal, detected during unrelated "
                                 "activity, may be investigated and arrested for; any transfer still needs 7284.6(a)(4).",
                                 cites=("gov-7284.6-b",), qualifying="7284.6(b)(1) reentry")
    if t.unknown_:
        return Verdict.review("The (b)(1) reentry carve-out may apply.", t.missing)
    return None


@R("ca.values.status-inquiry", instrument="values-act", asks=["status-inquiry"], cites=["gov-7284.6-a1A"])
def status_inquiry(f: Facts) -> Verdict:
    return Verdict.prohibited("Officers may not ask about a person's immigration status.",
                              would_change=("T/U-visa certification or an 18 U.S.C. 922(d)(5) firearm check (7284.6(b)(4))",))


@R("ca.values.visa-certification", instrument="values-act", asks=["status-inquiry"], cites=["gov-7284.6-b4"],
   overrides=["ca.values.status-inquiry"])
def visa_certification(f: Facts) -> Verdict | None:
    purpose = f.detail("purpose", "unknown")
    if purpose in ("u-t-visa-certification", "firearm-922d5"):
        return Verdict.permitted("Inquiries needed to certify a crime or trafficking victim for a T or U visa, or to comply "
                                 "with 18 U.S.C. 922(d)(5), are allowed.", cites=("gov-7284.6-b",))
    if purpose == "unknown":
        return Verdict.review("The answer depends on why status is asked.",
                              ("why is status being asked: T/U-visa certification, a 922(d)(5) firearm check, or another purpose? (asks[].detail.purpose)",))
    return None


@R("ca.values.civil-warrant", instrument="values-act", asks=["arrest-civil-warrant"], cites=["gov-7284.6-a1E", "gov-7284.4-b"])
def civil_warrant(f: Facts) -> Verdict:
    return Verdict.prohibited("No arrest on a civil immigration warrant (incl. I-200, I-205 and NCIC entries).")


@R("ca.values.task-force", instrument="values-act", asks=["task-force"], cites=["gov-7284.6-b3"])
def task_force(f: Facts) -> Verdict:
    pp, du = f.detail("primary_purpose"), f.detail("duties")
    if "immigration-enforcement" in (pp, du):
        return Verdict.prohibited("A task force whose primary purpose or duties are immigration enforcement is barred.",
                                  cites=("gov-7284.6-a1", "gov-7284.6-a2"))
    if pp == "other" and du == "other":
        return Verdict.permitted("A joint task force on crimes unrelated to immigration may be joined; annual reporting applies if ongoing.",
                                 cites=("gov-7284.6-b",))
    return Verdict.review("The answer depends on the task force's purpose and duties.",
                          [q for q, v in (("what is the task force's primary purpose? (asks[].detail.primary_purpose)", pp),
                                          ("are the duties primarily unrelated to immigration enforcement? (asks[].detail.duties)", du)) if v is None])


_AGREEMENTS = {"287g": ("gov-7284.6-a1G", "No acting as immigration officers under a 287(g) agreement."),
               "cross-designation": ("gov-7284.6-a2", "No deputization or federal supervision for immigration enforcement."),
               "dedicated-office-space": ("gov-7284.6-a5", "No office space set aside for immigration authorities."),
               "detention-contract": ("gov-7284.6-a6", "No contract to house federal immigration detainees.")}


@R("ca.values.agreement", instrument="values-act", asks=["agreement"], cites=[])
def agreement(f: Facts) -> Verdict:
    k = f.detail("kind")
    if k in _AGREEMENTS:
        cite, why = _AGREEMENTS[k]
        return Verdict.prohibited(why, cites=(cite,))
    return Verdict.review("The answer depends on the kind of agreement.", ("which kind of agreement: 287g, cross-designation, dedicated-office-space or detention-contract? (asks[].detail.kind)",),
                          cites=("gov-7284.6-a1G",))


@R("ca.values.data", instrument="values-act", asks=["data-share"], cites=["gov-7284.6-a1D", "gov-7284.8-b"])
def data(f: Facts) -> Verdict | None:
    k = f.detail("kind")
    if k == "alpr":
        return None  # Civ. Code 1798.90.55 decides
    if k in ("database-access", "bulk-records", "video"):
        return Verdict.prohibited("Databases and records hold release dates, addresses and other personal information "
                                  "that may not be given for immigration enforcement.", cites=("gov-7284.6-a1C",),
                                  would_change=("a named person's criminal history may be answered under 7284.6(b)(2)",))
    return Verdict.review("The answer depends on what data is asked for.", ("which data: alpr, database-access, bulk-records or video? (asks[].detail.kind)",))


@R("ca.values.interpreter", instrument="values-act", asks=["interpreter"], cites=["gov-7284.6-a3"])
def interpreter(f: Facts) -> Verdict:
    return Verdict.prohibited("Immigration authorities may not be used as interpreters for people in custody.")


# ------------------------------------------------------------------ exceptions to the exceptions
@R("ca.victims", instrument="victims-witnesses", asks=["hold", "notify-release", "transfer", "personal-info", "assist-operation"],
   cites=["pc-679.015"], overrides=["ca.values.notify-exceptions", "ca.values.transfer-exceptions", "ca.values.reentry",
                                     "ca.values.personal-info", "ca.values.assist"])
def victims(f: Facts) -> Verdict | None:
    """Triggered by an affirmative flag from the intake (a person in custody on charges is not a victim-witness)."""
    ok, early = scoped(f)
    if not ok:
        return early
    if f.subject.victim_or_witness is True or f.subject.hate_crime_victim_or_witness is True:
        cites = ("pc-422.93-b",) if f.subject.hate_crime_victim_or_witness else ()
        return Verdict.prohibited("A crime victim or witness may not be detained for, reported to, or turned over to "
                                  "immigration authorities.", cites=cites)
    return None


# ------------------------------------------------------------------ place-specific state law
@R("ca.ab49", instrument="ed-234.7", asks=["facility-access", "personal-info", "data-share"], cites=["ed-234.7"],
   overrides=["ca.values.facility", "ca.values.personal-info", "ca.values.data", "ca.nonlea.default"])
def ab49(f: Facts) -> Verdict | None:
    ok, early = scoped(f)  # AB 49 limits agencies conducting immigration enforcement
    if not ok:
        return early
    if f.ask.kind == "facility-access":
        if f.place not in ("school", None):
            return None
        area = f.detail("area")
        if area == "public":
            return Verdict.permitted("Public areas of a school are open as to anyone; staff ask for ID where practicable.")
        t = f.judge_signed_warrant.or_(f.judicial_subpoena).or_(f.court_order)
        if t.true:
            return Verdict.permitted("A valid judicial warrant, judicial subpoena or court order: entry to the area it covers "
                                     "may be allowed; the district may consult counsel and challenge it.")
        if area is None:
            return Verdict.review("The answer depends on the area.", ("is the area public or nonpublic? (asks[].detail.area)",))
        if t.unknown_:
            return Verdict.review("Entry to nonpublic areas needs judicial process.", t.missing)
        return Verdict.prohibited("No entry to nonpublic areas of a school, for any purpose, without a valid judicial "
                                  "warrant, judicial subpoena or court order.",
                                  would_change=("a judicial warrant, judicial subpoena or court order would permit entry",))
    consent = f.detail("parent_consent")
    t = f.judge_signed_warrant.or_(f.judicial_subpoena).or_(f.court_order)
    if consent is True or t.true:
        return Verdict.permitted("Pupil or family information with written parent consent or judicial process.")
    return Verdict.prohibited("No information about a pupil or the pupil's family or household (incl. home address and "
                              "travel schedule) without parent consent or judicial process.")


@R("ca.sb81", instrument="hs-24251", asks=["facility-access", "personal-info", "data-share", "status-info"],
   cites=["hs-24251"], overrides=["ca.nonlea.default"])
def sb81(f: Facts) -> Verdict | None:
    ok, early = scoped(f)  # SB 81 limits access and disclosure for immigration enforcement
    if not ok:
        return early
    if f.ask.kind == "facility-access":
        if f.place not in ("health-facility", None):
            return None
        area = f.detail("area")
        if area == "public":
            return Verdict.permitted("Public areas (waiting rooms, lobbies) are open as to anyone.")
        t = f.access_order_specific
        if t.true:
            return None  # the federal layer: a judicial warrant or order granting access compels
        if area is None:
            return Verdict.review("The answer depends on the area.", ("is the area public or nonpublic? (asks[].detail.area)",))
        if t.unknown_:
            return Verdict.review("Access to treatment areas needs a judicial warrant or an order specifically granting access.", t.missing)
        return Verdict.prohibited("Treatment areas are nonpublic: deny access for immigration enforcement without a judicial "
                                  "warrant or a court order that specifically grants access.",
                                  would_change=("a judicial warrant or an order specifically granting access",))
    if f.ask.kind == "data-share" and f.detail("kind") == "alpr":
        return None  # ALPR data is not medical information: Civ. Code 1798.90.55 decides
    t = f.judge_signed_warrant.or_(f.court_order)
    if t.true:
        return Verdict.permitted("Disclosure under a judicial warrant or court order.", cites=("civ-56.05-cmia",))
    return Verdict.prohibited("Patient information, incl. immigration status and place of birth, may not be disclosed for "
                              "immigration enforcement without authorization, a judicial warrant or a court order.",
                              cites=("civ-56.05-cmia",))


@R("ca.courthouse", instrument="civ-43.54", asks=["assist-operation", "arrest-civil-warrant"], cites=["civ-43.54"],
   overrides=["ca.nonlea.default"])
def courthouse(f: Facts) -> Verdict | None:
    if f.detail("place") != "courthouse" and f.agency.kind != "court":
        return None
    ok, early = scoped(f)
    if not ok:
        return early
    if f.ask.kind == "assist-operation" and f.detail("purpose") == "criminal-other":
        return None
    return Verdict.prohibited("No civil arrest in a courthouse of a person attending a proceeding or with legal business there.")


@R("ca.alpr", instrument="civ-1798.90.55", asks=["data-share"], cites=["civ-1798.90.55-b"], overrides=["ca.nonlea.default"])
def alpr(f: Facts) -> Verdict | None:
    """Purpose-independent: ALPR data may not go to a federal agency for any purpose."""
    if f.detail("kind") != "alpr":
        return None
    return Verdict.prohibited("ALPR data may go only to California public agencies, never to federal agencies, incl. "
                              "through vendor-pooled databases.")


# ------------------------------------------------------------------ cited defaults
@R("ca.nonlea.default", instrument="model-policies", asks=["*"], cites=["gov-7284.8-a", "gov-7284.4-a"], default=True)
def nonlea_default(f: Facts) -> Verdict:
    """The Values Act binds only law enforcement agencies; what else governs must be named."""
    return Verdict.review(f"No encoded state rule decides '{f.ask.kind}' for a {f.agency.kind}: the Values Act binds only "
                          "law enforcement agencies, and the agency's policy under the AG model policies governs.",
                          (f"the {f.agency.name}'s adopted policy (Gov. Code § 7284.8(a)) on '{f.ask.kind}' requests",))


@R("ca.pre-values", instrument="pre-values-era", asks=["*"], cites=["gov-7282.5-trust-era"], default=True)
def pre_values(f: Facts) -> Verdict:
    return Verdict.review(f"The law in force on {f.as_of.isoformat()} (TRUST Act era, 2014-2017) is not encoded.",
                          (f"counsel's determination under the law in force on {f.as_of.isoformat()} (TRUST Act era rules are not encoded)",))


# ------------------------------------------------------------------ duties
def _lang(f: Facts) -> str:
    code = (f.subject.preferred_language or "").split("-")[0].lower()
    if code in LANGS:
        return LANGS[code]
    if code:
        return f"English and, if {code!r} meets the county threshold (H&S 128552(d)) and a certified translation was provided at no cost, {code!r}"
    return "the person's language (English, Spanish, Chinese, Tagalog, Vietnamese or Korean)"


@RULES.obligation("ca.truth.copy", instrument="truth-act", cites=["gov-7283.1-b"])
def truth_copy(f: Facts, v: dict[str, Verdict]) -> list[Obligation]:
    kinds = [k for k in ("hold", "notify-release", "transfer") if k in v]
    if not kinds or f.immigration_authority.false:
        return []
    will = [f"{k}: {'yes' if v[k].outcome in (Outcome.PERMITTED, Outcome.REQUIRED) else 'no' if v[k].outcome == Outcome.PROHIBITED else 'pending review'}" for k in kinds]
    return [Obligation("serve-copy-of-request",
                       f"Give the person a copy of the ICE request and tell them in writing whether the agency intends to comply ({'; '.join(will)}), in {_lang(f)}.",
                       deadline="promptly, on receipt")]


@RULES.obligation("ca.truth.release-notice", instrument="truth-act", cites=["gov-7283.1-b"])
def truth_release_notice(f: Facts, v: dict[str, Verdict]) -> list[Obligation]:
    n = v.get("notify-release") or (v.get("personal-info") if release_asked(f) else None)
    if n is None or n.outcome not in (Outcome.PERMITTED, Outcome.REVIEW):
        return []
    return [Obligation("written-release-notice",
                       "If the agency tells ICE the release date or time, give the same information in writing to the person "
                       "and to their attorney or one other person they designate.",
                       deadline="promptly, when ICE is told", condition="if ICE is told the release date or time")]


@RULES.obligation("ca.truth.consent", instrument="truth-act", cites=["gov-7283.1-a"])
def truth_consent(f: Facts, v: dict[str, Verdict]) -> list[Obligation]:
    i = v.get("interview")
    if i is None or i.outcome == Outcome.PROHIBITED:
        return []
    return [Obligation("interview-consent-form",
                       f"Before any ICE interview, give the person the written consent form in {_lang(f)}: the purpose, that "
                       "it is voluntary, that they may decline or have their attorney present. Serve it every time.",
                       deadline="before the interview", condition="if the interview goes ahead")]


@RULES.obligation("ca.truth.access-record", instrument="truth-act", cites=["gov-7283.1-c", "gov-7283-d"])
def truth_record(f: Facts, v: dict[str, Verdict]) -> list[Obligation]:
    access = [k for k in ("hold", "notify-release", "transfer", "interview", "personal-info") if k in v
              and v[k].outcome in (Outcome.PERMITTED, Outcome.REQUIRED)]
    if not access:
        return []
    out = [Obligation("record-ice-access", f"Record the ICE access ({', '.join(access)}) with its date and type: it is a public record.",
                      condition="if access is given")]
    if f.year >= 2018:
        out.append(Obligation("community-forum", f"ICE access given in {f.year} obliges the governing body to hold a community "
                              f"forum in {f.year + 1}, noticed 30 days ahead.", cites=("gov-7283.1-d",),
                              deadline=f"{f.year + 1}-12-31", condition="if access is given"))
    return out


@RULES.obligation("ca.values.transfer-report", instrument="values-act", cites=["gov-7284.6-c2"])
def transfer_report(f: Facts, v: dict[str, Verdict]) -> list[Obligation]:
    t = v.get("transfer")
    if t is None or t.outcome not in (Outcome.PERMITTED, Outcome.REQUIRED):
        return []
    return [Obligation("annual-transfer-report", f"Count the transfer, and the offense that allowed it ({t.qualifying}), in the annual report to DOJ.",
                       deadline=f"{f.year + 1}", condition="if the transfer takes place")]


@RULES.obligation("ca.values.task-force-report", instrument="values-act", cites=["gov-7284.6-c1"])
def task_force_report(f: Facts, v: dict[str, Verdict]) -> list[Obligation]:
    t = v.get("task-force")
    if t is None or t.outcome != Outcome.PERMITTED:
        return []
    return [Obligation("task-force-report", "If personnel are dedicated on an ongoing basis, report the task force annually to DOJ "
                       "(purpose, agencies, total arrests, immigration-enforcement arrests).", condition="if participation is ongoing")]


@RULES.obligation("ca.sb81.document", instrument="hs-24251", cites=["hs-24251"])
def sb81_document(f: Facts, v: dict[str, Verdict]) -> list[Obligation]:
    if "facility-access" not in v or all(f.place_of(a) not in ("health-facility", None) for a in f.asks_of("facility-access")):
        return []
    return [Obligation("witness-and-document", "Have the response witnessed and documented by at least one other staff member where possible.",
                       deadline="at the time")]


@RULES.obligation("ca.ab49.document", instrument="ed-234.7", cites=["ed-234.7"])
def ab49_document(f: Facts, v: dict[str, Verdict]) -> list[Obligation]:
    if "facility-access" not in v or all(f.place_of(a) not in ("school", None) for a in f.asks_of("facility-access")):
        return []
    return [Obligation("school-access-steps", "Ask for valid identification where practicable, notify the school administrator, "
                       "and document the request and the response.", deadline="at the time")]
