"""Facts derived from a request, three-valued, computed lazily once per decision.

The TRUST Act gate (Gov. Code § 7282.5) lives here because every regime reads a record the same way;
what a regime *does* with the gate is in its pack's rules.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..offenses.classify import FINDINGS, OffenseProfile, profile_of
from ..offenses.models import ParsedCharge
from ..offenses.parsing import parse_charge
from ..timeline import window_start, within_years
from ..tri import Tri
from .models import Ask, Conviction, Document, PendingCharge, Request

if TYPE_CHECKING:
    from ..law.models import Agency
    from ..law.registry import Regime

_YES, _NO = Tri(True), Tri(False)
_LEVEL_TRI = {True: _YES, False: _NO}
REALIGNMENT = dt.date(2011, 10, 1)  # PC 1170(h) (AB 109) in force
PROP47 = dt.date(2014, 11, 5)
FEDERAL_JUDGES = ("federal-judge", "federal-magistrate-judge")
JUDGES = (*FEDERAL_JUDGES, "state-judge")
IMMIGRATION_AUTHORITIES = ("ice-ero", "ice-hsi", "cbp")


@dataclass(frozen=True)
class Gate:
    """Result of the 7282.5 gate: may the agency cooperate on a notification or transfer?"""

    value: Tri
    cites: tuple[str, ...]       # provision ids of the satisfied route(s), or of the gate itself
    qualifying: str | None       # "PC 187(a), 2019 felony (7282.5(a)(1))"
    reasons: tuple[str, ...] = ()

    def __post_init__(self) -> None:  # the engine's memo keys on gates: hash once
        object.__setattr__(self, "_hash", hash((self.value, self.cites, self.qualifying, self.reasons)))

    def __hash__(self) -> int:
        return self._hash  # type: ignore[attr-defined,no-any-return]

    @property
    def named(self) -> bool:
        """Whether a qualifying record is named (what a memo keys on when a rule reads it as a hole)."""
        return bool(self.qualifying)


def _doc_tri(doc: Document, kinds: tuple[str, ...], signers: tuple[str, ...], bases: tuple[str, ...] | None,
             what: str) -> Tri:
    if doc.kind not in kinds:
        return Tri.no()
    if doc.signed_by == "unknown":
        return Tri.unknown(f"who signed the {doc.kind}: a federal judge or magistrate judge, or an immigration officer? ({what})")
    if doc.signed_by not in signers:
        return Tri.no(f"the {doc.kind} was signed by {doc.signed_by}")
    if bases is None:
        return Tri.yes(f"{doc.kind} signed by a {doc.signed_by}")
    if doc.offense_basis == "unknown":
        return Tri.unknown(f"does the {doc.kind} rest on probable cause of a federal *criminal immigration* offense (e.g. 8 U.S.C. 1326)? ({what})")
    if doc.offense_basis not in bases:
        return Tri.no(f"the {doc.kind} rests on {doc.offense_basis}")
    return Tri.yes(f"{doc.kind} signed by a {doc.signed_by} on {doc.offense_basis}")


class ConvictionFacts:
    def __init__(self, index: int, c: Conviction, parsed: ParsedCharge, prof: OffenseProfile | None) -> None:
        self.i, self.c, self.parsed, self.prof = index, c, parsed, prof
        self.label = parsed.canonical or c.statute

    @property
    def path(self) -> str:
        return f"subject.convictions[{self.i}]"


class Facts:
    """Everything the rules read.  ``ask`` is set by the engine before each ask is evaluated."""

    def __init__(self, req: Request, agency: Agency, regime: Regime, interpretations: dict[str, str], *,
                 remember: bool = True, memos: dict[str, OrderedDict[Any, Any]] | None = None) -> None:
        """``remember``: keep and reuse 7282.5 routes and gates across requests in the regime's memos
        (``DecisionEngine(memo=False)`` does not); ``memos``: those memos under these readings, when the
        caller has already looked them up (else looked up on first use)."""
        self.req = req
        self.agency = agency
        self.regime = regime
        self.as_of = req.as_of
        self.subject = req.subject
        self.context = req.context
        self._interp = interpretations
        self.used_interpretations: dict[str, str] = {}
        self.ask: Ask = req.asks[0]
        self._gates: dict[str, Gate] = {}
        self.remember = remember
        self.verdicts: dict[str, Any] = {}  # each ask kind's verdict, set by the engine for the obligation rules
        self._routes: dict[int, tuple[Any, ...]] = {}
        self._windows: tuple[dt.date, dt.date, dt.date] | None = None
        self._memos: dict[str, OrderedDict[Any, Any]] = {} if memos is None else memos
        self._keys: dict[str, int] = {}

    # ------------------------------------------------------------ interpretations
    def reading(self, interpretation_id: str) -> str:
        it = self.regime.interpretations[interpretation_id]
        value = self._interp.get(interpretation_id) or self.regime.interpretation_defaults.get(interpretation_id) or it.default
        self.used_interpretations[interpretation_id] = value
        return value

    # ------------------------------------------------------------ the ask
    def detail(self, key: str, default: Any = None) -> Any:
        return self.ask.detail.get(key, default)

    @property
    def place(self) -> str | None:
        """Where the ask is to happen: its ``place``, else the agency's only kind of place, else unknown."""
        return self.place_of(self.ask)

    def place_of(self, ask: Ask) -> str | None:
        p = ask.detail.get("place")
        if p:
            return str(p)
        return self.agency.places[0] if len(self.agency.places) == 1 else None

    def asks_of(self, kind: str) -> list[Ask]:
        """The request's asks of one kind (for obligation rules, which answer for the whole request)."""
        return [a for a in self.req.asks if a.kind == kind]

    # ------------------------------------------------------------ who is asking, with what
    @cached_property
    def immigration_authority(self) -> Tri:
        """Is the requester performing immigration enforcement functions (Gov. Code § 7284.4(c), (f))?"""
        a = self.req.from_authority
        bases = {d.offense_basis for d in self.req.documents} - {"unknown"}  # a basis stated without paper counts too
        if a in ("ice-ero", "cbp"):
            return Tri.yes(f"{a} is an immigration authority")
        if bases and bases <= {"federal-criminal-other"}:
            return Tri.no("the documents rest on a federal crime unrelated to immigration (7284.4(f))")
        if a == "ice-hsi" or bases & {"civil-immigration", "federal-criminal-immigration"}:
            return Tri.yes(f"{a} acting on immigration law" if a != "unknown" else "the documents rest on immigration law")
        return Tri.unknown(
            "is the requester performing immigration enforcement functions (Gov. Code § 7284.4(c))? "
            "Name the agency and whether the matter is civil immigration, criminal immigration or another federal crime")

    @property
    def documents_key(self) -> int:
        """The documents (every field), as a number (the engine's memo keys on them)."""
        got = self._keys.get("documents")
        if got is None:
            got = self._keys["documents"] = intern_key(tuple([tuple(d.__dict__.values()) for d in self.req.documents]))
        return got

    @property
    def asks_key(self) -> int:
        """Every ask's kind and detail, as a number (the engine's memo keys decisions and obligations on them)."""
        got = self._keys.get("asks")
        if got is None:
            got = self._keys["asks"] = intern_key(tuple([(a.kind, detail_key(a.detail) if a.detail else ()) for a in self.req.asks]))
        return got

    def _any_doc(self, kinds: tuple[str, ...], signers: tuple[str, ...], bases: tuple[str, ...] | None, what: str) -> Tri:
        return Tri.any([_doc_tri(d, kinds, signers, bases, what) for d in self.req.documents])

    @cached_property
    def judicial_warrant(self) -> Tri:
        """A federal judge's or magistrate judge's warrant on federal criminal immigration law (7284.4(i))."""
        return self._any_doc(("federal-arrest-warrant",), FEDERAL_JUDGES, ("federal-criminal-immigration",),
                             "Gov. Code § 7284.4(i)")

    @cached_property
    def judicial_pc(self) -> Tri:
        """A judicial probable cause determination (7284.4(h))."""
        return self._any_doc(("judicial-probable-cause-determination",), FEDERAL_JUDGES,
                             ("federal-criminal-immigration",), "Gov. Code § 7284.4(h)")

    @cached_property
    def judicial_warrant_or_pc(self) -> Tri:
        return self.judicial_warrant.or_(self.judicial_pc)

    @cached_property
    def judge_signed_warrant(self) -> Tri:
        """Any search or arrest warrant signed by a judge (access to nonpublic areas)."""
        return self._any_doc(("federal-search-warrant", "federal-arrest-warrant"), JUDGES, None,
                             "a warrant signed by a judge")

    @cached_property
    def court_order(self) -> Tri:
        return self._any_doc(("court-order",), JUDGES, None, "a court order")

    @cached_property
    def judicial_subpoena(self) -> Tri:
        return self._any_doc(("judicial-subpoena",), JUDGES, None, "a judicial subpoena")

    @cached_property
    def access_order_specific(self) -> Tri:
        """A judicial warrant, or a court order that specifically grants access (H&S 24251(b))."""
        orders = [Tri.of(d.grants_access, "does the court order specifically grant access to the nonpublic area (H&S § 24251(b))?")
                  for d in self.req.documents if d.kind == "court-order" and d.signed_by in JUDGES]
        return self.judge_signed_warrant.or_(Tri.any(orders))

    @cached_property
    def admin_documents_only(self) -> bool:
        return all(d.kind in ("i-247a", "i-247d", "i-247n", "i-247x", "i-200", "i-205", "i-138", "i-862", "none")
                   for d in self.req.documents)

    # ------------------------------------------------------------ the subject
    def tri(self, value: bool | None, question: str, because: str = "") -> Tri:
        return Tri.of(value, question, because)

    @cached_property
    def in_custody(self) -> Tri:
        return Tri.of(self.subject.in_custody, "is the person in the agency's custody? (subject.in_custody)", "in custody")

    @cached_property
    def release_info_public(self) -> Tri:
        return Tri.of(self.subject.release_info_public,
                      "is the person's release date or time already available to the public, e.g. on a public inmate locator? (subject.release_info_public)",
                      "the release information is public")

    @cached_property
    def victim_or_witness(self) -> Tri:
        return Tri.of(self.subject.victim_or_witness,
                      "is the person a crime victim or witness who is not charged or convicted? (subject.victim_or_witness)",
                      "a crime victim or witness (PC 679.015)")

    @cached_property
    def hate_crime_victim(self) -> Tri:
        return Tri.of(self.subject.hate_crime_victim_or_witness,
                      "is the person a hate-crime victim or witness not charged or convicted? (subject.hate_crime_victim_or_witness)",
                      "a hate-crime victim or witness (PC 422.93(b))")

    @cached_property
    def reentry_exception(self) -> Tri:
        """Gov. Code § 7284.6(b)(1): suspected 8 U.S.C. 1326(a) reentry after an aggravated-felony removal,
        detected during an unrelated law enforcement activity."""
        return Tri.of(self.subject.prior_removal_after_aggravated_felony,
                      "was the person previously removed after an aggravated-felony conviction, so that 8 U.S.C. 1326(b)(2) may apply? (subject.prior_removal_after_aggravated_felony)",
                      "prior removal after an aggravated felony").and_(
            Tri.of(self.context.detected_during_unrelated_activity,
                   "was the suspected reentry detected during an unrelated law enforcement activity? (context.detected_during_unrelated_activity)",
                   "detected during unrelated activity"))

    @cached_property
    def convictions(self) -> list[ConvictionFacts]:
        out = []
        for i, c in enumerate(self.subject.convictions):
            parsed = parse_charge(c.statute)
            out.append(ConvictionFacts(i, c, parsed, profile_of(parsed)))
        return out

    @cached_property
    def pending(self) -> list[tuple[int, PendingCharge, ParsedCharge, OffenseProfile | None]]:
        out = []
        for i, p in enumerate(self.subject.pending_charges):
            parsed = parse_charge(p.statute)
            out.append((i, p, parsed, profile_of(parsed)))
        return out

    # ------------------------------------------------------------ 7282.5
    def conviction_routes(self, cf: ConvictionFacts) -> list[tuple[Tri, tuple[str, ...], str]]:
        """7282.5(a)(1)-(3) for one conviction (purpose-independent, computed once): see :meth:`_routes_of`."""
        return self._routes_of(cf.i)[0]

    def _routes_of(self, i: int) -> tuple[list[tuple[Tri, tuple[str, ...], str]], tuple[tuple[str, str], ...], bool, bool, int,
                                         tuple[tuple[Tri, tuple[str, ...], str], ...]]:
        """The routes of conviction ``i``, the readings they took, whether a Prop 47 prong bars (a)(6),
        whether any route qualifies, the entry's serial number (the gate keys on it: one number stands
        for the conviction as the routes read it, for as long as the memo keeps the entry), and the routes
        that qualify (what the gate's fold collects).

        Memoised across requests on everything :func:`_conviction_routes` reads: the conviction's own
        fields and position (its messages name ``subject.convictions[i]``), where its date falls against
        the request's day (after it -- the message names the day --, before Realignment, within 15 and 5
        years) and the interpretations in force; the readings it consulted are replayed on a hit.  The
        conviction's charge is parsed only when the memo has not seen it."""
        got = self._routes.get(i)
        if got is None:
            memo = self._memo("routes")
            key = self.route_key(i)
            got = memo.get(key)
            if got is None:
                routes, used = self._with_readings(_conviction_routes, self, self.convictions[i])
                yes = tuple(r for r in routes if r[0].true)
                got = put_bounded(memo, key, ROUTES_KEPT, (routes, used, any("gov-7282.5-a6" in r[1] and r[0].false for r in routes),
                                                           bool(yes), next(_ROUTE_SERIALS), yes))
            self._routes[i] = got
        self.used_interpretations.update(got[1])  # on every call: a caller may be collecting the readings
        return got

    def trust_gate(self, purpose: str) -> Gate:
        """Gov. Code § 7282.5(a)(1)-(6) and (b).  ``purpose``: ``notify`` or ``transfer``.

        The purposes differ only in whether (b) reaches pending charges; a person with none has one gate
        for both, computed once.  Memoised across requests on everything the gate reads (see
        :func:`_gate_key`); the readings it consulted are replayed on a hit."""
        got = self._gates.get(purpose)
        if got is None:
            other = self._gates.get("transfer" if purpose == "notify" else "notify")
            if other is not None and not self.subject.pending_charges:
                got = self._gates[purpose] = other
                return got
            if not self.remember:
                got = self._gates[purpose] = _trust_gate(self, purpose)
                return got
            memo = self._memo("gates")
            key = _gate_key(self, purpose)
            hit = memo.get(key)
            if hit is None:
                hit = put_bounded(memo, key, GATES_KEPT, self._with_readings(_trust_gate, self, purpose))
            got = self._gates[purpose] = hit[0]
            self.used_interpretations.update(hit[1])
        return got

    def _with_readings(self, compute: Callable[..., Any], *args: Any) -> tuple[Any, tuple[tuple[str, str], ...]]:
        """``compute(*args)``, and the readings of unsettled law it took (kept apart, to be replayed with
        a memoised result; the caller records them as it replays them)."""
        outer, self.used_interpretations = self.used_interpretations, {}
        try:
            got = compute(*args)
        finally:
            used, self.used_interpretations = self.used_interpretations, outer
        return got, tuple(used.items())

    def _memo(self, what: str) -> OrderedDict[Any, Any]:
        """The regime's memo of ``what`` (routes or gates) under this decision's readings."""
        got = self._memos.get(what)
        if got is None:
            got = self._memos[what] = self.regime.memo.setdefault((what, tuple(sorted(self._interp.items()))), OrderedDict())
        return got

    def route_key(self, i: int) -> tuple[Any, ...]:
        """Everything :func:`_conviction_routes` reads of conviction ``i``: its position (its messages name
        ``subject.convictions[i]``), its fields, and where its date falls against the request's day: after
        it (the message names the day), else before Realignment (1), within 15 years (2) and within 5
        years (4), summed."""
        windows = self._windows
        if windows is None:
            as_of = self.as_of
            windows = self._windows = (as_of, window_start(as_of, 15), window_start(as_of, 5))
        as_of, start15, start5 = windows
        c = self.subject.convictions[i]
        d = c.date
        when: Any
        if d is None:
            when = None
        elif d > as_of:
            when = ("after", as_of)
        else:  # within_years(d, as_of, 15) and (..., 5)
            when = (d < REALIGNMENT) + 2 * (d >= start15) + 4 * (d >= start5)
        return (i, c.statute, c.level, c.jurisdiction, c.reduced, c.juvenile,
                None if c.findings is None else tuple(c.findings), when)

    @property
    def year(self) -> int:
        """The year of the request's day (a rule that needs only the year reads this, not ``as_of``)."""
        return self.as_of.year


def _gate_key(f: Facts, purpose: str) -> tuple[Any, ...]:
    """Everything :func:`_trust_gate` reads, as it reads it: the convictions up to the first that
    qualifies (the fold stops there, unless a Prop 47 misdemeanor can bar the person: then all of them),
    each by the serial number of its routes' memo entry (which stands for :meth:`Facts.route_key`); whether
    any is a misdemeanor or reduced (the fold then consults the prop47-scope reading); the CSAR and
    federal facts; each pending charge; and the purpose when there are pending charges (without any,
    both purposes have one gate).  The routes of the convictions keyed are computed here (memoised per
    conviction), as the fold would."""
    s = f.subject
    convictions = s.convictions
    misdemeanor = False
    for c in convictions:
        if c.level == "misdemeanor" or c.reduced:
            misdemeanor = True
            break
    person = misdemeanor and f.reading("prop47-scope") == "person"
    found = []
    for i in range(len(convictions)):
        _, _, a6_bars, qualifies, serial, _ = f._routes_of(i)
        found.append(serial)
        if not person and not a6_bars and qualifies:  # the fold's break
            break
    return (tuple(found), misdemeanor, person,
            s.csar_registrant, s.federal_aggravated_felony, s.outstanding_federal_felony_warrant,
            tuple([(p.statute, p.level, p.magistrate_probable_cause) for p in s.pending_charges]) if s.pending_charges else (),
            purpose if s.pending_charges else None)


ROUTES_KEPT = 20_000  # conviction classes whose 7282.5 routes are kept (about 1 KB each)
GATES_KEPT = 10_000   # records whose 7282.5 gate is kept
KEYS_KEPT = 20_000    # documents and asks numbered for the memo keys


_INSERTS = threading.Lock()


def put_bounded(memo: OrderedDict[Any, Any], key: Any, limit: int, value: Any) -> Any:
    """``memo[key] = value``, first letting go of the oldest entries beyond ``limit`` (a memo's memory is
    bounded; what it lets go of is computed again when needed).  Returns ``value``.  Inserts take a lock
    (a key's hash or equality may run Python code, and two threads must not reorder one OrderedDict at
    once); lookups need none."""
    with _INSERTS:
        while len(memo) >= limit:
            memo.popitem(last=False)
        memo[key] = value
    return value


_KEYS: OrderedDict[Any, int] = OrderedDict()
_NEXT_KEY = itertools.count()
_ROUTE_SERIALS = itertools.count()


def intern_key(value: Any) -> int:
    """A number for a hashable value, the same for equal values while the value is in the table (it keeps
    the latest :data:`KEYS_KEPT`; numbers are never given out twice, so a key made with a number let go
    only stops matching)."""
    got = _KEYS.get(value)
    if got is None:
        got = put_bounded(_KEYS, value, KEYS_KEPT, next(_NEXT_KEY))
    return got


def detail_key(detail: dict[str, Any]) -> tuple[Any, ...]:
    """An ask's detail as a hashable key (its lists as tuples)."""
    if not detail:
        return ()
    return tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in detail.items())


def _level(f: Facts, cf: ConvictionFacts) -> str:
    c = cf.c
    if c.reduced in ("prop47", "pc17b"):
        if f.reading("felony-reduced") == "misdemeanor":
            return "misdemeanor"
        return c.level
    return c.level


def _route(cites: tuple[str, ...], label: str) -> tuple[Tri, tuple[str, ...], str]:
    return Tri.yes(label), cites, label


def _conviction_routes(f: Facts, cf: ConvictionFacts) -> list[tuple[Tri, tuple[str, ...], str]]:
    """Each prong of 7282.5(a)(1)-(3) for one conviction: (tri, provision ids, label)."""
    c, p, prof = cf.c, cf.parsed, cf.prof
    name = f"{cf.label} ({cf.path})"
    routes: list[tuple[Tri, tuple[str, ...], str]] = []
    if c.date is not None and c.date > f.as_of:
        return [(Tri.no(f"{name} is dated after {f.as_of.isoformat()}"), ("gov-7282.5-a",), name)]
    if c.jurisdiction == "federal":
        return [(Tri.unknown(f"is the federal conviction {name} an aggravated felony under 8 U.S.C. 1101(a)(43)(A)-(P)? (7282.5(a)(5); set subject.federal_aggravated_felony)"),
                 ("gov-7282.5-a5",), name)]
    if c.juvenile and f.reading("juvenile-adjudication") == "review":
        return [(Tri.unknown(f"does the juvenile adjudication {name} count as a conviction (Gov. Code § 7282(a), PC 667(d)(3))?"),
                 ("gov-7282-a",), name)]
    if prof is None:
        why = p.explanation or "not a recognised offense"
        return [(Tri.unknown(f"what offense is {c.statute!r} ({cf.path}.statute)? The catalog could not resolve it: {why}"),
                 ("gov-7282.5-a",), name)]
    level = _level(f, cf)
    felony = _LEVEL_TRI[level == "felony"] if level != "unknown" else \
        Tri.unknown(f"was the conviction {name} a felony or a misdemeanor? ({cf.path}.level)")
    other_state = c.jurisdiction == "other-state"
    # (a)(1) serious or violent felony ------------------------------------------------------------
    sv = prof.serious_or_violent
    cites = tuple(x for x in (prof.serious_cites + prof.violent_cites))
    have = set(c.findings or ()) | prof.implied_findings
    for r in prof.conduct_routes:  # items that attach only with a record finding (1192.7(c)(8), (23) ...)
        if sv.true:
            break
        if have & set(r.findings):
            sv = sv.or_(Tri.yes(f"{r.citation}: {', '.join(FINDINGS[x] for x in r.findings if x in have)}"))
            cites = (*cites, r.citation)
        elif c.findings is None:
            sv = sv.or_(Tri.unknown(
                f"does the record of {name} include a finding of {' or '.join(FINDINGS[x] for x in r.findings)} ({r.citation})? ({cf.path}.findings)"))
    if other_state and sv.value is not False:
        sv = Tri.unknown(f"would the out-of-state conviction {name} be a serious or violent felony in California (Gov. Code § 7282(f), (g))?")
    a1 = felony.and_(sv)
    routes.append((a1, ("gov-7282.5-a1",), f"{name}: serious or violent felony ({'; '.join(dict.fromkeys(cites))})"))
    # (a)(2) felony punishable by state prison ------------------------------------------------------
    if felony.false:
        prison = Tri.no()
    elif c.date is not None and c.date < REALIGNMENT:
        prison = Tri.yes("a felony before PC 1170(h) Realignment (Oct 1, 2011) was punishable by state prison")
    elif prof.custody == "state-prison" or sv.true:
        prison = Tri.yes("punishable by state prison")
    elif prof.custody == "undetermined":
        if f.reading("realignment-1170h") == "included":
            prison = Tri.yes("every felony counts (interpretation realignment-1170h = included)")
        else:
            q = f"is {cf.label} punishable by imprisonment in the state prison, or only county jail under PC 1170(h)? ({cf.path})"
            prison = Tri.unknown(q if c.date is not None else q + f"; or give the conviction date ({cf.path}.date)")
    else:
        prison = Tri.no()
    routes.append((felony.and_(prison), ("gov-7282.5-a2",), f"{name}: felony punishable by state prison"))
    # (a)(3) lettered categories within 5 / 15 years ----------------------------------------------
    cat_yes = prof.categories_met
    cat_unknown = prof.categories_open
    if cat_yes or cat_unknown:
        letters = cat_yes or []
        cat_tri = Tri.yes(*(f"7282.5(a)(3)({k})" for k in letters)) if letters else Tri.any(cat_unknown)
        misd_letters = prof.categories_met_misdemeanor
        if c.date is None:
            when_15 = when_5 = Tri.unknown(f"when was {name} entered? ({cf.path}.date)")
        else:
            f.reading("window-start")
            when_15 = _YES if within_years(c.date, f.as_of, 15) else _NO
            when_5 = _YES if within_years(c.date, f.as_of, 5) else _NO
        fel_route = felony.and_(cat_tri).and_(when_15)
        cite_letters = (f"gov-7282.5-a3-{letters[0]}",) if letters else ("gov-7282.5-a3",)
        routes.append((fel_route, ("gov-7282.5-a3", *cite_letters), f"{name}: felony in 7282.5(a)(3)({', '.join(letters) or '?'}) within 15 years"))
        # wobbler misdemeanor within 5 years
        is_misd = _LEVEL_TRI[level == "misdemeanor"] if level != "unknown" else felony
        wob = prof.wobbler
        wob_tri = (_YES if wob else _NO) if wob is not None else Tri.unknown(
            f"was {cf.label} punishable as either a felony or a misdemeanor (a wobbler)? Give the subdivision ({cf.path}.statute)")
        if prof.level_class == "straight-misdemeanor":
            wob_tri = Tri.no(f"{cf.label} is a straight misdemeanor ({prof.level_class_cite})")
        cat_m = Tri.yes(*(f"7282.5(a)(3)({k})" for k in misd_letters)) if misd_letters else (Tri.any(cat_unknown) if not letters else Tri.no())
        p47 = prof.prop47 if level == "misdemeanor" or c.reduced == "prop47" else Tri.no()
        misd_route = is_misd.and_(wob_tri).and_(cat_m).and_(when_5).and_(p47.not_())
        routes.append((misd_route, ("gov-7282.5-a3", *cite_letters), f"{name}: wobbler misdemeanor in 7282.5(a)(3)({', '.join(misd_letters) or '?'}) within 5 years"))
    # (a)(6) Prop 47: the qualifying matter may not be a Prop 47 misdemeanor
    if (level == "misdemeanor" or c.reduced == "prop47") and prof.prop47.true:
        routes = [(Tri.no(f"{name} is a Prop 47 misdemeanor (7282.5(a)(6))"), ("gov-7282.5-a6",), name)]
    if prof.prop36 and level == "felony":
        routes.append((Tri.unknown(f"may a Prop 36 (2024) felony such as {cf.label} support cooperation under 7282.5(a)(6)? (UNVERIFIED: counsel)"),
                       ("gov-7282.5-a6",), name))
    return routes


def pending_route(i: int, pc: PendingCharge, parsed: ParsedCharge, prof: OffenseProfile | None) -> tuple[Tri, tuple[str, ...], str]:
    """7282.5(b) for one pending charge: a serious, violent or state-prison felony held to answer (PC 872)."""
    name = f"{parsed.canonical or pc.statute} (subject.pending_charges[{i}])"
    if prof is None:
        charge = Tri.unknown(f"what offense is {pc.statute!r} (subject.pending_charges[{i}].statute)? {parsed.explanation}")
    else:
        fel = Tri.of(None if pc.level == "unknown" else pc.level == "felony", f"is the pending charge {name} a felony? (subject.pending_charges[{i}].level)")
        kind = prof.serious.or_(prof.violent)
        if not kind.true:
            if prof.custody == "state-prison":
                kind = Tri.yes("punishable by state prison")
            elif prof.custody == "undetermined":
                kind = kind.or_(Tri.unknown(f"is the pending charge {name} a serious or violent felony or punishable by state prison?"))
        charge = fel.and_(kind)
    pcf = Tri.of(pc.magistrate_probable_cause,
                 f"did a magistrate find probable cause under PC 872 on the pending charge {name}? (subject.pending_charges[{i}].magistrate_probable_cause)",
                 "PC 872 probable-cause finding")
    return charge.and_(pcf), ("gov-7282.5-b",), f"pending {name} held to answer (PC 872)"


_Route = tuple[Tri, tuple[str, ...], str]


def _federal_route(aggravated: bool | None, warrant: bool | None) -> _Route:
    fed = Tri.of(aggravated, "has the person a federal conviction that is an aggravated felony (8 U.S.C. 1101(a)(43)(A)-(P))? (subject.federal_aggravated_felony)", "federal aggravated felony")
    fed = fed.or_(Tri.of(warrant, "has ICE identified the person as the subject of an outstanding federal felony arrest warrant? (subject.outstanding_federal_felony_warrant)", "outstanding federal felony warrant"))
    return fed, ("gov-7282.5-a5",), "federal aggravated felony or outstanding federal felony warrant"


# 7282.5(a)(4) and (a)(5) read only three-valued facts of the subject: their routes, made once for each value
_CSAR_ROUTE: dict[bool | None, _Route] = {
    v: (Tri.of(v, "is the person a current registrant on the California Sex and Arson Registry? (subject.csar_registrant)", "current CSAR registrant"),
        ("gov-7282.5-a4",), "current CSAR registrant") for v in (True, False, None)}
_FEDERAL_ROUTE: dict[tuple[bool | None, bool | None], _Route] = {
    (a, w): _federal_route(a, w) for a in (True, False, None) for w in (True, False, None)}


def _trust_gate(f: Facts, purpose: str) -> Gate:
    routes: list[tuple[Tri, tuple[str, ...], str]] = []
    yes: list[tuple[Tri, tuple[str, ...], str]] = []  # the routes met, in the order of ``routes``
    prop47_person = False
    convictions = f.subject.convictions
    person_reading = any(c.level == "misdemeanor" or c.reduced for c in convictions) and \
        f.reading("prop47-scope") == "person"
    for i in range(len(convictions)):
        rs, _, a6_bars, qualifies, _, met = f._routes_of(i)
        routes.extend(rs)
        yes.extend(met)
        if a6_bars:
            prop47_person = True
        elif not person_reading and qualifies:
            break  # one qualifying conviction settles the gate
    s = f.subject
    tail = [_CSAR_ROUTE[s.csar_registrant], _FEDERAL_ROUTE[s.federal_aggravated_felony, s.outstanding_federal_felony_warrant]]
    # (b): pending serious/violent/state-prison felony charge with a PC 872 probable-cause finding
    b_allowed = purpose == "notify" or (bool(f.pending) and f.reading("7282.5b-transfer") == "notification-and-transfer")
    if b_allowed:
        tail.extend(pending_route(i, pc, parsed, prof) for i, pc, parsed, prof in f.pending)
    routes.extend(tail)
    yes.extend(r for r in tail if r[0].true)
    if prop47_person and person_reading:
        return Gate(Tri.no("a Prop 47 misdemeanor bars cooperation for the person (interpretation prop47-scope = person)"),
                    ("gov-7282.5-a6",), None)
    if yes:
        t, cites, label = yes[0]
        return Gate(t, cites, label, tuple(r[2] for r in yes))
    unknown = [r for r in routes if r[0].unknown_]
    if unknown:
        missing: list[str] = []
        for r in unknown:
            for m in r[0].missing:
                if m and m not in missing:
                    missing.append(m)
        # the open prongs, cited in statute order (not in the order the records happen to be listed)
        return Gate(Tri(None, tuple(missing)), tuple(sorted({c for r in unknown for c in r[1]})), None)
    cites = ("gov-7282.5-a",) + (("gov-7282.5-a6",) if any("gov-7282.5-a6" in r[1] for r in routes) else ())
    return Gate(Tri.no("no 7282.5 condition is met"), cites, None)
