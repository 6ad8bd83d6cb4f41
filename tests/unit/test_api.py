from __future__ import annotations

import sqlite3

import pytest
from fastapi.testclient import TestClient

from sanctuary.api.app import create_app
from sanctuary.engine.decide import DecisionEngine
from sanctuary.ledger.service import verify_receipt


@pytest.fixture
def client(svc):
    with TestClient(create_app(svc)) as c:
        yield c


def test_post_get_trace(client, base_request: dict) -> None:
    r = client.post("/v1/decisions", json=base_request)
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["receipt"]["ledger_index"] == 1  # index 0 records the law-pack version
    assert r.headers["Sanctuary-Law-Version"] == d["law_version"]
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


def test_ledger_endpoints(client, base_request: dict) -> None:
    d = client.post("/v1/decisions", json=base_request).json()
    cp = client.get("/v1/ledger/checkpoint").text
    assert cp.startswith("sanctuary.test/ledger\n")
    receipt = client.get(f"/v1/ledger/proof/{d['decision_id']}").json()
    assert verify_receipt(receipt)["entry"]["public"]["decision_id"] == d["decision_id"]
    assert client.get("/v1/ledger/proof/nope").status_code == 404


def test_personal_data_stays_out_of_the_leaf(client, svc, base_request: dict) -> None:
    req = dict(base_request, reference="BOOKING-4471122", subject={**base_request["subject"],
               "convictions": [{"statute": "459PCRES", "level": "felony", "date": "2012-05-01"}]})
    d = client.post("/v1/decisions", json=req).json()
    row = svc.ledger.store.find(d["decision_id"])
    assert b"BOOKING-4471122" not in row[2] and b"459PCRES" not in row[2]
    assert client.get(f"/v1/decisions/{d['decision_id']}").json()["charges"][0]["raw"] == "459PCRES"
