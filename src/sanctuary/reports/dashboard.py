"""The public dashboard: requests by authority, ask, agency and month; outcomes; exceptions invoked;
review turnaround; trends.  Built from the ledger's public records, small cells suppressed with
complementary cells; every table downloadable as CSV, every chart an SVG."""

from __future__ import annotations

import io
from dataclasses import dataclass

import polars as pl
from jinja2 import Environment, PackageLoader, select_autoescape

from ..law.registry import load_regime
from ..ledger.service import Ledger
from .build import Table, _two_way
from .ledger_data import LedgerTables, load
from .suppress import DEFAULT_THRESHOLD, suppress_1d

OUTCOMES = ("prohibited", "review", "permitted", "required")
env = Environment(loader=PackageLoader("sanctuary.reports", "templates"), autoescape=select_autoescape())
COLORS = {"prohibited": "#b3261e", "review": "#8a6d00", "permitted": "#1f6f43", "required": "#1b4f9c"}


@dataclass
class Dashboard:
    year: int | None
    tables: dict[str, Table]
    lt: LedgerTables
    threshold: int

    def csv(self, name: str) -> str:
        t = self.tables[name]
        out = io.StringIO()
        pl.DataFrame([["" if v is None else str(v) for v in r] for r in t.rows], schema=t.columns, orient="row").write_csv(out)
        return out.getvalue()


def _exception_rules(regime: str) -> set[str]:
    """Rules that are exceptions to another rule: an ask they decide "invokes an exception"."""
    return {r.id for r in load_regime(regime).rules if r.overrides}


def build(ledger: Ledger, year: int | None = None, threshold: int = DEFAULT_THRESHOLD, regime: str = "la-2026") -> Dashboard:
    lt = load(ledger, year, kinds=("decision", "review"))
    f = lt.final.with_columns(month=pl.col("as_of").dt.strftime("%Y-%m"))
    tables: dict[str, Table] = {}
    for key, title in (("month", "Asks by month and outcome"), ("agency", "Asks by agency and outcome"),
                       ("kind", "Asks by kind and outcome"), ("from_authority", "Asks by requesting authority and outcome")):
        name = f"by-{key.replace('_', '-')}"
        tables[name] = _two_way(name, title, f, key, "final", OUTCOMES, threshold,
                                "Outcomes after counsel's determination of review cases.")
    exc = f.filter(pl.col("deciding_rule").is_in(list(_exception_rules(regime))) & pl.col("final").is_in(["permitted", "required"]))
    counts = exc.group_by("deciding_rule").agg(pl.len().alias("n"), pl.col("idx")).sort("deciding_rule")
    cells, total = suppress_1d(counts["n"].to_list(), threshold)
    tables["exceptions"] = Table(
        "exceptions", "Exceptions invoked: asks a rule's exception decided as permitted or required", ["rule", "asks"],
        [[r, c] for r, c in zip(counts["deciding_rule"].to_list(), cells, strict=True)] + [["total", total]],
        [sorted(x) for x in counts["idx"].to_list()] + [sorted(exc["idx"].unique().to_list())],
        f"Counts under {threshold} suppressed, with a complementary cell.", True)
    rev = (f.filter(pl.col("review_idx").is_not_null()).unique(subset="decision_id")
           .with_columns(days=(pl.col("reviewed_on") - pl.col("as_of")).dt.total_days()))
    turn = rev.group_by("month").agg(pl.len().alias("n"), pl.col("days").median().alias("median"),
                                     pl.col("days").max().alias("max"), pl.col("review_idx")).sort("month")
    rows, entries = [], []
    for r in turn.iter_rows(named=True):
        small = r["n"] < threshold
        rows.append([r["month"], None if small else r["n"], None if small else r["median"], None if small else r["max"]])
        entries.append(sorted(r["review_idx"]))
    open_cases = f.filter((pl.col("outcome") == "review") & pl.col("review_idx").is_null())["decision_id"].n_unique()
    rows.append(["still open", open_cases if open_cases == 0 or open_cases >= threshold else None, None, None])
    entries.append([])
    tables["turnaround"] = Table("turnaround", "Review turnaround: days from the request to counsel's determination",
                                 ["month", "cases_determined", "median_days", "max_days"], rows, entries,
                                 f"Months with fewer than {threshold} determinations are suppressed.", True)
    return Dashboard(year, tables, lt, threshold)


def chart(d: Dashboard, name: str) -> str:
    """``trend`` (asks per month, by outcome) or ``asks`` (outcomes by kind of ask), as SVG."""
    from ..charts import pyplot, svg

    plt = pyplot()

    key = {"trend": "by-month", "asks": "by-kind", "agencies": "by-agency"}[name]
    t = d.tables[key]
    rows = [r for r in t.rows if r[0] != "total"]
    labels = [str(r[0]) for r in rows]
    fig, ax = plt.subplots(figsize=(8, 3.4) if name == "trend" else (8, 0.35 * len(labels) + 1.2), dpi=96)
    base = [0] * len(rows)
    for k, o in enumerate(OUTCOMES):
        vals = [r[1 + k] or 0 for r in rows]  # a suppressed cell is drawn as 0 and marked below
        if name == "trend":
            ax.bar(range(len(rows)), vals, bottom=base, color=COLORS[o], label=o, width=0.8)
        else:
            ax.barh(range(len(rows)), vals, left=base, color=COLORS[o], label=o)
        base = [b + v for b, v in zip(base, vals, strict=True)]
    if name == "trend":
        ax.set_xticks(range(len(rows)), labels, rotation=60, ha="right", fontsize=7)
        ax.set_ylabel("asks")
    else:
        ax.set_yticks(range(len(rows)), labels, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel("asks")
    hidden = sum(v is None for r in rows for v in r[1:5])
    ax.set_title({"trend": "Asks per month, by outcome", "asks": "Outcomes by kind of ask",
                  "agencies": "Outcomes by agency"}[name] + (f" ({hidden} small cells suppressed)" if hidden else ""), fontsize=10)
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.spines[["top", "right"]].set_visible(False)
    return svg(fig)
