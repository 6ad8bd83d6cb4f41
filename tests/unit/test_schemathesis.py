"""Schemathesis against the published OpenAPI document: generated requests never cause a server error.

The app is built at import (schemathesis loads its schema at collection time) in a temporary home."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from sanctuary.api.app import create_app
from sanctuary.auth import create_user, issue_token
from sanctuary.ledger.checkpoint import Signer
from sanctuary.ledger.service import Ledger
from sanctuary.ledger.store import SQLiteStore
from sanctuary.service import Sanctuary, open_sessions

_HOME = Path(tempfile.mkdtemp(prefix="sanctuary-st-"))
_LEDGER = Ledger(SQLiteStore(_HOME / "db.sqlite"), Signer.generate("sanctuary.test/ledger", _HOME / "ledger.key"))
_SESSIONS = open_sessions(f"sqlite:///{_HOME / 'db.sqlite'}")
_TOKENS: dict[str, str] = {}
with _SESSIONS.begin() as _db:
    for _name, _role, _agency in [("clerk-lasd", "clerk", "lasd"), ("counsel", "counsel", None)]:
        _, _TOKENS[_name] = issue_token(_db, create_user(_db, _name, _role, _agency))
APP = create_app(Sanctuary(_LEDGER, sessions=_SESSIONS), _SESSIONS, rate=100_000, burst=100_000)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def _cleanup():
    yield
    _LEDGER.close()
    _SESSIONS.kw["bind"].dispose()
    shutil.rmtree(_HOME, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case) -> None:
    for who in ("clerk-lasd", "counsel", None):
        headers = {"Authorization": f"Bearer {_TOKENS[who]}"} if who else {}
        response = case.call(headers=headers)
        assert response.status_code < 500, (case.method, case.path, response.text[:300])
        ctype = response.headers.get("content-type") or [""]
        ctype = ctype[0] if isinstance(ctype, list) else ctype
        if response.status_code >= 400 and ctype.startswith("application/json"):
            assert "error" in response.json()
