"""Regime against regime on the same requests: counts, changes with the provisions on each side, charts,
and an HTML/PDF report.  Streams batch by batch, so memory is bounded by the batch, not the table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from ..law.registry import load_regime
from .batch import BatchEngine
from .schema import read_table

OUTCOMES = ("prohibited", "review", "permitted", "required")
COLORS = {"prohibited": "#b3261e", "review": "#8a6d00", "permitted": "#1f6f43", "required": "#1b4f9c"}
GROUPS = ("ask", "agency", "category", "year")


@dataclass
class Comparison:
    regimes: list[str]
    requests: int = 0
    counts: pl.DataFrame | None = None          # regime, ask, agency, category, year, outcome, n
    transitions: pl.DataFrame | None = None     # regime, ask, from, to, n  (from = first regime)
    changed_examples: pl.DataFrame | None = None
    files: dict[str, Path] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def by(self, group: str) -> pl.DataFrame:
        """Outcome counts by ``group`` (ask, agency, category or year) and regime, one column per outcome."""
        assert self.counts is not None
        t = self.counts.group_by(group, "regime", "outcome").agg(pl.col("n").sum())
        wide = t.pivot(on="outcome", index=[group, "regime"], values="n").fill_null(0)
        for o in OUTCOMES:
            if o not in wide.columns:
                wide = wide.with_columns(pl.lit(0, pl.UInt32).alias(o))
        order = {g: i for i, g in enumerate(self.regimes)}
        return (wide.select(group, "regime", *OUTCOMES).with_columns(total=pl.sum_horizontal(*OUTCOMES))
                .with_columns(_o=pl.col("regime").replace_strict(order, return_dtype=pl.Int32))
                .sort(group, "_o").drop("_o"))

    def changed(self) -> pl.DataFrame:
        """For each regime against the first: how many request-asks change, by ask."""
        assert self.transitions is not None
        return (self.transitions.filter(pl.col("from") != pl.col("to"))
                .group_by("regime", "ask").agg(pl.col("n").sum()).sort("regime", "ask"))


def _read(path: str | Path) -> tuple[pl.LazyFrame, pl.LazyFrame | None]:
    p = Path(path)
    if p.is_dir():
        req = next((p / f"requests.{e}" for e in ("parquet", "csv") if (p / f"requests.{e}").exists()), None)
        if req is None:
            raise FileNotFoundError(f"{p}: no requests.parquet or requests.csv")
        rec = next((p / f"records.{e}" for e in ("parquet", "csv") if (p / f"records.{e}").exists()), None)
        return read_table(str(req)), read_table(str(rec)) if rec else None
    sibling = p.with_name(p.name.replace("requests", "records")) if "requests" in p.name else None
    return read_table(str(p)), read_table(str(sibling)) if sibling and sibling.exists() else None


def compare(data: str | Path | tuple[pl.DataFrame, pl.DataFrame], regimes: list[str], out: str | Path | None = None, *,
            batch_size: int = 500_000, progress: Callable[[int], None] | None = None, examples: int = 200) -> Comparison:
    """Run every regime over the same table; write ``counts``, ``changes`` (CSV and Parquet) to ``out``."""
    if len(regimes) < 2:
        raise ValueError("compare at least two regimes")
    if isinstance(data, tuple):
        req_lf, rec_lf = data[0].lazy(), data[1].lazy()
    else:
        req_lf, rec_lf = _read(data)
    engines = {g: BatchEngine(g) for g in regimes}
    keep = ("agency", "year")
    runs = {g: e.run(req_lf, rec_lf, batch_size=batch_size, keep=("agency", "as_of")) for g, e in engines.items()}
    counts: list[pl.DataFrame] = []
    trans: list[pl.DataFrame] = []
    ex: list[pl.DataFrame] = []
    outdir = Path(out) if out else None
    writer = None
    csv_out = None
    if outdir:
        outdir.mkdir(parents=True, exist_ok=True)
    base = regimes[0]
    offset = 0
    try:
        while True:
            frames = {}
            for g in regimes:
                try:
                    frames[g] = next(runs[g])
                except StopIteration:
                    frames = {}
                    break
            if not frames:
                break
            ids = frames[base]["request_id"].unique()
            for g, fr in frames.items():
                fr = frames[g] = fr.with_columns(year=pl.col("as_of").dt.year()).drop("as_of")
                counts.append(fr.group_by("ask", *keep, "category", "outcome").len("n")
                              .with_columns(pl.col(pl.Categorical).cast(pl.String), regime=pl.lit(g)))
            a = frames[base]
            for g in regimes[1:]:
                b = frames[g].select("request_id", "ask_index", pl.col("outcome").alias("outcome_b"),
                                     pl.col("deciding_rule").alias("rule_b"), pl.col("citations").alias("citations_b"))
                j = a.join(b, on=["request_id", "ask_index"], how="inner")
                trans.append(j.group_by("ask", pl.col("outcome").alias("from"), pl.col("outcome_b").alias("to"))
                             .len("n").with_columns(pl.col(pl.Categorical).cast(pl.String), regime=pl.lit(g)))
                diff = j.filter(pl.col("outcome") != pl.col("outcome_b")).select(
                    "request_id", "ask_index", "ask", "agency", "year", "category",
                    pl.lit(base).alias("regime_a"), pl.col("outcome").alias("outcome_a"), pl.col("deciding_rule").alias("rule_a"),
                    pl.col("citations").alias("citations_a"), pl.lit(g).alias("regime_b"), "outcome_b", "rule_b", "citations_b",
                ).with_columns(pl.col(pl.Categorical).cast(pl.String))  # the per-request diff is plain text for any reader
                if examples and sum(x.height for x in ex) < examples * (len(regimes) - 1):
                    ex.append(diff.head(examples))
                if outdir and diff.height:
                    import pyarrow.parquet as pq

                    t = diff.to_arrow()
                    writer = writer or pq.ParquetWriter(outdir / "changes.parquet", t.schema, compression="zstd")
                    writer.write_table(t)
                    if csv_out is None:
                        csv_out = (outdir / "changes.csv").open("w")
                        diff.write_csv(csv_out)
                    else:
                        diff.write_csv(csv_out, include_header=False)
            offset += ids.len()
            if progress:
                progress(ids.len())
    finally:
        if writer is not None:
            writer.close()
        if csv_out is not None:
            csv_out.close()
    cmp = Comparison(regimes=regimes, requests=offset)
    cmp.labels = {g: (load_regime(g).label or "the law in force") for g in regimes}
    cmp.counts = (pl.concat(counts).group_by("regime", "ask", *keep, "category", "outcome").agg(pl.col("n").sum())
                  .sort("regime", "ask", "agency", "year", "category", "outcome")) if counts else None
    cmp.transitions = (pl.concat(trans).group_by("regime", "ask", "from", "to").agg(pl.col("n").sum())
                       .sort("regime", "ask", "from", "to")) if trans else None
    cmp.changed_examples = pl.concat(ex) if ex else None
    if outdir and cmp.counts is not None:
        cmp.counts.write_csv(outdir / "counts.csv")
        cmp.counts.write_parquet(outdir / "counts.parquet")
        assert cmp.transitions is not None
        cmp.transitions.write_csv(outdir / "transitions.csv")
        cmp.files = {p.name: p for p in sorted(outdir.iterdir())}
    return cmp


# ------------------------------------------------------------------ charts and report
def chart_svg(cmp: Comparison, group: str = "ask") -> str:
    """Small multiples: per regime, a horizontal stacked bar of outcomes for each ``group`` value (SVG)."""
    from ..charts import pyplot, svg

    plt = pyplot()

    t = cmp.by(group)
    cats = sorted({str(c) for c in t[group].to_list()})
    n = len(cmp.regimes)
    fig, axes = plt.subplots(1, n, figsize=(3.3 * n + 1.2, 0.32 * len(cats) + 1.3), dpi=96, sharey=True, squeeze=False)
    for ax, g in zip(axes[0], cmp.regimes, strict=True):
        sub = {str(r[group]): r for r in t.filter(pl.col("regime") == g).iter_rows(named=True)}
        left = [0] * len(cats)
        for o in OUTCOMES:
            vals = [int(sub[c][o]) if c in sub else 0 for c in cats]
            ax.barh(range(len(cats)), vals, left=left, color=COLORS[o], label=o, edgecolor="white", linewidth=0.4)
            left = [a + b for a, b in zip(left, vals, strict=True)]
        ax.set_title(g, fontsize=9)
        ax.set_yticks(range(len(cats)), cats, fontsize=8)
        ax.invert_yaxis()
        ax.tick_params(axis="x", labelsize=7)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0][0].legend(fontsize=7, frameon=False, loc="lower right")
    fig.supxlabel("request-asks", fontsize=8)
    return svg(fig)


def render_html(cmp: Comparison, title: str = "What-if comparison") -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("sanctuary.whatif", "templates"), autoescape=select_autoescape())
    tables = {g: cmp.by(g) for g in GROUPS}
    return env.get_template("report.html.j2").render(
        title=title, cmp=cmp, tables=tables, changed=cmp.changed() if cmp.transitions is not None else None,
        charts={"ask": chart_svg(cmp, "ask"), "agency": chart_svg(cmp, "agency")},
        examples=cmp.changed_examples.head(40).to_dicts() if cmp.changed_examples is not None else [],
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), outcomes=OUTCOMES)


def write_report(cmp: Comparison, out: str | Path, pdf: bool = True) -> dict[str, Path]:
    outdir = Path(out)
    outdir.mkdir(parents=True, exist_ok=True)
    html = render_html(cmp)
    (outdir / "report.html").write_text(html, encoding="utf-8")
    (outdir / "outcomes-by-ask.svg").write_text(chart_svg(cmp, "ask"), encoding="utf-8")
    if pdf:
        from weasyprint import HTML

        HTML(string=html, base_url=str(outdir)).write_pdf(outdir / "report.pdf")
    cmp.files = {p.name: p for p in sorted(outdir.iterdir())}
    return cmp.files


def summary_text(cmp: Comparison) -> str:
    lines = [f"{cmp.requests:,} requests; regimes: {', '.join(cmp.regimes)} (changes against {cmp.regimes[0]})"]
    if cmp.transitions is not None:
        for r in cmp.changed().iter_rows(named=True):
            lines.append(f"  {r['regime']}: {r['ask']}: {r['n']:,} request-asks change outcome")
    return "\n".join(lines)


def as_json(cmp: Comparison) -> dict[str, Any]:
    return {
        "regimes": cmp.regimes, "labels": cmp.labels, "requests": cmp.requests,
        "counts": cmp.counts.to_dicts() if cmp.counts is not None else [],
        "transitions": cmp.transitions.to_dicts() if cmp.transitions is not None else [],
        "changed_examples": cmp.changed_examples.head(50).to_dicts() if cmp.changed_examples is not None else [],
    }
