from __future__ import annotations

from sanctuary.engine.facts import Facts
from sanctuary.law.helpers import local_status_limit, nonpublic_needs_judge, release_fields, scoped, unless
from sanctuary.law.rules import RuleSet, Verdict

RULES = RuleSet()
JUDICIAL = "a federal judicial warrant or judicial probable-cause determination"
R = RULES.rule
_RESOURCE_ASKS = ["hold", "notify-release", "transfer", "interview", "personal-info", "criminal-history",
                  "assist-operation", "arrest-civil-warrant", "task-force", "agreement", "data-share", "interpreter"]


@R("county.sl.access", instrument="county-sensitive-locations", asks=["facility-access"], cites=["county-sl-access"])
def sl_access(f: Facts) -> Verdict | None:
    ok, early = scoped(f)
    if not ok:
        return early
    if f.detail("area") == "public":
        return None
    return nonpublic_needs_judge(f, "County areas", "County staff may not admit immigration agents to non-public areas "
                                 "without a warrant signed by a judge.")


@R("county.sl.resources", instrument="county-sensitive-locations", asks=_RESOURCE_ASKS, cites=["county-sl-resources"])
def sl_resources(f: Facts) -> Verdict | None:
    ok, early = scoped(f)
    if not ok:
        return early
    if f.ask.kind == "assist-operation" and f.detail("purpose") == "criminal-other":
        return None
    return Verdict.prohibited("County resources may not be used for immigration enforcement.")


def _bound_2020(f: Facts) -> bool:
    return f.agency.id == "lasd" or f.reading("county-2020-probation") == "applies"


@R("county.2020.custody", instrument="county-2020-motion",
   asks=["hold", "transfer", "facility-access", "assist-operation"], cites=["county-2020-custody"])
def custody_2020(f: Facts) -> Verdict | None:
    if not _bound_2020(f):
        return None
    ok, early = scoped(f)
    if not ok:
        return early
    if f.ask.kind == "facility-access" and f.detail("area") == "public":
        return None
    if f.ask.kind == "assist-operation" and f.detail("purpose") == "criminal-other":
        return None
    return unless(f.judicial_warrant_or_pc, JUDICIAL,
                  "County policy: no holding, transferring or facilitating an arrest for immigration authorities "
                  "without a judicial warrant or judicial probable-cause determination.")


@R("county.2020.communication", instrument="county-2020-motion", asks=["notify-release", "personal-info", "status-info"],
   cites=["county-2020-communication"])
def communication_2020(f: Facts) -> Verdict | None:
    if not _bound_2020(f):
        return None
    ok, early = scoped(f)
    if not ok:
        return early
    if f.ask.kind == "personal-info" and not release_fields(f):
        return None
    if f.ask.kind == "status-info" and not f.judicial_warrant_or_pc.true:
        limit = local_status_limit(f, "The County (Sept 1, 2020 motion)")
        if limit is None or limit.outcome == "review":
            return limit
    return unless(f.judicial_warrant_or_pc, JUDICIAL,
                  "County policy: no communication of release date and time or immigration status without a "
                  "judicial warrant or judicial probable-cause determination.")


@R("lasd.2020", instrument="lasd-2020-policy", asks=["hold", "transfer"], cites=["lasd-2020"])
def lasd_2020(f: Facts) -> Verdict | None:
    ok, early = scoped(f)
    if not ok:
        return early
    t = f.judicial_warrant
    if t.true and f.ask.kind == "transfer":
        return None
    if t.unknown_ and f.ask.kind == "transfer":
        return Verdict.review("LASD transfers only on a judicial warrant.", t.missing)
    return Verdict.prohibited("LASD does not hold or transfer people to ICE on civil detainers without a judicial warrant.")
