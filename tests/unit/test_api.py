from __future__ import annotations

import sqlite3

import pytest
from fastapi.testclient import TestClient

from sanctuary.api.app import create_app
from sanctuary.engine.decide import DecisionEngine
from sanctuary.store import DecisionStore


@pytest.fixture
def client(tmp_path):
    store = DecisionStore(tmp_path / "t.db")
    with TestClient(create_app(store)) as c:
        yield c
    store.close()


def test_post_get_trace(client, base_request: dict) -> None:
    r = client.post("/v1/decisions", json=base_request)
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["receipt"]["seq"] == 1 and r.headers["Sanctuary-Law-Version"] == d["law_version"]
    again = client.get(f"/v1/decisions/{d['decision_id']}").json()
    assert again["asks"] == d["asks"]
    assert client.get(f"/v1/decisions/{d['decision_id']}/trace").json()["asks"][0]["layers"]


def test_api_equals_engine(client, base_request: dict) -> None:
    api = client.post("/v1/decisions", json=base_request).json()
    eng = DecisionEngine().decide(base_request)
    assert api["asks"] == [a.model_dump(mode="json") for a in eng.asks]


@pytest.mark.parametrize("body,status,code", [
    (b"{not json", 422, "invalid_input"),
    (b'{"agency": "lasd", "asks": []}', 422, "invalid_input"),
    (b'{"agency": "fbi", "asks": [{"kind": "hold"}]}', 422, "unknown_agency"),
    (b"x" * 300_000, 422, "invalid_input"),
])
def test_errors_have_one_shape(client, body: bytes, status: int, code: str) -> None:
    r = client.post("/v1/decisions", content=body, headers={"content-type": "application/json"})
    assert r.status_code == status
    err = r.json()["error"]
    assert err["code"] == code and err["message"] and "field" in err


def test_not_found_and_misc(client) -> None:
    assert client.get("/v1/decisions/nope").json()["error"]["code"] == "not_found"
    assert client.get("/healthz").json() == {"status": "ok"}
    assert any(a["id"] == "lapd" for a in client.get("/v1/agencies").json())
    assert client.get("/v1/offenses/parse", params={"q": "A211PC"}).json()["parsed"]["attempt"] is True
    assert client.get("/v1/laws").json()["interpretations"]
    assert "Decide" in client.get("/").text


def test_store_is_append_only(tmp_path, base_request: dict) -> None:
    store = DecisionStore(tmp_path / "a.db")
    store.record(DecisionEngine().decide(base_request))
    db = sqlite3.connect(tmp_path / "a.db")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE decisions SET agency='x'")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("DELETE FROM decisions")
