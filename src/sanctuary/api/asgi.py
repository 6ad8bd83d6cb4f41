"""The ASGI application built from SANCTUARY_* settings, for `uvicorn sanctuary.api.asgi:app --workers N`.

Each worker process opens the ledger; appends from all workers are serialised by the database and
every worker catches its in-memory tree up before it writes."""

from __future__ import annotations

from .. import settings
from ..service import Sanctuary, open_ledger, open_sessions
from .app import create_app

_sessions = open_sessions()
_rate = float(settings.get("rate_limit"))
app = create_app(Sanctuary(open_ledger(), settings.get("regime"), _sessions), _sessions, rate=_rate, burst=int(_rate * 2))
