"""A demo year in the ledger: the calibrated what-if generator's requests decided and recorded under the
law in force, with what staff did afterwards and counsel's determinations, so the reports and the
dashboard show something real on ``make run``.

Assumptions (stated, seeded): staff carry out 90 % of the transfers and 95 % of the release
notifications the law allows and 60 % of the allowed interviews, within 0-10 days; counsel determines
70 % of review cases within 1-30 days, mostly as prohibited (the conservative answer when the missing
fact never arrives).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from ..whatif import generate
from ..whatif.schema import to_request

CARRY_OUT = {"transfer": 0.90, "notify-release": 0.95, "interview": 0.60}


def record_year(svc: Any, year: int = 2025, seed: int = 2025, rows: int | None = None,
                progress: Callable[[int], None] | None = None) -> dict[str, int]:
    rng = random.Random(seed)
    n = rows or generate.requests_per_year()
    req, rec = next(generate.chunks(n, year=year, seed=seed, chunk=n))
    by: dict[int, list[dict[str, Any]]] = {}
    for r in rec.iter_rows(named=True):
        by.setdefault(r["request_id"], []).append(r)
    counts = {"decisions": 0, "actions": 0, "determinations": 0}
    last = dt.date(year, 12, 31)
    for row in req.sort("as_of").iter_rows(named=True):
        d = svc.decide(to_request(row, by.get(row["request_id"], []), svc.regime_id))
        counts["decisions"] += 1
        for i, a in enumerate(d.asks):
            p = CARRY_OUT.get(a.kind)
            if p and a.outcome in ("permitted", "required") and rng.random() < p:
                on = min(last, d.as_of + dt.timedelta(days=rng.randint(0, 10)))
                svc.record_action(d.decision_id, i, "performed", by="demo clerk", on=on)
                counts["actions"] += 1
        if any(a.outcome == "review" for a in d.asks) and rng.random() < 0.7:
            dets = [{"ask": i, "outcome": "prohibited" if rng.random() < 0.8 else "permitted"}
                    for i, a in enumerate(d.asks) if a.outcome == "review"]
            on = min(last, d.as_of + dt.timedelta(days=rng.randint(1, 30)))
            svc.determine(d.decision_id, dets, "demo: the missing facts did not arrive" if dets[0]["outcome"] == "prohibited"
                          else "demo: the record was confirmed", by="demo counsel", on=on)
            counts["determinations"] += 1
        if progress:
            progress(1)
    return counts
