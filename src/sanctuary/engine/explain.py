"""Render a Decision for people: the clerk's text, and the cited trace tree."""

from __future__ import annotations

from .models import Decision

MARK = {"prohibited": "NO  — PROHIBITED", "permitted": "MAY — PERMITTED (never required)",
        "required": "MUST — REQUIRED", "review": "WAIT — REFER FOR REVIEW"}


def to_text(d: Decision) -> str:
    lines = [f"{d.agency.upper()} · {d.as_of.isoformat()} · regime {d.regime} · law version {d.law_version}"]
    if not d.regime_in_force:
        lines.append(f"!! {d.regime_label}")
    lines.append("")
    for a in d.asks:
        detail = ", ".join(f"{k}={v}" for k, v in a.detail.items())
        lines.append(f"{a.kind.upper()}{f' ({detail})' if detail else ''}: {MARK.get(a.outcome, a.outcome)}")
        lines.append(f"    {a.reason}")
        lines.append(f"    Law: {'; '.join(a.citations)}")
        for m in a.missing_facts:
            lines.append(f"    ? {m}")
    if d.obligations:
        lines += ["", "WHAT YOU MUST DO NOW"]
        for o in d.obligations:
            when = f" — {o.deadline}" if o.deadline else ""
            cond = f" [{o.condition}]" if o.condition else ""
            lines.append(f"  [ ] {o.text}{when}{cond}  ({o.citation})")
    if d.what_would_change:
        lines += ["", "WHAT WOULD CHANGE THE ANSWER"] + [f"  - {w}" for w in d.what_would_change]
    if d.interpretations:
        lines += ["", "READINGS OF UNSETTLED LAW USED"]
        lines += [f"  - {i.id} = {i.reading}{' (default)' if i.default else ''}: {i.meaning}" for i in d.interpretations]
    unresolved = [c for c in d.charges if c["status"] not in ("resolved", "section-only")]
    if unresolved:
        lines += ["", "CHARGES NOT RESOLVED"] + [f"  - {c['path']}: {c['raw']!r}: {c['explanation']}" for c in unresolved]
    if d.receipt:
        lines += ["", f"Recorded: {d.receipt.get('id')} at {d.receipt.get('recorded_at')}"]
    return "\n".join(lines) + "\n"


def trace_text(d: Decision) -> str:
    out = [d.trace["label"]]
    for a in d.trace["asks"]:
        out.append(f"├─ ask[{a['index']}] {a['ask']} → {a['outcome']} by {a['deciding_rule']}  [{'; '.join(a['citations'])}]")
        for layer in a["layers"]:
            out.append(f"│  ├─ {layer['layer']} layer → {layer['outcome']}")
            for r in layer["rules"]:
                flag = " (overridden by an exception)" if r["overridden"] else ""
                out.append(f"│  │  ├─ {r['rule']} → {r['outcome']}{flag}  [{'; '.join(r['citations'])}]")
                out.append(f"│  │  │    {r['reason']}")
                for m in r["missing"]:
                    out.append(f"│  │  │    ? {m}")
        for n in a["notes"]:
            out.append(f"│  └─ note: {n}")
    return "\n".join(out) + "\n"
