"""A report as JSON, CSV, HTML or PDF (the PDF is the HTML through WeasyPrint, charts embedded as SVG)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from .build import Report

_env = Environment(loader=PackageLoader("sanctuary.reports", "templates"), autoescape=select_autoescape())


def to_csv(r: Report) -> str:
    """Every table, one block after another: ``table`` column first, ``ledger_entries`` last."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["# report", r.name, r.citation, f"year {r.year}", f"ledger {r.ledger_first}-{r.ledger_last}",
                f"tree size {r.tree_size}"])
    for t in r.tables:
        w.writerow(["table", *t.columns, "ledger_entries"])
        for i, row in enumerate(t.rows):
            w.writerow([t.name, *("" if v is None else v for v in row),
                        " ".join(map(str, t.entries[i])) if t.entries else ""])
    return out.getvalue()


def to_html(r: Report, charts: dict[str, str] | None = None, proof_base: str = "/v1/ledger/entries/") -> str:
    return _env.get_template("report.html.j2").render(r=r, charts=charts or {}, proof_base=proof_base)


def to_pdf(r: Report, charts: dict[str, str] | None = None) -> bytes:
    from weasyprint import HTML

    return HTML(string=to_html(r, charts, proof_base="")).write_pdf()


def render(r: Report, fmt: str) -> str | bytes:
    if fmt == "json":
        return json.dumps(r.to_json(), indent=2, default=str)
    if fmt == "csv":
        return to_csv(r)
    if fmt == "html":
        return to_html(r)
    if fmt == "pdf":
        return to_pdf(r)
    raise ValueError(f"format must be json, csv, html or pdf, not {fmt!r}")


def entries_preview(ix: list[int], n: int = 12) -> dict[str, Any]:
    return {"shown": ix[:n], "more": max(0, len(ix) - n)}
