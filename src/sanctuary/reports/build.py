"""Statutory reports built from the ledger alone.  Each cites its provision, names the ledger range and
the signed checkpoint it was computed from, and lists for every figure the ledger entries it counts.

``REPORTS`` maps a name to its builder; ``sanctuary report NAME --year Y --format ...`` renders one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ..law.registry import agencies
from ..ledger.service import Ledger
from .ledger_data import LedgerTables, load
from .suppress import DEFAULT_THRESHOLD, suppress

ACCESS_KINDS = ("hold", "notify-release", "transfer", "interview", "personal-info")
# 7283.1(d): the governing body of the county or city whose law enforcement agency gave ICE access.
GOVERNING_BODY = {"lapd": "City of Los Angeles (City Council)", "la-city-other": "City of Los Angeles (City Council)",
                  "ladot": "City of Los Angeles (City Council)", "lapl": "City of Los Angeles (City Council)",
                  "lasd": "County of Los Angeles (Board of Supervisors)",
                  "la-county-probation": "County of Los Angeles (Board of Supervisors)",
                  "la-county-dhs": "County of Los Angeles (Board of Supervisors)"}


@dataclass
class Table:
    name: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    entries: list[list[int]] = field(default_factory=list)   # ledger indices behind each row
    note: str = ""
    suppressed: bool = False

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame([dict(zip(self.columns, r, strict=True)) for r in self.rows],
                            schema=self.columns if not self.rows else None, infer_schema_length=None)


@dataclass
class Report:
    name: str
    title: str
    citation: str
    year: int
    tables: list[Table]
    ledger_first: int | None
    ledger_last: int | None
    tree_size: int
    checkpoint: str
    notes: list[str] = field(default_factory=list)
    generated_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))

    def to_json(self) -> dict[str, Any]:
        return {"report": self.name, "title": self.title, "citation": self.citation, "year": self.year,
                "ledger": {"first_index": self.ledger_first, "last_index": self.ledger_last, "tree_size": self.tree_size,
                           "checkpoint": self.checkpoint},
                "generated_at": self.generated_at, "notes": self.notes,
                "tables": [{"name": t.name, "title": t.title, "note": t.note, "suppressed": t.suppressed,
                            "rows": [dict(zip(t.columns, r, strict=True)) | ({"ledger_entries": t.entries[i]} if t.entries else {})
                                     for i, r in enumerate(t.rows)]} for t in self.tables]}


def _head(lt: LedgerTables, name: str, title: str, citation: str, year: int, tables: list[Table], notes: list[str]) -> Report:
    return Report(name, title, citation, year, tables, lt.first, lt.last, lt.size, lt.checkpoint, notes)


def _name(agency_id: str) -> str:
    a = agencies().get(agency_id)
    return a.name if a else agency_id


# ------------------------------------------------------------------ 7284.6(c)(2): DOJ transfer report
def doj_transfers(ledger: Ledger, year: int, threshold: int = DEFAULT_THRESHOLD) -> Report:
    """Gov. Code § 7284.6(c)(2): each agency's transfers in the year and the offense that allowed each.
    Sent to the Department of Justice as is (no suppression); counts recorded *acts* (action entries),
    with the qualifying basis the decision recorded."""
    lt = load(ledger, None, kinds=("action",))
    acts = lt.actions.filter((pl.col("kind") == "transfer") & (pl.col("action") == "performed") & (pl.col("on").dt.year() == year))
    rows: dict[tuple[str, str], list[int]] = {}
    flagged = []
    for a in acts.iter_rows(named=True):
        rec = ledger.get(a["decision_id"])
        basis = (rec["public"]["asks"][a["ask_index"]].get("qualifying") if rec else None) or "none recorded"
        if a["against_decision"]:
            flagged.append(a["idx"])
            basis = f"{basis} (performed against the recorded decision)"
        rows.setdefault((a["agency"], basis), []).extend([a["idx"], a["decision_idx"]])
    table = Table("transfers", f"Transfers to immigration authorities in {year}, by agency and the offense that allowed each",
                  ["agency", "agency_name", "allowed_by", "transfers"],
                  [[ag, _name(ag), basis, len(ix) // 2] for (ag, basis), ix in sorted(rows.items())],
                  [sorted(ix) for _, ix in sorted(rows.items())])
    by_agency: dict[str, int] = {}
    for (ag, _), ix in rows.items():
        by_agency[ag] = by_agency.get(ag, 0) + len(ix) // 2
    totals = Table("totals", "Transfers by agency", ["agency", "agency_name", "transfers"],
                   [[ag, _name(ag), n] for ag, n in sorted(by_agency.items())])
    notes = [f"Computed from the {acts.height} transfer action entries dated {year} and the decisions they link to."]
    if flagged:
        notes.append(f"{len(flagged)} transfer(s) were recorded as performed against the decision: ledger entries {flagged}.")
    lt.first, lt.last = (min(acts["idx"]), max(acts["idx"])) if acts.height else (lt.first, lt.last)
    return _head(lt, "doj-transfers", f"Annual transfer report to the Department of Justice, {year}",
                 "Gov. Code § 7284.6(c)(2)", year, [totals, table], notes)


# ------------------------------------------------------------------ 7283.1(c): ICE access records
def _access(lt: LedgerTables, year: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    f = lt.final.filter(pl.col("kind").is_in(ACCESS_KINDS) & pl.col("from_authority").is_in(["ice-ero", "ice-hsi"]))
    given = lt.actions.filter(pl.col("kind").is_in(ACCESS_KINDS) & (pl.col("action") == "performed") & (pl.col("on").dt.year() == year))
    return f, given


def _two_way(name: str, title: str, frame: pl.DataFrame, row: str, col: str, cols: tuple[str, ...], threshold: int,
             note: str = "") -> Table:
    rows = sorted(frame[row].unique().to_list()) if frame.height else []
    idx: dict[tuple[str, str], list[int]] = {}
    for r in frame.select(row, col, "idx").iter_rows():
        idx.setdefault((r[0], r[1]), []).append(r[2])
    values = [[len(idx.get((r, c), [])) for c in cols] for r in rows]
    if not rows:
        return Table(name, title, [row, *cols, "total"], [], [], note, True)
    s = suppress(values, threshold)
    out_rows = [[r, *s.cells[i], s.row_totals[i]] for i, r in enumerate(rows)]
    out_rows.append(["total", *s.col_totals, s.total])
    entries = [sorted(set(x for c in cols for x in idx.get((r, c), []))) for r in rows] + [sorted(frame["idx"].unique().to_list())]
    extra = f" Cells under {threshold} and complementary cells are suppressed (shown empty)." if s.primary else ""
    if s.withheld:
        extra = f" No suppression pattern protected the small cells, so only the grand total is published (when at least {threshold})."
    return Table(name, title, [row, *cols, "total"], out_rows, entries, (note + extra).strip(), True)


def truth_access(ledger: Ledger, year: int, threshold: int = DEFAULT_THRESHOLD) -> Report:
    """Gov. Code § 7283.1(c): records relating to ICE access are public records.  Requests received from
    ICE, what the law allowed, and access given, by agency and kind; small cells suppressed."""
    lt = load(ledger, year, kinds=("decision", "review", "action", "screening"))
    f, given = _access(lt, year)
    allowed = f.filter(pl.col("final").is_in(["permitted", "required"]))
    sent = lt.screenings.filter(pl.col("recipient").is_in(["ice-ero", "ice-hsi"]) & (pl.col("as_of").dt.year() == year))
    tables = [
        _two_way("received", f"ICE requests received in {year}", f, "agency", "kind", ACCESS_KINDS, threshold),
        _two_way("allowed", f"Requests the law allowed (permitted or required, after counsel's review) in {year}", allowed,
                 "agency", "kind", ACCESS_KINDS, threshold),
        _two_way("given", f"Access given (recorded acts) in {year}", given, "agency", "kind", ACCESS_KINDS, threshold),
        _two_way("screened", f"Records and texts screened before going to ICE in {year} (the outbound screen; values never recorded)",
                 sent, "agency", "left", ("nothing personal left", "something left"), threshold,
                 f"{int(sent['withheld'].sum() or 0)} fields or findings were withheld in all."),
    ]
    return _head(lt, "truth-access", f"TRUTH Act: ICE access records, {year}", "Gov. Code § 7283.1(c)", year, tables,
                 ["Access means an interview, notification of release, transfer, hold or personal information "
                  "(Gov. Code § 7283(a)); only requests from ICE are counted."])


# ------------------------------------------------------------------ 7283.1(d): community forum
def forum(ledger: Ledger, year: int, threshold: int = DEFAULT_THRESHOLD) -> Report:
    """Gov. Code § 7283.1(d): the governing body of a county or city whose agency gave ICE access in a
    year holds at least one community forum in the next, noticed 30 days ahead, open to public comment."""
    lt = load(ledger, year, kinds=("decision", "action"))
    _, given = _access(lt, year)
    by_body: dict[str, list[int]] = {}
    agencies_of: dict[str, set[str]] = {}
    for a in given.iter_rows(named=True):
        body = GOVERNING_BODY.get(a["agency"], f"governing body of {_name(a['agency'])} (check: 7283.1(d) names counties and cities)")
        by_body.setdefault(body, []).append(a["idx"])
        agencies_of.setdefault(body, set()).add(a["agency"])
    rows, entries = [], []
    for body in sorted(set(GOVERNING_BODY.values()) | set(by_body)):
        ix = by_body.get(body, [])
        n = len(ix)
        rows.append([body, ", ".join(sorted(agencies_of.get(body, set()))) or "-", n if n == 0 or n >= threshold else None,
                     "yes" if n else "no", f"{year + 1}-12-31" if n else "-",
                     "at least 30 days before the forum" if n else "-"])
        entries.append(sorted(ix))
    t = Table("forum", f"Community forum owed in {year + 1} for ICE access given in {year}",
              ["governing_body", "agencies", "access_events", "forum_required", "hold_by", "notice"], rows, entries,
              f"Counts under {threshold} are suppressed; the duty follows from any access at all.")
    return _head(lt, "forum", f"TRUTH Act community forum obligation, {year + 1}", "Gov. Code § 7283.1(d)", year, [t],
                 ["At the forum the governing body may present the ICE access data of the TRUTH access report "
                  "(sanctuary report truth-access), which is public under § 7283.1(c)."])


# ------------------------------------------------------------------ 7284.6(c)(1): task forces
def task_force(ledger: Ledger, year: int, threshold: int = DEFAULT_THRESHOLD) -> Report:
    """Gov. Code § 7284.6(c)(1): agencies in joint task forces report purpose, members, arrests and
    immigration-enforcement arrests.  The ledger holds the participation decisions; arrest counts are
    the agency's own records and are listed as not recorded."""
    lt = load(ledger, year, kinds=("decision",))
    f = lt.final.filter(pl.col("kind") == "task-force")
    t = _two_way("participation", f"Task-force participation requests decided in {year}", f, "agency", "final",
                 ("prohibited", "review", "permitted", "required"), threshold)
    missing = Table("to-complete", "Fields the DOJ form asks for that the ledger does not hold",
                    ["field", "source"], [["purpose of each task force", "the agency's agreement"],
                                          ["federal, state and local agencies involved", "the agreement"],
                                          ["total arrests in the period", "the agency's arrest records"],
                                          ["arrests for immigration enforcement purposes", "the agency's arrest records (\"if known\")"]])
    return _head(lt, "task-force", f"Joint task force report, {year}", "Gov. Code § 7284.6(c)(1)", year, [t, missing], [])


# ------------------------------------------------------------------ the ordinance's exception
def reentry_exception(ledger: Ledger, year: int, threshold: int = DEFAULT_THRESHOLD) -> Report:
    """How often the 7284.6(b)(1) reentry exception (kept by Ordinance 188441) decided an ask."""
    lt = load(ledger, year, kinds=("decision",))
    f = lt.final.filter(pl.col("deciding_rule").str.contains("reentry")).with_columns(month=pl.col("as_of").dt.strftime("%Y-%m"))
    rows, entries = [], []
    for r in f.group_by("agency", "deciding_rule", "final").agg(pl.len().alias("n"), pl.col("idx")).sort("agency", "deciding_rule").iter_rows(named=True):
        rows.append([r["agency"], r["deciding_rule"], r["final"], r["n"]])
        entries.append(sorted(r["idx"]))
    t = Table("invocations", f"Asks decided by the reentry exception in {year}", ["agency", "rule", "outcome", "asks"], rows, entries,
              "Exact counts: the council asked how often the exception is used (the City reported twice since 2018).")
    return _head(lt, "reentry-exception", f"Ordinance 188441: the 7284.6(b)(1) reentry exception, {year}",
                 "L.A. Ord. 188441; Gov. Code § 7284.6(b)(1)", year, [t], [])


REPORTS: dict[str, Callable[..., Report]] = {
    "doj-transfers": doj_transfers, "truth-access": truth_access, "forum": forum, "task-force": task_force,
    "reentry-exception": reentry_exception,
}
