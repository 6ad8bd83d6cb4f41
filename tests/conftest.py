from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture
def shared() -> Path:
    if not SHARED.exists():
        pytest.skip("../shared (the law file and public data) is not beside this checkout")
    return SHARED


@pytest.fixture
def base_request() -> dict:
    return {
        "agency": "lasd", "as_of": "2026-03-02", "from_authority": "ice-ero",
        "documents": [{"kind": "i-247a", "signed_by": "immigration-officer", "offense_basis": "civil-immigration"}],
        "asks": [{"kind": "notify-release"}],
        "subject": {"in_custody": True, "release_info_public": False, "csar_registrant": False,
                    "federal_aggravated_felony": False, "outstanding_federal_felony_warrant": False},
    }


@pytest.fixture
def signer(tmp_path):
    from sanctuary.ledger.checkpoint import Signer
    return Signer.generate("sanctuary.test/ledger", tmp_path / "keys" / "ledger.key")


@pytest.fixture
def ledger(tmp_path, signer):
    from sanctuary.ledger.service import Ledger
    from sanctuary.ledger.store import SQLiteStore
    lg = Ledger(SQLiteStore(tmp_path / "ledger.db"), signer)
    yield lg
    lg.close()


@pytest.fixture
def sessions(tmp_path):
    from sanctuary.service import open_sessions
    return open_sessions(f"sqlite:///{tmp_path / 'ledger.db'}")


@pytest.fixture
def svc(ledger, sessions):
    from sanctuary.service import Sanctuary
    return Sanctuary(ledger, sessions=sessions)


@pytest.fixture
def api(svc, sessions):
    """(client, tokens): the app with one user and token per role (two clerks, LASD and LAPD)."""
    from fastapi.testclient import TestClient

    from sanctuary.api.app import create_app
    from sanctuary.auth import create_user, issue_token
    tokens = {}
    with sessions.begin() as db:
        for name, role, agency in [("clerk-lasd", "clerk", "lasd"), ("clerk-lapd", "clerk", "lapd"),
                                   ("counsel", "counsel", None), ("auditor", "auditor", None),
                                   ("admin", "administrator", None)]:
            _, tokens[name] = issue_token(db, create_user(db, name, role, agency))
    with TestClient(create_app(svc, sessions, rate=10_000, burst=10_000)) as c:
        yield c, tokens


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A SANCTUARY_HOME with an initialised ledger, for CLI tests."""
    from click.testing import CliRunner

    from sanctuary.cli import cli
    h = tmp_path / "home"
    monkeypatch.setenv("SANCTUARY_HOME", str(h))
    r = CliRunner().invoke(cli, ["init"])
    assert r.exit_code == 0, r.output
    return h


@pytest.fixture(scope="session")
def pg_server():
    """A throw-away PostgreSQL server on a Unix socket (no TCP), started as the postgres user."""
    from sanctuary.testing import pg
    if not pg.available():
        pytest.skip("PostgreSQL server binaries are not installed")
    with pg.throwaway_server() as url:
        yield url


@pytest.fixture
def pg_url(pg_server):
    """A fresh database per test."""
    from sanctuary.testing import pg
    return pg.fresh_database(pg_server)
