"""What of a decision goes into the leaf (public) and what stays in the purgeable personal table."""

from __future__ import annotations

from typing import Any

from ..engine.models import Decision, Request, model_json


def decision_entry(d: Decision, request: Request | None, decision_json: bytes | None = None) -> tuple[dict[str, Any], bytes]:
    """Public part: who decided what, under which law, with which citations (no facts about the person
    beyond the qualifying offense the DOJ transfer report needs).  Personal part: the request and the
    full decision with its trace (``decision_json``: the decision already serialised without its receipt,
    when the caller has it)."""
    public = {
        "decision_id": d.decision_id, "agency": d.agency, "as_of": d.as_of.isoformat(), "regime": d.regime,
        "from_authority": request.from_authority if request else "unknown",
        "regime_in_force": d.regime_in_force, "law_version": d.law_version,
        "asks": [{"kind": a.kind, "detail": a.detail, "outcome": a.outcome, "citations": a.citations,
                  "deciding_rule": a.deciding_rule, "qualifying": a.qualifying} for a in d.asks],
        "obligations": [{"kind": o.kind, "citation": o.citation, "condition": o.condition} for o in d.obligations],
        "interpretations": {i.id: i.reading for i in d.interpretations},
        "review": any(a.outcome == "review" for a in d.asks),
    }
    # The personal blob is stored byte-for-byte and committed by a salted hash of those bytes; it need
    # not be canonical: it is what model_dump_json writes.
    personal = (b'{"request":' + (model_json(request) if request else b"null") +
                b',"decision":' + (decision_json or model_json(d, exclude="receipt")) + b"}")
    return public, personal
