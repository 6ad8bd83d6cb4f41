"""The ASGI application built from SANCTUARY_* settings, for `uvicorn sanctuary.api.asgi:app --workers N`.

Each worker process opens the ledger; appends from all workers are serialised by the database and
every worker catches its in-memory tree up before it writes."""

from __future__ import annotations

import gc

from .. import settings
from ..engine.samples import sample_requests
from ..service import Sanctuary, open_ledger, open_sessions
from .app import create_app

_sessions = open_sessions()
_rate = float(settings.get("rate_limit"))
_svc = Sanctuary(open_ledger(), settings.get("regime"), _sessions)
app = create_app(_svc, _sessions, rate=_rate, burst=int(_rate * 2))

# Load what the first decisions would load (law packs, offense catalog: decided, not recorded), then move
# every object made so far out of the garbage collector's sight: they live as long as the process, and
# a full collection no longer walks them (such collections showed as pauses in the latency's tail).
for _r in sample_requests(20, seed=1):
    _svc.engine.decide(_r)
gc.collect()
gc.freeze()
# A full collection walks what the engine's memos keep (answers come and go by reference count: they
# are not cycles).  Measured under 150,000 distinct requests on PostgreSQL: one every 1.5-2.5 s per
# worker, 35 ms each and up to 65, stalling every request in flight -- as many as the latency's worst
# 1 %.  Considered after every 100 collections of the middle generation instead of 10.
_t0, _t1, _ = gc.get_threshold()
gc.set_threshold(_t0, _t1, 100)
